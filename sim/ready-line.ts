/**
 * The one line the cluster prints on stdout when every simulator listens:
 * `SIM_READY {"control": url, "targets": [{name, kind, url, port}]}`. Parsed by spawn.ts.
 */
import { z } from "zod";

export const READY_PREFIX = "SIM_READY ";

export const ReadyTarget = z.object({ name: z.string(), kind: z.enum(["exo", "cloud"]), url: z.string(), port: z.number().int() });
export type ReadyTarget = z.infer<typeof ReadyTarget>;

export const ReadyLine = z.object({ control: z.string(), targets: z.array(ReadyTarget) });
export type ReadyLine = z.infer<typeof ReadyLine>;

export function parseReadyLine(line: string): ReadyLine | null {
  if (!line.startsWith(READY_PREFIX)) return null;
  try {
    const parsed = ReadyLine.safeParse(JSON.parse(line.slice(READY_PREFIX.length)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
