/**
 * Deterministic embeddings for the cloud simulator: equal texts get equal unit vectors,
 * so tests (and caches) can compare them without a model.
 */
import { createHash } from "node:crypto";

/** Deterministic unit vector from the text, so equal inputs embed equally. */
export function embed(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && out.length < dimensions; i += 2) out.push((digest.readUInt16LE(i) / 65_535) * 2 - 1);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}
