import { describe, expect, it } from "vitest";
import { applyOlderEvents, applyServerMessage } from "./apply-server-message.ts";
import { LIMITS, emptyModel, type HudModel } from "./model.ts";
import { check, event, eventMsg, events, recovery, snapshot, status, targetDoc } from "../test-fixtures.ts";
import type { ServerMessage } from "@exo-bridge/core/protocol/messages";

function run(model: HudModel, msgs: ServerMessage[]): HudModel {
  return msgs.reduce(applyServerMessage, model);
}
const ids = (m: HudModel): number[] => m.events.map((e) => e.id);

describe("applyServerMessage", () => {
  it("applies a snapshot, then live events in id order", () => {
    const m = run(emptyModel(), [snapshot(events(1, 3)), eventMsg(event(4)), eventMsg(event(5))]);
    expect(ids(m)).toEqual([1, 2, 3, 4, 5]);
    expect(m.lastEventId).toBe(5);
    expect(m.status?.targets["exo_primary"]?.status).toBe("healthy");
    expect(m.snapshots).toBe(1);
  });

  it("ignores an event it already has, returning the same model", () => {
    const m = run(emptyModel(), [snapshot(events(1, 3))]);
    expect(applyServerMessage(m, eventMsg(event(2)))).toBe(m);
    expect(applyServerMessage(m, eventMsg(event(3)))).toBe(m);
  });

  it("places an out-of-order event by id", () => {
    const m = run(emptyModel(), [snapshot([event(1), event(3)]), eventMsg(event(2))]);
    expect(ids(m)).toEqual([1, 2, 3]);
  });

  it("keeps memory bounded, dropping the oldest events", () => {
    let m = run(emptyModel(), [snapshot([])]);
    for (let id = 1; id <= LIMITS.events + 250; id++) m = applyServerMessage(m, eventMsg(event(id)));
    expect(m.events).toHaveLength(LIMITS.events);
    expect(m.events[0]?.id).toBe(251);
    expect(m.lastEventId).toBe(LIMITS.events + 250);
  });

  it("resumes: a snapshot after reconnect with since adds exactly the missed events", () => {
    // The server's log holds 1..12; the page saw 1..7 before its socket dropped.
    const log = events(1, 12);
    const before = run(emptyModel(), [snapshot(log.slice(0, 5)), eventMsg(log[5] ?? event(6)), eventMsg(log[6] ?? event(7))]);
    const since = before.lastEventId;
    expect(since).toBe(7);
    // What the server answers to hello{since}: exactly the events after it.
    const resumed = applyServerMessage(before, snapshot(log.filter((e) => e.id > since)));
    expect(ids(resumed)).toEqual(log.map((e) => e.id));
    expect(resumed.lastEventId).toBe(12);
    expect(resumed.gaps).toEqual([]);
    expect(resumed.snapshots).toBe(2);
    // A live push racing the snapshot does not double an event.
    const raced = applyServerMessage(resumed, eventMsg(event(12)));
    expect(raced).toBe(resumed);
  });

  it("tolerates a resume snapshot that overlaps what the page already has", () => {
    const before = run(emptyModel(), [snapshot(events(1, 5))]);
    const after = applyServerMessage(before, snapshot(events(4, 8)));
    expect(ids(after)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("records a gap when the server had already pruned events after since", () => {
    const before = run(emptyModel(), [snapshot(events(1, 5))]);
    const after = applyServerMessage(before, snapshot(events(40, 42), { truncated: true }));
    expect(after.gaps).toEqual([{ afterId: 5, beforeId: 40 }]);
    expect(ids(after)).toEqual([1, 2, 3, 4, 5, 40, 41, 42]);
  });

  it("starts over when the server's event log restarted below our last id", () => {
    const before = run(emptyModel(), [snapshot(events(1, 50))]);
    const after = applyServerMessage(before, snapshot(events(1, 3)));
    expect(ids(after)).toEqual([1, 2, 3]);
    expect(after.lastEventId).toBe(3);
  });

  it("replaces status on every round, appends its checks once, and forgets removed targets", () => {
    const first = run(emptyModel(), [snapshot([], { checks: [check("exo_primary", 0), check("openrouter", 0)] })]);
    const round: ServerMessage = {
      type: "round",
      status: status(0, [targetDoc("exo_primary", { status: "offline", consecutive_failures: 3 })]),
      checks: [check("exo_primary", 10_000, false, null)],
    };
    const m = run(first, [round, round]);
    expect(m.status?.targets["exo_primary"]?.status).toBe("offline");
    expect(m.checks["exo_primary"]?.map((c) => c.ok)).toEqual([true, false]);
    expect(m.checks["openrouter"]).toBeUndefined();
  });

  it("bounds check history per target", () => {
    let m = run(emptyModel(), [snapshot([])]);
    for (let i = 0; i < LIMITS.checksPerTarget + 10; i++) {
      m = applyServerMessage(m, { type: "round", status: status(0), checks: [check("exo_primary", i * 1000)] });
    }
    expect(m.checks["exo_primary"]).toHaveLength(LIMITS.checksPerTarget);
  });

  it("keeps recovery actions newest first without duplicates", () => {
    const m = run(emptyModel(), [
      snapshot([], { recovery: [recovery(2), recovery(1)] }),
      { type: "recovery", action: recovery(3, false) },
      { type: "recovery", action: recovery(2) },
    ]);
    expect(m.recovery.map((a) => a.id)).toEqual([3, 2, 1]);
    expect(m.recovery[0]?.error).toBe("connection refused");
  });

  it("records protocol errors (bounded) and ignores pongs", () => {
    const m0 = run(emptyModel(), [snapshot([])]);
    expect(applyServerMessage(m0, { type: "pong", t: 1 })).toBe(m0);
    let m = m0;
    for (let i = 0; i < 30; i++) m = applyServerMessage(m, { type: "error", code: "bad_message", message: `n${i}` });
    expect(m.protocolErrors).toHaveLength(LIMITS.protocolErrors);
    expect(m.protocolErrors.at(-1)?.message).toBe("n29");
  });

  it("merges older events fetched on demand without doubling live ones", () => {
    const m = run(emptyModel(), [snapshot(events(20, 25))]);
    const older = applyOlderEvents(m, events(10, 21), false);
    expect(ids(older)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(older.lastEventId).toBe(25);
    expect(applyOlderEvents(older, [], true).oldestReached).toBe(true);
  });
});
