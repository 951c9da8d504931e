/** The event stream's filters: by target and by type, newest first for display. */
import type { EventType, MonitorEvent } from "@exo-bridge/core/protocol/events";

export interface EventFilter {
  target: string | null;
  type: EventType | null;
}

export function filterEvents(events: readonly MonitorEvent[], filter: EventFilter, max: number): MonitorEvent[] {
  const out: MonitorEvent[] = [];
  for (let i = events.length - 1; i >= 0 && out.length < max; i--) {
    const e = events[i];
    if (e === undefined) continue;
    if (filter.target !== null && e.target !== filter.target) continue;
    if (filter.type !== null && e.type !== filter.type) continue;
    out.push(e);
  }
  return out;
}
