/**
 * An incremental Server-Sent Events parser (WHATWG "event stream interpretation").
 * Bytes or text arrive in chunks split anywhere, including inside a CRLF or a
 * multi-byte character; comments (`: keep-alive`, Exo's `: prefill_progress …`)
 * are surfaced as items of their own so the caller can forward or drop them.
 */

export type SseItem =
  | { type: "event"; event: string | null; data: string; id: string | null }
  | { type: "comment"; text: string };

export class SseParser {
  #buffer = "";
  /** A chunk ended in CR: a following LF belongs to the same line break. */
  #pendingCr = false;
  #data: string[] = [];
  #event: string | null = null;
  #id: string | null = null;
  #decoder = new TextDecoder("utf-8");

  /** Feed raw bytes (decoded as UTF-8, characters split across chunks are kept whole). */
  pushBytes(bytes: Uint8Array): SseItem[] {
    return this.push(this.#decoder.decode(bytes, { stream: true }));
  }

  /** Feed text; returns the items completed by it. */
  push(text: string): SseItem[] {
    const out: SseItem[] = [];
    let chunk = text;
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (chunk.startsWith("\n")) chunk = chunk.slice(1);
    }
    this.#buffer += chunk;
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const ch = this.#buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      const line = this.#buffer.slice(start, i);
      if (ch === 13) {
        if (i + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
      this.#line(line, out);
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /**
   * The stream ended. Unlike the browser, a final event that lacks its blank
   * line is still delivered: an upstream that closes right after `data: [DONE]`
   * has finished, not failed.
   */
  end(): SseItem[] {
    const out = this.push(this.#decoder.decode());
    if (this.#buffer.length > 0) {
      this.#line(this.#buffer, out);
      this.#buffer = "";
    }
    this.#dispatch(out);
    return out;
  }

  #line(line: string, out: SseItem[]): void {
    if (line === "") {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(":")) {
      out.push({ type: "comment", text: stripOneSpace(line.slice(1)) });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : stripOneSpace(line.slice(colon + 1));
    switch (field) {
      case "data":
        this.#data.push(value);
        break;
      case "event":
        this.#event = value;
        break;
      case "id":
        if (!value.includes("\u0000")) this.#id = value;
        break;
      default:
        // "retry" and unknown fields are ignored, as the spec says.
        break;
    }
  }

  #dispatch(out: SseItem[]): void {
    if (this.#data.length > 0) {
      out.push({ type: "event", event: this.#event, data: this.#data.join("\n"), id: this.#id });
    }
    this.#data = [];
    this.#event = null;
  }
}

function stripOneSpace(s: string): string {
  return s.startsWith(" ") ? s.slice(1) : s;
}

/** Frame one SSE data event (multi-line payloads become several data lines). */
export function sseData(payload: string): string {
  return `${payload
    .split(/\r\n|\r|\n/)
    .map((l) => `data: ${l}`)
    .join("\n")}\n\n`;
}

/** Frame one SSE comment (newlines would end it early, so they are flattened). */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}
