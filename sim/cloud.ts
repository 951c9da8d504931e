/**
 * A simulated OpenAI-compatible cloud provider: `/v1/models`, `/v1/chat/completions`
 * (OpenAI framing: `chat.completion.chunk`, `chatcmpl-` ids, `[DONE]`, usage with
 * `stream_options.include_usage`), `/v1/completions`, `/v1/embeddings`, Bearer keys
 * with per-key counters, and per-key rate limits and revocations for key-rotation tests.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { type CloudConfig, CloudConfigSchema } from "./config.ts";
import { assertNever, parseFault } from "./faults.ts";
import { SseWriter, isOpen, parseJson, sendJson, sleepUnlessClosed } from "./http-io.ts";
import { ChatMessage, type Reply, planChatReply, planReply, tokenDelayMs, usage, words } from "./reply.ts";
import { embed } from "./embedding.ts";
import { openAiError } from "./openai-errors.ts";
import { type SimRequest, SimServer } from "./sim-server.ts";
import type { ChaosOutcome, SimState, Simulator } from "./simulator.ts";

const ChatBody = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
  })
  .loose();

const CompletionBody = z
  .object({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string())]),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    max_tokens: z.number().int().min(0).nullable().optional(),
  })
  .loose();

const EmbeddingBody = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1)]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().min(1).max(4096).optional(),
  })
  .loose();

export class CloudSim implements Simulator {
  readonly kind = "cloud";
  readonly name: string;
  readonly config: CloudConfig;
  readonly server: SimServer;
  readonly requestsByKey: Record<string, number> = {};

  constructor(config: z.input<typeof CloudConfigSchema>) {
    this.config = CloudConfigSchema.parse(config);
    this.name = this.config.name;
    this.server = new SimServer(this.name, this.config.port);
  }

  start(): Promise<void> {
    return this.server.start({ handle: (r) => this.handle(r), sendStatus: (r, s, retry) => this.sendStatus(r.res, s, retry) });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  async chaos(fault: string, args: ReadonlyArray<string | number>): Promise<ChaosOutcome> {
    const parsed = parseFault("cloud", fault, args);
    if (!parsed.ok) return parsed;
    const command = parsed.command;
    if (!(await this.server.applyCommon(command))) {
      const faults = this.server.faults;
      switch (command.fault) {
        case "rate-limit-key":
          faults.rateLimitKeys = [...new Set([...faults.rateLimitKeys, command.key])];
          break;
        case "revoke-key":
          faults.revokedKeys = [...new Set([...faults.revokedKeys, command.key])];
          break;
        case "restart":
        case "no-instance":
        case "election":
        case "stall-stream":
        case "down":
        case "up":
        case "slow":
        case "hang":
        case "http":
        case "redirect":
        case "cut-stream":
        case "error-frame":
        case "flap":
        case "reset":
          return { ok: false, error: `${command.fault} is not a cloud fault` };
        default:
          return assertNever(command);
      }
    }
    return { ok: true, state: this.state() };
  }

  state(): SimState {
    return {
      name: this.name,
      kind: "cloud",
      url: this.server.url,
      port: this.server.port,
      listening: this.server.listening,
      faults: this.server.faults,
      requests: this.server.counters,
      requestsByKey: this.requestsByKey,
    };
  }

  private sendStatus(res: ServerResponse, status: number, retryAfterS: number | null): void {
    switch (status) {
      case 429:
        return openAiError(res, 429, "Rate limit reached for requests. Please try again later.", "rate_limit_exceeded", null, {
          "retry-after": String(retryAfterS ?? this.config.retryAfterS),
          "x-ratelimit-remaining-requests": "0",
        });
      case 401:
        return openAiError(res, 401, "Incorrect API key provided.", "invalid_api_key");
      case 503:
        return openAiError(res, 503, "The engine is currently overloaded, please try again later.", null);
      default:
        if (status >= 500) return openAiError(res, status, "The server had an error while processing your request. Sorry about that!", null);
        return openAiError(res, status, `Simulated HTTP ${status}.`, null);
    }
  }

  /** Counts the request against its key and answers auth failures; returns the key when accepted. */
  private authorize(request: SimRequest): string | null {
    const header = request.req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match?.[1];
    const known = key !== undefined && this.config.keys.includes(key);
    const label = key === undefined ? "missing" : known ? key : "invalid";
    this.requestsByKey[label] = (this.requestsByKey[label] ?? 0) + 1;
    const faults = this.server.faults;
    if (key === undefined) {
      openAiError(request.res, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.", null);
      return null;
    }
    if (!known || faults.revokedKeys.includes(key)) {
      openAiError(request.res, 401, "Incorrect API key provided.", "invalid_api_key");
      return null;
    }
    if (faults.rateLimitKeys.includes(key)) {
      this.sendStatus(request.res, 429, null);
      return null;
    }
    return key;
  }

  private async handle(request: SimRequest): Promise<void> {
    const { res, method, path } = request;
    if (this.authorize(request) === null) return;
    res.setHeader("x-request-id", `req_${randomUUID().replaceAll("-", "")}`);
    if (method === "GET" && path === "/v1/models") {
      const data = this.config.models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "sim-cloud" }));
      return sendJson(res, 200, { object: "list", data });
    }
    if (method === "POST" && path === "/v1/chat/completions") return this.chat(request);
    if (method === "POST" && path === "/v1/completions") return this.completion(request);
    if (method === "POST" && path === "/v1/embeddings") return this.embeddings(request);
    openAiError(res, 404, `Invalid URL (${method} ${path})`, null);
  }

  /** Parses a JSON body or answers 400 the OpenAI way. */
  private body<T extends { model: string }>(request: SimRequest, schema: z.ZodType<T>): T | null {
    const json = parseJson(request.body);
    if (!json.ok) {
      openAiError(request.res, 400, "We could not parse the JSON body of your request.", null);
      return null;
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue === undefined ? null : issue.path.map(String).join(".");
      openAiError(request.res, 400, issue === undefined ? "Invalid body" : `Invalid '${param ?? ""}': ${issue.message}`, null, param);
      return null;
    }
    const model = parsed.data.model;
    if (!this.config.models.includes(model)) {
      openAiError(request.res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, "model_not_found");
      return null;
    }
    return parsed.data;
  }

  private async chat(request: SimRequest): Promise<void> {
    const body = this.body(request, ChatBody);
    if (body === null) return;
    const reply = planChatReply(body.messages, body.max_completion_tokens ?? body.max_tokens ?? undefined);
    const id = `chatcmpl-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    const base = { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: body.model, system_fingerprint: "fp_sim" };
    if (body.stream === true) {
      const includeUsage = body.stream_options?.include_usage === true;
      const extra = includeUsage ? { usage: null } : {};
      const choice = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...extra,
      });
      return this.stream(request.res, reply, includeUsage, base, [
        choice({ role: "assistant", content: "", refusal: null }, null),
        (token) => choice({ content: token }, null),
        choice({}, reply.finishReason),
      ]);
    }
    return this.respond(request.res, reply, {
      id,
      object: "chat.completion",
      created: base.created,
      model: body.model,
      system_fingerprint: "fp_sim",
      choices: [{ index: 0, message: { role: "assistant", content: reply.tokens.join(""), refusal: null }, logprobs: null, finish_reason: reply.finishReason }],
      usage: usage(reply),
    });
  }

  private async completion(request: SimRequest): Promise<void> {
    const body = this.body(request, CompletionBody);
    if (body === null) return;
    const prompts = typeof body.prompt === "string" ? [body.prompt] : body.prompt;
    // OpenAI's legacy completions default to 16 tokens.
    const reply = planReply(prompts, prompts.join(" "), body.max_tokens ?? 16);
    const base = { id: `cmpl-${randomUUID().replaceAll("-", "").slice(0, 24)}`, object: "text_completion", created: Math.floor(Date.now() / 1000), model: body.model };
    const choice = (text: string, finish: string | null): Record<string, unknown> => ({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] });
    if (body.stream === true) {
      return this.stream(request.res, reply, body.stream_options?.include_usage === true, base, [null, (t) => choice(t, null), choice("", reply.finishReason)]);
    }
    return this.respond(request.res, reply, { ...choice(reply.tokens.join(""), reply.finishReason), usage: usage(reply) });
  }

  private embeddings(request: SimRequest): void {
    const body = this.body(request, EmbeddingBody);
    if (body === null) return;
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const dims = body.dimensions ?? 16;
    const data = inputs.map((text, index) => {
      const vector = embed(text, dims);
      const embedding = body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
      return { object: "embedding", index, embedding };
    });
    const tokens = inputs.reduce((n, t) => n + words(t).length, 0);
    sendJson(request.res, 200, { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  private async respond(res: ServerResponse, reply: Reply, body: Record<string, unknown>): Promise<void> {
    const generation = this.config.ttftMs + tokenDelayMs(this.config.tokensPerSecond) * Math.max(reply.tokens.length - 1, 0);
    if (!(await sleepUnlessClosed(res, generation))) return;
    const faults = this.server.faults;
    if (faults.cutStream !== null || faults.errorFrame !== null) {
      // Headers committed, then the connection drops mid-body.
      res.writeHead(200, { "content-type": "application/json" });
      res.write(JSON.stringify(body).slice(0, 20));
      res.destroy();
      return;
    }
    sendJson(res, 200, body);
  }

  /** frames: [opening chunk or null, chunk per token, finish chunk]. */
  private async stream(
    res: ServerResponse,
    reply: Reply,
    includeUsage: boolean,
    base: Record<string, unknown>,
    frames: [Record<string, unknown> | null, (token: string) => Record<string, unknown>, Record<string, unknown>],
  ): Promise<void> {
    const sse = new SseWriter(res, null, { connection: "keep-alive" });
    if (!(await sleepUnlessClosed(res, this.config.ttftMs))) return;
    const [opening, perToken, finish] = frames;
    if (opening !== null) sse.data(opening);
    const delay = tokenDelayMs(this.config.tokensPerSecond);
    const faults = this.server.faults;
    for (let i = 0; i <= reply.tokens.length; i++) {
      if (!isOpen(res)) return;
      if (faults.cutStream !== null && i >= faults.cutStream.afterChunks) return sse.end();
      if (faults.errorFrame !== null && i >= faults.errorFrame.afterChunks) {
        sse.data({ error: { message: faults.errorFrame.message, type: "server_error", param: null, code: null } });
        return sse.end();
      }
      const token = reply.tokens[i];
      if (token === undefined) break;
      if (i > 0 && !(await sleepUnlessClosed(res, delay))) return;
      sse.data(perToken(token));
    }
    sse.data(finish);
    if (includeUsage) sse.data({ ...base, choices: [], usage: usage(reply) });
    sse.data("[DONE]");
    sse.end();
  }
}
