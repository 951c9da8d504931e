/**
 * Each Exo fault observed from a client on the wire: refused connections, a new node
 * id after restart, edge pages, cut and errored streams, stalls and flaps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, spawnCluster } from "./spawn.ts";
import { EXO_MODEL, chatBody, dataFrames, raw, tcpProbe, until } from "./test-support.ts";

const PORT = 57630;
let sim: SimCluster;
let exo: string;

async function nodeId(): Promise<string> {
  return JSON.parse((await raw(exo, "/node_id")).body) as string;
}

beforeAll(async () => {
  sim = await spawnCluster({
    control: { port: 57639 },
    nodes: [
      { name: "exo", kind: "exo", port: PORT, models: [EXO_MODEL], tokensPerSecond: 500 },
      { name: "exo_access", kind: "exo", port: PORT + 1, access: { clientId: "id.access", clientSecret: "s3cret" } },
      { name: "exo_drop", kind: "exo", port: PORT + 2, dropInstancesOnRestart: true },
    ],
  });
  exo = sim.url("exo");
}, 30_000);

afterEach(async () => {
  await sim.reset();
});

afterAll(async () => {
  await sim.stop();
});

describe("socket faults", () => {
  it("down refuses connections and cuts open streams; up comes back with the same node id", async () => {
    const before = await nodeId();
    // A long stream in flight when the node goes down is destroyed, not finished.
    const longStream = raw(exo, "/v1/chat/completions", { body: chatBody("a ".repeat(200), { stream: true }) });
    await new Promise((r) => setTimeout(r, 100));
    await sim.chaos("exo", "down");
    expect(await tcpProbe(PORT)).toBe("ECONNREFUSED");
    expect((await raw(exo, "/node_id")).error).toBe("ECONNREFUSED");
    const cut = await longStream;
    expect(cut.error).not.toBeNull();
    expect(cut.body).not.toContain("[DONE]");
    await sim.chaos("exo", "up");
    expect(await nodeId()).toBe(before);
  });

  it("restart comes back with a NEW node id and keeps instances unless configured", async () => {
    const before = await nodeId();
    const state = await sim.chaos("exo", "restart", 200);
    const after = await nodeId();
    expect(after).not.toBe(before);
    expect("nodeId" in state ? state.nodeId : undefined).toBe(after);
    expect((await raw(exo, "/v1/chat/completions", { body: chatBody("x") })).status).toBe(200);
    const drop = sim.url("exo_drop");
    await sim.chaos("exo_drop", "restart", 50);
    expect(JSON.parse((await raw(drop, "/ollama/api/ps")).body)).toEqual({ models: [] });
    expect((await raw(drop, "/v1/chat/completions", { body: chatBody("x") })).status).toBe(404);
  });

  it("restart is observable as refused while down", async () => {
    const restarting = sim.chaos("exo", "restart", 600);
    await until("the node to go down", async () => ((await tcpProbe(PORT)) === "ECONNREFUSED" ? true : null));
    await restarting;
    expect(await tcpProbe(PORT)).toBe("connected");
  });

  it("hang accepts and never answers", async () => {
    await sim.chaos("exo", "hang");
    expect(await tcpProbe(PORT)).toBe("connected");
    const res = await raw(exo, "/node_id", { timeoutMs: 700 });
    expect(res.error).toBe("timeout");
    expect(res.status).toBe(0);
  });

  it("slow delays the first byte of every response", async () => {
    await sim.chaos("exo", "slow", 400);
    const get = await raw(exo, "/node_id");
    expect(get.status).toBe(200);
    expect(get.headersMs).toBeGreaterThanOrEqual(380);
    const stream = await raw(exo, "/v1/chat/completions", { body: chatBody("x", { stream: true }) });
    expect(stream.headersMs).toBeGreaterThanOrEqual(380);
  });

  it("flap alternates refused and ok periods", async () => {
    await sim.chaos("exo", "flap", 300);
    const seen = new Set<string>();
    const deadline = Date.now() + 1_500;
    while (Date.now() < deadline) {
      seen.add(await tcpProbe(PORT));
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen).toEqual(new Set(["ECONNREFUSED", "connected"]));
  });

  it("flap 502 alternates cloudflared 502s and answers", async () => {
    await sim.chaos("exo", "flap", 200, "502");
    const statuses = new Set<number>();
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline) {
      statuses.add((await raw(exo, "/node_id")).status);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(statuses).toEqual(new Set([502, 200]));
  });
});

describe("edge answers", () => {
  it("http 530 is Cloudflare's error 1033 HTML page", async () => {
    await sim.chaos("exo", "http", 530);
    const res = await raw(exo, "/node_id");
    expect(res.status).toBe(530);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.headers["server"]).toBe("cloudflare");
    expect(res.body).toContain("Error");
    expect(res.body).toContain("1033");
    expect(res.body).toContain("Argo Tunnel error");
  });

  it("http 502 is cloudflared's origin-unreachable text; 403 the Access page", async () => {
    await sim.chaos("exo", "http", 502);
    const bad = await raw(exo, "/v1/chat/completions", { body: chatBody("x", { stream: true }) });
    expect(bad.status).toBe(502);
    expect(bad.headers["content-type"]).toContain("text/plain");
    expect(bad.body).toContain("Unable to reach the origin service");
    await sim.chaos("exo", "http", 403);
    const forbidden = await raw(exo, "/state");
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toContain("Forbidden");
    await sim.chaos("exo", "http", 401);
    expect((await raw(exo, "/state")).status).toBe(401);
    await sim.chaos("exo", "http", 503);
    expect(JSON.parse((await raw(exo, "/state")).body)).toEqual({
      error: { message: "Service Unavailable", type: "Service Unavailable", param: null, code: 503 },
    });
  });

  it("redirect sends a 302 to the Access login page", async () => {
    await sim.chaos("exo", "redirect", "myteam");
    const res = await raw(exo, "/node_id");
    expect(res.status).toBe(302);
    expect(String(res.headers["location"])).toMatch(/^https:\/\/myteam\.cloudflareaccess\.com\/cdn-cgi\/access\/login\//);
  });

  it("a node behind Access wants the service-token headers", async () => {
    const url = sim.url("exo_access");
    expect((await raw(url, "/node_id")).status).toBe(403);
    expect((await raw(url, "/node_id", { headers: { "cf-access-client-id": "id.access", "cf-access-client-secret": "wrong" } })).status).toBe(403);
    const ok = await raw(url, "/node_id", { headers: { "cf-access-client-id": "id.access", "cf-access-client-secret": "s3cret" } });
    expect(ok.status).toBe(200);
  });
});

describe("stream faults", () => {
  it("cut-stream ends after N chunks with no finish_reason and no [DONE]", async () => {
    await sim.chaos("exo", "cut-stream", 2);
    const res = await raw(exo, "/v1/chat/completions", { body: chatBody("a b c d e f", { stream: true }) });
    expect(res.status).toBe(200);
    const frames = dataFrames(res.body);
    expect(frames).toHaveLength(2);
    expect(res.body).not.toContain("finish_reason");
    expect(res.body).not.toContain("[DONE]");
  });

  it("stall-stream stops after N chunks and keeps the connection open (a hung runner)", async () => {
    await sim.chaos("exo", "stall-stream", 2);
    const res = await raw(exo, "/v1/chat/completions", { body: chatBody("a b c d e f", { stream: true }), timeoutMs: 800 });
    expect(res.status).toBe(200);
    expect(res.error).toBe("timeout");
    expect(dataFrames(res.body)).toHaveLength(2);
    expect(res.body).not.toContain("[DONE]");
  });

  it("cut-stream on a non-streaming request: 200 headers then a reset", async () => {
    await sim.chaos("exo", "cut-stream");
    const res = await raw(exo, "/v1/chat/completions", { body: chatBody("a b c") });
    expect(res.status).toBe(200);
    expect(res.error).not.toBeNull();
    expect(res.body).toBe("");
  });

  it("error-frame sends Exo's error data frame then [DONE]", async () => {
    await sim.chaos("exo", "error-frame", 1, "Metal OOM");
    const res = await raw(exo, "/v1/chat/completions", { body: chatBody("a b c d", { stream: true }) });
    const frames = dataFrames(res.body);
    expect(frames).toHaveLength(3);
    expect(JSON.parse(frames[1] ?? "null")).toEqual({ error: { message: "Metal OOM", type: "InternalServerError", code: 500 } });
    expect(frames[2]).toBe("[DONE]");
  });

  it("deleting the instance mid-stream ends the stream without [DONE]", async () => {
    const stream = raw(exo, "/v1/chat/completions", { body: chatBody("w ".repeat(100), { stream: true }) });
    await new Promise((r) => setTimeout(r, 60));
    await sim.chaos("exo", "no-instance");
    const res = await stream;
    expect(res.error).toBeNull();
    expect(dataFrames(res.body).length).toBeGreaterThan(0);
    expect(res.body).not.toContain("[DONE]");
  });
});

describe("cluster faults", () => {
  it("no-instance 404s the model and empties ps; POST /instance brings it back", async () => {
    const state = await sim.chaos("exo", "no-instance", EXO_MODEL);
    expect("faults" in state ? state.faults.noInstance : []).toEqual([EXO_MODEL]);
    const res = await raw(exo, "/v1/chat/completions", { body: chatBody("x") });
    expect(res.status).toBe(404);
    expect(res.body).toContain(`No instance found for model ${EXO_MODEL}`);
    expect(JSON.parse((await raw(exo, "/ollama/api/ps")).body)).toEqual({ models: [] });
    expect(JSON.parse((await raw(exo, "/v1/models")).body)).toHaveProperty("data.0.id");
    await raw(exo, "/instance", { body: { model_id: EXO_MODEL } });
    const waited = await raw(exo, `/instance/await?model_id=${encodeURIComponent(EXO_MODEL)}&timeout_seconds=5`);
    expect(waited.body).toContain('"type":"ready"');
    expect((await raw(exo, "/v1/chat/completions", { body: chatBody("x") })).status).toBe(200);
  });

  it("election stalls POSTs while GETs answer at once", async () => {
    await sim.chaos("exo", "election", 900);
    const [get, post] = await Promise.all([raw(exo, "/node_id"), raw(exo, "/v1/chat/completions", { body: chatBody("x") })]);
    expect(get.totalMs).toBeLessThan(450);
    expect(post.status).toBe(200);
    expect(post.headersMs).toBeGreaterThanOrEqual(880);
  });

  it("reset clears every fault and re-places configured models", async () => {
    await sim.chaos("exo", "no-instance");
    await sim.chaos("exo", "slow", 50);
    await sim.chaos("exo", "http", 530);
    const after = await sim.reset();
    const exoState = after.targets["exo"];
    expect(exoState?.faults).toMatchObject({ slowMs: 0, http: null, noInstance: [] });
    expect(exoState?.instances?.map((i) => i.modelId)).toEqual([EXO_MODEL]);
    expect((await raw(exo, "/v1/chat/completions", { body: chatBody("x") })).status).toBe(200);
  });
});
