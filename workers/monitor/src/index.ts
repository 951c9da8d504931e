/**
 * Monitor Worker entry: forwards every request to the one HealthHub (the admin API
 * and live events), and on each cron tick asks it to run what is due and to keep
 * its alarm armed.
 */
import { HUB_NAME } from "@exo-bridge/core/protocol/hub";

export { HealthHub } from "./hub.ts";

function hub(env: Env) {
  return env.HUB.get(env.HUB.idFromName(HUB_NAME));
}

export default {
  async fetch(request, env) {
    return hub(env).fetch(request);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(hub(env).cronTick());
  },
} satisfies ExportedHandler<Env>;
