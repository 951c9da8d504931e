/**
 * Shown instead of the dashboard until an admin token is entered: explains what is
 * needed rather than showing a wall of 401s. The token stays in sessionStorage.
 */
import { useState } from "preact/hooks";
import { useApp } from "./app-context.ts";

export function TokenGate() {
  const { state, ctl } = useApp();
  const [token, setToken] = useState("");
  const message = state.gateMessage.value;
  return (
    <main class="gate" data-testid="token-gate">
      <h1>Spiral Codex HUD</h1>
      <p>This dashboard controls Exo Bridge's self-healing monitor. It needs the <strong>admin token</strong>.</p>
      {message !== null && (
        <p class="notice bad" role="alert" data-testid="gate-message">
          {message}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim() !== "") ctl.signIn(token);
        }}
      >
        <label>
          Admin token
          <input type="password" autocomplete="off" required data-testid="token-input" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <button type="submit" data-testid="token-submit">Open the HUD</button>
      </form>
      <details>
        <summary>Where does the token come from?</summary>
        <ul>
          <li>
            It is the monitor's <code>ADMIN_TOKEN</code> secret: set it with <code>wrangler secret put ADMIN_TOKEN -c workers/monitor/wrangler.toml</code>.
            Locally (<code>npm run dev</code>) the development token is the one named in <code>docs/api.md</code>.
            Without the secret, the admin API answers 503 and never runs open.
          </li>
          <li>
            The token is kept only in this tab's session storage: it is forgotten when the tab closes and never put in a URL.
            It travels as <code>Authorization: Bearer</code> and inside the first WebSocket message.
          </li>
          <li>
            To keep the page itself private, put <strong>Cloudflare Access</strong> in front of the gateway's hostname (Zero Trust → Access →
            Applications → self-hosted, covering <code>/</code> and <code>/api/*</code>, with a policy for your team's identities). Access then
            decides who may load the HUD; the admin token still authorises each change.
          </li>
        </ul>
      </details>
    </main>
  );
}
