/** The recovery actions log: time, action, target, success, error (the seed's table). */
import { useApp } from "./app-context.ts";
import { fmtDateTime, fmtTime } from "./format.ts";

export function RecoveryTable() {
  const { state } = useApp();
  const actions = state.model.value.recovery;
  return (
    <section class="panel recovery-panel" aria-labelledby="recovery-h">
      <h2 id="recovery-h">Recovery actions</h2>
      <div class="table-wrap">
        <table data-testid="recovery-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Success</th>
              <th scope="col">Error / detail</th>
            </tr>
          </thead>
          <tbody>
            {actions.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">No recovery actions yet.</td>
              </tr>
            )}
            {actions.map((a) => (
              <tr key={a.id} data-testid="recovery-row" data-action-id={a.id} class={a.success ? "ok" : "bad"}>
                <td><time dateTime={a.ts} title={fmtDateTime(a.ts)}>{fmtTime(a.ts)}</time></td>
                <td>{a.action.replace("_", " ")}</td>
                <td>{a.target}</td>
                <td>{a.success ? <span class="tone-ok-text">✔ yes</span> : <span class="tone-bad-text">✖ no</span>}</td>
                <td>{a.error ?? a.detail ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
