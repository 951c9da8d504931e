/**
 * The supervisor process, its control API, the chaos CLI and spawnCluster itself:
 * clear errors for bad requests and configs, `all` targets, clean shutdown.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, spawnCluster } from "./spawn.ts";
import { EXO_MODEL, raw, tcpProbe } from "./test-support.ts";

const CONTROL = 57679;
const CHAOS_CLI = fileURLToPath(new URL("./chaos.ts", import.meta.url));
let sim: SimCluster;

function chaosCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", CHAOS_CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 15_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  sim = await spawnCluster({
    control: { port: CONTROL },
    nodes: [
      { name: "exo_a", kind: "exo", port: 57670, models: [EXO_MODEL] },
      { name: "exo_b", kind: "exo", port: 57671, models: [EXO_MODEL] },
      { name: "cloud", kind: "cloud", port: 57672 },
    ],
  });
}, 30_000);

afterAll(async () => {
  await sim.stop();
});

describe("control API", () => {
  it("reports every simulator in GET /state", async () => {
    const state = await sim.state();
    expect(Object.keys(state.targets).sort()).toEqual(["cloud", "exo_a", "exo_b"]);
    expect(state.targets["exo_a"]).toMatchObject({ kind: "exo", port: 57670, listening: true, api: "v1" });
    expect(state.targets["cloud"]).toMatchObject({ kind: "cloud", port: 57672, requestsByKey: {} });
    expect(sim.targets.map((t) => t.url)).toEqual(["http://127.0.0.1:57670", "http://127.0.0.1:57671", "http://127.0.0.1:57672"]);
  });

  it("answers 404 for an unknown target and 400 for an unknown fault or bad args", async () => {
    const control = sim.controlUrl;
    const unknownTarget = await raw(control, "/chaos", { body: { target: "nope", fault: "down" } });
    expect(unknownTarget.status).toBe(404);
    expect(JSON.parse(unknownTarget.body)).toMatchObject({ error: expect.stringContaining("unknown target 'nope'") });
    const unknownFault = await raw(control, "/chaos", { body: { target: "exo_a", fault: "explode" } });
    expect(unknownFault.status).toBe(400);
    expect(unknownFault.body).toContain("unknown fault 'explode'");
    const badArgs = await raw(control, "/chaos", { body: { target: "exo_a", fault: "slow", args: ["soon"] } });
    expect(badArgs.status).toBe(400);
    expect(badArgs.body).toContain("slow: ms must be an integer");
    expect((await raw(control, "/chaos", { body: "{" })).status).toBe(400);
    expect((await raw(control, "/chaos", { body: { fault: "down" } })).status).toBe(400);
  });

  it("applies a fault to every simulator with target 'all', and POST /reset clears them", async () => {
    const all = await sim.chaos("all", "http", 530);
    expect("targets" in all ? Object.values(all.targets).map((t) => t.faults.http) : []).toEqual([
      { kind: "status", status: 530, retryAfterS: null },
      { kind: "status", status: 530, retryAfterS: null },
      { kind: "status", status: 530, retryAfterS: null },
    ]);
    expect((await raw(sim.url("exo_b"), "/node_id")).status).toBe(530);
    // The control API itself is never affected by faults.
    const reset = await raw(sim.controlUrl, "/reset", { method: "POST" });
    expect(reset.status).toBe(200);
    expect((await raw(sim.url("exo_b"), "/node_id")).status).toBe(200);
    expect((await raw(sim.url("cloud"), "/v1/models")).status).toBe(401);
  });

  it("'all' applies a kind-specific fault to the simulators that know it", async () => {
    const applied = await sim.chaos("all", "election", 100);
    const faults = "targets" in applied ? Object.values(applied.targets).map((t) => [t.name, t.faults.electionMs]) : [];
    expect(faults).toEqual([["exo_a", 100], ["exo_b", 100], ["cloud", 0]]);
    await expect(sim.chaos("all", "explode")).rejects.toThrow(/400: no simulator knows the fault 'explode'/);
    await sim.reset();
  });

  it("a fault on one exo node leaves the other alone", async () => {
    await sim.chaos("exo_a", "down");
    expect(await tcpProbe(57670)).toBe("ECONNREFUSED");
    expect(await tcpProbe(57671)).toBe("connected");
    await sim.reset();
    expect(await tcpProbe(57670)).toBe("connected");
  });
});

describe("chaos CLI", () => {
  it("prints usage without arguments", async () => {
    const res = await chaosCli([]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("usage: npm run chaos");
    expect(res.stdout).toContain("no-instance [model]");
  });

  it("applies a fault, shows status, reports errors (control URL from flag or env)", async () => {
    const applied = await chaosCli(["--control", sim.controlUrl, "exo_a", "slow", "10"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("slowMs=10");
    const status = await chaosCli(["status"], { SIM_CONTROL_URL: sim.controlUrl });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/exo_a\s+exo\s+http:\/\/127\.0\.0\.1:57670 listening/);
    expect(status.stdout).toMatch(/cloud\s+cloud/);
    const bad = await chaosCli(["exo_a", "explode"], { SIM_CONTROL_URL: sim.controlUrl });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown fault 'explode'");
    const reset = await chaosCli(["reset"], { SIM_CONTROL_URL: sim.controlUrl });
    expect(reset.code).toBe(0);
    expect(reset.stdout).not.toContain("slowMs");
    const unreachable = await chaosCli(["status", "--control", "http://127.0.0.1:57678"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach the simulator control API");
  });
});

describe("spawnCluster", () => {
  it("rejects an invalid config before spawning", async () => {
    await expect(spawnCluster({ nodes: [{ name: "Bad Name", kind: "exo", port: 57673 }] })).rejects.toThrow(/invalid cluster config/);
    await expect(
      spawnCluster({ control: { port: 57674 }, nodes: [{ name: "a", kind: "exo", port: 57673 }, { name: "a", kind: "cloud", port: 57673 }] }),
    ).rejects.toThrow(/duplicate name a/);
  });

  it("reports the child's error when a port is taken", async () => {
    await expect(spawnCluster({ control: { port: 57675 }, nodes: [{ name: "clash", kind: "exo", port: 57670 }] }, { readyTimeoutMs: 10_000 })).rejects.toThrow(
      /exited .*cannot listen on 127\.0\.0\.1:57670/,
    );
  }, 15_000);

  it("picks free ports for port 0 and frees every port on stop", async () => {
    const own = await spawnCluster({ control: { port: 0 }, nodes: [{ name: "free", kind: "exo", port: 0 }] });
    const target = own.targets[0];
    expect(target?.port).toBeGreaterThan(0);
    expect((await raw(own.url("free"), "/node_id")).status).toBe(200);
    // down/up must reuse the port that was picked.
    await own.chaos("free", "down");
    await own.chaos("free", "up");
    expect((await raw(own.url("free"), "/node_id")).status).toBe(200);
    await own.stop();
    expect(await tcpProbe(target?.port ?? 0)).toBe("ECONNREFUSED");
    expect(await tcpProbe(Number(new URL(own.controlUrl).port))).toBe("ECONNREFUSED");
  });
});
