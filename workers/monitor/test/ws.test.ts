/** Live events: hello + snapshot, resume by id without gaps or duplicates, garbage, wrong tokens, hibernation. */
import { evictDurableObject } from "cloudflare:test";
import { ServerMessage } from "@exo-bridge/core/protocol/messages";
import { describe, expect, it } from "vitest";
import { api, events, freshHub, resetSim, TOKEN, type Hub } from "./helpers.ts";

interface Client {
  ws: WebSocket;
  next(pred?: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  closed: Promise<{ code: number }>;
}

async function connect(hub: Hub): Promise<Client> {
  const res = await hub.fetch("https://monitor.test/api/events/ws", { headers: { upgrade: "websocket" } });
  const ws = res.webSocket;
  if (ws === null) throw new Error(`no websocket: ${res.status}`);
  ws.accept();
  const queue: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    queue.push(ServerMessage.parse(JSON.parse(String(e.data))));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code })));
  const next = async (pred: (m: ServerMessage) => boolean = () => true, timeoutMs = 5_000): Promise<ServerMessage> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex(pred);
      if (i >= 0) return queue.splice(i, 1)[0] as ServerMessage;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a message");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  return { ws, next, closed };
}

describe("live events", () => {
  it("hello gets a snapshot, then events, recovery and rounds are pushed as committed", async () => {
    await resetSim();
    const hub = await freshHub();
    const c = await connect(hub);
    c.ws.send(JSON.stringify({ type: "hello", token: TOKEN }));
    const snap = await c.next();
    if (snap.type !== "snapshot") throw new Error(snap.type);
    expect(snap.events.map((e) => e.type)).toContain("manager_started");
    expect(Object.keys(snap.status.targets)).toHaveLength(5);
    await api(hub, "POST", "/api/check/exo_a");
    const ev = await c.next((m) => m.type === "event");
    if (ev.type !== "event") throw new Error(ev.type);
    expect(ev.event.target).toBe("exo_a");
    const round = await c.next((m) => m.type === "round");
    if (round.type !== "round") throw new Error(round.type);
    expect(round.checks.map((x) => x.target)).toEqual(["exo_a"]);
    c.ws.send(JSON.stringify({ type: "ping", t: 7 }));
    expect(await c.next((m) => m.type === "pong")).toEqual({ type: "pong", t: 7 });
    c.ws.close(1000);
  });

  it("resume with since: exactly the missed events, no gaps or duplicates, across hibernation", async () => {
    const hub = await freshHub();
    const seen = await events(hub);
    const lastSeen = seen[1]?.id ?? 0;
    await api(hub, "POST", "/api/routing/pin", { body: { pinned: true } });
    await api(hub, "POST", "/api/routing/pin", { body: { pinned: false } });
    const all = await events(hub);
    const c = await connect(hub);
    c.ws.send(JSON.stringify({ type: "hello", token: TOKEN, since: lastSeen }));
    const snap = await c.next();
    if (snap.type !== "snapshot") throw new Error(snap.type);
    expect(snap.truncated).toBe(false);
    expect(snap.events.map((e) => e.id)).toEqual(all.filter((e) => e.id > lastSeen).map((e) => e.id));
    // The socket survives the object's eviction (hibernation) and keeps receiving.
    await evictDurableObject(hub);
    await api(hub, "POST", "/api/auto-recovery", { body: { enabled: false } });
    const pushed = await c.next((m) => m.type === "event");
    if (pushed.type !== "event") throw new Error(pushed.type);
    expect(pushed.event.id).toBe((all.at(-1)?.id ?? 0) + 1);
    c.ws.close(1000);
  });

  it("garbage gets an error and the socket stays usable; unauthenticated sockets get no pushes", async () => {
    const hub = await freshHub();
    const c = await connect(hub);
    c.ws.send("{not json");
    expect(await c.next()).toMatchObject({ type: "error", code: "invalid_json" });
    c.ws.send(JSON.stringify({ type: "subscribe" }));
    expect(await c.next()).toMatchObject({ type: "error", code: "invalid_message" });
    await api(hub, "POST", "/api/routing/pin", { body: { pinned: true } });
    c.ws.send(JSON.stringify({ type: "ping" }));
    expect(await c.next()).toEqual({ type: "pong" });
    c.ws.send(JSON.stringify({ type: "hello", token: TOKEN }));
    expect((await c.next()).type).toBe("snapshot");
    c.ws.close(1000);
  });

  it("a wrong token closes the socket with 4401", async () => {
    const c = await connect(await freshHub());
    c.ws.send(JSON.stringify({ type: "hello", token: "nope" }));
    expect((await c.closed).code).toBe(4401);
  });

  it("a snapshot for a client whose events were pruned says truncated", async () => {
    const hub = await freshHub();
    await api(hub, "POST", "/api/routing/pin", { body: { pinned: true } });
    const all = await events(hub);
    const first = all[0]?.id ?? 0;
    const { runInDurableObject } = await import("cloudflare:test");
    await runInDurableObject(hub, (_i, state) => {
      state.storage.sql.exec("DELETE FROM events WHERE id <= ?", first + 2);
    });
    const c = await connect(hub);
    c.ws.send(JSON.stringify({ type: "hello", token: TOKEN, since: first }));
    const snap = await c.next();
    if (snap.type !== "snapshot") throw new Error(snap.type);
    expect(snap.truncated).toBe(true);
    expect(snap.events[0]?.id).toBe(first + 3);
    c.ws.close(1000);
  });
});
