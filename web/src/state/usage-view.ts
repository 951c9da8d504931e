/**
 * Requests, tokens and estimated spend per upstream, summed from the hourly
 * usage rows of GET /api/usage. Spend counts only cloud upstreams (Exo is free).
 */
import type { SystemStatus, UsageRow } from "@exo-bridge/core/protocol/status";

export interface UpstreamUsage {
  upstream: string;
  kind: "exo" | "cloud" | "unknown";
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface UsageSummary {
  upstreams: UpstreamUsage[];
  requests: number;
  tokens: number;
  cloudSpendUsd: number;
}

export function summariseUsage(rows: readonly UsageRow[], status: SystemStatus | null): UsageSummary {
  const byUpstream = new Map<string, UpstreamUsage>();
  for (const r of rows) {
    if (r.dimension !== "upstream") continue;
    const u = byUpstream.get(r.key) ?? {
      upstream: r.key,
      kind: status?.targets[r.key]?.kind ?? "unknown",
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
    };
    u.requests += r.requests;
    u.errors += r.errors;
    u.promptTokens += r.promptTokens;
    u.completionTokens += r.completionTokens;
    u.costUsd += r.costUsd;
    byUpstream.set(r.key, u);
  }
  const upstreams = [...byUpstream.values()].sort((a, b) => b.requests - a.requests || a.upstream.localeCompare(b.upstream));
  return {
    upstreams,
    requests: upstreams.reduce((s, u) => s + u.requests, 0),
    tokens: upstreams.reduce((s, u) => s + u.promptTokens + u.completionTokens, 0),
    // A provider removed since still cost money: anything not known to be Exo counts.
    cloudSpendUsd: upstreams.filter((u) => u.kind !== "exo").reduce((s, u) => s + u.costUsd, 0),
  };
}
