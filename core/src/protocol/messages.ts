/**
 * WebSocket messages between the HealthHub Durable Object and the HUD page
 * (/api/events/ws). The first client message must be `hello` with the admin token
 * (so the token never goes in a URL); the server answers with a snapshot, then
 * pushes every event as it is committed.
 */
import { z } from "zod";
import { MonitorEvent, RecoveryAction } from "./events.ts";
import { CheckSample, SystemStatus } from "./status.ts";

export const ClientMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    token: z.string().max(512),
    /** The last event id this client has; the snapshot then carries exactly the events after it. */
    since: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal("ping"), t: z.number().optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    status: SystemStatus,
    /** Events after `since` (or the latest ones), oldest first. */
    events: z.array(MonitorEvent),
    /** True when events between `since` and the first one sent were already pruned. */
    truncated: z.boolean(),
    recovery: z.array(RecoveryAction),
    /** Recent checks per target, oldest first, for charts. */
    checks: z.array(CheckSample),
  }),
  z.object({ type: z.literal("event"), event: MonitorEvent }),
  z.object({ type: z.literal("recovery"), action: RecoveryAction }),
  /** After every probe round: the new status and the samples of that round. */
  z.object({ type: z.literal("round"), status: SystemStatus, checks: z.array(CheckSample) }),
  z.object({ type: z.literal("pong"), t: z.number().optional() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
