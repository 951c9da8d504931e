/**
 * Entry: builds the state and controller once, outside any component, then renders.
 * The socket URL follows the page's origin (wss on https), so the HUD works behind
 * the gateway and behind Cloudflare Access without configuration.
 */
import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { createController } from "./controller.ts";
import { loadToken } from "./net/token-store.ts";
import { createAppState } from "./state/app-state.ts";
import { App } from "./ui/app.tsx";
import { AppContext } from "./ui/app-context.ts";

const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/events/ws`;
const state = createAppState(loadToken());
const ctl = createController(state, wsUrl);

// Come back as soon as the network does, instead of waiting out the backoff.
window.addEventListener("online", () => ctl.reconnectNow());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") ctl.reconnectNow();
});

const root = document.getElementById("app");
if (root !== null) {
  render(
    <AppContext.Provider value={{ state, ctl }}>
      <App />
    </AppContext.Provider>,
    root,
  );
}
