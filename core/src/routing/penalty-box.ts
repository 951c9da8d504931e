/**
 * Per-isolate memory of targets that just failed on live traffic. The monitor
 * needs several probes to mark a target down; the next request should not have
 * to rediscover the failure, so a failed target is avoided until its penalty
 * (or the Retry-After it sent) expires. Time is passed in.
 */
export interface Penalty {
  until: number;
  reason: string;
}

export class PenaltyBox {
  readonly #entries = new Map<string, Penalty>();

  penalize(target: string, until: number, reason: string): void {
    const current = this.#entries.get(target);
    // A longer penalty (e.g. a Retry-After) is never shortened by a later, shorter one.
    if (current === undefined || current.until < until) this.#entries.set(target, { until, reason });
  }

  /** A success on live traffic lifts the penalty at once. */
  clear(target: string): void {
    this.#entries.delete(target);
  }

  isPenalized(target: string, now: number): boolean {
    return this.untilOf(target, now) !== null;
  }

  /** When the penalty ends, or null if there is none now. */
  untilOf(target: string, now: number): number | null {
    return this.get(target, now)?.until ?? null;
  }

  /** The penalty in force now, if any. */
  get(target: string, now: number): Penalty | null {
    const p = this.#entries.get(target);
    if (p === undefined) return null;
    if (p.until <= now) {
      this.#entries.delete(target);
      return null;
    }
    return p;
  }

  /** Penalties in force, for /healthz. */
  active(now: number): Record<string, Penalty> {
    const out: Record<string, Penalty> = {};
    for (const [name, p] of this.#entries) if (p.until > now) out[name] = p;
    return out;
  }
}
