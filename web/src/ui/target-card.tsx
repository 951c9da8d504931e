/** One monitored target: its state (word + icon + colour), metrics, latency chart and per-target controls. */
import type { CheckSample, TargetStatusDoc } from "@exo-bridge/core/protocol/status";
import { useApp } from "./app-context.ts";
import { LatencyChart } from "./latency-chart.tsx";
import { classificationLabel, statusMeta } from "./status-meta.ts";
import { fmtDateTime, fmtInt, fmtMs, fmtPct, fmtTime } from "./format.ts";

const EMPTY: readonly CheckSample[] = [];

export function TargetCard({ t }: { t: TargetStatusDoc }) {
  const { state, ctl } = useApp();
  const meta = statusMeta(t.status);
  const samples = state.model.value.checks[t.name] ?? EMPTY;
  const busy = state.busy.value;
  const headingId = `target-${t.name}`;
  return (
    <article class={`card target tone-${meta.tone}`} data-testid="target-card" data-target={t.name} data-status={t.status} aria-labelledby={headingId}>
      <header class="card-head">
        <h3 id={headingId}>
          {t.name} <span class="kind">{t.kind === "exo" ? "Exo node" : "cloud provider"}</span>
        </h3>
        <span class={`status-pill tone-${meta.tone}`} data-testid="target-status" title={`since ${fmtDateTime(t.status_since)}`}>
          <span aria-hidden="true">{meta.icon}</span> {meta.label}
        </span>
      </header>
      <div class="badges">
        {t.drained && <span class="badge" data-testid="badge-drained"><span aria-hidden="true">⊘</span> drained</span>}
        {t.status === "maintenance" && <span class="badge"><span aria-hidden="true">‖</span> maintenance</span>}
        {!t.enabled && <span class="badge"><span aria-hidden="true">○</span> disabled</span>}
        <span class="badge subtle">priority {t.priority}</span>
      </div>
      <p class="url" title={t.url}>{t.url}</p>
      <dl class="metrics">
        <div><dt>Latency now</dt><dd data-testid="latency-now">{fmtMs(t.last_latency_ms)}</dd></div>
        <div><dt>Avg latency</dt><dd>{fmtMs(t.avg_latency_ms)}</dd></div>
        <div><dt>Success (recent)</dt><dd>{fmtPct(t.recent_success_rate)}</dd></div>
        <div><dt>Consecutive failures</dt><dd data-testid="consecutive-failures">{t.consecutive_failures}</dd></div>
        <div><dt>Total checks</dt><dd data-testid="total-checks">{fmtInt(t.total_checks)} <small>({fmtInt(t.total_failures)} failed)</small></dd></div>
        <div><dt>Uptime 1 h / 24 h</dt><dd>{fmtPct(t.uptime_1h)} / {fmtPct(t.uptime_24h)}</dd></div>
        <div><dt>Last check</dt><dd>{fmtTime(t.last_check)}</dd></div>
        <div><dt>In state since</dt><dd>{fmtTime(t.status_since)}</dd></div>
      </dl>
      {t.last_error !== null && (
        <p class="last-error" data-testid="last-error">
          <span class="sr-only">Last error: </span>
          <strong>{t.last_classification === null ? "error" : classificationLabel(t.last_classification)}</strong>
          {t.last_classification !== null && <code class="cls">{t.last_classification}</code>}
          <span class="err-text">{t.last_error}</span>
        </p>
      )}
      <LatencyChart target={t.name} samples={samples} />
      <div class="card-actions" role="group" aria-label={`Controls for ${t.name}`}>
        <button type="button" data-testid={`check-${t.name}`} disabled={busy.has(`check:${t.name}`)} onClick={() => void ctl.forceCheck(t.name)}>
          Check now
        </button>
        <button type="button" data-testid={`drain-${t.name}`} aria-pressed={t.drained} disabled={busy.has(`drain:${t.name}`)} onClick={() => void ctl.setDrained(t.name, !t.drained)}>
          {t.drained ? "Undrain" : "Drain"}
        </button>
        <button
          type="button"
          data-testid={`maintenance-${t.name}`}
          aria-pressed={t.status === "maintenance"}
          disabled={busy.has(`maint:${t.name}`)}
          onClick={() => void ctl.setMaintenance(t.name, t.status !== "maintenance")}
        >
          {t.status === "maintenance" ? "End maintenance" : "Maintenance"}
        </button>
        <button
          type="button"
          class="danger"
          data-testid={`remove-${t.name}`}
          disabled={busy.has(`remove:${t.name}`)}
          onClick={() => {
            if (window.confirm(`Stop monitoring and routing to ${t.name}?`)) void ctl.removeTarget(t.name);
          }}
        >
          Remove
        </button>
      </div>
    </article>
  );
}
