/**
 * CPU profile of one Worker in a running `workerd` (started with --inspector-addr), over
 * the Chrome DevTools protocol: start the sampler, run the load, stop, and sum self time
 * per function so that the table shows where the Worker spends its time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

class Cdp {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, (v: unknown) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (m: MessageEvent) => {
      const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.#pending.get(msg.id)?.(msg.result);
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => {
      ws.addEventListener("open", () => res());
      ws.addEventListener("error", () => rej(new Error(`inspector connection to ${url} failed`)));
    });
    return new Cdp(ws);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.#id;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((res) => this.#pending.set(id, res));
  }

  close(): void {
    this.#ws.close();
  }
}

export interface HotSpot {
  fn: string;
  selfPct: number;
}

/** Profiles the Worker whose inspector title contains `service` while `load` runs. */
export async function profileWhile(inspector: string, service: string, load: () => Promise<void>): Promise<HotSpot[]> {
  const targets = (await fetch(`http://${inspector}/json`).then((r) => r.json())) as Array<{ title?: string; id?: string; webSocketDebuggerUrl?: string }>;
  const target = targets.find((t) => (t.title ?? "").includes(service) || (t.id ?? "").includes(service));
  const url = target?.webSocketDebuggerUrl ?? `ws://${inspector}/${service}`;
  const cdp = await Cdp.connect(url);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await load();
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: Profile };
  cdp.close();
  const total = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const file = n.callFrame.url.split("/").at(-1) ?? "";
    const name = `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
    byFn.set(name, (byFn.get(name) ?? 0) + (n.hitCount ?? 0));
  }
  return [...byFn.entries()]
    .map(([fn, hits]) => ({ fn, selfPct: total === 0 ? 0 : (100 * hits) / total }))
    .sort((a, b) => b.selfPct - a.selfPct)
    .slice(0, 25);
}
