/** Provider key rotation against the cloud simulator's per-key faults. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALIAS, CLOUD_KEYS, chaos, client, healthz, resetWorld, setPinned, waitForEvents } from "./helpers.ts";

const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  await resetWorld();
  await setPinned(true);
});
afterAll(async () => {
  await setPinned(false);
  await resetWorld();
});

describe("provider keys", () => {
  it("pinned to cloud: requests skip Exo entirely", async () => {
    const res = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
    expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    expect(res.response.headers.get("x-exo-bridge-attempts")).toBe("1");
  });

  it("a 429 on one key cools that key down and the request is retried with the next key", async () => {
    const [k1] = CLOUD_KEYS;
    await chaos("sim_cloud", "rate-limit-key", k1 ?? "");
    const attempts: number[] = [];
    for (let i = 0; i < CLOUD_KEYS.length + 1; i++) {
      const res = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
      expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
      attempts.push(Number(res.response.headers.get("x-exo-bridge-attempts")));
    }
    // Exactly one request met the limited key (then it cools down and is skipped).
    expect(attempts.filter((a) => a === 2)).toHaveLength(1);
    expect(attempts.filter((a) => a === 1)).toHaveLength(CLOUD_KEYS.length);
    const h = await healthz();
    expect(h.provider_keys["SIM_CLOUD_API_KEYS"]).toMatchObject({ total: 3, cooling: 1, disabled: 0 });
    const events = await waitForEvents((ev) => ev.some((e) => e.type === "provider_key_state" && e.message.includes("rate-limited")));
    const ev = events.find((e) => e.type === "provider_key_state" && e.message.includes("rate-limited"));
    expect(ev?.message).toMatch(/key \d of 3/);
    expect(JSON.stringify(events)).not.toContain("sk-sim-test-key");
  });

  it("a 401 disables the key for good and records an event; traffic continues on the others", async () => {
    const k2 = CLOUD_KEYS[1] ?? "";
    await chaos("sim_cloud", "revoke-key", k2);
    for (let i = 0; i < CLOUD_KEYS.length + 1; i++) {
      const res = await client().chat.completions.create({ model: ALIAS, messages }).withResponse();
      expect(res.response.headers.get("x-exo-bridge-upstream")).toBe("sim_cloud");
    }
    const h = await healthz();
    expect(h.provider_keys["SIM_CLOUD_API_KEYS"]?.disabled).toBe(1);
    const events = await waitForEvents((ev) => ev.some((e) => e.type === "provider_key_state" && e.message.includes("disabled")));
    expect(events.some((e) => e.type === "provider_key_state" && e.message.includes("(401): disabled"))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(k2);
  });
});
