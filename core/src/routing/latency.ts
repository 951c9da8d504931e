/**
 * Exponentially weighted moving average of latency observed on live traffic,
 * per target and per isolate. Routing prefers it to the monitor's probe latency
 * because it measures what clients actually get.
 */
export class LatencyTracker {
  readonly #ewma = new Map<string, number>();
  readonly #alpha: number;

  constructor(alpha = 0.3) {
    this.#alpha = alpha;
  }

  observe(target: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    const prev = this.#ewma.get(target);
    this.#ewma.set(target, prev === undefined ? latencyMs : prev + this.#alpha * (latencyMs - prev));
  }

  get(target: string): number | null {
    return this.#ewma.get(target) ?? null;
  }
}
