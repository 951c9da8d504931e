/**
 * Helpers for end-to-end cases: read the monitor's state through the public admin
 * API, wait for conditions with deadlines, and write the report table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MonitorEvent, RecoveryAction } from "../core/src/protocol/events.ts";
import type { SystemStatus } from "../core/src/protocol/status.ts";
import { ROOT, type RunningSystem } from "../scripts/system.ts";
import { summarise, type Outcome } from "./traffic.ts";

export async function status(sys: RunningSystem): Promise<SystemStatus> {
  const res = await sys.admin("/api/status");
  if (!res.ok) throw new Error(`GET /api/status: ${res.status} ${await res.text()}`);
  return (await res.json()) as SystemStatus;
}

export async function eventsAfter(sys: RunningSystem, id: number): Promise<MonitorEvent[]> {
  const out: MonitorEvent[] = [];
  let since = id;
  for (let page = 0; page < 50; page++) {
    const res = await sys.admin(`/api/events?since=${since}&limit=1000`);
    if (!res.ok) throw new Error(`GET /api/events: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { events: MonitorEvent[] };
    out.push(...body.events);
    const last = body.events.at(-1);
    if (last === undefined || body.events.length < 1000) break;
    since = last.id;
  }
  return out;
}

export async function recoveryActions(sys: RunningSystem): Promise<RecoveryAction[]> {
  const res = await sys.admin("/api/recovery?limit=200");
  return ((await res.json()) as { actions: RecoveryAction[] }).actions;
}

/** Polls until `check` returns a value other than undefined; returns it and when it was first seen. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<{ value: T; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return { value, at: Date.now() };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === null ? "" : ` (${String(lastError)})`}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function waitForStatus(sys: RunningSystem, target: string, wanted: string[], timeoutMs: number): Promise<{ value: string; at: number }> {
  return waitFor(`${target} in ${wanted.join("/")}`, timeoutMs, async () => {
    const s = (await status(sys)).targets[target]?.status;
    return s !== undefined && wanted.includes(s) ? s : undefined;
  });
}

export interface CaseReport {
  name: string;
  fault: string;
  expected: string;
  sent: number;
  succeeded: number;
  failedTold: number;
  misled: number;
  /** Requests lost that could have been served (non-streaming, or failed before the first byte). */
  lost: number;
  detectMs: number | null;
  recoverMs: number | null;
  eventsExpected: string[];
  eventsMissing: string[];
  statusChanges: number;
  servedBy: Record<string, number>;
  /** Status path of the faulted target, in order. */
  path: string[];
  /** A few of the failed requests, for the reader. */
  failures: string[];
  notes: string;
}

export function caseReport(
  base: Pick<CaseReport, "name" | "fault" | "expected" | "detectMs" | "recoverMs" | "notes">,
  outcomes: Outcome[],
  events: MonitorEvent[],
  eventsExpected: string[],
  isLost: (o: Outcome) => boolean,
): CaseReport {
  const s = summarise(outcomes);
  const present = new Set(events.map((e) => `${e.type}${e.target === null ? "" : `:${e.target}`}`));
  const types = new Set<string>(events.map((e) => e.type));
  return {
    ...base,
    sent: s.sent,
    succeeded: s.ok,
    failedTold: s.told,
    misled: s.misled,
    lost: outcomes.filter((o) => !o.ok && isLost(o)).length,
    eventsExpected,
    eventsMissing: eventsExpected.filter((e) => !present.has(e) && !types.has(e)),
    statusChanges: events.filter((e) => e.type === "status_change").length,
    servedBy: s.byUpstream,
    path: events.filter((e) => e.type === "status_change").map((e) => `${e.target ?? "?"}→${String(e.data["to"])}`),
    failures: outcomes
      .filter((o) => !o.ok)
      .slice(0, 5)
      .map((o) => `#${o.seq} ${o.stream ? "stream" : "json"} ${o.status ?? "-"} ${o.error ?? ""}`),
  };
}

const ms = (v: number | null): string => (v === null ? "–" : `${(v / 1000).toFixed(1)} s`);

export function renderTable(rows: CaseReport[], header: string): string {
  const lines = [
    header,
    "",
    "| case | fault | sent | ok | failed (told) | misled | lost | detect | recover | status changes | events missing | served by |",
    "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --- | --- |",
    ...rows.map((r) =>
      [
        r.name,
        `\`${r.fault}\``,
        r.sent,
        r.succeeded,
        r.failedTold,
        r.misled,
        r.lost,
        ms(r.detectMs),
        ms(r.recoverMs),
        r.statusChanges,
        r.eventsMissing.length === 0 ? "none" : r.eventsMissing.join(", "),
        Object.entries(r.servedBy)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
      ].join(" | ").replace(/^/, "| ").replace(/$/, " |"),
    ),
    "",
    "Expected outcomes:",
    "",
    ...rows.map((r) => `- **${r.name}**: ${r.expected}${r.notes === "" ? "" : ` — ${r.notes}`}`),
    "",
    "Status changes and failed requests seen:",
    "",
    ...rows.flatMap((r) => [
      `- **${r.name}**: ${r.path.join(", ") || "no status change"}`,
      ...r.failures.map((f) => `  - ${f}`),
    ]),
  ];
  return lines.join("\n");
}

export function writeReport(name: string, rows: CaseReport[], header: string): string {
  const dir = join(ROOT, "artifacts");
  mkdirSync(dir, { recursive: true });
  const table = renderTable(rows, header);
  writeFileSync(join(dir, `${name}.md`), table + "\n");
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(rows, null, 2) + "\n");
  return table;
}
