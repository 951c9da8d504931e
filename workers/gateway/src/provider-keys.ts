/**
 * Provider API keys, per isolate: read from the secret a target names
 * (comma-separated), used round-robin, cooled down on 429 until Retry-After,
 * disabled on 401. Keys are referred to by position ("key 2 of 3") everywhere
 * outside this file, never by value.
 */
import { envString } from "./config.ts";

interface KeyState {
  cooldownUntil: number;
  disabled: boolean;
}

export interface PickedKey {
  secret: string;
  value: string;
  /** 1-based position in the secret's list: safe to show. */
  position: number;
  count: number;
}

export type KeyPick = { ok: true; key: PickedKey } | { ok: false; reason: "none_configured" | "all_disabled" | "cooling"; until: number | null };

class ProviderKeys {
  #state = new Map<string, KeyState>();
  #cursor = new Map<string, number>();

  #keys(env: Env, secret: string): string[] {
    return (envString(env, secret) ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k !== "");
  }

  #stateOf(secret: string, value: string): KeyState {
    const id = `${secret}\u0000${value}`;
    let s = this.#state.get(id);
    if (s === undefined) {
      s = { cooldownUntil: 0, disabled: false };
      this.#state.set(id, s);
    }
    return s;
  }

  pick(env: Env, secret: string, now: number): KeyPick {
    const keys = this.#keys(env, secret);
    if (keys.length === 0) return { ok: false, reason: "none_configured", until: null };
    const start = this.#cursor.get(secret) ?? 0;
    let soonest: number | null = null;
    for (let i = 0; i < keys.length; i++) {
      const index = (start + i) % keys.length;
      const value = keys[index];
      if (value === undefined) continue;
      const s = this.#stateOf(secret, value);
      if (s.disabled) continue;
      if (s.cooldownUntil > now) {
        soonest = soonest === null ? s.cooldownUntil : Math.min(soonest, s.cooldownUntil);
        continue;
      }
      this.#cursor.set(secret, index + 1);
      return { ok: true, key: { secret, value, position: index + 1, count: keys.length } };
    }
    return soonest === null ? { ok: false, reason: "all_disabled", until: null } : { ok: false, reason: "cooling", until: soonest };
  }

  cooldown(key: PickedKey, until: number): void {
    const s = this.#stateOf(key.secret, key.value);
    s.cooldownUntil = Math.max(s.cooldownUntil, until);
  }

  disable(key: PickedKey): void {
    this.#stateOf(key.secret, key.value).disabled = true;
  }

  /** Counts per secret for /healthz: how many keys are usable, cooling, disabled. */
  summary(env: Env, secrets: Iterable<string>, now: number): Record<string, { total: number; cooling: number; disabled: number }> {
    const out: Record<string, { total: number; cooling: number; disabled: number }> = {};
    for (const secret of secrets) {
      const keys = this.#keys(env, secret);
      let cooling = 0;
      let disabled = 0;
      for (const k of keys) {
        const s = this.#stateOf(secret, k);
        if (s.disabled) disabled++;
        else if (s.cooldownUntil > now) cooling++;
      }
      out[secret] = { total: keys.length, cooling, disabled };
    }
    return out;
  }

  /** Every key value in a secret, so upstream error text can be scrubbed of them. */
  values(env: Env, secret: string): string[] {
    return this.#keys(env, secret);
  }
}

export const providerKeys = new ProviderKeys();
