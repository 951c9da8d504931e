/**
 * Client authentication for /v1: `Authorization: Bearer <key>`, checked against
 * SHA-256 digests (GATEWAY_KEY_HASHES, or GATEWAY_API_KEYS hashed at load). A
 * client is known downstream only by a short prefix of its key's digest. Also the
 * optional per-key request rate and daily token budget (per isolate).
 */
import type { GatewayConfig } from "@exo-bridge/core/routing/gateway-config";
import { GatewayError, retryAfterSeconds } from "./http-error.ts";

export interface Client {
  /** First 12 hex digits of the key's SHA-256: identifies, reveals nothing. */
  id: string;
}

const digestSets = new WeakMap<GatewayConfig, Promise<Set<string>>>();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function allowedDigests(config: GatewayConfig): Promise<Set<string>> {
  let set = digestSets.get(config);
  if (set === undefined) {
    set = Promise.all(config.plaintextKeys.map(sha256Hex)).then((hashed) => new Set([...config.keyHashes, ...hashed]));
    digestSets.set(config, set);
  }
  return set;
}

export async function authenticate(request: Request, config: GatewayConfig): Promise<Client> {
  const open = config.keyHashes.length === 0 && config.plaintextKeys.length === 0;
  if (open) {
    if (config.env === "production") {
      throw new GatewayError(503, "The gateway has no client keys configured: set the GATEWAY_KEY_HASHES secret.", { code: "gateway_keys_missing" });
    }
    return { id: "anonymous" };
  }
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const key = match?.[1];
  if (key === undefined) {
    throw new GatewayError(401, "Missing API key: send 'Authorization: Bearer <key>'.", { code: "missing_api_key", headers: { "www-authenticate": "Bearer" } });
  }
  const known = acceptedKeys(config).get(key);
  if (known !== undefined) return known;
  const digest = await sha256Hex(key);
  if (!(await allowedDigests(config)).has(digest)) {
    throw new GatewayError(401, "Incorrect API key provided.", { code: "invalid_api_key", headers: { "www-authenticate": "Bearer" } });
  }
  const client = { id: digest.slice(0, 12) };
  const cache = acceptedKeys(config);
  // Only keys that passed are remembered (so junk keys cannot grow it), and only a few.
  if (cache.size >= ACCEPTED_CACHE_SIZE) cache.clear();
  cache.set(key, client);
  return client;
}

/** Keys already verified in this isolate: a SHA-256 per request is most of authentication's cost. */
const ACCEPTED_CACHE_SIZE = 256;
const accepted = new WeakMap<GatewayConfig, Map<string, Client>>();

function acceptedKeys(config: GatewayConfig): Map<string, Client> {
  let cache = accepted.get(config);
  if (cache === undefined) {
    cache = new Map();
    accepted.set(config, cache);
  }
  return cache;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface Window {
  start: number;
  count: number;
}

/** Fixed-window counters per client: requests per minute, tokens per UTC day. */
class ClientLimits {
  #requests = new Map<string, Window>();
  #tokens = new Map<string, Window>();

  check(client: Client, config: GatewayConfig, now: number): void {
    const rpm = config.rateLimitPerMinute;
    if (rpm !== null) {
      const w = current(this.#requests, client.id, now, MINUTE_MS);
      if (w.count >= rpm) {
        throw new GatewayError(429, `Rate limit reached: ${rpm} requests per minute for this key.`, {
          code: "rate_limit_exceeded",
          headers: { "retry-after": retryAfterSeconds(w.start + MINUTE_MS - now) },
        });
      }
      w.count++;
    }
    const budget = config.tokenBudgetPerDay;
    if (budget !== null) {
      const w = current(this.#tokens, client.id, now, DAY_MS);
      if (w.count >= budget) {
        throw new GatewayError(429, `Token budget reached: ${budget} tokens per day for this key.`, {
          code: "token_budget_exceeded",
          headers: { "retry-after": retryAfterSeconds(w.start + DAY_MS - now) },
        });
      }
    }
  }

  addTokens(client: Client, tokens: number, now: number): void {
    current(this.#tokens, client.id, now, DAY_MS).count += tokens;
  }
}

function current(map: Map<string, Window>, id: string, now: number, size: number): Window {
  const start = now - (now % size);
  let w = map.get(id);
  if (w === undefined || w.start !== start) {
    w = { start, count: 0 };
    map.set(id, w);
  }
  return w;
}

export const clientLimits = new ClientLimits();
