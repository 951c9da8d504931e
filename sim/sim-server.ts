/**
 * The socket side of a simulator: listens on 127.0.0.1, really closes the listener
 * and destroys connections for `down`/`restart`/refused flaps, and applies the faults
 * that do not depend on the API being simulated (hang, slow, http overrides, 502 flaps)
 * before handing the request to the Exo or cloud behaviour.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { sendAccessRedirect, sendEdgeStatus } from "./edge-pages.ts";
import { type FaultCommand, type Faults, flapFailing, noFaults } from "./faults.ts";
import { readBody, sendText, sleep, sleepUnlessClosed } from "./http-io.ts";

export const HOST = "127.0.0.1";

export interface SimRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface SimBehaviour {
  /** Routes a request that the generic faults let through. */
  handle(request: SimRequest): Promise<void>;
  /** Answers an `http <status>` override in the simulated API's own style. */
  sendStatus(request: SimRequest, status: number, retryAfterS: number | null): void;
}

export interface RequestCounters {
  total: number;
  byRoute: Record<string, number>;
}

export class SimServer {
  readonly name: string;
  /** Mutated in place so in-flight requests see fault changes. */
  readonly faults: Faults = noFaults();
  readonly counters: RequestCounters = { total: 0, byRoute: {} };
  private behaviour: SimBehaviour | null = null;
  private boundPort: number;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private transition: Promise<void> = Promise.resolve();
  private restarting = false;
  private stopped = false;
  private flapTimer: ReturnType<typeof setInterval> | null = null;

  constructor(name: string, port: number) {
    this.name = name;
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${HOST}:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  async start(behaviour: SimBehaviour): Promise<void> {
    this.behaviour = behaviour;
    await this.reconcile();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setFlapTimer(null);
    this.releaseHung();
    await this.reconcile();
  }

  /** Closes the listener for `downMs`, calling `whileDown` in between (a new node id, say). */
  async restart(downMs: number, whileDown: () => void): Promise<void> {
    this.restarting = true;
    await this.reconcile();
    await sleep(downMs);
    whileDown();
    this.restarting = false;
    await this.reconcile();
  }

  /** Applies the faults every simulator shares; returns false for API-specific ones. */
  async applyCommon(command: FaultCommand): Promise<boolean> {
    const f = this.faults;
    switch (command.fault) {
      case "down":
        f.down = true;
        break;
      case "up":
        f.down = false;
        break;
      case "slow":
        f.slowMs = command.ms;
        break;
      case "hang":
        f.hang = true;
        break;
      case "http":
        f.http = command.status === 0 ? null : { kind: "status", status: command.status, retryAfterS: command.retryAfterS };
        break;
      case "redirect":
        f.http = { kind: "redirect", team: command.team };
        break;
      case "cut-stream":
        f.cutStream = { afterChunks: command.afterChunks };
        break;
      case "error-frame":
        f.errorFrame = { afterChunks: command.afterChunks, message: command.message };
        break;
      case "flap":
        f.flap = { periodMs: command.periodMs, mode: command.mode, since: Date.now() };
        this.setFlapTimer(command.mode === "refused" ? command.periodMs : null);
        break;
      case "reset":
        Object.assign(this.faults, noFaults());
        this.setFlapTimer(null);
        this.releaseHung();
        break;
      case "restart":
      case "no-instance":
      case "election":
      case "stall-stream":
      case "rate-limit-key":
      case "revoke-key":
        return false;
      default:
        throw new Error(`unhandled fault ${JSON.stringify(command satisfies never)}`);
    }
    if (!this.faults.hang) this.releaseHung();
    await this.reconcile();
    return true;
  }

  private shouldListen(): boolean {
    if (this.stopped || this.restarting || this.faults.down) return false;
    const flap = this.faults.flap;
    return !(flap !== null && flap.mode === "refused" && flapFailing(flap, Date.now()));
  }

  /** Brings the listener in line with the faults; transitions run one at a time. */
  private reconcile(): Promise<void> {
    // A failed transition (port taken on `up`) must not wedge the ones after it.
    const next = this.transition.catch(() => undefined).then(() => this.applyListening());
    this.transition = next;
    return next;
  }

  private async applyListening(): Promise<void> {
    const want = this.shouldListen();
    if (want && this.server === null) await this.open();
    else if (!want && this.server !== null) await this.close();
  }

  private async open(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const server = createServer((req, res) => void this.onRequest(req, res));
      server.on("connection", (socket) => {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
      });
      // Hung and slow requests are the point; Node's own timeouts must not end them.
      server.requestTimeout = 0;
      server.headersTimeout = 0;
      const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        server.once("error", resolve);
        server.listen(this.boundPort, HOST, () => resolve(null));
      });
      if (error === null) {
        const address = server.address();
        if (address !== null && typeof address === "object") this.boundPort = address.port;
        this.server = server;
        return;
      }
      if (error.code !== "EADDRINUSE" || attempt >= 40) throw new Error(`${this.name}: cannot listen on ${HOST}:${this.boundPort}: ${error.message}`);
      await sleep(50);
    }
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private setFlapTimer(periodMs: number | null): void {
    if (this.flapTimer !== null) clearInterval(this.flapTimer);
    if (periodMs === null) {
      this.flapTimer = null;
      return;
    }
    this.flapTimer = setInterval(() => {
      this.reconcile().catch((err: unknown) => {
        process.stderr.write(`${this.name}: flap: ${err instanceof Error ? err.message : String(err)}\n`);
      });
    }, periodMs);
  }

  private releaseHung(): void {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${HOST}`);
    const method = req.method ?? "GET";
    const route = `${method} ${url.pathname}`;
    this.counters.total++;
    this.counters.byRoute[route] = (this.counters.byRoute[route] ?? 0) + 1;
    if (this.faults.hang) {
      this.hung.add(res);
      res.once("close", () => this.hung.delete(res));
      req.resume();
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      sendText(res, 413, "request body too large");
      return;
    }
    const request: SimRequest = { req, res, method, path: url.pathname, query: url.searchParams, body };
    if (this.faults.slowMs > 0 && !(await sleepUnlessClosed(res, this.faults.slowMs))) return;
    const behaviour = this.behaviour;
    if (behaviour === null) {
      res.destroy();
      return;
    }
    const flap = this.faults.flap;
    if (flap !== null && flap.mode === "502" && flapFailing(flap, Date.now())) {
      sendEdgeStatus(res, 502, url.pathname);
      return;
    }
    const override = this.faults.http;
    if (override !== null) {
      if (override.kind === "redirect") sendAccessRedirect(res, override.team, req.headers.host ?? HOST, url.pathname + url.search);
      else behaviour.sendStatus(request, override.status, override.retryAfterS);
      return;
    }
    try {
      await behaviour.handle(request);
    } catch (err) {
      if (!res.headersSent) sendText(res, 500, `simulator error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    }
  }
}
