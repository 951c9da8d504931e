/** The upstream frame reader's time bounds, on real streams inside workerd. */
import { describe, expect, it } from "vitest";
import { FrameReader } from "../src/frame-reader.ts";

const enc = new TextEncoder();

/** A body that sends `parts` one per pull and then either ends, errors, or stays open. */
function body(parts: string[], then: "end" | "error" | "stall"): ReadableStream<Uint8Array> {
  const queue = [...parts];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = queue.shift();
      if (next !== undefined) return controller.enqueue(enc.encode(next));
      if (then === "end") return controller.close();
      if (then === "error") return controller.error(new Error("connection reset"));
      await new Promise<void>(() => undefined);
    },
  });
}

describe("FrameReader", () => {
  it("yields comments and events across chunk boundaries, then eof", async () => {
    const r = new FrameReader(body([": keep-alive\r\n\r\nda", 'ta: {"a":1}\r', "\n\r\ndata: [DONE]\n\n"], "end"), new AbortController());
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await r.next(1_000));
    expect(seen).toEqual([
      { type: "comment", text: "keep-alive" },
      { type: "event", event: null, id: null, data: '{"a":1}' },
      { type: "event", event: null, id: null, data: "[DONE]" },
      { type: "eof" },
    ]);
  });

  it("times out on a stalled stream and aborts the upstream", async () => {
    const abort = new AbortController();
    const r = new FrameReader(body(['data: {"a":1}\n\n'], "stall"), abort);
    expect((await r.next(1_000)).type).toBe("event");
    const started = Date.now();
    expect(await r.next(150)).toEqual({ type: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(abort.signal.aborted).toBe(true);
    expect(await r.next(1_000)).toEqual({ type: "eof" });
  });

  it("reports a connection lost mid-stream as broken", async () => {
    const r = new FrameReader(body(['data: {"a":1}\n\n'], "error"), new AbortController());
    expect((await r.next(1_000)).type).toBe("event");
    expect((await r.next(1_000)).type).toBe("broken");
  });
});
