/**
 * Supervisor process: starts the simulators of a cluster config and the control API,
 * prints one `SIM_READY <json>` line on stdout, and shuts down cleanly on SIGTERM/SIGINT.
 *
 *   node sim/cluster.ts [--preset dev | --config <file.json> | --config-json '<json>'] [--exit-with-parent]
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { CloudSim } from "./cloud.ts";
import { type NodeConfig, PRESETS, type ParsedClusterConfig, parseClusterConfig } from "./config.ts";
import { startControlApi } from "./control-api.ts";
import { ExoNode } from "./exo-node.ts";
import { assertNever } from "./faults.ts";
import { READY_PREFIX, type ReadyLine } from "./ready-line.ts";
import { HOST } from "./sim-server.ts";
import type { Simulator } from "./simulator.ts";

function createSim(node: NodeConfig): Simulator {
  switch (node.kind) {
    case "exo":
      return new ExoNode(node);
    case "cloud":
      return new CloudSim(node);
    default:
      return assertNever(node);
  }
}

function loadConfig(argv: string[]): ParsedClusterConfig {
  let raw: unknown = PRESETS["dev"];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--exit-with-parent") continue;
    if (value === undefined) throw new Error(`${flag ?? ""} needs a value`);
    i++;
    if (flag === "--preset") {
      raw = PRESETS[value];
      if (raw === undefined) throw new Error(`unknown preset '${value}'; known: ${Object.keys(PRESETS).join(", ")}`);
    } else if (flag === "--config") {
      raw = JSON.parse(readFileSync(value, "utf8"));
    } else if (flag === "--config-json") {
      raw = JSON.parse(value);
    } else {
      throw new Error(`unknown flag ${flag ?? ""}`);
    }
  }
  const parsed = parseClusterConfig(raw);
  if (!parsed.ok) throw new Error(`invalid cluster config:\n${parsed.error}`);
  return parsed.config;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const config = loadConfig(argv);
  const sims = config.nodes.map(createSim);
  let control: Server | null = null;
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const closed = control === null ? Promise.resolve() : new Promise<void>((r) => control?.close(() => r()));
    control?.closeAllConnections();
    await Promise.allSettled([...sims.map((s) => s.stop()), closed]);
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));
  try {
    await Promise.all(sims.map((s) => s.start()));
    control = await startControlApi(sims, config.control.port);
  } catch (err) {
    process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
    return;
  }
  if (argv.includes("--exit-with-parent")) {
    // A crashed test runner must not leave simulators holding its ports.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void shutdown(0);
    }, 500).unref();
  }
  const address = control.address();
  const controlPort = address !== null && typeof address === "object" ? address.port : config.control.port;
  const ready: ReadyLine = {
    control: `http://${HOST}:${controlPort}`,
    targets: sims.map((s) => {
      const st = s.state();
      return { name: st.name, kind: st.kind, url: st.url, port: st.port };
    }),
  };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
