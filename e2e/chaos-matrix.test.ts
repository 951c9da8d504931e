/**
 * Proof under fire: the whole system (both Workers under wrangler dev, the simulators
 * as real processes) with the official `openai` SDK sending a steady mix of streaming
 * and non-streaming requests while faults are injected. Every request and every event
 * is accounted for; the table is printed and written to artifacts/chaos-report.md.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MonitorEvent } from "../core/src/protocol/events.ts";
import { startSystem, type RunningSystem } from "../scripts/system.ts";
import { caseReport, eventsAfter, recoveryActions, status, waitFor, waitForStatus, writeReport, type CaseReport } from "./harness.ts";
import { Traffic, type Outcome } from "./traffic.ts";

const BASE_PORT = 55415;
/** Short intervals so that the suite stays within minutes; detection ≈ failureThreshold × intervalS. */
const POLICY = { intervalS: 1, timeoutMs: 800, failureThreshold: 3, recoveryThreshold: 2, syntheticIntervalS: 3, ttftBudgetMs: 1500 };
const DETECT_TIMEOUT = 20_000;
/** The gateway's inter-token stall budget in this suite. */
const STALL_MS = 2_000;

let sys: RunningSystem;
const rows: CaseReport[] = [];

interface Case {
  name: string;
  fault: string;
  expected: string;
  events: string[];
  setup?: () => Promise<void>;
  inject: () => Promise<void>;
  /** Resolves when the system has noticed the fault; null when nothing should be noticed. */
  detect: (() => Promise<unknown>) | null;
  clear: () => Promise<void>;
  /** Resolves when the system is back to normal. */
  recover: () => Promise<unknown>;
  teardown?: () => Promise<void>;
  /** Which failed requests count as lost (could have been served invisibly). */
  lost: (o: Outcome) => boolean;
  check: (r: CaseReport, events: MonitorEvent[], outcomes: Outcome[], window: { injectedAt: number; clearedAt: number }) => void;
  holdMs?: number;
}

/**
 * Lost: a request that failed although it could have been failed over invisibly — any
 * non-streaming request, and any stream that failed before its first byte reached the
 * client. A stream cut after that is told (an error event), which is the best possible.
 */
const lostIfBeforeFirstByte = (o: Outcome): boolean => !o.stream || o.chunksBeforeError === 0;

async function allHealthy(): Promise<void> {
  await waitFor("every target healthy", 30_000, async () => {
    const s = await status(sys);
    return Object.values(s.targets).every((t) => t.status === "healthy") ? true : undefined;
  });
}

/**
 * Leaves exo_primary as the only Exo node, so that its faults reach the clients' traffic
 * (otherwise exo_node_2 absorbs them) and failover goes to the cloud.
 */
const onlyExoPrimary = {
  setup: async (): Promise<void> => {
    await sys.admin("/api/targets/exo_node_2/drain", { body: { drained: true } });
    // The gateway reads routing state through a cache with a 1.5 s staleness bound.
    await new Promise((r) => setTimeout(r, 2_000));
  },
  teardown: async (): Promise<void> => {
    await sys.admin("/api/targets/exo_node_2/drain", { body: { drained: false } });
  },
};

async function lastEventId(): Promise<number> {
  return (await status(sys)).manager.last_event_id;
}

async function runCase(c: Case): Promise<CaseReport> {
  await sys.sim.reset();
  await allHealthy();
  await c.setup?.();
  const firstId = await lastEventId();
  const traffic = new Traffic({ baseURL: `${sys.gatewayUrl}/v1`, apiKey: sys.apiKey, model: sys.model, concurrency: 2, gapMs: 40, maxRequests: 600 });
  traffic.start();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  await c.inject();
  let detectMs: number | null = null;
  if (c.detect !== null) {
    await c.detect();
    detectMs = Date.now() - t0;
  }
  await new Promise((r) => setTimeout(r, c.holdMs ?? 2_000));
  const t1 = Date.now();
  await c.clear();
  await c.recover();
  const recoverMs = Date.now() - t1;
  await new Promise((r) => setTimeout(r, 500));
  const outcomes = await traffic.stop();
  await c.teardown?.();
  const events = await eventsAfter(sys, firstId);
  const report = caseReport({ name: c.name, fault: c.fault, expected: c.expected, detectMs, recoverMs, notes: "" }, outcomes, events, c.events, c.lost);
  rows.push(report);
  c.check(report, events, outcomes, { injectedAt: t0, clearedAt: t1 });
  return report;
}

function statusPath(events: MonitorEvent[], target: string): string[] {
  return events.filter((e) => e.type === "status_change" && e.target === target).map((e) => String(e.data["to"]));
}

describe("chaos matrix under load", () => {
  beforeAll(async () => {
    sys = await startSystem({ basePort: BASE_PORT, policy: POLICY, buildWeb: false, vars: { GATEWAY_STREAM_STALL_MS: String(STALL_MS) } });
  }, 180_000);

  afterAll(async () => {
    if (rows.length > 0) {
      const table = writeReport(
        "chaos-report",
        rows,
        `# Chaos matrix (policy: interval ${POLICY.intervalS} s, failure threshold ${POLICY.failureThreshold}, recovery threshold ${POLICY.recoveryThreshold}, probe timeout ${POLICY.timeoutMs} ms, TTFT budget ${POLICY.ttftBudgetMs} ms)`,
      );
      console.log(`\n${table}\n`);
    }
    await sys?.stop();
  }, 60_000);

  it("seed scenario: Exo node down → offline → cloud serves → node back → healthy, traffic returns", async () => {
    const r = await runCase({
      name: "seed scenario",
      fault: "exo_primary down (exo_node_2 drained)",
      expected: "degraded → failing → offline, failover to sim_cloud, then recovering → healthy, node_restored; nothing lost or misled",
      events: ["target_failure:exo_primary", "status_change:exo_primary", "exo_failover", "target_recovery:exo_primary"],
      setup: onlyExoPrimary.setup,
      inject: () => sys.chaos("exo_primary", "down").then(() => undefined),
      detect: () => waitForStatus(sys, "exo_primary", ["offline"], DETECT_TIMEOUT),
      clear: () => sys.chaos("exo_primary", "up").then(() => undefined),
      recover: async () => {
        await waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT);
        // The gateway sees the new status within its staleness bound (1.5 s); until then the
        // node counts as recovering and gets a small, growing share of the traffic.
        await new Promise((r) => setTimeout(r, 2_000));
        await waitFor("a request served by exo_primary", DETECT_TIMEOUT, async () => {
          const probe = await new Traffic({ baseURL: `${sys.gatewayUrl}/v1`, apiKey: sys.apiKey, model: sys.model, concurrency: 1, gapMs: 0, maxRequests: 1 }).one(0, false);
          return probe.upstream === "exo_primary" ? true : undefined;
        });
      },
      teardown: onlyExoPrimary.teardown,
      lost: lostIfBeforeFirstByte,
      check: (r, events, outcomes) => {
        expect(statusPath(events, "exo_primary")).toEqual(["degraded", "failing", "offline", "recovering", "healthy"]);
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        expect(r.servedBy["sim_cloud"] ?? 0).toBeGreaterThan(0);
        // Traffic returned to Exo once it was healthy again.
        const last = outcomes.filter((o) => o.ok).slice(-3);
        expect(last.some((o) => o.upstream === "exo_primary")).toBe(true);
      },
    });
    const actions = await recoveryActions(sys);
    expect(actions.some((a) => a.action === "failover" && a.target === "exo_primary" && a.success)).toBe(true);
    expect(actions.some((a) => a.action === "node_restored" && a.target === "exo_primary" && a.success)).toBe(true);
    expect(r.detectMs).not.toBeNull();
  }, 120_000);

  const singleNodeFaults: Array<{ fault: string[]; classification: string; expectStatus: string[]; note: string }> = [
    { fault: ["hang"], classification: "timeout", expectStatus: ["offline"], note: "accepts, never answers: probes time out, requests retried on exo_node_2" },
    { fault: ["slow", "4000"], classification: "timeout", expectStatus: ["offline"], note: "beyond the first-token budget: requests retried elsewhere" },
    { fault: ["http", "502"], classification: "origin_down", expectStatus: ["offline"], note: "cloudflared cannot reach Exo" },
    { fault: ["http", "530"], classification: "tunnel_down", expectStatus: ["offline"], note: "tunnel down, Cloudflare error 1033" },
  ];
  for (const f of singleNodeFaults) {
    it(`exo_primary ${f.fault.join(" ")}: ${f.classification}, nothing lost`, async () => {
      await runCase({
        name: f.fault.join(" "),
        fault: `exo_primary ${f.fault.join(" ")}`,
        expected: `classified ${f.classification}, ${f.expectStatus.join("/")}; ${f.note}; nothing lost or misled`,
        events: ["target_failure:exo_primary", "status_change:exo_primary"],
        inject: () => sys.chaos("exo_primary", f.fault[0] ?? "", ...f.fault.slice(1)).then(() => undefined),
        detect: () => waitForStatus(sys, "exo_primary", f.expectStatus, DETECT_TIMEOUT),
        clear: () => sys.chaos("exo_primary", "reset").then(() => undefined),
        recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
        lost: lostIfBeforeFirstByte,
        check: (r, events) => {
          expect(r.misled).toBe(0);
          expect(r.lost).toBe(0);
          const failure = events.find((e) => e.type === "target_failure" && e.target === "exo_primary");
          expect(failure?.data["classification"]).toBe(f.classification);
        },
      });
    }, 120_000);
  }

  it("exo_primary http 403: Access misconfigured, reported as such, no outage flapping", async () => {
    await runCase({
      name: "http 403 (Access)",
      fault: "exo_primary http 403",
      expected: "misconfigured (an operator problem), routing avoids it, at most 2 status changes, nothing lost or misled",
      events: ["status_change:exo_primary"],
      inject: () => sys.chaos("exo_primary", "http", "403").then(() => undefined),
      detect: () => waitForStatus(sys, "exo_primary", ["misconfigured"], DETECT_TIMEOUT),
      holdMs: 4_000,
      clear: () => sys.chaos("exo_primary", "reset").then(() => undefined),
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
      lost: lostIfBeforeFirstByte,
      check: (r, events) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        const path = statusPath(events, "exo_primary");
        expect(path).not.toContain("offline");
        expect(path[0]).toBe("misconfigured");
        expect(path.length).toBeLessThanOrEqual(2);
      },
    });
  }, 120_000);

  for (const fault of ["cut-stream", "error-frame"]) {
    it(`exo_primary ${fault}: streams that broke are told, never passed off as complete`, async () => {
      let failuresBefore = 0;
      const failures = async (): Promise<number> => (await status(sys)).targets["exo_primary"]?.total_failures ?? 0;
      await runCase({
        name: fault,
        fault: `exo_primary ${fault} (exo_node_2 drained)`,
        expected: "streams cut after their first bytes end with an error event (told); non-streaming requests and streams not yet started are retried on the cloud invisibly; passive health moves traffic away",
        events: ["target_failure:exo_primary"],
        setup: onlyExoPrimary.setup,
        inject: async () => {
          failuresBefore = await failures();
          await sys.chaos("exo_primary", fault);
        },
        detect: () => waitFor("a new failure recorded for exo_primary", DETECT_TIMEOUT, async () => ((await failures()) > failuresBefore ? true : undefined)),
        holdMs: 3_000,
        clear: () => sys.chaos("exo_primary", "reset").then(() => undefined),
        recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
        teardown: onlyExoPrimary.teardown,
        lost: lostIfBeforeFirstByte,
        check: (r) => {
          expect(r.misled).toBe(0);
          expect(r.lost).toBe(0);
        },
      });
    }, 120_000);
  }

  it("exo_primary stall-stream: a hung runner's streams end with an error after the stall budget", async () => {
    let before = 0;
    await runCase({
      name: "stall-stream",
      fault: "exo_primary stall-stream (exo_node_2 drained)",
      expected: `streams that stall after their first bytes end with an error event ${STALL_MS / 1000} s after the last data (Exo's keep-alive comments do not count), never hang or pass as complete; later requests go elsewhere`,
      events: ["stream_failed"],
      setup: onlyExoPrimary.setup,
      inject: async () => {
        before = await lastEventId();
        await sys.chaos("exo_primary", "stall-stream", 2);
      },
      detect: () =>
        waitFor("a stream_failed event for a stall", DETECT_TIMEOUT, async () => {
          const evs = await eventsAfter(sys, before);
          return evs.some((e) => e.type === "stream_failed" && e.target === "exo_primary" && e.data["classification"] === "timeout") ? true : undefined;
        }),
      holdMs: 3_000,
      clear: () => sys.chaos("exo_primary", "reset").then(() => undefined),
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
      teardown: onlyExoPrimary.teardown,
      lost: lostIfBeforeFirstByte,
      check: (r, _events, outcomes) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        // Every stream that stalled was told, and none waited much longer than the budget.
        const stalled = outcomes.filter((o) => o.told && o.stream);
        expect(stalled.length).toBeGreaterThan(0);
        for (const o of stalled) expect(o.endedAt - o.startedAt).toBeLessThan(STALL_MS + 3_000);
      },
    });
  }, 120_000);

  it("exo_primary restart: recorded as a restart (new node id), nothing lost", async () => {
    let before = 0;
    await runCase({
      name: "restart",
      fault: "exo_primary restart",
      expected: "target_restarted with the old and new node id; no offline; nothing lost or misled",
      events: ["target_restarted:exo_primary"],
      inject: async () => {
        before = await lastEventId();
        await sys.chaos("exo_primary", "restart");
      },
      detect: () =>
        waitFor("target_restarted", DETECT_TIMEOUT, async () => {
          const evs = await eventsAfter(sys, before);
          return evs.some((e) => e.type === "target_restarted" && e.target === "exo_primary") ? true : undefined;
        }),
      clear: async () => undefined,
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
      lost: lostIfBeforeFirstByte,
      check: (r, events) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        expect(statusPath(events, "exo_primary")).not.toContain("offline");
      },
    });
  }, 120_000);

  it("exo_primary no-instance: re-placement attempted through Exo's API", async () => {
    await runCase({
      name: "no-instance",
      fault: "exo_primary no-instance",
      expected: "classified no_instance, a replace_instance recovery action places the model again; requests retried elsewhere meanwhile",
      events: ["target_failure:exo_primary", "recovery_action"],
      inject: () => sys.chaos("exo_primary", "no-instance").then(() => undefined),
      detect: () =>
        waitFor("a replace_instance action", DETECT_TIMEOUT, async () => {
          const actions = await recoveryActions(sys);
          return actions.some((a) => a.action === "replace_instance" && a.target === "exo_primary") ? true : undefined;
        }),
      clear: async () => undefined,
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
      lost: lostIfBeforeFirstByte,
      check: (r) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
      },
    });
  }, 120_000);

  it("exo_primary flap: damped, no alert storm", async () => {
    await runCase({
      name: "flap",
      fault: "exo_primary flap 700",
      expected: "flap damping: a bounded number of status changes (≤ 5 while flapping, however long; ≤ 2 to recover), settling in a non-routable state; nothing lost or misled",
      events: ["target_failure:exo_primary"],
      inject: () => sys.chaos("exo_primary", "flap", "700").then(() => undefined),
      detect: null,
      holdMs: 8_000,
      clear: () => sys.chaos("exo_primary", "reset").then(() => undefined),
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], DETECT_TIMEOUT),
      lost: lostIfBeforeFirstByte,
      check: (r, events, _outcomes, window) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        const changes = events.filter((e) => e.type === "status_change" && e.target === "exo_primary");
        const during = changes.filter((e) => Date.parse(e.ts) < window.clearedAt);
        // Worse, worse, worse, one try back, and then it holds: however long the flapping lasts.
        expect(during.length).toBeLessThanOrEqual(5);
        expect(changes.length - during.length).toBeLessThanOrEqual(2);
      },
    });
  }, 120_000);

  it("cloud provider 429 on one key: the next key serves, nothing lost", async () => {
    await runCase({
      name: "cloud 429 (one key)",
      fault: "traffic pinned to cloud; sim_cloud rate-limit-key sk-sim-cloud-key-1",
      expected: "the rate-limited key cools down until Retry-After, the other key serves; nothing lost or misled",
      events: ["config_changed"],
      setup: async () => {
        await sys.admin("/api/routing/pin", { body: { pinned: true } });
        // The gateway reads routing state through a cache with a 1.5 s staleness bound.
        await new Promise((r) => setTimeout(r, 2_000));
      },
      inject: () => sys.chaos("sim_cloud", "rate-limit-key", "sk-sim-cloud-key-1").then(() => undefined),
      detect: null,
      holdMs: 3_000,
      clear: () => sys.chaos("sim_cloud", "reset").then(() => undefined),
      recover: async () => undefined,
      teardown: async () => {
        await sys.admin("/api/routing/pin", { body: { pinned: false } });
      },
      lost: lostIfBeforeFirstByte,
      check: (r) => {
        expect(r.misled).toBe(0);
        expect(r.lost).toBe(0);
        expect(r.servedBy["sim_cloud"] ?? 0).toBeGreaterThan(0);
      },
    });
  }, 120_000);

  it("all upstreams down: clients told 503 with Retry-After, nothing misled", async () => {
    await runCase({
      name: "all upstreams down",
      fault: "all down",
      expected: "every target offline, clients get 503 + Retry-After (told), recovery_failed recorded; all back healthy after up",
      events: ["recovery_failed"],
      inject: () => sys.chaos("all", "down").then(() => undefined),
      detect: () =>
        waitFor("every target offline", DETECT_TIMEOUT, async () => {
          const s = await status(sys);
          return Object.values(s.targets).every((t) => t.status === "offline") ? true : undefined;
        }),
      clear: () => sys.chaos("all", "up").then(() => undefined),
      recover: () => allHealthy(),
      lost: () => false,
      check: (r, _events, outcomes) => {
        expect(r.misled).toBe(0);
        const failed = outcomes.filter((o) => !o.ok);
        expect(failed.length).toBeGreaterThan(0);
        expect(failed.filter((o) => o.status !== null).every((o) => o.status === 503 || o.status === 502 || o.status === 504)).toBe(true);
      },
    });
  }, 120_000);

  it("monitor Durable Object evicted mid-outage: state, schedule and event ids survive", async () => {
    const before = await lastEventId();
    await runCase({
      name: "DO evicted mid-scenario",
      fault: "exo_primary down, then the monitor's workerd restarted",
      expected: "still offline after the restart (no reset to unknown), probing resumes on schedule, recovers after up; event ids continue",
      events: ["status_change:exo_primary", "target_recovery:exo_primary"],
      inject: async () => {
        await sys.chaos("exo_primary", "down");
        await waitForStatus(sys, "exo_primary", ["offline"], DETECT_TIMEOUT);
        await sys.restartMonitor();
      },
      detect: () => waitForStatus(sys, "exo_primary", ["offline"], DETECT_TIMEOUT),
      clear: () => sys.chaos("exo_primary", "up").then(() => undefined),
      recover: () => waitForStatus(sys, "exo_primary", ["healthy"], 40_000),
      lost: lostIfBeforeFirstByte,
      check: (r, events) => {
        expect(r.misled).toBe(0);
        expect(events.every((e) => e.id > before)).toBe(true);
        expect(events.filter((e) => e.type === "target_added")).toHaveLength(0);
        const path = statusPath(events, "exo_primary");
        expect(path).not.toContain("unknown");
        expect(path.at(-1)).toBe("healthy");
      },
    });
  }, 180_000);
});
