/**
 * The live link to /api/events/ws: sends `hello` with the token and the last event
 * id it has, parses every message with zod, reconnects with exponential backoff and
 * jitter, and pings so that a silently dead socket is noticed and replaced.
 * Runs in the browser and, with Node's WebSocket, in tests.
 */
import { ServerMessage, type ClientMessage } from "@exo-bridge/core/protocol/messages";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.ts";
import type { ConnectionState } from "./connection-state.ts";

export const CLOSE_UNAUTHORIZED = 4401;

export interface ConnectionOptions {
  url: string;
  token: () => string | null;
  /** The last event id the page holds, sent as `since` so the snapshot carries only what was missed. */
  since: () => number;
  onMessage: (msg: ServerMessage) => void;
  onState: (state: ConnectionState) => void;
  /** A frame that is not a valid ServerMessage: reported, never applied. */
  onInvalid?: (detail: string) => void;
  WebSocketImpl?: typeof WebSocket;
  random?: () => number;
  now?: () => number;
  backoff?: BackoffPolicy;
  pingIntervalMs?: number;
  /** No frame at all for this long means the socket is dead even if it looks open. */
  staleAfterMs?: number;
  /** After this many failed attempts the state says "offline since …". */
  offlineAfterAttempts?: number;
}

export interface Connection {
  start(): void;
  stop(): void;
  /** Skip the remaining backoff (browser came back online, user clicked retry). */
  reconnectNow(): void;
  /** Drop the socket as if the network failed (used by the HUD's "drop" control and tests). */
  drop(): void;
  readonly state: ConnectionState;
}

export function createConnection(opts: ConnectionOptions): Connection {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const pingEvery = opts.pingIntervalMs ?? 15_000;
  const staleAfter = opts.staleAfterMs ?? 45_000;
  const offlineAfter = opts.offlineAfterAttempts ?? 5;

  let socket: WebSocket | null = null;
  let state: ConnectionState = { kind: "idle" };
  let stopped = true;
  let attempt = 0;
  let downSince: number | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let pingTimer: ReturnType<typeof setInterval> | null = null;
  let lastFrameAt = 0;

  const setState = (s: ConnectionState): void => {
    state = s;
    opts.onState(s);
  };
  const send = (msg: ClientMessage): void => {
    if (socket !== null && socket.readyState === WS.OPEN) socket.send(JSON.stringify(msg));
  };
  const clearTimers = (): void => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    if (pingTimer !== null) clearInterval(pingTimer);
    retryTimer = null;
    pingTimer = null;
  };

  function open(): void {
    clearTimers();
    const token = opts.token();
    if (token === null) {
      setState({ kind: "unauthorized", message: "An admin token is needed." });
      return;
    }
    setState({ kind: "connecting", attempt });
    let ws: WebSocket;
    try {
      ws = new WS(opts.url);
    } catch (err) {
      scheduleRetry(err instanceof Error ? err.message : "could not open the socket");
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      lastFrameAt = now();
      const since = opts.since();
      send(since > 0 ? { type: "hello", token, since } : { type: "hello", token });
      pingTimer = setInterval(() => heartbeat(ws), Math.max(50, Math.min(pingEvery, staleAfter / 2)));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (socket !== ws) return;
      lastFrameAt = now();
      const msg = parse(ev.data);
      if (msg === null) return;
      if (msg.type === "snapshot") {
        attempt = 0;
        downSince = null;
        opts.onMessage(msg);
        setState({ kind: "live", since: now() });
        return;
      }
      opts.onMessage(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (stopped) return;
      if (ev.code === CLOSE_UNAUTHORIZED) {
        stopped = true;
        setState({ kind: "unauthorized", message: ev.reason === "" ? "The server refused the admin token." : ev.reason });
        return;
      }
      scheduleRetry(ev.reason === "" ? `closed (${ev.code})` : `closed (${ev.code}: ${ev.reason})`);
    };
    // An error is always followed by close, which does the work.
    ws.onerror = () => undefined;
  }

  function heartbeat(ws: WebSocket): void {
    if (socket !== ws) return;
    if (now() - lastFrameAt > staleAfter) {
      // Looks open, says nothing: treat as lost and reconnect.
      socket = null;
      ws.close(4000, "no frames");
      clearTimers();
      scheduleRetry("no answer to ping");
      return;
    }
    send({ type: "ping", t: now() });
  }

  function parse(raw: unknown): ServerMessage | null {
    if (typeof raw !== "string") {
      opts.onInvalid?.("binary frame");
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      opts.onInvalid?.("frame is not JSON");
      return null;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) {
      opts.onInvalid?.(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ").slice(0, 300));
      return null;
    }
    return parsed.data;
  }

  function scheduleRetry(reason: string): void {
    if (stopped) return;
    attempt += 1;
    downSince ??= now();
    const delay = backoffDelay(attempt, random(), backoff);
    const retryAt = now() + delay;
    const offline = attempt > offlineAfter || (typeof navigator !== "undefined" && navigator.onLine === false);
    setState(offline ? { kind: "offline", attempt, retryAt, downSince, reason } : { kind: "reconnecting", attempt, retryAt, downSince, reason });
    retryTimer = setTimeout(open, delay);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      attempt = 0;
      downSince = null;
      open();
    },
    stop() {
      stopped = true;
      clearTimers();
      const ws = socket;
      socket = null;
      ws?.close(1000, "page closed");
      setState({ kind: "idle" });
    },
    reconnectNow() {
      if (stopped || socket !== null) return;
      open();
    },
    drop() {
      const ws = socket;
      if (ws === null) return;
      socket = null;
      clearTimers();
      ws.close(4000, "dropped by operator");
      scheduleRetry("dropped");
    },
    get state() {
      return state;
    },
  };
}
