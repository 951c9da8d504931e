/** Provider key rotation against the cloud simulator's per-key faults. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ALIAS, CLOUD_KEYS, admin, chaos, client, healthz, resetWorld, setPinned, waitForEvents } from "./helpers.ts";

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
    expect(JSON.stringify(events)).not.toMatch(/sk-sim-test-key|test-access-secret-value/);
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

  it("records usage and cost per request, and honours a client's include_usage on streams", async () => {
    const stream = await client().chat.completions.create({ model: ALIAS, messages, stream: true, stream_options: { include_usage: true } });
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens ?? 0).toBeGreaterThan(0);

    const UsageBody = z.object({ rows: z.array(z.object({ dimension: z.string(), key: z.string(), requests: z.number(), completionTokens: z.number(), costUsd: z.number() })) });
    const deadline = Date.now() + 5_000;
    let row: z.infer<typeof UsageBody>["rows"][number] | undefined;
    while (Date.now() < deadline) {
      const body = UsageBody.parse(await (await admin("/api/usage")).json());
      row = body.rows.find((r) => r.dimension === "upstream" && r.key === "sim_cloud" && r.costUsd > 0);
      if (row !== undefined) break;
      await scheduler.wait(50);
    }
    expect(row?.completionTokens ?? 0).toBeGreaterThan(0);
    // Priced at $0.1 / $0.4 per million tokens in the test targets.
    expect(row?.costUsd ?? 0).toBeLessThan(0.01);
  });
});
