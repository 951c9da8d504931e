/**
 * The live event stream, newest first, coloured by severity (failures red,
 * recoveries green, changes yellow, info blue) with an icon and a word as well.
 */
import { EventType } from "@exo-bridge/core/protocol/events";
import { canLoadOlder } from "../controller.ts";
import { useApp } from "./app-context.ts";
import { fmtDateTime, fmtTime } from "./format.ts";
import { severityMeta } from "./status-meta.ts";

export function EventStream() {
  const { state, ctl } = useApp();
  const filter = state.filter.value;
  const rows = state.visibleEvents.value;
  const model = state.model.value;
  const targetNames = [...new Set([...Object.keys(model.status?.targets ?? {}), ...model.events.flatMap((e) => (e.target === null ? [] : [e.target]))])].sort();
  return (
    <section class="panel events-panel" aria-labelledby="events-h">
      <h2 id="events-h">Live event stream</h2>
      <div class="filters">
        <label>
          Target
          <select
            data-testid="filter-target"
            value={filter.target ?? ""}
            onChange={(e) => {
              const v = e.currentTarget.value;
              state.filter.value = { ...filter, target: v === "" ? null : v };
            }}
          >
            <option value="">all targets</option>
            {targetNames.map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select
            data-testid="filter-type"
            value={filter.type ?? ""}
            onChange={(e) => {
              const parsed = EventType.safeParse(e.currentTarget.value);
              state.filter.value = { ...filter, type: parsed.success ? parsed.data : null };
            }}
          >
            <option value="">all types</option>
            {EventType.options.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
        <span class="muted count" aria-live="off">{model.events.length} held</span>
      </div>
      {model.gaps.length > 0 && (
        <p class="notice warn" role="note">
          {model.gaps.map((g) => `Events after #${g.afterId}${g.beforeId === null ? "" : ` and before #${g.beforeId}`} were already pruned by the server.`).join(" ")}
        </p>
      )}
      <ol class="events" data-testid="event-list" aria-label="Events, newest first">
        {rows.length === 0 && <li class="muted">No events{filter.target !== null || filter.type !== null ? " match the filter" : " yet"}.</li>}
        {rows.map((e) => {
          const sev = severityMeta(e.severity);
          return (
            <li key={e.id} class={`event sev-${e.severity}`} data-testid="event-row" data-event-id={e.id} data-type={e.type} data-severity={e.severity}>
              <time dateTime={e.ts} title={fmtDateTime(e.ts)}>{fmtTime(e.ts)}</time>
              <span class="sev" title={sev.label}>
                <span aria-hidden="true">{sev.icon}</span>
                <span class="sr-only">{sev.label}</span>
              </span>
              <span class="etype">{e.type}</span>
              <span class="etarget">{e.target ?? "—"}</span>
              <span class="emsg">{e.message}</span>
            </li>
          );
        })}
      </ol>
      <div class="row">
        <button type="button" data-testid="older-events" disabled={state.loadingOlder.value || !canLoadOlder(state)} onClick={() => void ctl.loadOlder()}>
          {state.loadingOlder.value ? "Loading…" : model.oldestReached ? "No older events" : "Older events"}
        </button>
        {state.olderError.value !== null && <span class="error-text" role="alert">{state.olderError.value}</span>}
      </div>
    </section>
  );
}
