/**
 * Scheduling against the real simulators: alarm rounds, the cron entry, idempotency
 * between them, a stopped manager, and state + schedule surviving eviction.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, evictDurableObject, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { HUB_NAME } from "@exo-bridge/core/protocol/hub";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { api, events, freshHub, makeDue, resetSim, sql, status } from "./helpers.ts";

const NAMES = ["exo_a", "exo_b", "exo_legacy", "exo_access", "cloud_a"];

describe("rounds", () => {
  beforeEach(async () => {
    await resetSim();
  });

  it("first start seeds TARGETS with manager_started and target_added events, and arms the alarm", async () => {
    const hub = await freshHub();
    const evs = await events(hub);
    expect(evs[0]?.type).toBe("manager_started");
    expect(evs.filter((e) => e.type === "target_added").map((e) => e.target)).toEqual(NAMES);
    const alarm = await runInDurableObject(hub, (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
  });

  it("an alarm round probes every due target once and re-arms for the next due time", async () => {
    const hub = await freshHub();
    await makeDue(hub);
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    const s = await status(hub);
    for (const n of NAMES) {
      expect(s.targets[n]?.total_checks).toBe(1);
      expect(s.targets[n]?.status).toBe("healthy");
    }
    const alarm = await runInDurableObject(hub, (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm ?? 0).toBeGreaterThan(Date.now() - 50);
    // Nothing is due right after a round: a second alarm run probes nobody.
    await runDurableObjectAlarm(hub);
    const again = await status(hub);
    for (const n of NAMES) expect(again.targets[n]?.total_checks).toBe(1);
  });

  it("the alarm and a cron tick racing for the same due time probe each target once", async () => {
    const hub = await freshHub();
    await makeDue(hub);
    await Promise.all([runDurableObjectAlarm(hub), hub.cronTick(), hub.cronTick()]);
    const s = await status(hub);
    for (const n of NAMES) expect(s.targets[n]?.total_checks).toBe(1);
  });

  it("the Worker's scheduled handler runs a round on the fleet hub and keeps its alarm armed", async () => {
    const fleet = env.HUB.get(env.HUB.idFromName(HUB_NAME));
    await makeDue(fleet);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const s = await status(fleet);
    for (const n of NAMES) expect(s.targets[n]?.total_checks ?? 0).toBeGreaterThanOrEqual(1);
    expect(s.manager.running).toBe(true);
    const alarm = await runInDurableObject(fleet, (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
  });

  it("a stopped manager does not probe and has no alarm; starting it again resumes", async () => {
    const hub = await freshHub();
    expect((await api(hub, "POST", "/api/manager/stop")).json).toEqual({ running: false });
    await makeDue(hub);
    await hub.cronTick();
    expect(await runDurableObjectAlarm(hub)).toBe(false);
    const s = await status(hub);
    for (const n of NAMES) expect(s.targets[n]?.total_checks).toBe(0);
    expect((await events(hub, "&type=manager_stopped")).length).toBe(1);
    await api(hub, "POST", "/api/manager/start");
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect((await status(hub)).targets["exo_a"]?.total_checks).toBe(1);
  });

  it("eviction mid-life keeps state, events and the schedule", async () => {
    const hub = await freshHub();
    await makeDue(hub);
    await runDurableObjectAlarm(hub);
    // Push the schedule out so that no real alarm lands between the two reads.
    await runInDurableObject(hub, async (_i, state) => {
      state.storage.sql.exec("UPDATE targets SET next_check = next_check + 3600000");
      await state.storage.setAlarm(Date.now() + 3_600_000);
    });
    const before = await status(hub);
    const schedule = await sql<{ name: string; next_check: number }>(hub, "SELECT name, next_check FROM targets ORDER BY name");
    const alarmBefore = await runInDurableObject(hub, (_i, state) => state.storage.getAlarm());
    await evictDurableObject(hub);
    const after = await status(hub);
    expect(after.targets).toEqual(before.targets);
    expect(after.manager.last_event_id).toBe(before.manager.last_event_id);
    expect(await sql(hub, "SELECT name, next_check FROM targets ORDER BY name")).toEqual(schedule);
    expect(await runInDurableObject(hub, (_i, state) => state.storage.getAlarm())).toBe(alarmBefore);
    // No second manager_started or target_added after a restart.
    expect((await events(hub, "&type=manager_started")).length).toBe(1);
    expect((await events(hub, "&type=target_added")).length).toBe(NAMES.length);
  });
});
