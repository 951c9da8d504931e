/**
 * Wires the state to the outside world: the live socket, the admin API calls
 * behind every control, "older events", usage polling, and the token gate (a 401
 * anywhere signs out with the server's refusal shown).
 */
import type { z } from "zod";
import type { TargetConfigInput, TargetPatch } from "@exo-bridge/core/config/target";
import { callApi, type ApiResult, type Method } from "./net/api.ts";
import {
  AnyObject,
  AutoRecoveryAnswer,
  CheckAllAnswer,
  CheckOneAnswer,
  DrainAnswer,
  EventsAnswer,
  PinAnswer,
  RemovedAnswer,
  RunningAnswer,
  TargetAnswer,
  UsageAnswer,
  type ProbeSummary,
} from "./net/api-schemas.ts";
import { createConnection, type Connection } from "./net/connection.ts";
import { clearToken, saveToken } from "./net/token-store.ts";
import { applyOlderEvents } from "./state/apply-server-message.ts";
import { LIMITS } from "./state/model.ts";
import { dispatch, recordAction, setBusy, type AppState } from "./state/app-state.ts";

const OLDER_PAGE = 100;
const USAGE_WINDOW_MS = 24 * 3600_000;

export interface Controller {
  signIn(token: string): void;
  signOut(message: string | null): void;
  forceCheckAll(): Promise<void>;
  forceCheck(name: string): Promise<void>;
  setAutoRecovery(enabled: boolean): Promise<void>;
  setPinned(pinned: boolean): Promise<void>;
  setManagerRunning(running: boolean): Promise<void>;
  setDrained(name: string, drained: boolean): Promise<void>;
  setMaintenance(name: string, enabled: boolean): Promise<void>;
  removeTarget(name: string): Promise<ApiResult<unknown>>;
  addTarget(config: TargetConfigInput): Promise<ApiResult<unknown>>;
  patchTarget(name: string, patch: TargetPatch): Promise<ApiResult<unknown>>;
  loadOlder(): Promise<void>;
  refreshUsage(): Promise<void>;
  dropConnection(): void;
  reconnectNow(): void;
  stop(): void;
}

export function createController(state: AppState, wsUrl: string): Controller {
  let conn: Connection | null = null;
  let usageTimer: ReturnType<typeof setInterval> | null = null;

  function startLive(): void {
    conn?.stop();
    conn = createConnection({
      url: wsUrl,
      token: () => state.token.value,
      since: () => state.model.value.lastEventId,
      onMessage: (msg) => dispatch(state, msg),
      onState: (s) => {
        state.connection.value = s;
        if (s.kind === "unauthorized") signOut(`The live event stream refused the token: ${s.message}`);
      },
      onInvalid: () => {
        state.invalidFrames.value += 1;
      },
    });
    conn.start();
    void refreshUsage();
    usageTimer ??= setInterval(() => void refreshUsage(), 30_000);
  }

  function signIn(token: string): void {
    saveToken(token);
    state.token.value = token.trim();
    state.gateMessage.value = null;
    startLive();
  }

  function signOut(message: string | null): void {
    clearToken();
    state.token.value = null;
    state.gateMessage.value = message;
    if (usageTimer !== null) clearInterval(usageTimer);
    usageTimer = null;
    const c = conn;
    conn = null;
    c?.stop();
  }

  async function api<T>(method: Method, path: string, schema: z.ZodType<T>, body?: unknown): Promise<ApiResult<T>> {
    const token = state.token.value;
    if (token === null) return { ok: false, status: 401, message: "No admin token.", type: "authentication_error", param: null, code: null };
    const res = await callApi({ token, method, path, schema, body });
    if (!res.ok && res.status === 401) signOut(`The admin API refused the token (401): ${res.message}`);
    return res;
  }

  /** Run a control: mark it busy, call the API, record what happened. */
  async function control<T>(key: string, label: string, method: Method, path: string, schema: z.ZodType<T>, body: unknown, describe: (data: T) => string): Promise<ApiResult<T>> {
    setBusy(state, key, true);
    try {
      const res = await api(method, path, schema, body);
      if (res.ok) recordAction(state, label, true, describe(res.data));
      else recordAction(state, label, false, `${res.status === 0 ? "" : `${res.status} `}${res.message}`);
      return res;
    } finally {
      setBusy(state, key, false);
    }
  }

  const enc = encodeURIComponent;
  const probe = (name: string, r: ProbeSummary): string =>
    `${name}: ${r.classification}${r.latency_ms === null ? "" : ` in ${Math.round(r.latency_ms)} ms`} → ${r.status}${r.error ? ` (${r.error})` : ""}`;

  async function loadOlder(): Promise<void> {
    const m = state.model.value;
    const oldest = m.events[0]?.id ?? m.lastEventId + 1;
    if (oldest <= 1) {
      state.model.value = applyOlderEvents(m, [], true);
      return;
    }
    const since = Math.max(0, oldest - 1 - OLDER_PAGE);
    state.loadingOlder.value = true;
    state.olderError.value = null;
    try {
      const res = await api("GET", `/api/events?since=${since}&limit=${OLDER_PAGE}`, EventsAnswer);
      if (!res.ok) {
        state.olderError.value = res.message;
        return;
      }
      const older = res.data.events.filter((e) => e.id < oldest);
      const exhausted = since === 0 || res.data.truncated || older.length === 0;
      state.model.value = applyOlderEvents(state.model.value, older, exhausted);
    } finally {
      state.loadingOlder.value = false;
    }
  }

  async function refreshUsage(): Promise<void> {
    const res = await api("GET", `/api/usage?since=${Date.now() - USAGE_WINDOW_MS}`, UsageAnswer);
    if (res.ok) {
      state.usageRows.value = res.data.rows;
      state.usageError.value = null;
    } else {
      state.usageError.value = res.message;
    }
  }

  if (state.token.value !== null) startLive();

  return {
    signIn,
    signOut,
    forceCheckAll: async () => {
      await control("check:*", "Force check (all)", "POST", "/api/check", CheckAllAnswer, undefined, (d) =>
        Object.entries(d.results).map(([n, r]) => probe(n, r)).join("; ") || "no targets",
      );
    },
    forceCheck: async (name) => {
      await control(`check:${name}`, `Force check ${name}`, "POST", `/api/check/${enc(name)}`, CheckOneAnswer, undefined, (d) => probe(name, d.result));
    },
    setAutoRecovery: async (enabled) => {
      await control("auto-recovery", "Auto-recovery", "POST", "/api/auto-recovery", AutoRecoveryAnswer, { enabled }, (d) => `auto-recovery is ${d.auto_recovery ? "on" : "off"}`);
    },
    setPinned: async (pinned) => {
      await control("pin", "Pin to cloud", "POST", "/api/routing/pin", PinAnswer, { pinned }, (d) => (d.pinned_to_cloud ? "all traffic pinned to cloud providers" : "traffic follows health again"));
    },
    setManagerRunning: async (running) => {
      const path = running ? "/api/manager/start" : "/api/manager/stop";
      await control("manager", running ? "Start monitor" : "Stop monitor", "POST", path, RunningAnswer, undefined, (d) => (d.running ? "monitor running" : "monitor stopped"));
    },
    setDrained: async (name, drained) => {
      await control(`drain:${name}`, `${drained ? "Drain" : "Undrain"} ${name}`, "POST", `/api/targets/${enc(name)}/drain`, DrainAnswer, { drained }, (d) =>
        d.drained ? `${d.target} drained: no traffic, still probed` : `${d.target} takes traffic again`,
      );
    },
    setMaintenance: async (name, enabled) => {
      await control(`maint:${name}`, `Maintenance ${name}`, "POST", `/api/targets/${enc(name)}/maintenance`, AnyObject, { enabled }, () =>
        enabled ? `${name} in maintenance` : `${name} out of maintenance`,
      );
    },
    removeTarget: (name) => control(`remove:${name}`, `Remove ${name}`, "DELETE", `/api/targets/${enc(name)}`, RemovedAnswer, undefined, (d) => `${d.removed} removed`),
    addTarget: (config) => control("add", `Add ${config.name}`, "POST", "/api/targets", TargetAnswer, config, (d) => `${d.target.name} added`),
    patchTarget: (name, patch) => control(`patch:${name}`, `Update ${name}`, "PATCH", `/api/targets/${enc(name)}`, TargetAnswer, patch, (d) => `${d.target.name} updated`),
    loadOlder,
    refreshUsage,
    dropConnection: () => conn?.drop(),
    reconnectNow: () => conn?.reconnectNow(),
    stop: () => {
      if (usageTimer !== null) clearInterval(usageTimer);
      conn?.stop();
    },
  };
}

/** The older-events button is useless once memory is full of loaded history. */
export function canLoadOlder(state: AppState): boolean {
  const m = state.model.value;
  return !m.oldestReached && m.events.length < LIMITS.events && (m.events[0]?.id ?? 0) !== 1;
}

