/**
 * The gateway's validated config, parsed once per env object (per isolate in
 * practice). A broken config does not crash the isolate: /v1 answers 503 naming
 * the variables at fault.
 */
import { parseGatewayConfig, type ConfigResult, type GatewayConfig } from "@exo-bridge/core/routing/gateway-config";
import { GatewayError } from "./http-error.ts";

const cache = new WeakMap<object, ConfigResult>();

export function configResult(env: Env): ConfigResult {
  let result = cache.get(env);
  if (result === undefined) {
    result = parseGatewayConfig(env as unknown as Record<string, unknown>);
    cache.set(env, result);
  }
  return result;
}

export function gatewayConfig(env: Env): GatewayConfig {
  const result = configResult(env);
  if (!result.ok) throw new GatewayError(503, `Gateway is misconfigured: ${result.errors.join("; ")}`, { code: "gateway_misconfigured" });
  return result.config;
}

/** A secret or var by name, as a string if set (names come from the routing snapshot). */
export function envString(env: Env, name: string): string | null {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : null;
}
