/**
 * A steady stream of chat requests through the gateway with the official `openai`
 * SDK, half streaming and half not, each outcome recorded: served, failed with the
 * client told (an error), or misled (an answer that looks complete but is not).
 */
import OpenAI from "openai";

export interface Outcome {
  seq: number;
  stream: boolean;
  startedAt: number;
  endedAt: number;
  /** A complete answer: finish_reason present and the expected text. */
  ok: boolean;
  /** Failed, and the client was told (an HTTP error or an error event in the stream). */
  told: boolean;
  /** Looked complete to the client but was truncated or wrong. Must never happen. */
  misled: boolean;
  status: number | null;
  /** Content chunks the client had received when a stream failed (0: it failed before the first byte). */
  chunksBeforeError: number;
  upstream: string | null;
  attempts: number | null;
  error: string | null;
}

export interface TrafficOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Pause between a worker's requests. */
  gapMs: number;
  /** Hard cap on requests sent. */
  maxRequests: number;
}

/** The simulators answer with the prompt's words echoed back, so an answer can be checked whole. */
export function promptFor(seq: number): string {
  return `ping ${seq} alpha beta gamma`;
}

export class Traffic {
  readonly outcomes: Outcome[] = [];
  private readonly client: OpenAI;
  private running = false;
  private seq = 0;
  private workers: Promise<void>[] = [];

  private readonly options: TrafficOptions;

  constructor(options: TrafficOptions) {
    this.options = options;
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 0, timeout: 60_000 });
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < this.options.concurrency; i++) this.workers.push(this.loop());
  }

  async stop(): Promise<Outcome[]> {
    this.running = false;
    await Promise.all(this.workers);
    this.workers = [];
    return this.outcomes;
  }

  /** Outcomes of requests that started in [from, to). */
  between(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.startedAt >= from && o.startedAt < to);
  }

  private async loop(): Promise<void> {
    while (this.running && this.seq < this.options.maxRequests) {
      const seq = this.seq++;
      this.outcomes.push(await this.one(seq, seq % 2 === 0));
      await new Promise((r) => setTimeout(r, this.options.gapMs));
    }
  }

  async one(seq: number, stream: boolean): Promise<Outcome> {
    const startedAt = Date.now();
    const base = { seq, stream, startedAt, status: null, upstream: null, attempts: null, error: null, chunksBeforeError: 0 };
    let chunks = 0;
    const messages = [{ role: "user" as const, content: promptFor(seq) }];
    try {
      if (stream) {
        const { data, response } = await this.client.chat.completions
          .create({ model: this.options.model, messages, stream: true, max_tokens: 16 })
          .withResponse();
        let text = "";
        let finish: string | null = null;
        for await (const chunk of data) {
          chunks++;
          const choice = chunk.choices[0];
          text += choice?.delta.content ?? "";
          if (choice?.finish_reason) finish = choice.finish_reason;
        }
        return this.judge(base, response, text, finish);
      }
      const { data, response } = await this.client.chat.completions
        .create({ model: this.options.model, messages, max_tokens: 16 })
        .withResponse();
      const choice = data.choices[0];
      return this.judge(base, response, choice?.message.content ?? "", choice?.finish_reason ?? null);
    } catch (err) {
      const status = err instanceof OpenAI.APIError ? (err.status ?? null) : null;
      return { ...base, chunksBeforeError: chunks, endedAt: Date.now(), ok: false, told: true, misled: false, status, error: String(err).slice(0, 200) };
    }
  }

  private judge(
    base: Omit<Outcome, "endedAt" | "ok" | "told" | "misled">,
    response: Response,
    text: string,
    finish: string | null,
  ): Outcome {
    const complete = finish !== null && text.trim().length > 0 && text.includes(String(base.seq));
    return {
      ...base,
      endedAt: Date.now(),
      status: response.status,
      upstream: response.headers.get("x-exo-bridge-upstream"),
      attempts: Number(response.headers.get("x-exo-bridge-attempts") ?? "0") || null,
      ok: complete,
      told: false,
      // Anything the client took for a finished answer that is not whole is misleading.
      misled: !complete,
      error: complete ? null : `incomplete answer (finish_reason ${String(finish)}, ${text.length} chars)`,
    };
  }
}

export function summarise(outcomes: Outcome[]): { sent: number; ok: number; told: number; misled: number; byUpstream: Record<string, number> } {
  const byUpstream: Record<string, number> = {};
  for (const o of outcomes) if (o.ok && o.upstream !== null) byUpstream[o.upstream] = (byUpstream[o.upstream] ?? 0) + 1;
  return {
    sent: outcomes.length,
    ok: outcomes.filter((o) => o.ok).length,
    told: outcomes.filter((o) => o.told).length,
    misled: outcomes.filter((o) => o.misled).length,
    byUpstream,
  };
}
