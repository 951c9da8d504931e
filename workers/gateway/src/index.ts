/** Gateway Worker entry. */
export default {
  async fetch(_request, env) {
    const stub = env.HUB.get(env.HUB.idFromName("fleet")) as unknown as { ping(): Promise<string> };
    return new Response(`gw ${env.EXO_BRIDGE_ENV} ${String((env as unknown as Record<string, unknown>)["ADMIN_TOKEN"])} | ${await stub.ping()}`);
  },
} satisfies ExportedHandler<Env>;
