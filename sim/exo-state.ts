/**
 * The cluster state one simulated Exo node mirrors: its (random, unpersisted) node id,
 * fake peers, instances with their runners, and the camelCase `/state` document
 * with Exo's tagged-union encoding (`{"MlxRingInstance": {...}}`).
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface ExoInstance {
  instanceId: string;
  modelId: string;
  runnerId: string;
  /** Epoch ms at which the runner becomes RunnerReady. */
  readyAt: number;
  /** Set when deleted; in-flight streams for it then end without [DONE]. */
  deleted: boolean;
}

/** Exo (zenoh era): `os.urandom(16).hex().lstrip("0")`, new on every process start. */
export function newNodeId(): string {
  return randomBytes(16).toString("hex").replace(/^0+/, "");
}

export function modelCard(id: string, now: number): Record<string, unknown> {
  const name = id.split("/").pop() ?? id;
  return {
    id,
    object: "model",
    created: Math.floor(now / 1000),
    owned_by: "exo",
    hugging_face_id: id,
    name,
    description: "",
    context_length: 131072,
    tags: [],
    storage_size_megabytes: 696,
    supports_tensor: true,
    tasks: ["TextGeneration"],
    is_custom: false,
    family: name.toLowerCase().split("-")[0] ?? "unknown",
    quantization: /4bit/i.test(id) ? "4bit" : "bf16",
    base_model: name,
    capabilities: ["text"],
    reasoning_dialect: "none",
  };
}

export class ExoClusterState {
  nodeId = newNodeId();
  readonly peers: string[];
  readonly instances = new Map<string, ExoInstance>();
  private eventIdx = 0;

  constructor(peerCount: number) {
    this.peers = Array.from({ length: peerCount }, () => newNodeId());
  }

  place(modelId: string, readyAt: number): ExoInstance {
    const existing = this.instanceFor(modelId);
    if (existing !== undefined) return existing;
    const instance: ExoInstance = { instanceId: randomUUID(), modelId, runnerId: randomUUID(), readyAt, deleted: false };
    this.instances.set(instance.instanceId, instance);
    this.eventIdx++;
    return instance;
  }

  instanceFor(modelId: string): ExoInstance | undefined {
    for (const instance of this.instances.values()) if (instance.modelId === modelId && !instance.deleted) return instance;
    return undefined;
  }

  remove(instanceId: string): ExoInstance | undefined {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) return undefined;
    instance.deleted = true;
    this.instances.delete(instanceId);
    this.eventIdx++;
    return instance;
  }

  removeModel(modelId: string | null): string[] {
    const removed: string[] = [];
    for (const instance of [...this.instances.values()]) {
      if (modelId === null || instance.modelId === modelId) {
        this.remove(instance.instanceId);
        removed.push(instance.modelId);
      }
    }
    return removed;
  }

  readyModels(now: number): string[] {
    return [...this.instances.values()].filter((i) => i.readyAt <= now).map((i) => i.modelId);
  }

  instanceJson(instance: ExoInstance): Record<string, unknown> {
    const port = 50_000 + (parseInt(instance.instanceId.slice(0, 4), 16) % 10_000);
    return {
      MlxRingInstance: {
        instanceId: instance.instanceId,
        shardAssignments: {
          modelId: instance.modelId,
          runnerToShard: {
            [instance.runnerId]: { PipelineShardMetadata: { modelId: instance.modelId, deviceRank: 0, worldSize: 1, startLayer: 0, endLayer: 16, nLayers: 16 } },
          },
          nodeToRunner: { [this.nodeId]: instance.runnerId },
        },
        hostsByNode: { [this.nodeId]: [{ ip: "127.0.0.1", port }] },
        ephemeralPort: port,
      },
    };
  }

  private runnerJson(instance: ExoInstance, now: number): Record<string, unknown> {
    if (instance.readyAt <= now) return { RunnerReady: { prefillServerPort: null } };
    const total = 16;
    return { RunnerLoading: { layersLoaded: Math.min(total - 1, Math.floor(total * 0.5)), totalLayers: total } };
  }

  stateJson(now: number): Record<string, unknown> {
    const nodes = [this.nodeId, ...this.peers];
    const seen = new Date(now).toISOString();
    const perNode = <T>(f: (id: string, i: number) => T): Record<string, T> => Object.fromEntries(nodes.map((id, i) => [id, f(id, i)]));
    const instances = [...this.instances.values()];
    const gib = 1024 ** 3;
    return {
      instances: Object.fromEntries(instances.map((i) => [i.instanceId, this.instanceJson(i)])),
      runners: Object.fromEntries(instances.map((i) => [i.runnerId, this.runnerJson(i, now)])),
      downloads: perNode(() => instances.map((i) => ({ DownloadCompleted: { modelId: i.modelId, totalBytes: { inBytes: 729_808_896 } } }))),
      tasks: {},
      lastSeen: perNode(() => seen),
      topology: {
        nodes,
        connections: perNode((id) =>
          Object.fromEntries(nodes.filter((other) => other !== id).map((other) => [other, [{ SocketConnection: { sinkAddr: "127.0.0.1" } }]])),
        ),
      },
      lastEventAppliedIdx: this.eventIdx,
      nodeIdentities: perNode((_id, i) => ({
        modelId: "Mac16,10",
        chipId: "Apple M4",
        friendlyName: i === 0 ? "sim-node" : `sim-peer-${i}`,
        osVersion: "15.5",
        osBuildVersion: "24F74",
      })),
      nodeMemory: perNode(() => ({
        ramTotal: { inBytes: 32 * gib },
        ramAvailable: { inBytes: 20 * gib },
        swapTotal: { inBytes: 0 },
        swapAvailable: { inBytes: 0 },
      })),
      nodeDisk: perNode(() => ({ total: { inBytes: 1024 * gib }, available: { inBytes: 512 * gib } })),
      nodeSystem: perNode(() => ({ gpuUsage: 0.1, temp: 41.0, sysPower: 12.3, pcpuUsage: 0.2, ecpuUsage: 0.1 })),
      nodeNetwork: {},
      nodeThunderbolt: {},
      nodeThunderboltBridge: {},
      nodeRdmaCtl: {},
      nodeBackends: {},
      thunderboltBridgeCycles: [],
      instanceLinks: {},
      prefillServerPorts: {},
      customModelCards: {},
    };
  }
}

/** `/state/a/b` or `/state/a.b`: walk the document; undefined when the path does not exist. */
export function lookupPath(doc: unknown, segments: string[]): unknown {
  let node: unknown = doc;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      const index = Number(segment);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) return undefined;
      node = node[index];
    } else if (typeof node === "object" && node !== null && Object.hasOwn(node, segment)) {
      const value: unknown = Reflect.get(node, segment);
      node = value;
    } else {
      return undefined;
    }
  }
  return node;
}
