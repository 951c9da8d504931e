/**
 * Reads an upstream SSE body one item at a time with a timeout per wait, so the
 * caller can enforce time-to-first-token before committing and an inter-token
 * stall bound after.
 */
import { SseParser, type SseItem } from "@exo-bridge/core/openai/sse-parser";

export type FrameRead = SseItem | { type: "eof" } | { type: "timeout" } | { type: "broken"; message: string };

export class FrameReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #abort: AbortController;
  readonly #parser = new SseParser();
  #items: SseItem[] = [];
  #eof = false;

  constructor(body: ReadableStream<Uint8Array>, abort: AbortController) {
    this.#reader = body.getReader();
    this.#abort = abort;
  }

  async next(timeoutMs: number): Promise<FrameRead> {
    while (this.#items.length === 0) {
      if (this.#eof) return { type: "eof" };
      const r = await readWithin(this.#reader, Math.max(0, timeoutMs));
      if (r.kind === "timeout") {
        this.cancel();
        return { type: "timeout" };
      }
      if (r.kind === "error") {
        this.#eof = true;
        return { type: "broken", message: "upstream connection was lost" };
      }
      if (r.done) {
        this.#eof = true;
        this.#items.push(...this.#parser.end());
      } else {
        this.#items.push(...this.#parser.pushBytes(r.value));
      }
    }
    const item = this.#items.shift();
    return item ?? { type: "eof" };
  }

  cancel(): void {
    this.#eof = true;
    this.#abort.abort();
    this.#reader.cancel().catch(() => undefined);
  }
}

type ReadResult = { kind: "timeout" } | { kind: "error" } | { kind: "read"; done: true; value?: undefined } | { kind: "read"; done: false; value: Uint8Array };

async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<ReadResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), ms);
  });
  const read = reader.read().then(
    (r): ReadResult => (r.done ? { kind: "read", done: true } : { kind: "read", done: false, value: r.value }),
    (): ReadResult => ({ kind: "error" }),
  );
  try {
    return await Promise.race([read, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
