/**
 * Faults a simulator can be put into at runtime, and the parser that turns a chaos
 * command (`["http", "530"]`, `["slow", "2000"]`) into a typed command. The `Faults`
 * object is the whole fault state of one simulator and is reported as-is in `/state`.
 */

export type SimKind = "exo" | "cloud";

export type HttpOverride =
  | { kind: "status"; status: number; retryAfterS: number | null }
  | { kind: "redirect"; team: string };

export type FlapMode = "refused" | "502";

export interface Faults {
  /** Listening socket closed: connection refused. */
  down: boolean;
  /** Added before the first byte of every response. */
  slowMs: number;
  /** Accept, read, never answer. */
  hang: boolean;
  /** Every response replaced by this status/page (edge-style). */
  http: HttpOverride | null;
  /** Streams end after this many content chunks, without finish_reason or [DONE]. */
  cutStream: { afterChunks: number } | null;
  /** Streams send an error data frame (then [DONE]) after this many content chunks. */
  errorFrame: { afterChunks: number; message: string } | null;
  /** Exo: streams stop producing tokens after this many chunks but stay open (keep-alive comments only): a hung runner. */
  stallStream: { afterChunks: number } | null;
  /** Alternates ok and failing every period, starting with a failing period. */
  flap: { periodMs: number; mode: FlapMode; since: number } | null;
  /** Exo: POSTs stall this long before being handled (master election, exo#2288). */
  electionMs: number;
  /** Exo: models whose instance was removed by `no-instance` ("*" = all). */
  noInstance: string[];
  /** Cloud: keys answered with 429. */
  rateLimitKeys: string[];
  /** Cloud: keys answered with 401. */
  revokedKeys: string[];
}

export function noFaults(): Faults {
  return {
    down: false,
    slowMs: 0,
    hang: false,
    http: null,
    cutStream: null,
    errorFrame: null,
    stallStream: null,
    flap: null,
    electionMs: 0,
    noInstance: [],
    rateLimitKeys: [],
    revokedKeys: [],
  };
}

export type FaultCommand =
  | { fault: "down" }
  | { fault: "up" }
  | { fault: "slow"; ms: number }
  | { fault: "hang" }
  | { fault: "http"; status: number; retryAfterS: number | null }
  | { fault: "redirect"; team: string }
  | { fault: "cut-stream"; afterChunks: number }
  | { fault: "error-frame"; afterChunks: number; message: string }
  | { fault: "stall-stream"; afterChunks: number }
  | { fault: "flap"; periodMs: number; mode: FlapMode }
  | { fault: "restart"; downMs: number }
  | { fault: "no-instance"; model: string | null }
  | { fault: "election"; ms: number }
  | { fault: "rate-limit-key"; key: string }
  | { fault: "revoke-key"; key: string }
  | { fault: "reset" };

export type FaultName = FaultCommand["fault"];

const COMMON: readonly FaultName[] = ["down", "up", "slow", "hang", "http", "redirect", "cut-stream", "error-frame", "flap", "reset"];
export const FAULTS_BY_KIND: Record<SimKind, readonly FaultName[]> = {
  exo: [...COMMON, "restart", "no-instance", "election", "stall-stream"],
  cloud: [...COMMON, "rate-limit-key", "revoke-key"],
};

/** One line per fault for usage texts and 400 answers. */
export const FAULT_HELP: Record<FaultName, string> = {
  down: "down                      close the listening socket, destroy open connections (connection refused)",
  up: "up                        listen again on the same port (same node id)",
  slow: "slow <ms>                 add latency before the first byte of every response (0 clears)",
  hang: "hang                      accept requests and never answer",
  http: "http <status> [retryS]    answer every request with that status (502 cloudflared, 530 tunnel 1033, 403/401 Access; 0 clears)",
  redirect: "redirect [team]           302 to https://<team>.cloudflareaccess.com/cdn-cgi/access/login/...",
  "cut-stream": "cut-stream [chunks]       streams stop after N chunks without finish_reason/[DONE]; non-stream: 200 then reset",
  "error-frame": "error-frame [chunks] [msg] streams send an error frame then [DONE] after N chunks",
  "stall-stream": "stall-stream [chunks]     exo: streams stop after N chunks but stay open, sending only keep-alive comments",
  flap: "flap [periodMs] [refused|502]  alternate failing and ok every period",
  restart: "restart [downMs]          exo: down briefly, back with a NEW node id",
  "no-instance": "no-instance [model]       exo: drop the instance of a model (or all); POST /instance places it again",
  election: "election <ms>             exo: POSTs stall that long, GETs answer (exo#2288; 0 clears)",
  "rate-limit-key": "rate-limit-key <key>      cloud: 429 with Retry-After for that key only",
  "revoke-key": "revoke-key <key>          cloud: 401 for that key only",
  reset: "reset                     clear every fault",
};

export type ParseResult = { ok: true; command: FaultCommand } | { ok: false; error: string };

function int(raw: string | undefined, fallback: number | null, what: string, min: number, max: number): number | string {
  if (raw === undefined) return fallback ?? `${what} is required`;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return `${what} must be an integer in ${min}..${max}, got '${raw}'`;
  return n;
}

export function parseFault(kind: SimKind, name: string, rawArgs: ReadonlyArray<string | number>): ParseResult {
  const allowed = FAULTS_BY_KIND[kind];
  const known = allowed.find((f) => f === name);
  if (known === undefined) {
    return { ok: false, error: `unknown fault '${name}' for a ${kind} simulator; known: ${allowed.join(", ")}` };
  }
  const args = rawArgs.map(String);
  const ok = (command: FaultCommand): ParseResult => ({ ok: true, command });
  const bad = (error: string): ParseResult => ({ ok: false, error: `${known}: ${error}` });
  switch (known) {
    case "down":
    case "up":
    case "hang":
    case "reset":
      return ok({ fault: known });
    case "slow":
    case "election": {
      const ms = int(args[0], null, "ms", 0, 600_000);
      if (typeof ms === "string") return bad(ms);
      return known === "slow" ? ok({ fault: "slow", ms }) : ok({ fault: "election", ms });
    }
    case "http": {
      const status = int(args[0], null, "status", 0, 599);
      if (typeof status === "string") return bad(status);
      if (status !== 0 && status < 200) return bad("status must be 0 (clear) or 200..599");
      const retry = args[1] === undefined ? null : int(args[1], null, "retryS", 0, 86_400);
      if (typeof retry === "string") return bad(retry);
      return ok({ fault: "http", status, retryAfterS: retry });
    }
    case "redirect": {
      const team = args[0] ?? "exo-bridge";
      if (!/^[a-z0-9-]{1,63}$/.test(team)) return bad("team must be a hostname label");
      return ok({ fault: "redirect", team });
    }
    case "cut-stream": {
      const n = int(args[0], 3, "chunks", 0, 10_000);
      return typeof n === "string" ? bad(n) : ok({ fault: "cut-stream", afterChunks: n });
    }
    case "error-frame": {
      const n = int(args[0], 2, "chunks", 0, 10_000);
      if (typeof n === "string") return bad(n);
      const message = args.slice(1).join(" ") || "Runner crashed: simulated failure";
      return ok({ fault: "error-frame", afterChunks: n, message });
    }
    case "stall-stream": {
      const n = int(args[0], 2, "chunks", 0, 10_000);
      return typeof n === "string" ? bad(n) : ok({ fault: "stall-stream", afterChunks: n });
    }
    case "flap": {
      const periodMs = int(args[0], 2_000, "periodMs", 50, 3_600_000);
      if (typeof periodMs === "string") return bad(periodMs);
      const mode = args[1] ?? "refused";
      if (mode !== "refused" && mode !== "502") return bad(`mode must be refused or 502, got '${mode}'`);
      return ok({ fault: "flap", periodMs, mode });
    }
    case "restart": {
      const downMs = int(args[0], 500, "downMs", 0, 600_000);
      return typeof downMs === "string" ? bad(downMs) : ok({ fault: "restart", downMs });
    }
    case "no-instance":
      return ok({ fault: "no-instance", model: args[0] ?? null });
    case "rate-limit-key":
    case "revoke-key": {
      const key = args[0];
      if (key === undefined || key === "") return bad("key is required");
      return known === "revoke-key" ? ok({ fault: "revoke-key", key }) : ok({ fault: "rate-limit-key", key });
    }
    default:
      return assertNever(known);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

/** Whether a flap fault is in its failing half right now. */
export function flapFailing(flap: Faults["flap"], now: number): boolean {
  if (flap === null) return false;
  return Math.floor((now - flap.since) / flap.periodMs) % 2 === 0;
}
