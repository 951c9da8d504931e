/**
 * Live events over hibernatable WebSockets. A socket is useless until it says
 * `hello` with the admin token; it then gets a snapshot (exactly the events after
 * its `since`) and every committed event, recovery action and round. Per-socket
 * state lives in the attachment, so it survives hibernation.
 */
import { assertNever } from "@exo-bridge/core/health/types";
import { ClientMessage, type ServerMessage } from "@exo-bridge/core/protocol/messages";
import { z } from "zod";
import { tokenMatches } from "./api/auth.ts";
import type { HubCore } from "./hub-core.ts";
import { listChecks } from "./store/checks.ts";
import { listRecovery, queryEvents, wasTruncated } from "./store/log.ts";

const Attachment = z.object({ authed: z.boolean(), since: z.number() });
type Attachment = z.infer<typeof Attachment>;

/** Events a snapshot carries at most; a client further behind gets the newest and `truncated`. */
const SNAPSHOT_EVENTS = 1_000;
const SNAPSHOT_EVENTS_FRESH = 200;
const SNAPSHOT_CHECKS_MS = 30 * 60_000;

export function acceptSocket(ctx: DurableObjectState): Response {
  const pair = new WebSocketPair();
  ctx.acceptWebSocket(pair[1]);
  pair[1].serializeAttachment({ authed: false, since: 0 } satisfies Attachment);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

function attachmentOf(ws: WebSocket): Attachment {
  const parsed = Attachment.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : { authed: false, since: 0 };
}

function send(ws: WebSocket, msg: ServerMessage): void {
  try {
    ws.send(JSON.stringify(msg));
  } catch {
    // The socket closed between the list and the send; its close handler cleans up.
  }
}

export function broadcast(ctx: DurableObjectState, msgs: ServerMessage[]): void {
  if (msgs.length === 0) return;
  const payloads = msgs.map((m) => JSON.stringify(m));
  for (const ws of ctx.getWebSockets()) {
    if (!attachmentOf(ws).authed) continue;
    for (const p of payloads) {
      try {
        ws.send(p);
      } catch {
        break;
      }
    }
  }
}

export function snapshotMessage(hub: HubCore, since: number | undefined, now: number): ServerMessage {
  let events;
  let truncated = false;
  if (since === undefined) {
    events = queryEvents(hub.sql, { limit: SNAPSHOT_EVENTS_FRESH });
  } else {
    truncated = wasTruncated(hub.sql, since);
    events = queryEvents(hub.sql, { afterId: since, limit: SNAPSHOT_EVENTS + 1 });
    if (events.length > SNAPSHOT_EVENTS) {
      events = queryEvents(hub.sql, { limit: SNAPSHOT_EVENTS });
      truncated = true;
    }
  }
  return {
    type: "snapshot",
    status: hub.status(now),
    events,
    truncated,
    recovery: listRecovery(hub.sql, 50),
    checks: listChecks(hub.sql, { since: now - SNAPSHOT_CHECKS_MS, limit: 5_000 }),
  };
}

export async function onSocketMessage(hub: HubCore, ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
  const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    send(ws, { type: "error", code: "invalid_json", message: "message is not JSON" });
    return;
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) {
    send(ws, { type: "error", code: "invalid_message", message: "expected {type:'hello',token,since?} or {type:'ping'}" });
    return;
  }
  const msg = parsed.data;
  switch (msg.type) {
    case "ping":
      send(ws, msg.t === undefined ? { type: "pong" } : { type: "pong", t: msg.t });
      return;
    case "hello": {
      const expected = hub.config.adminToken;
      if (expected === null || !(await tokenMatches(msg.token, expected))) {
        ws.close(4401, "unauthorized");
        return;
      }
      // Built and sent with no await in between: any commit lands either in this
      // snapshot or (as the socket is now authed) in a later push, never both or neither.
      const snap = snapshotMessage(hub, msg.since, Date.now());
      ws.serializeAttachment({ authed: true, since: msg.since ?? 0 } satisfies Attachment);
      send(ws, snap);
      return;
    }
    default:
      assertNever(msg);
  }
}
