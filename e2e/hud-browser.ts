/**
 * Headless Chromium for the HUD's browser test: launch with a fresh profile, and
 * instrument the page so the test can tell when each event row was first drawn
 * and which WebSocket frames the page sent and received.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  ctx: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  // playwright passes the profile as --user-data-dir itself; a fresh one per run.
  const profile = mkdtempSync(join(tmpdir(), "hud-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Records, in the page, when each `[data-event-id]` row first appears, at the next
 * animation frame after insertion (when it is painted), as epoch ms.
 */
export const DRAW_RECORDER = `
(() => {
  const drawn = {};
  window.__hudDrawn = drawn;
  const seen = (el) => {
    const id = el.getAttribute && el.getAttribute("data-event-id");
    if (id && !(id in drawn)) {
      drawn[id] = -1;
      requestAnimationFrame(() => { drawn[id] = performance.timeOrigin + performance.now(); });
    }
  };
  new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      seen(n);
      n.querySelectorAll && n.querySelectorAll("[data-event-id]").forEach(seen);
    }
  }).observe(document, { childList: true, subtree: true });
})();
`;

export async function drawnTimes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => (window as unknown as { __hudDrawn?: Record<string, number> }).__hudDrawn ?? {});
}

export interface FrameLog {
  sent: string[];
  received: string[];
}

/** Every frame on the page's /api/events/ws sockets, in order. */
export function recordFrames(page: Page): FrameLog {
  const log: FrameLog = { sent: [], received: [] };
  page.on("websocket", (ws) => {
    if (!ws.url().endsWith("/api/events/ws")) return;
    ws.on("framesent", (f) => log.sent.push(typeof f.payload === "string" ? f.payload : f.payload.toString("utf8")));
    ws.on("framereceived", (f) => log.received.push(typeof f.payload === "string" ? f.payload : f.payload.toString("utf8")));
  });
  return log;
}

/** Event ids drawn in the stream, top (newest) to bottom. */
export async function eventIds(page: Page): Promise<number[]> {
  return page.$$eval("[data-testid=event-row]", (rows) => rows.map((r) => Number(r.getAttribute("data-event-id"))));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
