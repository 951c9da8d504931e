import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("serves and reaches the monitor's hub", async () => {
    const res = await exports.default.fetch("http://gw/x");
    expect(res.status).toBe(200);
    const stub = env.HUB.get(env.HUB.idFromName("fleet")) as DurableObjectStub<import("../../monitor/src/index.ts").HealthHub>;
    expect(await stub.ping()).toMatch(/^pong/);
  });
});
