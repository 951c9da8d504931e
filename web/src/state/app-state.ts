/**
 * The page's state as signals, built once outside any component (so it can be
 * created, driven and inspected without rendering). The data model changes only
 * through applyServerMessage / applyOlderEvents; everything else here is UI state.
 */
import { computed, signal, type ReadonlySignal, type Signal } from "@preact/signals";
import type { ServerMessage } from "@exo-bridge/core/protocol/messages";
import type { TargetStatusDoc, UsageRow } from "@exo-bridge/core/protocol/status";
import type { ConnectionState } from "../net/connection-state.ts";
import { applyServerMessage } from "./apply-server-message.ts";
import { filterEvents, type EventFilter } from "./event-filter.ts";
import { emptyModel, type HudModel } from "./model.ts";
import { deriveRouting, type RoutingView } from "./routing-view.ts";
import { summariseUsage, type UsageSummary } from "./usage-view.ts";

/** What a control did, shown to the operator (newest first). */
export interface ActionResult {
  id: number;
  at: number;
  label: string;
  ok: boolean;
  message: string;
}

export const EVENT_ROWS_SHOWN = 300;
const ACTION_RESULTS_KEPT = 8;

export interface AppState {
  model: Signal<HudModel>;
  connection: Signal<ConnectionState>;
  token: Signal<string | null>;
  /** Why the token gate is showing (e.g. the server refused the token). */
  gateMessage: Signal<string | null>;
  filter: Signal<EventFilter>;
  usageRows: Signal<readonly UsageRow[] | null>;
  usageError: Signal<string | null>;
  actions: Signal<readonly ActionResult[]>;
  busy: Signal<ReadonlySet<string>>;
  loadingOlder: Signal<boolean>;
  olderError: Signal<string | null>;
  invalidFrames: Signal<number>;

  targets: ReadonlySignal<TargetStatusDoc[]>;
  routing: ReadonlySignal<RoutingView>;
  usage: ReadonlySignal<UsageSummary | null>;
  visibleEvents: ReadonlySignal<ReturnType<typeof filterEvents>>;
}

export function createAppState(token: string | null = null): AppState {
  const model = signal<HudModel>(emptyModel());
  const status = computed(() => model.value.status);
  const filter = signal<EventFilter>({ target: null, type: null });
  const usageRows = signal<readonly UsageRow[] | null>(null);
  const events = computed(() => model.value.events);
  return {
    model,
    connection: signal<ConnectionState>({ kind: "idle" }),
    token: signal(token),
    gateMessage: signal(null),
    filter,
    usageRows,
    usageError: signal(null),
    actions: signal([]),
    busy: signal(new Set()),
    loadingOlder: signal(false),
    olderError: signal(null),
    invalidFrames: signal(0),
    targets: computed(() => {
      const s = status.value;
      if (s === null) return [];
      return Object.values(s.targets).sort((a, b) => (a.kind === b.kind ? a.priority - b.priority || a.name.localeCompare(b.name) : a.kind === "exo" ? -1 : 1));
    }),
    routing: computed(() => deriveRouting(status.value)),
    usage: computed(() => {
      const rows = usageRows.value;
      return rows === null ? null : summariseUsage(rows, status.value);
    }),
    visibleEvents: computed(() => filterEvents(events.value, filter.value, EVENT_ROWS_SHOWN)),
  };
}

export function dispatch(state: AppState, msg: ServerMessage): void {
  state.model.value = applyServerMessage(state.model.value, msg);
}

let nextActionId = 1;
export function recordAction(state: AppState, label: string, ok: boolean, message: string, at: number = Date.now()): void {
  state.actions.value = [{ id: nextActionId++, at, label, ok, message }, ...state.actions.value].slice(0, ACTION_RESULTS_KEPT);
}

export function setBusy(state: AppState, key: string, on: boolean): void {
  const next = new Set(state.busy.value);
  if (on) next.add(key);
  else next.delete(key);
  state.busy.value = next;
}
