import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("reaches the hub", async () => {
    const stub = env.HUB.get(env.HUB.idFromName("x"));
    expect(await stub.ping()).toMatch(/^pong/);
  });
});
