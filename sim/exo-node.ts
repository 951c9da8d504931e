/**
 * A simulated Exo node (v1 FastAPI by default, legacy aiohttp as an option), faithful
 * to the routes, shapes and failure behaviour in the Exo API reference: bare-string
 * `/node_id`, camelCase `/state`, catalogue `/v1/models`, `/ollama/api/ps`, chat with
 * Exo's framing, asynchronous instance placement, and runtime faults.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type ExoNodeConfig, ExoNodeConfigSchema } from "./config.ts";
import { ChatRequest, completeLegacy, completeV1, streamLegacy, streamV1, type ExoChatContext } from "./exo-chat.ts";
import { REASONS, exoError, validationError } from "./exo-errors.ts";
import { ExoClusterState, lookupPath, modelCard, newNodeId } from "./exo-state.ts";
import { sendEdgeStatus } from "./edge-pages.ts";
import { assertNever, parseFault } from "./faults.ts";
import { SseWriter, parseJson, sendJson, sendText, sleepUnlessClosed } from "./http-io.ts";
import { type SimRequest, SimServer } from "./sim-server.ts";
import type { ChaosOutcome, SimState, Simulator } from "./simulator.ts";

const DASHBOARD = `<!doctype html><html><head><meta charset="utf-8"><title>EXO</title></head><body><div id="app">EXO dashboard</div></body></html>\n`;

/** `/place_instance` takes `{model_id}`; `/instance` takes a preview's `{instance: {"MlxRingInstance": {...}}}`. */
const PlaceRequest = z
  .object({
    model_id: z.string().min(1).optional(),
    instance: z.record(z.string(), z.object({ shardAssignments: z.object({ modelId: z.string().min(1) }).loose() }).loose()).optional(),
  })
  .loose();

const AwaitQuery = z.object({
  model_id: z.string().min(1),
  timeout_seconds: z.coerce.number().int().min(0).max(300).default(60),
});

export class ExoNode implements Simulator {
  readonly kind = "exo";
  readonly name: string;
  readonly config: ExoNodeConfig;
  readonly server: SimServer;
  readonly cluster: ExoClusterState;
  private readonly catalogue: Set<string>;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(config: z.input<typeof ExoNodeConfigSchema>) {
    this.config = ExoNodeConfigSchema.parse(config);
    this.name = this.config.name;
    this.server = new SimServer(this.name, this.config.port);
    this.cluster = new ExoClusterState(this.config.peers);
    this.catalogue = new Set([...this.config.models, ...this.config.catalogue]);
  }

  async start(): Promise<void> {
    for (const model of this.config.models) this.cluster.place(model, 0);
    await this.server.start({ handle: (r) => this.handle(r), sendStatus: (r, s) => this.sendStatus(r, s) });
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.server.stop();
  }

  async chaos(fault: string, args: ReadonlyArray<string | number>): Promise<ChaosOutcome> {
    const parsed = parseFault("exo", fault, args);
    if (!parsed.ok) return parsed;
    const command = parsed.command;
    if (command.fault === "reset") {
      // Healthy again means the configured models are served again.
      for (const model of this.config.models) this.cluster.place(model, 0);
    }
    if (!(await this.server.applyCommon(command))) {
      const faults = this.server.faults;
      switch (command.fault) {
        case "restart":
          await this.server.restart(command.downMs, () => {
            this.cluster.nodeId = newNodeId();
            if (this.config.dropInstancesOnRestart) this.cluster.removeModel(null);
          });
          break;
        case "no-instance": {
          const removed = this.cluster.removeModel(command.model);
          const models = command.model === null ? removed : [command.model];
          faults.noInstance = [...new Set([...faults.noInstance, ...models])];
          break;
        }
        case "election":
          faults.electionMs = command.ms;
          break;
        case "stall-stream":
          faults.stallStream = { afterChunks: command.afterChunks };
          break;
        case "rate-limit-key":
        case "revoke-key":
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
          return { ok: false, error: `${command.fault} is not an exo fault` };
        default:
          return assertNever(command);
      }
    }
    return { ok: true, state: this.state() };
  }

  state(): SimState {
    const now = Date.now();
    return {
      name: this.name,
      kind: "exo",
      url: this.server.url,
      port: this.server.port,
      listening: this.server.listening,
      faults: this.server.faults,
      requests: this.server.counters,
      api: this.config.api,
      nodeId: this.cluster.nodeId,
      instances: [...this.cluster.instances.values()].map((i) => ({ modelId: i.modelId, instanceId: i.instanceId, ready: i.readyAt <= now })),
    };
  }

  private sendStatus(request: SimRequest, status: number): void {
    if (sendEdgeStatus(request.res, status, request.path)) return;
    if (this.config.api === "legacy") sendJson(request.res, status, { detail: REASONS[status] ?? "Error" });
    else exoError(request.res, status, REASONS[status] ?? "Error");
  }

  private accessDenied(request: SimRequest): boolean {
    const access = this.config.access;
    if (access === undefined) return false;
    const h = request.req.headers;
    return h["cf-access-client-id"] !== access.clientId || h["cf-access-client-secret"] !== access.clientSecret;
  }

  private async handle(request: SimRequest): Promise<void> {
    const { res, method } = request;
    if (this.accessDenied(request)) {
      sendEdgeStatus(res, 403, request.path);
      return;
    }
    // An election pauses the API's command path only: POSTs stall, GETs answer.
    if (method === "POST" && this.server.faults.electionMs > 0 && !(await sleepUnlessClosed(res, this.server.faults.electionMs))) return;
    if (this.config.api === "legacy") return this.handleLegacy(request);
    return this.handleV1(request);
  }

  private chatContext(): ExoChatContext {
    return { config: this.config, faults: this.server.faults, cluster: this.cluster };
  }

  private async handleV1(request: SimRequest): Promise<void> {
    const { res, method, path } = request;
    const now = Date.now();
    if (method === "GET" && path === "/node_id") return sendJson(res, 200, this.cluster.nodeId);
    if (method === "GET" && (path === "/state" || path.startsWith("/state/"))) {
      const segments = path.slice("/state".length).split(/[./]/).filter((s) => s !== "");
      const doc = this.cluster.stateJson(now);
      const value = lookupPath(doc, segments);
      if (value === undefined) return exoError(res, 404, `unable to find path '${segments.join(".")}' in state json`);
      return sendJson(res, 200, value);
    }
    if (method === "GET" && (path === "/models" || path === "/v1/models")) {
      return sendJson(res, 200, { object: "list", data: [...this.catalogue].map((id) => modelCard(id, now)) });
    }
    if (method === "GET" && path === "/ollama/api/ps") {
      const models = [...this.cluster.instances.values()].map((i) => ({
        name: i.modelId, model: i.modelId, size: 0, digest: "", details: {}, expires_at: null, size_vram: 0,
      }));
      return sendJson(res, 200, { models });
    }
    if ((method === "GET" || method === "HEAD") && path === "/ollama/api/version") return sendJson(res, 200, { version: "1.0.0" });
    if (method === "GET" && path === "/v1/feature-flags") return sendJson(res, 200, { disaggregation: false });
    if (method === "POST" && path === "/v1/chat/completions") return this.chatV1(request);
    if (method === "POST" && (path === "/instance" || path === "/place_instance")) return this.placeInstance(request);
    if (method === "GET" && path === "/instance/await") return this.awaitInstance(request);
    const instanceMatch = /^\/instance\/([^/]+)$/.exec(path);
    if (instanceMatch !== null && (method === "GET" || method === "DELETE")) {
      const id = decodeURIComponent(instanceMatch[1] ?? "");
      const instance = this.cluster.instances.get(id);
      if (instance === undefined) return exoError(res, 404, "Instance not found");
      if (method === "GET") return sendJson(res, 200, this.cluster.instanceJson(instance));
      this.cluster.remove(id);
      return sendJson(res, 200, { message: "Command received.", command_id: randomUUID(), instance_id: id });
    }
    // Every other GET falls into the dashboard's static mount (200 HTML, even /healthcheck).
    if (method === "GET" || method === "HEAD") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(DASHBOARD) });
      res.end(method === "HEAD" ? undefined : DASHBOARD);
      return;
    }
    exoError(res, 404, "Not Found");
  }

  private parseChat(request: SimRequest): ChatRequest | null {
    const json = parseJson(request.body);
    if (!json.ok) {
      sendJson(request.res, 422, {
        detail: [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", input: {}, ctx: { error: json.error } }],
      });
      return null;
    }
    const parsed = ChatRequest.safeParse(json.value);
    if (!parsed.success) {
      validationError(request.res, json.value, parsed.error.issues, "body");
      return null;
    }
    return parsed.data;
  }

  private async chatV1(request: SimRequest): Promise<void> {
    const body = this.parseChat(request);
    if (body === null) return;
    const instance = this.cluster.instanceFor(body.model);
    if (instance === undefined) return exoError(request.res, 404, `No instance found for model ${body.model}`);
    if (body.stream === true) return streamV1(this.chatContext(), request.res, body, instance);
    return completeV1(this.chatContext(), request.res, body, instance);
  }

  private placeInstance(request: SimRequest): void {
    const json = parseJson(request.body);
    const parsed = json.ok ? PlaceRequest.safeParse(json.value) : null;
    if (parsed === null || !parsed.success) {
      sendJson(request.res, 422, { detail: [{ type: "missing", loc: ["body", "model_id"], msg: "Field required", input: null }] });
      return;
    }
    const data = parsed.data;
    const modelId = data.model_id ?? Object.values(data.instance ?? {})[0]?.shardAssignments.modelId;
    if (modelId === undefined) {
      sendJson(request.res, 422, { detail: [{ type: "missing", loc: ["body", "model_id"], msg: "Field required", input: json.ok ? json.value : null }] });
      return;
    }
    this.catalogue.add(modelId);
    const faults = this.server.faults;
    faults.noInstance = faults.noInstance.filter((m) => m !== modelId);
    // The command is acknowledged at once; the instance shows up later and loads.
    const delay = this.config.placementDelayMs;
    const readyAt = Date.now() + delay;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.cluster.place(modelId, readyAt);
    }, Math.floor(delay / 2));
    this.timers.add(timer);
    sendJson(request.res, 200, { message: "Command received.", command_id: randomUUID(), model_card: modelCard(modelId, Date.now()) });
  }

  private async awaitInstance(request: SimRequest): Promise<void> {
    const raw = Object.fromEntries(request.query);
    const parsed = AwaitQuery.safeParse(raw);
    if (!parsed.success) return validationError(request.res, raw, parsed.error.issues, "query");
    const { model_id: modelId, timeout_seconds: timeoutS } = parsed.data;
    const sse = new SseWriter(request.res, this.config.keepAliveMs, { "x-accel-buffering": "no" });
    sse.comment("keep-alive");
    const deadline = timeoutS === 0 ? Number.POSITIVE_INFINITY : Date.now() + timeoutS * 1000;
    for (;;) {
      const instance = this.cluster.instanceFor(modelId);
      if (instance !== undefined && instance.readyAt <= Date.now()) {
        sse.data({ type: "ready", model_id: modelId, instance_id: instance.instanceId });
        return sse.end();
      }
      if (Date.now() >= deadline) {
        sse.data({ type: "timeout", model_id: modelId, timeout_seconds: timeoutS });
        return sse.end();
      }
      if (!(await sleepUnlessClosed(request.res, Math.min(50, deadline - Date.now())))) return;
    }
  }

  private async handleLegacy(request: SimRequest): Promise<void> {
    const { res, method, path } = request;
    if (method === "GET" && path === "/healthcheck") return sendJson(res, 200, { status: "ok" });
    if (method === "GET" && (path === "/models" || path === "/v1/models")) {
      const data = [...this.catalogue].map((id) => ({ id, object: "model", owned_by: "exo", ready: this.cluster.instanceFor(id) !== undefined }));
      return sendJson(res, 200, { object: "list", data });
    }
    if (method === "GET" && (path === "/topology" || path === "/v1/topology")) {
      const id = this.cluster.nodeId;
      return sendJson(res, 200, {
        nodes: { [id]: { model: "Mac16,10", chip: "Apple M4", memory: 32768, flops: { fp32: 9.2, fp16: 18.4, int8: 36.8 } } },
        peer_graph: { [id]: [] },
        active_node_id: id,
      });
    }
    if (method === "POST" && (path === "/chat/completions" || path === "/v1/chat/completions")) {
      const body = this.parseChat(request);
      if (body === null) return;
      // Legacy Exo silently serves its default model for unknown names.
      const model = this.cluster.instanceFor(body.model) !== undefined ? body.model : this.config.models[0];
      if (model === undefined || this.cluster.instanceFor(model) === undefined) {
        return sendJson(res, 400, { detail: `Unsupported model: ${body.model}` });
      }
      if (body.stream === true) return streamLegacy(this.chatContext(), res, body, model);
      return completeLegacy(this.chatContext(), res, body, model);
    }
    sendText(res, 404, "404: Not Found");
  }
}
