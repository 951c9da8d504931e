/**
 * `npm run bench`: measures what the gateway adds, side by side in one run, under the
 * runtime production uses (standalone workerd running the `wrangler deploy --dry-run`
 * bundles), next to a trivial pass-through Worker as the floor. Prints a table and
 * writes artifacts/bench.json. Everything runs on 127.0.0.1 and stops by itself.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnCluster } from "../sim/spawn.ts";
import { median, percentile, streamOnce, wrk, wrkScript, type WrkResult } from "./bench/load.ts";
import { machineLoad, sample } from "./bench/procstat.ts";
import { profileWhile } from "./bench/profile.ts";
import { workerdConfig } from "./bench/workerd-config.ts";
import { CLOUD_KEYS, DEV_ADMIN_TOKEN, DEV_API_KEY, DEV_MODEL, ROOT, buildWeb, clusterConfig, targetsFor } from "./system.ts";

const BASE = 56415;
const PORTS = { gateway: BASE + 73, monitor: BASE + 72, passthrough: BASE + 71 };
const QUICK = process.argv.includes("--quick");
/** `--profile`: only sample the gateway's CPU under load and print where its time goes. */
const PROFILE = process.argv.includes("--profile");
const INSPECTOR = `127.0.0.1:${BASE + 76}`;
const REPEATS = QUICK ? 1 : 3;
const SECONDS = QUICK ? 2 : 4;
const ADMIN = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "content-type": "application/json" };

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function ensureWrk(): void {
  if (spawnSync("wrk", ["--version"]).error === undefined) return;
  log("wrk not found: installing Debian's wrk");
  const r = spawnSync("sh", ["-c", "apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("could not install wrk (apt-get install wrk)");
}

function build(outdir: string): void {
  const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  for (const [config, dir] of [
    ["workers/monitor/wrangler.toml", "monitor"],
    ["wrangler.toml", "gateway"],
  ] as const) {
    const r = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "-c", config, "--outdir", join(outdir, dir)], { cwd: ROOT, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`build of ${config} failed:\n${r.stderr}`);
  }
}

async function waitHttp(url: string, init: RequestInit = {}, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, init).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Row {
  name: string;
  direct: WrkResult;
  floor: WrkResult;
  gateway: WrkResult;
}

function medianOf(runs: WrkResult[]): WrkResult {
  const m = (k: keyof WrkResult): number => median(runs.map((r) => r[k]));
  return { rps: m("rps"), p50: m("p50"), p90: m("p90"), p99: m("p99"), requests: m("requests"), non2xx: m("non2xx"), errors: m("errors") };
}

async function main(): Promise<void> {
  const started = Date.now();
  ensureWrk();
  const work = mkdtempSync(join(tmpdir(), "exo-bridge-bench-"));
  const loadBefore = machineLoad();
  log(`machine: ${loadBefore.cores} cores, load average ${loadBefore.load1.toFixed(2)} before the run`);

  // The gateway's bundle includes the HUD as static assets: a fresh clone has not built it yet.
  if (!existsSync(join(ROOT, "web/dist/index.html"))) await buildWeb();
  log("building the Workers (wrangler deploy --dry-run)…");
  build(join(work, "dist"));

  const cluster = clusterConfig(BASE);
  // Fast simulators: the benchmark measures the gateway, not the model.
  for (const n of cluster.nodes) Object.assign(n, { tokensPerSecond: 100_000 });
  const sim = await spawnCluster(cluster);
  const exoUrl = `http://127.0.0.1:${BASE}`;

  const storage = join(work, "do");
  mkdirSync(storage, { recursive: true });
  const vars = {
    EXO_BRIDGE_ENV: "development",
    ADMIN_TOKEN: DEV_ADMIN_TOKEN,
    GATEWAY_API_KEYS: DEV_API_KEY,
    SIM_CLOUD_API_KEYS: CLOUD_KEYS.join(","),
    TARGETS: JSON.stringify(targetsFor(BASE, { intervalS: 5, syntheticIntervalS: 0 })),
    ROUTING_MAX_STALENESS_MS: "1500",
  };
  const configPath = join(work, "workerd.capnp");
  writeFileSync(
    configPath,
    workerdConfig({
      configDir: work,
      gateway: { main: join(work, "dist/gateway/index.js"), vars, port: PORTS.gateway },
      monitor: { main: join(work, "dist/monitor/index.js"), vars, port: PORTS.monitor },
      passthrough: { main: join(ROOT, "scripts/bench/passthrough.js"), port: PORTS.passthrough, upstream: exoUrl },
      storageDir: storage,
      compatibilityDate: "2026-11-01",
    }),
  );
  const workerdArgs = ["serve", configPath, "--experimental", ...(PROFILE ? ["--inspector-addr", INSPECTOR] : [])];
  const workerd: ChildProcess = spawn(join(ROOT, "node_modules/workerd/bin/workerd"), workerdArgs, {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let workerdErr = "";
  workerd.stderr?.on("data", (b: Buffer) => (workerdErr = (workerdErr + b.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    workerd.kill("SIGTERM");
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  };

  try {
    const gw = `http://127.0.0.1:${PORTS.gateway}`;
    await waitHttp(`${gw}/api/status`, { headers: ADMIN }).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${workerdErr}`);
    });
    await fetch(`${gw}/api/check`, { method: "POST", headers: ADMIN });
    const pid = workerd.pid ?? 0;

    const body = { model: DEV_MODEL, messages: [{ role: "user", content: "hello there" }], max_tokens: 8 };
    const directBody = { ...body, model: "mlx-community/Llama-3.2-1B-Instruct-4bit" };
    const sDirect = wrkScript(work, "direct", directBody, {});
    const sGateway = wrkScript(work, "gateway", body, { Authorization: `Bearer ${DEV_API_KEY}` });
    const urls = {
      direct: `${exoUrl}/v1/chat/completions`,
      floor: `http://127.0.0.1:${PORTS.passthrough}/v1/chat/completions`,
      gateway: `${gw}/v1/chat/completions`,
    };
    // Warm up every path (JIT, connection pools, the routing snapshot).
    for (const [u, s] of [[urls.direct, sDirect], [urls.floor, sDirect], [urls.gateway, sGateway]] as const) await wrk(u, s, 4, 1);

    if (PROFILE) {
      const spots = await profileWhile(INSPECTOR, "gateway", async () => {
        await wrk(urls.gateway, sGateway, 32, 5);
      });
      console.log("gateway CPU profile under 32 connections (self time):");
      for (const s of spots) console.log(`${s.selfPct.toFixed(1).padStart(6)} %  ${s.fn}`);
      return;
    }
    const before = await doCounters(gw);
    const rows: Row[] = [];
    let gatewayCpuMs = 0;
    let floorCpuMs = 0;
    let floorRequests = 0;
    let gatewayRequests = 0;
    let peakRss = 0;
    for (const c of [1, 32]) {
      const runs: Record<"direct" | "floor" | "gateway", WrkResult[]> = { direct: [], floor: [], gateway: [] };
      for (let i = 0; i < REPEATS; i++) {
        // Interleaved so that machine noise hits every path alike.
        runs.direct.push(await wrk(urls.direct, sDirect, c, SECONDS));
        const f0 = sample(pid);
        const fl = await wrk(urls.floor, sDirect, c, SECONDS);
        const f1 = sample(pid);
        runs.floor.push(fl);
        floorCpuMs += f1.cpuMs - f0.cpuMs;
        floorRequests += fl.requests;
        const s0 = sample(pid);
        const g = await wrk(urls.gateway, sGateway, c, SECONDS);
        const s1 = sample(pid);
        runs.gateway.push(g);
        gatewayCpuMs += s1.cpuMs - s0.cpuMs;
        gatewayRequests += g.requests;
        peakRss = Math.max(peakRss, s1.rssMiB);
      }
      rows.push({ name: `non-streaming, ${c} connection${c > 1 ? "s" : ""}`, direct: medianOf(runs.direct), floor: medianOf(runs.floor), gateway: medianOf(runs.gateway) });
    }
    const after = await doCounters(gw);

    // Streaming: a 20-chunk stream, sequentially, direct vs floor vs gateway.
    const streamBody = { ...body, stream: true, max_tokens: 20 };
    const streams: Record<"direct" | "floor" | "gateway", { ttfb: number[]; total: number[] }> = {
      direct: { ttfb: [], total: [] },
      floor: { ttfb: [], total: [] },
      gateway: { ttfb: [], total: [] },
    };
    for (let i = 0; i < (QUICK ? 10 : 40); i++) {
      for (const k of ["direct", "floor", "gateway"] as const) {
        const t = await streamOnce(urls[k], k === "gateway" ? streamBody : { ...streamBody, model: directBody.model }, k === "gateway" ? { authorization: `Bearer ${DEV_API_KEY}` } : {});
        streams[k].ttfb.push(t.ttfbMs);
        streams[k].total.push(t.totalMs);
      }
    }

    // Live-event latency: subscriber on the public origin, events caused by admin calls.
    const eventLatency = await measureEventLatency(gw, QUICK ? 10 : 40);

    // Failover under steady load: every Exo node killed mid-run.
    const failover = await measureFailover(gw, sim.chaos.bind(sim));

    // Monitor cost: forced probe rounds with 1, 10 and 50 targets.
    const monitorCost = await measureMonitor(gw, exoUrl);

    const loadAfter = machineLoad();
    const report = {
      when: new Date().toISOString(),
      machine: { cores: loadBefore.cores, loadBefore: loadBefore.load1, loadAfter: loadAfter.load1 },
      runtime: "standalone workerd (wrangler deploy --dry-run bundles)",
      repeats: REPEATS,
      secondsPerRun: SECONDS,
      nonStreaming: rows,
      streaming: Object.fromEntries(
        Object.entries(streams).map(([k, v]) => [k, { ttfbMedianMs: median(v.ttfb), totalMedianMs: median(v.total), ttfbP99Ms: percentile(v.ttfb, 99) }]),
      ),
      gatewayCpuMsPerRequest: gatewayRequests > 0 ? gatewayCpuMs / gatewayRequests : null,
      floorCpuMsPerRequest: floorRequests > 0 ? floorCpuMs / floorRequests : null,
      workerdPeakRssMiB: peakRss,
      doCalls: { before, after },
      eventLatency,
      failover,
      monitorCost,
      durationS: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(join(ROOT, "artifacts"), { recursive: true });
    writeFileSync(join(ROOT, "artifacts/bench.json"), JSON.stringify(report, null, 2) + "\n");
    console.log(render(report));
  } finally {
    await stop();
  }
}

interface DoCounters {
  /** Requests the gateway isolate served. */
  requests: number;
  /** Calls the Durable Object received (routing snapshots and reports), counted on its side. */
  doCalls: number;
}

async function doCounters(gw: string): Promise<DoCounters> {
  const health = (await fetch(`${gw}/healthz`).then((r) => r.json())) as { isolate?: { requests?: number } };
  const metrics = (await fetch(`${gw}/api/metrics`, { headers: ADMIN }).then((r) => r.json())) as {
    counters?: { routingSnapshot?: number; report?: number };
  };
  return {
    requests: health.isolate?.requests ?? Number.NaN,
    doCalls: (metrics.counters?.routingSnapshot ?? Number.NaN) + (metrics.counters?.report ?? Number.NaN),
  };
}

async function measureEventLatency(gw: string, n: number): Promise<{ n: number; medianMs: number; p99Ms: number }> {
  const ws = new WebSocket(`${gw.replace("http", "ws")}/api/events/ws`);
  const seen = new Map<number, number>();
  const lags: number[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "hello", token: DEV_ADMIN_TOKEN }));
      resolve();
    });
    ws.addEventListener("error", () => reject(new Error("WebSocket failed")));
  });
  ws.addEventListener("message", (m: MessageEvent) => {
    const msg = JSON.parse(String(m.data)) as { type: string; event?: { id: number; ts: string } };
    if (msg.type === "event" && msg.event !== undefined && !seen.has(msg.event.id)) {
      seen.set(msg.event.id, Date.now());
      lags.push(Date.now() - Date.parse(msg.event.ts));
    }
  });
  for (let i = 0; i < n; i++) {
    await fetch(`${gw}/api/targets/exo_node_2/drain`, { method: "POST", headers: ADMIN, body: JSON.stringify({ drained: i % 2 === 0 }) });
    await new Promise((r) => setTimeout(r, 30));
  }
  await fetch(`${gw}/api/targets/exo_node_2/drain`, { method: "POST", headers: ADMIN, body: JSON.stringify({ drained: false }) });
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
  return { n: lags.length, medianMs: median(lags), p99Ms: percentile(lags, 99) };
}

async function measureFailover(
  gw: string,
  chaos: (target: string, fault: string, ...args: Array<string | number>) => Promise<unknown>,
): Promise<{ requests: number; clientErrors: number; retried: number; retriedMedianMs: number; retriedP99Ms: number; normalMedianMs: number }> {
  const body = JSON.stringify({ model: DEV_MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 8 });
  const results: Array<{ ms: number; ok: boolean; attempts: number }> = [];
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${gw}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${DEV_API_KEY}`, "content-type": "application/json" },
        body,
      }).catch(() => null);
      if (res !== null) await res.arrayBuffer();
      results.push({ ms: performance.now() - t0, ok: res?.ok === true, attempts: Number(res?.headers.get("x-exo-bridge-attempts") ?? "1") });
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  await new Promise((r) => setTimeout(r, 1000));
  await chaos("exo_primary", "down");
  await chaos("exo_node_2", "down");
  await new Promise((r) => setTimeout(r, 3000));
  running = false;
  await Promise.all(workers);
  await chaos("all", "up");
  const retried = results.filter((r) => r.attempts > 1);
  const normal = results.filter((r) => r.attempts <= 1 && r.ok);
  return {
    requests: results.length,
    clientErrors: results.filter((r) => !r.ok).length,
    retried: retried.length,
    retriedMedianMs: median(retried.map((r) => r.ms)),
    retriedP99Ms: percentile(retried.map((r) => r.ms), 99),
    normalMedianMs: median(normal.map((r) => r.ms)),
  };
}

async function measureMonitor(gw: string, exoUrl: string): Promise<Array<{ targets: number; roundMedianMs: number; storageBytesPerRound: number | null }>> {
  const out: Array<{ targets: number; roundMedianMs: number; storageBytesPerRound: number | null }> = [];
  const added: string[] = [];
  const dbSize = async (): Promise<number | null> => {
    const m = (await fetch(`${gw}/api/metrics`, { headers: ADMIN }).then((r) => r.json())) as { database_bytes?: number };
    return m.database_bytes ?? null;
  };
  const current = Object.keys(((await fetch(`${gw}/api/status`, { headers: ADMIN }).then((r) => r.json())) as { targets: Record<string, unknown> }).targets).length;
  for (const want of [1, 10, 50]) {
    // Existing targets count towards the total; extra ones all probe the first Exo simulator.
    while (current + added.length < want) {
      const name = `bench_${added.length}`;
      const res = await fetch(`${gw}/api/targets`, { method: "POST", headers: ADMIN, body: JSON.stringify({ name, kind: "exo", url: exoUrl, models: {} }) });
      if (!res.ok) throw new Error(`adding ${name}: ${res.status} ${await res.text()}`);
      added.push(name);
    }
    const times: number[] = [];
    const b0 = await dbSize();
    // SQLite grows by whole pages: enough rounds for the growth to show.
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await fetch(`${gw}/api/check`, { method: "POST", headers: ADMIN }).then((r) => r.arrayBuffer());
      times.push(performance.now() - t0);
    }
    const b1 = await dbSize();
    out.push({ targets: Math.max(want, current), roundMedianMs: median(times), storageBytesPerRound: b0 === null || b1 === null ? null : (b1 - b0) / rounds });
  }
  for (const name of added) await fetch(`${gw}/api/targets/${name}`, { method: "DELETE", headers: ADMIN });
  return out;
}

const f = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : "–");

function render(r: {
  machine: { cores: number; loadBefore: number; loadAfter: number };
  repeats: number;
  secondsPerRun: number;
  nonStreaming: Row[];
  streaming: Record<string, { ttfbMedianMs: number; totalMedianMs: number; ttfbP99Ms: number }>;
  gatewayCpuMsPerRequest: number | null;
  floorCpuMsPerRequest: number | null;
  workerdPeakRssMiB: number;
  doCalls: { before: DoCounters; after: DoCounters };
  eventLatency: { n: number; medianMs: number; p99Ms: number };
  failover: { requests: number; clientErrors: number; retried: number; retriedMedianMs: number; retriedP99Ms: number; normalMedianMs: number };
  monitorCost: Array<{ targets: number; roundMedianMs: number; storageBytesPerRound: number | null }>;
  durationS: number;
}): string {
  const lines: string[] = [];
  lines.push(`Exo Bridge benchmark — standalone workerd, ${r.machine.cores} cores, load ${f(r.machine.loadBefore)} → ${f(r.machine.loadAfter)}, medians of ${r.repeats} × ${r.secondsPerRun} s runs`);
  lines.push("");
  lines.push("| non-streaming | path | req/s | p50 ms | p90 ms | p99 ms | added p50 ms | gateway/direct req/s | gateway/floor req/s |");
  lines.push("| --- | --- | --: | --: | --: | --: | --: | --: | --: |");
  for (const row of r.nonStreaming) {
    for (const k of ["direct", "floor", "gateway"] as const) {
      const w = row[k];
      const added = k === "direct" ? "" : f(w.p50 - row.direct.p50, 3);
      const ratioD = k === "gateway" ? f(row.gateway.rps / row.direct.rps) : "";
      const ratioF = k === "gateway" ? f(row.gateway.rps / row.floor.rps) : "";
      lines.push(`| ${row.name} | ${k === "floor" ? "pass-through Worker" : k} | ${f(w.rps, 0)} | ${f(w.p50, 3)} | ${f(w.p90, 3)} | ${f(w.p99, 3)} | ${added} | ${ratioD} | ${ratioF} |`);
    }
  }
  lines.push("");
  lines.push("| streaming (20 chunks) | first data byte, median ms | p99 ms | whole stream, median ms |");
  lines.push("| --- | --: | --: | --: |");
  for (const [k, v] of Object.entries(r.streaming)) lines.push(`| ${k === "floor" ? "pass-through Worker" : k} | ${f(v.ttfbMedianMs, 3)} | ${f(v.ttfbP99Ms, 3)} | ${f(v.totalMedianMs, 3)} |`);
  const doCalls = r.doCalls.after.doCalls - r.doCalls.before.doCalls;
  const requests = r.doCalls.after.requests - r.doCalls.before.requests;
  lines.push("");
  const cpu = (v: number | null): string => (v === null ? "–" : f(v, 3));
  lines.push(
    `CPU per request (whole workerd process, the monitor's report handling included): gateway ${cpu(r.gatewayCpuMsPerRequest)} ms, pass-through Worker ${cpu(r.floorCpuMsPerRequest)} ms; workerd peak RSS ${f(r.workerdPeakRssMiB, 0)} MiB`,
  );
  lines.push(`Durable Object calls per 1,000 gateway requests: ${f((doCalls / requests) * 1000, 2)} (${doCalls} calls counted by the Durable Object over ${requests} requests)`);
  lines.push(`live events, Durable Object commit → WebSocket subscriber: median ${f(r.eventLatency.medianMs, 1)} ms, p99 ${f(r.eventLatency.p99Ms, 1)} ms (n=${r.eventLatency.n})`);
  lines.push(
    `failover (every Exo node killed under load): ${r.failover.requests} requests, ${r.failover.clientErrors} client-visible errors, ${r.failover.retried} retried onto the cloud: median ${f(r.failover.retriedMedianMs, 1)} ms, p99 ${f(r.failover.retriedP99Ms, 1)} ms (normal median ${f(r.failover.normalMedianMs, 1)} ms)`,
  );
  lines.push("");
  lines.push("| monitor: targets | forced probe round, median ms | storage written per round, bytes |");
  lines.push("| --: | --: | --: |");
  for (const m of r.monitorCost) lines.push(`| ${m.targets} | ${f(m.roundMedianMs, 1)} | ${m.storageBytesPerRound === null ? "–" : f(m.storageBytesPerRound, 0)} |`);
  lines.push("");
  lines.push(`finished in ${r.durationS} s; JSON in artifacts/bench.json`);
  return lines.join("\n");
}

await main();
