/** The page: the token gate, or the dashboard's header and sections. */
import { useApp } from "./app-context.ts";
import { ConnectionBadge } from "./connection-badge.tsx";
import { ActionLog, ControlsPanel } from "./controls-panel.tsx";
import { EventStream } from "./event-stream.tsx";
import { RecoveryTable } from "./recovery-table.tsx";
import { RoutingPanel } from "./routing-panel.tsx";
import { TargetsSection } from "./targets-section.tsx";
import { TokenGate } from "./token-gate.tsx";

export function App() {
  const { state, ctl } = useApp();
  if (state.token.value === null) return <TokenGate />;
  const invalid = state.invalidFrames.value;
  const errors = state.model.value.protocolErrors;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <h1>
          <span aria-hidden="true" class="logo">◎</span> Spiral Codex HUD <small>Exo Bridge · ReliaKit</small>
        </h1>
        <ConnectionBadge />
        <button type="button" class="link" data-testid="sign-out" onClick={() => ctl.signOut(null)}>
          Sign out
        </button>
      </header>
      <ActionLog />
      {(invalid > 0 || errors.length > 0) && (
        <p class="notice warn" role="note">
          {invalid > 0 && `${invalid} message(s) from the server did not match the protocol and were ignored. `}
          {errors.length > 0 && `Server said: ${errors.at(-1)?.message ?? ""}`}
        </p>
      )}
      <main id="main" class="grid">
        <TargetsSection />
        <EventStream />
        <RoutingPanel />
        <RecoveryTable />
        <ControlsPanel />
      </main>
    </>
  );
}
