/**
 * Metrics from check samples: rates, latencies, time-weighted uptime with gaps.
 */
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, averageLatency, ewma, ewmaLatency, latencyPercentile, recentSuccessRate, uptime, uptimeWindows, type Sample } from "./metrics.ts";

const NOW = 1_750_000_000_000;
const ok = (at: number, latencyMs = 10): Sample => ({ at, ok: true, latencyMs });
const fail = (at: number): Sample => ({ at, ok: false, latencyMs: 5_000 });

/** One sample every 10 s over [start, end), ok unless `down(t)`. */
function series(start: number, end: number, down: (t: number) => boolean): Sample[] {
  const out: Sample[] = [];
  for (let t = start; t < end; t += 10_000) out.push(down(t) ? fail(t) : ok(t));
  return out;
}

describe("rates and latency", () => {
  it("rates the last n samples", () => {
    const s = [fail(1), fail(2), ok(3), ok(4), fail(5), ok(6)];
    expect(recentSuccessRate(s, 4)).toBe(0.75);
    expect(recentSuccessRate(s, 100)).toBe(0.5);
    expect(recentSuccessRate([])).toBeNull();
  });

  it("averages successful latencies only", () => {
    expect(averageLatency([ok(1, 10), fail(2), ok(3, 30), { at: 4, ok: true, latencyMs: null }])).toBe(20);
    expect(averageLatency([fail(1)])).toBeNull();
  });

  it("smooths with an EWMA that follows change but damps outliers", () => {
    expect(ewma(null, 100)).toBe(100);
    expect(ewma(100, 200, 0.5)).toBe(150);
    expect(ewma(100, null)).toBe(100);
    let v: number | null = 20;
    v = ewma(v, 2_000);
    expect(v).toBeCloseTo(614, 0);
    for (let i = 0; i < 30; i++) v = ewma(v, 20);
    expect(v).toBeLessThan(21);
    expect(ewmaLatency([ok(1, 10), fail(2), ok(3, 20)], 0.5)).toBe(15);
  });

  it("finds percentiles by nearest rank", () => {
    const s = Array.from({ length: 100 }, (_, i) => ok(i, i + 1));
    expect(latencyPercentile(s, 50)).toBe(50);
    expect(latencyPercentile(s, 95)).toBe(95);
    expect(latencyPercentile(s, 100)).toBe(100);
    expect(latencyPercentile([], 50)).toBeNull();
  });
});

describe("uptime", () => {
  it("is 1 for a steady target and the down fraction for an outage", () => {
    expect(uptime(series(NOW - HOUR_MS, NOW, () => false), NOW, HOUR_MS)).toBe(1);
    // Down for the middle 15 minutes of the hour.
    const s = series(NOW - HOUR_MS, NOW, (t) => t >= NOW - 45 * 60_000 && t < NOW - 30 * 60_000);
    expect(uptime(s, NOW, HOUR_MS)).toBeCloseTo(0.75, 3);
  });

  it("weights by time, so a burst of forced checks does not dominate", () => {
    const s = series(NOW - HOUR_MS, NOW, () => false);
    for (let i = 0; i < 200; i++) s.push(fail(NOW - 1_000 + i));
    s.sort((a, b) => a.at - b.at);
    const u = uptime(s, NOW, HOUR_MS) ?? 0;
    expect(u).toBeGreaterThan(0.99);
  });

  it("counts the sample just before the window for the window's start", () => {
    expect(uptime([fail(NOW - 2 * HOUR_MS), ok(NOW - 30 * 60_000)], NOW, HOUR_MS, { maxHoldMs: DAY_MS })).toBeCloseTo(0.5, 6);
  });

  it("treats long gaps as unknown time, not as up or down", () => {
    const s = [...series(NOW - HOUR_MS, NOW - 50 * 60_000, () => true), ...series(NOW - 10 * 60_000, NOW, () => false)];
    // 10 minutes down, a 40-minute hole (stopped manager), 10 minutes up: the last
    // down sample speaks for maxHoldMs into the hole, no longer.
    expect(uptime(s, NOW, HOUR_MS, { maxHoldMs: 10_000 })).toBeCloseTo(0.5, 6);
    expect(uptime(s, NOW, HOUR_MS)).toBeCloseTo(10 / (10 + 10 - 10 / 60 + 5), 6);
  });

  it("is null without data and counts instants when nothing has duration", () => {
    expect(uptime([], NOW, HOUR_MS)).toBeNull();
    expect(uptime([ok(NOW - 2 * DAY_MS)], NOW, HOUR_MS)).toBeNull();
    expect(uptime([ok(NOW)], NOW, HOUR_MS)).toBe(1);
    expect(uptime([ok(NOW + 5_000)], NOW, HOUR_MS)).toBeNull();
  });

  it("gives both windows of the status document", () => {
    const s = series(NOW - DAY_MS, NOW, (t) => t < NOW - 12 * HOUR_MS);
    const w = uptimeWindows(s, NOW);
    expect(w.uptime1h).toBe(1);
    expect(w.uptime24h).toBeCloseTo(0.5, 3);
  });
});
