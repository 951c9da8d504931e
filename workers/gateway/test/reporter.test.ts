/**
 * The report batcher: repeated facts are throttled, and the next one sent says how
 * many were held back, so the audit trail keeps the count.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gatewayConfig } from "../src/config.ts";
import { reporter } from "../src/reporter.ts";
import { resetWorld, waitForEvents } from "./helpers.ts";

describe("reporter", () => {
  it("throttles a repeated fact and reports how many were held back", async () => {
    await resetWorld();
    const at = Date.now();
    const fact = (dt: number, n: number) =>
      reporter.fact(
        { at: at + dt, type: "stream_failed", target: "exo_primary", message: `stream ${n} failed`, data: { classification: "stream_cut" } },
        "test:stream_failed:exo_primary",
      );
    fact(0, 1);
    fact(1_000, 2); // within the window: held
    fact(2_000, 3); // held
    fact(31_000, 4); // sent, carrying the count
    await reporter.flush(env, gatewayConfig(env));
    const events = await waitForEvents((ev) => ev.some((e) => e.message === "stream 4 failed"));
    const sent = events.filter((e) => e.type === "stream_failed" && e.message.startsWith("stream "));
    expect(sent.map((e) => e.message)).toEqual(["stream 1 failed", "stream 4 failed"]);
    expect(sent[0]?.data["held_back_since_last"]).toBeUndefined();
    expect(sent[1]?.data["held_back_since_last"]).toBe(2);
  });
});
