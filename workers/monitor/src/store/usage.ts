/** Hourly usage buckets per upstream, model and client key, summed from gateway reports. */
import type { UsageRow } from "@exo-bridge/core/protocol/status";
import { hourBucket, LIMITS } from "./schema.ts";

export interface UsageInput {
  at: number;
  upstream: string;
  model: string;
  client: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  ok: boolean;
  /** Requests summed in this input (1 unless the gateway merged several). */
  requests?: number;
}

export function addUsage(sql: SqlStorage, u: UsageInput): void {
  const bucket = hourBucket(u.at);
  const dims: [UsageRow["dimension"], string][] = [
    ["upstream", u.upstream],
    ["model", u.model],
    ["client", u.client],
  ];
  for (const [dimension, key] of dims) {
    sql.exec(
      `INSERT INTO usage (dimension, key, bucket, requests, errors, prompt_tokens, completion_tokens, cost_usd)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dimension, key, bucket) DO UPDATE SET
         requests = requests + excluded.requests, errors = errors + excluded.errors,
         prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens,
         cost_usd = cost_usd + excluded.cost_usd`,
      dimension,
      key,
      bucket,
      u.requests ?? 1,
      u.ok ? 0 : (u.requests ?? 1),
      u.promptTokens,
      u.completionTokens,
      u.costUsd,
    );
  }
}

type Row = { dimension: string; key: string; bucket: number; requests: number; errors: number; prompt_tokens: number; completion_tokens: number; cost_usd: number };

export function listUsage(sql: SqlStorage, since: number): UsageRow[] {
  const out: UsageRow[] = [];
  for (const r of sql.exec<Row>("SELECT * FROM usage WHERE bucket >= ? ORDER BY bucket, dimension, key", hourBucket(since))) {
    if (r.dimension !== "upstream" && r.dimension !== "model" && r.dimension !== "client") continue;
    out.push({
      dimension: r.dimension,
      key: r.key,
      bucket: r.bucket,
      requests: r.requests,
      errors: r.errors,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      costUsd: r.cost_usd,
    });
  }
  return out;
}

/** Spend on cloud upstreams since `since`, for the gateway's spending cap. */
export function spendSince(sql: SqlStorage, since: number, cloudUpstreams: string[]): { costUsd: number; tokens: number } {
  let costUsd = 0;
  let tokens = 0;
  const cloud = new Set(cloudUpstreams);
  for (const r of listUsage(sql, since)) {
    if (r.dimension !== "upstream" || !cloud.has(r.key)) continue;
    costUsd += r.costUsd;
    tokens += r.promptTokens + r.completionTokens;
  }
  return { costUsd, tokens };
}

export function pruneUsage(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM usage WHERE bucket < ?", now - LIMITS.usageMs);
}
