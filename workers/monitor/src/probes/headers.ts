/**
 * Request headers for a target, built from secrets at the moment of the probe:
 * the Cloudflare Access service token for Exo targets (when set) and the first
 * provider key for cloud targets. Values never leave this function's result.
 */
import { secretNames, type TargetConfig } from "@exo-bridge/core/config/target";
import { secret } from "../env.ts";

export function targetHeaders(env: Env, config: TargetConfig): Record<string, string> {
  const names = secretNames(config);
  const headers: Record<string, string> = { "user-agent": "exo-bridge-monitor" };
  const id = secret(env, names.accessClientId);
  const sec = secret(env, names.accessClientSecret);
  if (id !== null && sec !== null) {
    headers["CF-Access-Client-Id"] = id;
    headers["CF-Access-Client-Secret"] = sec;
  }
  if (config.kind === "cloud") {
    const first = (secret(env, names.apiKeys) ?? "")
      .split(",")
      .map((k) => k.trim())
      .find((k) => k.length > 0);
    if (first !== undefined) headers["authorization"] = `Bearer ${first}`;
  }
  return headers;
}

/** Every secret value a target's requests may carry, for scrubbing error texts. */
export function targetSecretValues(env: Env, config: TargetConfig): string[] {
  const names = secretNames(config);
  const out: string[] = [];
  for (const n of [names.accessClientId, names.accessClientSecret]) {
    const v = secret(env, n);
    if (v !== null) out.push(v);
  }
  for (const k of (secret(env, names.apiKeys) ?? "").split(",")) if (k.trim().length > 0) out.push(k.trim());
  return out;
}
