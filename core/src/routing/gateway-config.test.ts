import { describe, expect, it } from "vitest";
import { backoffDelay, parseGatewayConfig } from "./gateway-config.ts";
import { seededRandom } from "./prng.ts";

describe("parseGatewayConfig", () => {
  it("applies defaults to an empty env", () => {
    const r = parseGatewayConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({ env: "production", routingMaxStalenessMs: 1_500, maxAttempts: 4, maxBodyBytes: 4 * 1024 * 1024, cloudSpendCapUsd: null, keyHashes: [] });
  });

  it("reads vars, lists and caps", () => {
    const hash = "A".repeat(64);
    const r = parseGatewayConfig({
      EXO_BRIDGE_ENV: "development",
      ROUTING_MAX_STALENESS_MS: " 200 ",
      GATEWAY_MAX_ATTEMPTS: "6",
      CLOUD_SPEND_CAP_USD: "2.5",
      RATE_LIMIT_RPM: "60",
      GATEWAY_KEY_HASHES: `${hash}, `,
      GATEWAY_API_KEYS: "sk-exo-bridge-dev,sk-second-key",
    });
    expect(r.ok && r.config).toMatchObject({
      env: "development",
      routingMaxStalenessMs: 200,
      maxAttempts: 6,
      cloudSpendCapUsd: 2.5,
      rateLimitPerMinute: 60,
      keyHashes: ["a".repeat(64)],
      plaintextKeys: ["sk-exo-bridge-dev", "sk-second-key"],
    });
  });

  it("lists every problem by variable name without echoing values", () => {
    const r = parseGatewayConfig({
      EXO_BRIDGE_ENV: "staging",
      GATEWAY_MAX_ATTEMPTS: "0",
      ROUTING_MAX_STALENESS_MS: "soon",
      RATE_LIMIT_RPM: "1.5",
      GATEWAY_KEY_HASHES: "not-a-digest-secretish",
      GATEWAY_API_KEYS: "short",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.split(":")[0])).toEqual(
      expect.arrayContaining(["EXO_BRIDGE_ENV", "GATEWAY_MAX_ATTEMPTS", "ROUTING_MAX_STALENESS_MS", "RATE_LIMIT_RPM", "GATEWAY_KEY_HASHES", "GATEWAY_API_KEYS"]),
    );
    expect(r.errors.join("\n")).not.toMatch(/secretish|short|soon/);
  });

  it("rejects inconsistent bounds", () => {
    const r = parseGatewayConfig({ GATEWAY_BACKOFF_BASE_MS: "100", GATEWAY_BACKOFF_MAX_MS: "10", ROUTING_MAX_STALENESS_MS: "5000", ROUTING_HARD_STALENESS_MS: "1000" });
    expect(r.ok ? [] : r.errors.length).toBe(2);
  });
});

describe("backoffDelay", () => {
  it("stays within [0, min(max, base·2^retry)] and grows with retries", () => {
    const rand = seededRandom(5);
    const cfg = { backoffBaseMs: 25, backoffMaxMs: 500 };
    for (let retry = 0; retry < 10; retry++) {
      for (let i = 0; i < 100; i++) {
        const d = backoffDelay(retry, cfg, rand);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(500, 25 * 2 ** retry));
      }
    }
    expect(backoffDelay(3, cfg, () => 0.999)).toBe(199);
  });
});
