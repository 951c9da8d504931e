/** Self-healing controls: force checks, auto-recovery, pin to cloud, monitor start/stop, drain, add, thresholds. */
import { useState } from "preact/hooks";
import { useApp } from "./app-context.ts";
import { AddTargetForm } from "./add-target-form.tsx";
import { ThresholdsForm } from "./thresholds-form.tsx";
import { fmtTime } from "./format.ts";

export function ControlsPanel() {
  const { state, ctl } = useApp();
  const manager = state.model.value.status?.manager;
  const busy = state.busy.value;
  const exoNodes = state.targets.value.filter((t) => t.kind === "exo");
  const [drainName, setDrainName] = useState("");
  const drainTarget = exoNodes.find((t) => t.name === drainName) ?? exoNodes[0];
  return (
    <section class="panel controls-panel" aria-labelledby="controls-h">
      <h2 id="controls-h">Self-healing controls</h2>
      <div class="control-row" role="group" aria-label="Fleet controls">
        <button type="button" data-testid="force-check-all" disabled={busy.has("check:*")} onClick={() => void ctl.forceCheckAll()}>
          {busy.has("check:*") ? "Checking…" : "Force check all"}
        </button>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="auto-recovery-toggle"
            checked={manager?.auto_recovery ?? false}
            disabled={manager === undefined || busy.has("auto-recovery")}
            onChange={(e) => void ctl.setAutoRecovery(e.currentTarget.checked)}
          />
          Auto-recovery <strong data-testid="auto-recovery-state">{manager === undefined ? "—" : manager.auto_recovery ? "on" : "off"}</strong>
        </label>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="pin-toggle"
            checked={manager?.pinned_to_cloud ?? false}
            disabled={manager === undefined || busy.has("pin")}
            onChange={(e) => void ctl.setPinned(e.currentTarget.checked)}
          />
          Pin traffic to cloud
        </label>
        <button type="button" data-testid="manager-toggle" disabled={manager === undefined || busy.has("manager")} onClick={() => void ctl.setManagerRunning(!(manager?.running ?? true))}>
          {manager?.running === false ? "Start monitor" : "Stop monitor"}
        </button>
        {manager !== undefined && (
          <span class="muted">
            monitor {manager.running ? "running" : "stopped"} · every {manager.check_interval_s} s · last round {fmtTime(manager.last_round_at)}
          </span>
        )}
      </div>
      {drainTarget !== undefined && (
        <div class="control-row" role="group" aria-label="Drain a node">
          <label>
            Node
            <select value={drainTarget.name} onChange={(e) => setDrainName(e.currentTarget.value)} data-testid="drain-select">
              {exoNodes.map((t) => (
                <option key={t.name} value={t.name}>{t.name}{t.drained ? " (drained)" : ""}</option>
              ))}
            </select>
          </label>
          <button type="button" data-testid="drain-button" disabled={busy.has(`drain:${drainTarget.name}`)} onClick={() => void ctl.setDrained(drainTarget.name, !drainTarget.drained)}>
            {drainTarget.drained ? `Undrain ${drainTarget.name}` : `Drain ${drainTarget.name}`}
          </button>
        </div>
      )}
      <div class="forms">
        <AddTargetForm />
        <ThresholdsForm />
      </div>
    </section>
  );
}

/** What the last controls did, announced politely to screen readers. */
export function ActionLog() {
  const { state } = useApp();
  const actions = state.actions.value;
  return (
    <div class="action-log" role="status" aria-live="polite" data-testid="action-log">
      {actions.slice(0, 3).map((a) => (
        <p key={a.id} class={a.ok ? "ok" : "bad"} data-testid="action-result" data-ok={a.ok}>
          <span aria-hidden="true">{a.ok ? "✔" : "✖"}</span> <time>{fmtTime(a.at)}</time> <strong>{a.label}</strong>: {a.message}
        </p>
      ))}
    </div>
  );
}
