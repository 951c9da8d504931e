/**
 * The cluster's control HTTP API (chaos on demand): `POST /chaos`, `GET /state`,
 * `POST /reset`. It runs on its own port so that no fault can take it down.
 */
import { createServer, type Server } from "node:http";
import { z } from "zod";
import { FAULTS_BY_KIND } from "./faults.ts";
import { parseJson, readBody, sendJson } from "./http-io.ts";
import { HOST } from "./sim-server.ts";
import type { SimState, Simulator } from "./simulator.ts";

const ChaosBody = z
  .object({
    target: z.string().min(1),
    fault: z.string().min(1),
    args: z.array(z.union([z.string(), z.number()])).default([]),
  })
  .strict();

export interface ControlState {
  targets: Record<string, SimState>;
}

export function clusterState(sims: readonly Simulator[]): ControlState {
  return { targets: Object.fromEntries(sims.map((s) => [s.name, s.state()])) };
}

async function chaos(sims: readonly Simulator[], raw: unknown): Promise<{ status: number; body: unknown }> {
  const parsed = ChaosBody.safeParse(raw);
  if (!parsed.success) return { status: 400, body: { error: `bad chaos request: ${z.prettifyError(parsed.error)}` } };
  const { target, fault, args } = parsed.data;
  // `all` means every simulator that knows the fault (`all election 3000` hits the Exo nodes only).
  const chosen = target === "all" ? sims.filter((s) => FAULTS_BY_KIND[s.kind].some((f) => f === fault)) : sims.filter((s) => s.name === target);
  if (target === "all" && chosen.length === 0) return { status: 400, body: { error: `no simulator knows the fault '${fault}'` } };
  if (chosen.length === 0) {
    return { status: 404, body: { error: `unknown target '${target}'; known: ${[...sims.map((s) => s.name), "all"].join(", ")}` } };
  }
  const outcomes = await Promise.all(chosen.map(async (sim) => ({ sim, outcome: await sim.chaos(fault, args) })));
  const failed = outcomes.find((o) => !o.outcome.ok);
  if (failed !== undefined && !failed.outcome.ok) return { status: 400, body: { error: failed.outcome.error } };
  if (target !== "all") return { status: 200, body: chosen[0]?.state() };
  return { status: 200, body: clusterState(sims) };
}

export async function startControlApi(sims: readonly Simulator[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", `http://${HOST}`).pathname;
      const body = await readBody(req);
      const method = req.method ?? "GET";
      if (method === "GET" && path === "/state") return sendJson(res, 200, clusterState(sims));
      if (method === "GET" && path === "/health") return sendJson(res, 200, { ok: true });
      if (method === "POST" && path === "/reset") {
        await Promise.all(sims.map((s) => s.chaos("reset", [])));
        return sendJson(res, 200, clusterState(sims));
      }
      if (method === "POST" && path === "/chaos") {
        const json = body === null ? null : parseJson(body);
        if (json === null || !json.ok) return sendJson(res, 400, { error: "body must be JSON {target, fault, args}" });
        const result = await chaos(sims, json.value);
        return sendJson(res, result.status, result.body);
      }
      sendJson(res, 404, { error: `no route ${method} ${path}; try GET /state, POST /chaos, POST /reset` });
    })().catch((err: unknown) => {
      sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => resolve());
  });
  return server;
}
