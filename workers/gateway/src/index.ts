/** Gateway Worker entry: the Hono app (OpenAI API, admin API forwarding, /healthz); assets are served by the platform. */
import { app } from "./app.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
