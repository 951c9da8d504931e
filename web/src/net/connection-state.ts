/** What the page honestly knows about its live link to the HealthHub. */
export type ConnectionState =
  | { kind: "idle" }
  /** Socket opening or waiting for the snapshot; `attempt` 0 is the first connect. */
  | { kind: "connecting"; attempt: number }
  /** Snapshot received; events flow. */
  | { kind: "live"; since: number }
  | { kind: "reconnecting"; attempt: number; retryAt: number; downSince: number; reason: string }
  /** Down for several attempts (or the browser says it is offline); still retrying. */
  | { kind: "offline"; attempt: number; retryAt: number; downSince: number; reason: string }
  /** The server refused the token (close 4401): the page returns to the token gate. */
  | { kind: "unauthorized"; message: string };
