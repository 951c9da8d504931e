/** The honest state of the live link: live / reconnecting (attempt n) / offline since <time>. */
import { useEffect, useState } from "preact/hooks";
import { assertNever } from "@exo-bridge/core/health/types";
import type { ConnectionState } from "../net/connection-state.ts";
import { useApp } from "./app-context.ts";
import { fmtIn, fmtTime } from "./format.ts";

function describe(s: ConnectionState, now: number): { text: string; tone: "ok" | "warn" | "bad" | "muted"; icon: string } {
  switch (s.kind) {
    case "idle":
      return { text: "not connected", tone: "muted", icon: "○" };
    case "connecting":
      return { text: s.attempt === 0 ? "connecting…" : `connecting (attempt ${s.attempt})…`, tone: "warn", icon: "…" };
    case "live":
      return { text: `live since ${fmtTime(s.since)}`, tone: "ok", icon: "●" };
    case "reconnecting":
      return { text: `reconnecting (attempt ${s.attempt}) in ${fmtIn(s.retryAt - now)} · ${s.reason}`, tone: "warn", icon: "↻" };
    case "offline":
      return { text: `offline since ${fmtTime(s.downSince)} · retry ${s.attempt} in ${fmtIn(s.retryAt - now)}`, tone: "bad", icon: "✖" };
    case "unauthorized":
      return { text: "token refused", tone: "bad", icon: "⚠" };
    default:
      return assertNever(s);
  }
}

export function ConnectionBadge() {
  const { state, ctl } = useApp();
  const s = state.connection.value;
  const [now, setNow] = useState(Date.now());
  const waiting = s.kind === "reconnecting" || s.kind === "offline";
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [waiting]);
  const d = describe(s, now);
  return (
    <div class="conn">
      <span class={`conn-badge tone-${d.tone}`} data-testid="connection-state" data-state={s.kind} role="status" aria-live="polite">
        <span aria-hidden="true">{d.icon}</span> {d.text}
      </span>
      {waiting && (
        <button type="button" class="link" onClick={() => ctl.reconnectNow()}>
          Retry now
        </button>
      )}
      {s.kind === "live" && (
        <button type="button" class="link subtle" data-testid="drop-connection" title="Close the live socket to test resume" onClick={() => ctl.dropConnection()}>
          Drop link
        </button>
      )}
    </div>
  );
}
