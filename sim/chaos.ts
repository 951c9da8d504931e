/**
 * `npm run chaos -- <target> <fault> [args...]`: puts a running simulator into a fault
 * through the cluster's control API. `npm run chaos -- status` prints every state,
 * `npm run chaos -- reset` clears every fault.
 */
import { FAULT_HELP, FAULTS_BY_KIND } from "./faults.ts";
import { ControlErrorSchema, ControlStateSchema, SimStateSchema } from "./state-schema.ts";

const USAGE = `usage: npm run chaos -- [--control <url>] <target|all> <fault> [args...]
       npm run chaos -- [--control <url>] status
       npm run chaos -- [--control <url>] reset

Control URL: --control, else $SIM_CONTROL_URL, else http://127.0.0.1:52499 (npm run sim).
Targets of the dev preset: exo_primary, exo_node_2, sim_cloud, or all.

Faults (exo: ${FAULTS_BY_KIND.exo.join(", ")}; cloud: ${FAULTS_BY_KIND.cloud.join(", ")}):
${Object.values(FAULT_HELP).map((line) => `  ${line}`).join("\n")}

Examples:
  npm run chaos -- exo_primary down
  npm run chaos -- exo_primary http 530
  npm run chaos -- sim_cloud rate-limit-key sk-sim-cloud-key-1
  npm run chaos -- all reset
`;

async function call(url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

function describe(json: unknown): string {
  const all = ControlStateSchema.safeParse(json);
  const states = all.success ? Object.values(all.data.targets) : [];
  const one = SimStateSchema.safeParse(json);
  if (one.success) states.push(one.data);
  if (states.length === 0) return JSON.stringify(json, null, 2);
  return states
    .map((s) => {
      const active = Object.entries(s.faults)
        .filter(([, v]) => v !== false && v !== 0 && v !== null && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => (v === true ? k : `${k}=${JSON.stringify(v)}`));
      const extra = [
        s.nodeId === undefined ? "" : ` node=${s.nodeId.slice(0, 8)}`,
        s.instances === undefined ? "" : ` instances=[${s.instances.map((i) => `${i.modelId}${i.ready ? "" : " (loading)"}`).join(", ")}]`,
        s.requestsByKey === undefined ? "" : ` keys=${JSON.stringify(s.requestsByKey)}`,
      ].join("");
      return `${s.name.padEnd(14)} ${s.kind.padEnd(5)} ${s.url} ${s.listening ? "listening" : "CLOSED"} requests=${s.requests.total}${extra}\n${"".padEnd(15)}faults: ${active.length === 0 ? "none" : active.join(" ")}`;
    })
    .join("\n");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let control = process.env["SIM_CONTROL_URL"] ?? "http://127.0.0.1:52499";
  const controlAt = argv.indexOf("--control");
  if (controlAt !== -1) {
    const value = argv[controlAt + 1];
    if (value === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    control = value;
    argv.splice(controlAt, 2);
  }
  control = control.replace(/\/+$/, "");
  const [first, fault, ...args] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    process.stdout.write(USAGE);
    return first === undefined ? 2 : 0;
  }
  let result: { status: number; json: unknown };
  try {
    if (first === "status" || first === "state") result = await call(`${control}/state`);
    else if (first === "reset" && fault === undefined) result = await call(`${control}/reset`, {});
    else if (fault === undefined) {
      process.stderr.write(`missing fault for target '${first}'\n\n${USAGE}`);
      return 2;
    } else result = await call(`${control}/chaos`, { target: first, fault, args });
  } catch (err) {
    process.stderr.write(`cannot reach the simulator control API at ${control}: ${err instanceof Error ? err.message : String(err)}\n(start it with: npm run sim)\n`);
    return 1;
  }
  if (result.status >= 400) {
    const err = ControlErrorSchema.safeParse(result.json);
    process.stderr.write(`error ${result.status}: ${err.success ? err.data.error : JSON.stringify(result.json)}\n`);
    return 1;
  }
  process.stdout.write(`${describe(result.json)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
