/**
 * A target's probe latency over time (uPlot). Failed checks are gaps in the line
 * plus red marks on a second series, so an outage reads as a break, not as 0 ms.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { CheckSample } from "@exo-bridge/core/protocol/status";
import { fmtMs } from "./format.ts";

const HEIGHT = 120;
const tick = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const tickS = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

function toData(samples: readonly CheckSample[]): uPlot.AlignedData {
  const xs: number[] = [];
  const ok: (number | null)[] = [];
  const bad: (number | null)[] = [];
  let maxLatency = 0;
  for (const s of samples) if (s.ok && s.latencyMs !== null) maxLatency = Math.max(maxLatency, s.latencyMs);
  for (const s of samples) {
    xs.push(s.at / 1000);
    ok.push(s.ok ? s.latencyMs : null);
    bad.push(s.ok ? null : maxLatency > 0 ? maxLatency : 1);
  }
  return [xs, ok, bad];
}

export function LatencyChart({ target, samples }: { target: string; samples: readonly CheckSample[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const width = Math.max(200, el.clientWidth);
    const u = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: true, points: { show: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.15)] } },
        axes: [
          { stroke: "#a8b3c2", grid: { stroke: "#2a3342", width: 1 }, ticks: { show: false }, size: 28, space: 80, values: (_u, vals, _i, _space, incr) => vals.map((v) => (incr < 60 ? tickS : tick).format(new Date(v * 1000))) },
          { stroke: "#a8b3c2", grid: { stroke: "#2a3342", width: 1 }, ticks: { show: false }, size: 62, values: (_u, vals) => vals.map((v) => fmtMs(v)) },
        ],
        series: [
          {},
          { label: "latency", stroke: "#5cc8ff", width: 1.5, fill: "rgba(92,200,255,0.12)", spanGaps: false, points: { show: false } },
          { label: "failed", stroke: "#ff6b6b", width: 0, points: { show: true, size: 7, fill: "#ff6b6b", stroke: "#ff6b6b" } },
        ],
      },
      toData(samples),
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Created once per target; data updates go through setData below.
  }, [target]);

  useEffect(() => {
    plot.current?.setData(toData(samples));
  }, [samples]);

  const last = samples.at(-1);
  return (
    <figure class="chart" aria-label={`Probe latency of ${target} over the last ${samples.length} checks`}>
      <div ref={host} class="chart-host" data-testid={`chart-${target}`} />
      <figcaption class="sr-only">
        {samples.length === 0 ? "No checks yet." : `Last check ${last?.ok ? `succeeded in ${last.latencyMs ?? "?"} ms` : "failed"}.`}
      </figcaption>
    </figure>
  );
}
