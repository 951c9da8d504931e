/**
 * The gateway's reports: passive observations go through the state machine like
 * probe results (source "passive"), usage is summed into hourly buckets, facts
 * become events. One batch is one transaction.
 */
import { assertNever, ProbeResult } from "@exo-bridge/core/health/types";
import { severityOf } from "@exo-bridge/core/protocol/events";
import { GatewayReportBatch } from "@exo-bridge/core/protocol/routing";
import { z } from "zod";
import { applyResults } from "./apply.ts";
import type { HubCore } from "./hub-core.ts";
import { getTarget } from "./store/targets.ts";
import { addUsage } from "./store/usage.ts";

export function applyReport(hub: HubCore, batch: unknown): number {
  const parsed = GatewayReportBatch.safeParse(batch);
  if (!parsed.success) throw new TypeError(`invalid report batch: ${z.prettifyError(parsed.error).slice(0, 300)}`);
  if (parsed.data.length === 0) return 0;
  return hub.write((tx, meta) => {
    let accepted = 0;
    const observations: { name: string; probe: ProbeResult }[] = [];
    for (const item of parsed.data) {
      switch (item.kind) {
        case "observation": {
          if (getTarget(tx.sql, item.target) === null) break;
          const probe = ProbeResult.parse({
            at: item.at,
            classification: item.classification,
            latencyMs: item.latencyMs,
            error: item.error,
            httpStatus: item.httpStatus,
            source: "passive",
          });
          observations.push({ name: item.target, probe });
          accepted += 1;
          break;
        }
        case "usage":
          addUsage(tx.sql, item);
          accepted += 1;
          break;
        case "fact":
          tx.event({ type: item.type, target: item.target, severity: severityOf(item.type, item.data), message: item.message, data: item.data });
          accepted += 1;
          break;
        default:
          assertNever(item);
      }
    }
    applyResults(tx, meta, observations);
    return accepted;
  });
}
