/**
 * Configuration of a simulated cluster: which simulators run on which ports and
 * how they behave. Parsed with zod because it crosses a process boundary
 * (`--config-json`, a file, or the `spawnCluster` caller).
 */
import { z } from "zod";

export const EXO_DEV_MODEL = "mlx-community/Llama-3.2-1B-Instruct-4bit";
export const CLOUD_DEV_MODEL = "sim/llama-3.2-1b-instruct";
export const CLOUD_DEV_KEYS = ["sk-sim-cloud-key-1", "sk-sim-cloud-key-2"];

const Name = z.string().regex(/^[a-z0-9_-]{1,64}$/, "lowercase letters, digits, _ and - only");
const Port = z.number().int().min(0).max(65_535);

/** Cloudflare Access service token the node expects (as if Access sat in front of it). */
const AccessToken = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict();

export const ExoNodeConfigSchema = z
  .object({
    name: Name,
    kind: z.literal("exo"),
    /** 0 picks a free port once; restarts and `up` reuse it. */
    port: Port,
    api: z.enum(["v1", "legacy"]).default("v1"),
    /** Models with a live instance at start. */
    models: z.array(z.string().min(1)).default([EXO_DEV_MODEL]),
    /** Extra models listed by /v1/models without an instance (the catalogue is never empty). */
    catalogue: z.array(z.string().min(1)).default([]),
    /** SSE keep-alive comment every this many ms of silence. */
    keepAliveMs: z.number().int().min(10).max(600_000).default(10_000),
    tokensPerSecond: z.number().min(0.1).max(100_000).default(200),
    /** Prefill time before the first token. */
    ttftMs: z.number().int().min(0).max(600_000).default(0),
    /** Time between `POST /instance` and the instance being ready. */
    placementDelayMs: z.number().int().min(0).max(600_000).default(300),
    /** Other cluster members listed in /state topology (fake ids). */
    peers: z.number().int().min(0).max(16).default(0),
    /** Whether `restart` loses the placed instances (they must be placed again). */
    dropInstancesOnRestart: z.boolean().default(false),
    /** Answer like Cloudflare Access (403) unless CF-Access-Client-Id/Secret match. */
    access: AccessToken.optional(),
  })
  .strict();
export type ExoNodeConfig = z.infer<typeof ExoNodeConfigSchema>;

export const CloudConfigSchema = z
  .object({
    name: Name,
    kind: z.literal("cloud"),
    port: Port,
    models: z.array(z.string().min(1)).min(1).default([CLOUD_DEV_MODEL]),
    keys: z.array(z.string().min(1)).min(1).default(CLOUD_DEV_KEYS),
    tokensPerSecond: z.number().min(0.1).max(100_000).default(500),
    ttftMs: z.number().int().min(0).max(600_000).default(0),
    /** Default Retry-After (seconds) on simulated 429s. */
    retryAfterS: z.number().int().min(0).max(86_400).default(2),
    /** Accepted but unused: lets callers share one node shape. */
    keepAliveMs: z.number().int().min(10).max(600_000).optional(),
  })
  .strict();
export type CloudConfig = z.infer<typeof CloudConfigSchema>;

export const NodeConfigSchema = z.discriminatedUnion("kind", [ExoNodeConfigSchema, CloudConfigSchema]);
export type NodeConfig = z.infer<typeof NodeConfigSchema>;

export const ClusterConfigSchema = z
  .object({
    control: z.object({ port: Port }).strict().default({ port: 52499 }),
    nodes: z.array(NodeConfigSchema).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    const ports = new Set<number>(config.control.port === 0 ? [] : [config.control.port]);
    config.nodes.forEach((node, i) => {
      if (node.name === "all") ctx.addIssue({ code: "custom", path: ["nodes", i, "name"], message: "'all' is reserved" });
      if (names.has(node.name)) ctx.addIssue({ code: "custom", path: ["nodes", i, "name"], message: `duplicate name ${node.name}` });
      names.add(node.name);
      if (node.port !== 0 && ports.has(node.port)) {
        ctx.addIssue({ code: "custom", path: ["nodes", i, "port"], message: `port ${node.port} used twice` });
      }
      ports.add(node.port);
    });
  });

/** What callers write: every behaviour knob is optional. */
export type ClusterConfig = z.input<typeof ClusterConfigSchema>;
export type ParsedClusterConfig = z.output<typeof ClusterConfigSchema>;

export const DEV_PRESET: ClusterConfig = {
  control: { port: 52499 },
  nodes: [
    { name: "exo_primary", kind: "exo", port: 52415, models: [EXO_DEV_MODEL] },
    { name: "exo_node_2", kind: "exo", port: 52416, models: [EXO_DEV_MODEL] },
    { name: "sim_cloud", kind: "cloud", port: 52420, models: [CLOUD_DEV_MODEL], keys: CLOUD_DEV_KEYS },
  ],
};

export const PRESETS: Record<string, ClusterConfig> = { dev: DEV_PRESET };

export function parseClusterConfig(raw: unknown): { ok: true; config: ParsedClusterConfig } | { ok: false; error: string } {
  const parsed = ClusterConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, error: z.prettifyError(parsed.error) };
}
