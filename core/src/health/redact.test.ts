/**
 * The second fence against credentials in stored errors.
 */
import { describe, expect, it } from "vitest";
import { sanitizeError } from "./redact.ts";

describe("sanitizeError", () => {
  it.each([
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def", "eyJhbGciOiJIUzI1NiJ9"],
    ['{"CF-Access-Client-Secret":"0123abcd4567ef"}', "0123abcd4567ef"],
    ["cf-access-client-id: 9f1c.access", "9f1c.access"],
    ["api_key=AKIA1234567890", "AKIA1234567890"],
    ["invalid key sk-proj-AbCdEf0123456789", "sk-proj-AbCdEf0123456789"],
    ["key AIzaSyA1234567890abcdefghijkl rejected", "AIzaSyA1234567890abcdefghijkl"],
    ["GET https://user:hunter2@exo.example.com/node_id", "hunter2"],
  ])("masks %s", (raw, secret) => {
    const out = sanitizeError(raw);
    expect(out).not.toContain(secret);
    expect(out).toContain("redacted");
  });

  it("keeps ordinary errors intact, on one line", () => {
    expect(sanitizeError("connect ECONNREFUSED\n  127.0.0.1:52415")).toBe("connect ECONNREFUSED 127.0.0.1:52415");
    expect(sanitizeError("No instance found for model mlx-community/Llama-3.2-1B-Instruct-4bit")).toBe(
      "No instance found for model mlx-community/Llama-3.2-1B-Instruct-4bit",
    );
  });

  it("cuts long text, masking a secret that straddles the cut", () => {
    const out = sanitizeError(`${"x ".repeat(95)}Bearer abcdefghijklmnopqrstuvwxyz0123456789`, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).not.toMatch(/Bearer abcdef/);
  });
});
