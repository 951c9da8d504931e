import { afterEach, describe, expect, it } from "vitest";
import { ClientMessage } from "@exo-bridge/core/protocol/messages";
import type { MonitorEvent } from "@exo-bridge/core/protocol/events";
import { createConnection, type Connection } from "./connection.ts";
import type { ConnectionState } from "./connection-state.ts";
import { startTestWsServer, type TestPeer, type TestWsServer } from "./test-ws-server.ts";
import { applyServerMessage } from "../state/apply-server-message.ts";
import { emptyModel, type HudModel } from "../state/model.ts";
import { event, snapshot } from "../test-fixtures.ts";
import { backoffDelay } from "./backoff.ts";

const TOKEN = "test-admin-token";

/** A tiny stand-in for the HealthHub's socket protocol, holding an event log. */
function hub() {
  const log: MonitorEvent[] = [];
  const live = new Set<TestPeer>();
  const hellos: ClientMessage[] = [];
  let pings = 0;
  let silent = false;
  return {
    log,
    hellos,
    get pings() {
      return pings;
    },
    set silent(v: boolean) {
      silent = v;
    },
    commit(n: number) {
      for (let i = 0; i < n; i++) {
        const e = event(log.length + 1);
        log.push(e);
        for (const p of live) if (p.open) p.send(JSON.stringify({ type: "event", event: e }));
      }
    },
    onConnect(peer: TestPeer) {
      return (text: string) => {
        const parsed = ClientMessage.safeParse(JSON.parse(text));
        if (!parsed.success) return peer.send(JSON.stringify({ type: "error", code: "bad_message", message: "?" }));
        const msg = parsed.data;
        if (msg.type === "ping") {
          pings++;
          if (!silent) peer.send(JSON.stringify({ type: "pong", t: msg.t }));
          return;
        }
        hellos.push(msg);
        if (msg.token !== TOKEN) return peer.close(4401, "bad token");
        const since = msg.since ?? 0;
        peer.send(JSON.stringify(snapshot(log.filter((e) => e.id > since), { lastEventId: log.length })));
        live.add(peer);
      };
    },
  };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let server: TestWsServer | null = null;
let conn: Connection | null = null;
afterEach(async () => {
  conn?.stop();
  conn = null;
  await server?.stop();
  server = null;
});

function connect(url: string, token: string, opts: { pingIntervalMs?: number; staleAfterMs?: number } = {}) {
  let model: HudModel = emptyModel();
  const states: ConnectionState[] = [];
  const invalid: string[] = [];
  conn = createConnection({
    url,
    token: () => token,
    since: () => model.lastEventId,
    onMessage: (m) => {
      model = applyServerMessage(model, m);
    },
    onState: (s) => states.push(s),
    onInvalid: (d) => invalid.push(d),
    backoff: { baseMs: 20, maxMs: 200 },
    pingIntervalMs: opts.pingIntervalMs ?? 60_000,
    staleAfterMs: opts.staleAfterMs ?? 120_000,
  });
  conn.start();
  return { model: () => model, states, invalid };
}

describe("connection manager over a real socket", () => {
  it("says hello, applies the snapshot, goes live, and applies pushed events", async () => {
    const h = hub();
    h.commit(3);
    server = await startTestWsServer((p) => h.onConnect(p));
    const c = connect(server.url, TOKEN);
    await waitFor(() => c.states.at(-1)?.kind === "live", "live");
    expect(h.hellos[0]).toEqual({ type: "hello", token: TOKEN });
    expect(c.states[0]).toEqual({ kind: "connecting", attempt: 0 });
    h.commit(2);
    await waitFor(() => c.model().lastEventId === 5, "pushed events");
    expect(c.model().events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it("after a dropped connection, reconnects with backoff and resumes without a missing or doubled event", async () => {
    const h = hub();
    h.commit(4);
    server = await startTestWsServer((p) => h.onConnect(p));
    const c = connect(server.url, TOKEN);
    await waitFor(() => c.states.at(-1)?.kind === "live", "live");
    server.peers[0]?.destroy();
    h.commit(3); // committed while the page is away
    await waitFor(() => c.states.some((s) => s.kind === "reconnecting"), "reconnecting");
    await waitFor(() => c.states.at(-1)?.kind === "live" && h.hellos.length === 2, "resumed");
    expect(h.hellos[1]).toEqual({ type: "hello", token: TOKEN, since: 4 });
    const reconnecting = c.states.find((s) => s.kind === "reconnecting");
    expect(reconnecting).toMatchObject({ kind: "reconnecting", attempt: 1 });
    h.commit(1);
    await waitFor(() => c.model().lastEventId === 8, "event after resume");
    expect(c.model().events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.model().snapshots).toBe(2);
  });

  it("returns to the token gate on close 4401 and stops retrying", async () => {
    const h = hub();
    server = await startTestWsServer((p) => h.onConnect(p));
    const c = connect(server.url, "wrong");
    await waitFor(() => c.states.at(-1)?.kind === "unauthorized", "unauthorized");
    await new Promise((r) => setTimeout(r, 150));
    expect(h.hellos).toHaveLength(1);
    expect(c.states.at(-1)).toEqual({ kind: "unauthorized", message: "bad token" });
  });

  it("pings, and replaces a socket that stops answering", async () => {
    const h = hub();
    server = await startTestWsServer((p) => h.onConnect(p));
    const c = connect(server.url, TOKEN, { pingIntervalMs: 30, staleAfterMs: 200 });
    await waitFor(() => h.pings >= 3, "pings");
    expect(c.states.filter((s) => s.kind === "reconnecting")).toHaveLength(0);
    h.silent = true;
    await waitFor(() => c.states.some((s) => s.kind === "reconnecting" && s.reason === "no answer to ping"), "stale detection");
    h.silent = false;
    await waitFor(() => c.states.at(-1)?.kind === "live" && h.hellos.length === 2, "reconnected");
  });

  it("reports frames that are not valid ServerMessages and keeps the socket", async () => {
    const h = hub();
    h.commit(1);
    server = await startTestWsServer((p) => h.onConnect(p));
    const c = connect(server.url, TOKEN);
    await waitFor(() => c.states.at(-1)?.kind === "live", "live");
    const before = c.model();
    server.peers[0]?.send("not json");
    server.peers[0]?.send(JSON.stringify({ type: "event", event: { id: -1 } }));
    await waitFor(() => c.invalid.length === 2, "invalid frames reported");
    expect(c.model()).toBe(before);
    h.commit(1);
    await waitFor(() => c.model().lastEventId === 2, "still live");
  });
});

describe("backoffDelay", () => {
  it("grows exponentially, is capped, and jitters within [d/2, d]", () => {
    const p = { baseMs: 500, maxMs: 30_000 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, 1, p))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, 0, p))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(50, 1, p)).toBe(30_000);
    expect(backoffDelay(50, 0, p)).toBe(15_000);
  });
});
