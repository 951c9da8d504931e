/** Manager-wide settings and counters kept in the `meta` table. */
import { z } from "zod";

export interface Meta {
  autoRecovery: boolean;
  running: boolean;
  pinnedToCloud: boolean;
  startedAt: number | null;
  lastRoundAt: number | null;
  /** Bumped on every committed change; the routing snapshot's version. */
  version: number;
  /** True once the TARGETS seed has been applied (it is applied once, ever). */
  seeded: boolean;
  /** The last TARGETS error recorded, so a restart does not record it again. */
  seedError: string | null;
}

export const DEFAULT_META: Meta = {
  autoRecovery: true,
  running: true,
  pinnedToCloud: false,
  startedAt: null,
  lastRoundAt: null,
  version: 0,
  seeded: false,
  seedError: null,
};

const MetaSchema = z.object({
  autoRecovery: z.boolean(),
  running: z.boolean(),
  pinnedToCloud: z.boolean(),
  startedAt: z.number().nullable(),
  lastRoundAt: z.number().nullable(),
  version: z.number(),
  seeded: z.boolean(),
  seedError: z.string().nullable(),
});

export function loadMeta(sql: SqlStorage): Meta {
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'manager'").toArray()[0];
  if (row === undefined) return { ...DEFAULT_META };
  const parsed = MetaSchema.partial().safeParse(JSON.parse(row.value));
  return parsed.success ? { ...DEFAULT_META, ...stripUndefined(parsed.data) } : { ...DEFAULT_META };
}

export function saveMeta(sql: SqlStorage, meta: Meta): void {
  sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('manager', ?)", JSON.stringify(meta));
}

function stripUndefined(o: Partial<Meta>): Partial<Meta> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
