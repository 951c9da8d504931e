/**
 * Starts the whole system locally: the simulated Exo cluster and cloud provider
 * (real processes), the monitor Worker and the gateway Worker (each under
 * `wrangler dev`, in workerd), wired together through a private dev registry.
 * Used by `npm run dev`, the end-to-end suite and the HUD's browser test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnCluster, type ClusterConfig } from "../sim/spawn.ts";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const DEV_ADMIN_TOKEN = "exo-bridge-dev-admin";
export const DEV_API_KEY = "sk-exo-bridge-dev";
export const DEV_MODEL = "llama-3.2-1b";
export const EXO_MODEL = "mlx-community/Llama-3.2-1B-Instruct-4bit";
export const CLOUD_MODEL = "sim/llama-3.2-1b-instruct";
export const CLOUD_KEYS = ["sk-sim-cloud-key-1", "sk-sim-cloud-key-2"];

export interface SystemOptions {
  /** First port of a block of 100: Exo nodes at base, base+1, cloud at base+5, control at base+84, monitor base+72, gateway base+73. */
  basePort?: number;
  /** Gateway port (default: 8787 for the dev block, else base+73). */
  gatewayPort?: number;
  /** Per-target health policy overrides (e.g. short intervals in tests). */
  policy?: Record<string, number>;
  /** Extra variables for both Workers. */
  vars?: Record<string, string>;
  /** Keep Durable Object storage between runs in this folder (default: a fresh temp folder). */
  persistDir?: string;
  /** Print the Workers' output. */
  verbose?: boolean;
  /** Build the HUD before starting (default true). */
  buildWeb?: boolean;
}

export interface RunningSystem {
  gatewayUrl: string;
  monitorUrl: string;
  controlUrl: string;
  adminToken: string;
  apiKey: string;
  model: string;
  sim: Awaited<ReturnType<typeof spawnCluster>>;
  chaos(target: string, fault: string, ...args: Array<string | number>): Promise<unknown>;
  /** Kills the monitor's workerd and starts it again on the same storage: the Durable Object is evicted. */
  restartMonitor(): Promise<void>;
  /** Admin API call through the gateway's public origin. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export function clusterConfig(base: number): ClusterConfig {
  return {
    control: { port: base + 84 },
    nodes: [
      { name: "exo_primary", kind: "exo", port: base, models: [EXO_MODEL] },
      { name: "exo_node_2", kind: "exo", port: base + 1, models: [EXO_MODEL] },
      { name: "sim_cloud", kind: "cloud", port: base + 5, models: [CLOUD_MODEL], keys: CLOUD_KEYS },
    ],
  };
}

export function targetsFor(base: number, policy: Record<string, number> = {}): unknown[] {
  const models = (id: string): Record<string, string> => ({ [DEV_MODEL]: id });
  return [
    { name: "exo_primary", kind: "exo", url: `http://127.0.0.1:${base}`, models: models(EXO_MODEL), policy: { syntheticIntervalS: 60, ...policy } },
    { name: "exo_node_2", kind: "exo", url: `http://127.0.0.1:${base + 1}`, models: models(EXO_MODEL), policy: { syntheticIntervalS: 60, ...policy } },
    {
      name: "sim_cloud",
      kind: "cloud",
      url: `http://127.0.0.1:${base + 5}`,
      priority: 1,
      models: models(CLOUD_MODEL),
      pricing: { inputPerMTok: 0.1, outputPerMTok: 0.4 },
      policy,
    },
  ];
}

function envFile(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v.includes("\n") ? JSON.stringify(v) : v}`)
    .join("\n");
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, verbose: boolean): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  if (verbose) {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }
  return child;
}

function waitForReady(child: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (buf: Buffer): void => {
      out += buf.toString();
      if (/Ready on http/.test(out)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)}:\n${out.slice(-2000)}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.pid === undefined) return res();
    child.once("exit", () => res());
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      res();
    }
    setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      res();
    }, 5_000).unref();
  });
}

export function buildWeb(): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "web", "--logLevel", "warn"], {
      cwd: ROOT,
      stdio: "inherit",
    });
    child.once("exit", (code) => (code === 0 ? res() : rej(new Error(`vite build failed (${String(code)})`))));
  });
}

export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const base = options.basePort ?? 52415;
  const gatewayPort = options.gatewayPort ?? (base === 52415 ? 8787 : base + 73);
  const monitorPort = base === 52415 ? 8788 : base + 72;
  const verbose = options.verbose ?? false;
  if (options.buildWeb ?? true) await buildWeb();

  const work = mkdtempSync(join(tmpdir(), "exo-bridge-"));
  const persist = options.persistDir ?? join(work, "state");
  mkdirSync(persist, { recursive: true });
  const vars: Record<string, string> = {
    EXO_BRIDGE_ENV: "development",
    ADMIN_TOKEN: DEV_ADMIN_TOKEN,
    GATEWAY_API_KEYS: DEV_API_KEY,
    SIM_CLOUD_API_KEYS: CLOUD_KEYS.join(","),
    TARGETS: JSON.stringify(targetsFor(base, options.policy)),
    ...options.vars,
  };
  const envPath = join(work, "local.env");
  writeFileSync(envPath, envFile(vars) + "\n");

  const sim = await spawnCluster(clusterConfig(base));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_REGISTRY_PATH: join(work, "registry"),
    NO_COLOR: "1",
  };
  const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
  // Each workerd gets its own storage folder: two runtimes on one folder lock each other's SQLite files.
  const common = (who: string): string[] => [
    "--env-file",
    envPath,
    "--ip",
    "127.0.0.1",
    "--persist-to",
    join(persist, who),
    "--show-interactive-dev-session=false",
  ];
  const monitorArgs = [wrangler, "dev", "-c", "workers/monitor/wrangler.toml", "--port", String(monitorPort), "--inspector-port", String(base + 74), ...common("monitor")];
  let monitor = run(process.execPath, monitorArgs, env, verbose);
  const gateway = run(
    process.execPath,
    [wrangler, "dev", "-c", "wrangler.toml", "--port", String(gatewayPort), "--inspector-port", String(base + 75), ...common("gateway")],
    env,
    verbose,
  );
  const stop = async (): Promise<void> => {
    await Promise.all([kill(gateway), kill(monitor), sim.stop()]);
    if (options.persistDir === undefined) rmSync(work, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForReady(monitor, "monitor", 90_000), waitForReady(gateway, "gateway", 90_000)]);
  } catch (err) {
    await stop();
    throw err;
  }
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const admin = (path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> =>
    fetch(`${gatewayUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  // Wake the Durable Object so that it seeds its targets and arms its alarm.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await admin("/api/status").catch(() => null);
    if (res?.ok === true) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the admin API did not answer: ${res === null ? "no response" : `${res.status} ${await res.text()}`}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    gatewayUrl,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    controlUrl: sim.controlUrl,
    adminToken: DEV_ADMIN_TOKEN,
    apiKey: DEV_API_KEY,
    model: DEV_MODEL,
    sim,
    chaos: (target, fault, ...args) => sim.chaos(target, fault, ...args),
    admin,
    stop,
    async restartMonitor() {
      await kill(monitor);
      monitor = run(process.execPath, monitorArgs, env, verbose);
      await waitForReady(monitor, "monitor", 90_000);
    },
  };
}
