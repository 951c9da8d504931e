/**
 * Starts a simulated cluster as a child process (`node sim/cluster.ts --config-json`)
 * for tests and scripts, waits for its `SIM_READY` line, and drives it through the
 * control API. Nothing global: every call owns its own process and ports.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type ClusterConfig, parseClusterConfig } from "./config.ts";
import { type ReadyTarget, parseReadyLine } from "./ready-line.ts";
import { type ControlState, ControlErrorSchema, ControlStateSchema, SimStateSchema } from "./state-schema.ts";
import type { SimState } from "./simulator.ts";

export type { ClusterConfig } from "./config.ts";
export type { ControlState } from "./state-schema.ts";
export type { SimState } from "./simulator.ts";

export interface SimCluster {
  controlUrl: string;
  targets: ReadyTarget[];
  /** Base URL of a target by name (throws for an unknown name). */
  url(name: string): string;
  /** Applies a fault; resolves to that simulator's state (or every state for "all"). */
  chaos(target: string, fault: string, ...args: Array<string | number>): Promise<SimState | ControlState>;
  state(): Promise<ControlState>;
  reset(): Promise<ControlState>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** How long to wait for SIM_READY. */
  readyTimeoutMs?: number;
  /** Copy the child's stderr to this process's stderr. */
  verbose?: boolean;
}

const CLUSTER_ENTRY = fileURLToPath(new URL("./cluster.ts", import.meta.url));

async function controlCall(url: string, init?: { method: string; body?: unknown }): Promise<unknown> {
  const res = await fetch(url, {
    method: init?.method ?? "GET",
    headers: { "content-type": "application/json" },
    ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = ControlErrorSchema.safeParse(json);
    throw new Error(`sim control ${res.status}: ${err.success ? err.data.error : JSON.stringify(json)}`);
  }
  return json;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function spawnCluster(config: ClusterConfig, options: SpawnOptions = {}): Promise<SimCluster> {
  const checked = parseClusterConfig(config);
  if (!checked.ok) throw new Error(`invalid cluster config:\n${checked.error}`);
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", CLUSTER_ENTRY, "--config-json", JSON.stringify(config), "--exit-with-parent"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8_000);
    if (options.verbose === true) process.stderr.write(chunk);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    if (!(await waitExit(child, 5_000))) {
      child.kill("SIGKILL");
      await waitExit(child, 5_000);
    }
  };
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const ready = await new Promise<ReturnType<typeof parseReadyLine>>((resolve) => {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    const timer = setTimeout(() => resolve(null), timeoutMs);
    lines.on("line", (line) => {
      const parsed = parseReadyLine(line);
      if (parsed !== null) {
        clearTimeout(timer);
        resolve(parsed);
      }
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  if (ready === null) {
    const exited = child.exitCode !== null;
    await stop();
    throw new Error(`simulated cluster ${exited ? `exited (code ${child.exitCode ?? "?"})` : `not ready after ${timeoutMs} ms`}: ${stderr.trim()}`);
  }
  const control = ready.control;
  const asState = (json: unknown): ControlState => ControlStateSchema.parse(json);
  return {
    controlUrl: control,
    targets: ready.targets,
    url(name) {
      const target = ready.targets.find((t) => t.name === name);
      if (target === undefined) throw new Error(`no simulator named ${name}`);
      return target.url;
    },
    async chaos(target, fault, ...args) {
      const json = await controlCall(`${control}/chaos`, { method: "POST", body: { target, fault, args } });
      return target === "all" ? asState(json) : SimStateSchema.parse(json);
    },
    state: async () => asState(await controlCall(`${control}/state`)),
    reset: async () => asState(await controlCall(`${control}/reset`, { method: "POST" })),
    stop,
  };
}
