/** Where traffic goes now, the pinned-to-cloud banner, and usage/spend per upstream over the last 24 h. */
import { assertNever } from "@exo-bridge/core/health/types";
import type { RoutingView } from "../state/routing-view.ts";
import { useApp } from "./app-context.ts";
import { fmtInt, fmtUsd } from "./format.ts";

function describe(r: RoutingView): { text: string; tone: "ok" | "warn" | "bad" | "muted" } {
  switch (r.kind) {
    case "unknown":
      return { text: "Unknown until the first status arrives.", tone: "muted" };
    case "exo":
      return { text: `Exo: ${r.nodes.join(", ")}${r.fallback === null ? " (no cloud fallback available)" : ` · fallback ${r.fallback}`}`, tone: "ok" };
    case "cloud":
      return {
        text: `Cloud: ${r.provider}${r.others.length > 0 ? ` (then ${r.others.join(", ")})` : ""} · ${r.reason === "pinned" ? "pinned by an operator" : "no Exo node is routable"}`,
        tone: "warn",
      };
    case "none":
      return { text: r.reason === "pinned" ? "Pinned to cloud, but no cloud provider is routable: requests fail." : "No upstream is routable: requests fail.", tone: "bad" };
    default:
      return assertNever(r);
  }
}

export function RoutingPanel() {
  const { state, ctl } = useApp();
  const status = state.model.value.status;
  const r = describe(state.routing.value);
  const usage = state.usage.value;
  return (
    <section class="panel routing-panel" aria-labelledby="routing-h">
      <h2 id="routing-h">Routing</h2>
      {status?.manager.pinned_to_cloud === true && (
        <p class="banner warn" role="status" data-testid="pinned-banner">
          <span aria-hidden="true">⚑</span> Traffic is pinned to cloud providers. Exo nodes get no requests until unpinned.
        </p>
      )}
      <p class={`route tone-${r.tone}`} data-testid="routing-now">
        <strong>Traffic now → </strong>
        {r.text}
      </p>
      <h3>Usage, last 24 h</h3>
      {usage === null ? (
        <p class="muted">{state.usageError.value ?? "Loading usage…"}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="usage-table">
            <thead>
              <tr>
                <th scope="col">Upstream</th>
                <th scope="col">Requests</th>
                <th scope="col">Errors</th>
                <th scope="col">Tokens (in / out)</th>
                <th scope="col">Est. cost</th>
              </tr>
            </thead>
            <tbody>
              {usage.upstreams.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">No requests served yet.</td>
                </tr>
              )}
              {usage.upstreams.map((u) => (
                <tr key={u.upstream}>
                  <td>{u.upstream} <small class="muted">{u.kind}</small></td>
                  <td>{fmtInt(u.requests)}</td>
                  <td>{fmtInt(u.errors)}</td>
                  <td>{fmtInt(u.promptTokens)} / {fmtInt(u.completionTokens)}</td>
                  <td>{u.kind === "exo" ? "free" : fmtUsd(u.costUsd)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td>{fmtInt(usage.requests)}</td>
                <td />
                <td>{fmtInt(usage.tokens)}</td>
                <td data-testid="cloud-spend">{fmtUsd(usage.cloudSpendUsd)} cloud</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <button type="button" class="link" onClick={() => void ctl.refreshUsage()}>Refresh usage</button>
    </section>
  );
}
