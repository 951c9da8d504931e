/**
 * `npm run dev`: the whole system on 127.0.0.1 with embedded defaults — a simulated
 * two-node Exo cluster and a cloud provider, the monitor and the gateway in workerd,
 * the HUD at http://127.0.0.1:8787/. No account, secrets file or internet needed.
 */
import { startSystem } from "./system.ts";

const verbose = process.argv.includes("--verbose");
const persistDir = process.argv.includes("--fresh") ? undefined : ".wrangler/dev-state";
const system = await startSystem({ verbose, ...(persistDir === undefined ? {} : { persistDir }) });

console.log(`
Exo Bridge is running.

  HUD                 ${system.gatewayUrl}/            (admin token: ${system.adminToken})
  OpenAI endpoint     ${system.gatewayUrl}/v1          (API key: ${system.apiKey}, model: ${system.model})
  Admin API           ${system.gatewayUrl}/api/status
  Simulators          exo_primary :52415, exo_node_2 :52416, sim_cloud :52420 (control ${system.controlUrl})

Try:
  npm run chaos -- exo_primary down      # watch it go degraded → failing → offline in the HUD
  npm run chaos -- exo_primary up        # and recovering → healthy
  curl ${system.gatewayUrl}/v1/chat/completions -H 'authorization: Bearer ${system.apiKey}' \\
       -H 'content-type: application/json' -d '{"model":"${system.model}","messages":[{"role":"user","content":"hello"}]}'

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  system.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
