import { describe, expect, it } from "vitest";
import { SseParser, sseComment, sseData, type SseItem } from "./sse-parser.ts";

const EXO_STREAM =
  ": keep-alive\n\n" +
  ': prefill_progress {"PrefillProgressChunk":{"processed_tokens":512}}\n\n' +
  'data: {"id":"6b0e","object":"chat.completion","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}\n\n' +
  'data: {"id":"6b0e","object":"chat.completion","choices":[{"index":0,"delta":{"content":"lo ✓ 日本"},"finish_reason":"stop"}]}\n\n' +
  ': generation_stats {"prompt_tps":812.4}\n\n' +
  "data: [DONE]\n\n";

function parseAll(chunks: string[]): SseItem[] {
  const p = new SseParser();
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()];
}

function parseBytes(bytes: Uint8Array, cuts: number[]): SseItem[] {
  const p = new SseParser();
  const out: SseItem[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...p.pushBytes(bytes.slice(prev, cut)));
    prev = cut;
  }
  return [...out, ...p.end()];
}

describe("SseParser", () => {
  it("parses Exo's framing: comments, data frames, [DONE]", () => {
    const items = parseAll([EXO_STREAM]);
    expect(items.map((i) => i.type)).toEqual(["comment", "comment", "event", "event", "comment", "event"]);
    expect(items[0]).toEqual({ type: "comment", text: "keep-alive" });
    expect(items.at(-1)).toMatchObject({ type: "event", data: "[DONE]" });
  });

  it("gives the same items however the bytes are split (every split point, incl. inside UTF-8)", () => {
    const bytes = new TextEncoder().encode(EXO_STREAM);
    const whole = parseBytes(bytes, []);
    for (let cut = 1; cut < bytes.length; cut++) expect(parseBytes(bytes, [cut])).toEqual(whole);
    // Byte by byte too.
    expect(parseBytes(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it("treats CRLF and lone CR as line breaks, including a CRLF split across chunks", () => {
    const crlf = EXO_STREAM.replace(/\n/g, "\r\n");
    const cr = EXO_STREAM.replace(/\n/g, "\r");
    const expected = parseAll([EXO_STREAM]);
    expect(parseAll([crlf])).toEqual(expected);
    expect(parseAll([cr])).toEqual(expected);
    const at = crlf.indexOf("\r\n") + 1;
    expect(parseAll([crlf.slice(0, at), crlf.slice(at)])).toEqual(expected);
  });

  it("joins multi-line data with newlines and reads event and id fields", () => {
    const items = parseAll(["event: update\nid: 7\ndata: line one\ndata:line two\ndata\n\n"]);
    expect(items).toEqual([{ type: "event", event: "update", id: "7", data: "line one\nline two\n" }]);
  });

  it("ignores blank-line runs and unknown fields, and does not dispatch empty events", () => {
    expect(parseAll(["\n\n\nretry: 100\nfoo: bar\n\n\n"])).toEqual([]);
  });

  it("delivers a final event that lacks its blank line at end of stream", () => {
    expect(parseAll(["data: [DONE]"])).toEqual([{ type: "event", event: null, id: null, data: "[DONE]" }]);
    const p = new SseParser();
    expect(p.push("data: x")).toEqual([]);
  });

  it("frames data and comments so that the parser reads them back", () => {
    const text = sseData("a\nb") + sseComment("keep\nalive") + sseData("[DONE]");
    expect(parseAll([text])).toEqual([
      { type: "event", event: null, id: null, data: "a\nb" },
      { type: "comment", text: "keep alive" },
      { type: "event", event: null, id: null, data: "[DONE]" },
    ]);
  });
});
