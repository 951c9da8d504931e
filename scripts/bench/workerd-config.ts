/**
 * Generates a standalone `workerd serve` configuration (Cap'n Proto text) that runs the
 * built Workers as production would run them: the gateway, the monitor with its SQLite
 * Durable Object on local disk, and a trivial pass-through Worker as the floor —
 * without wrangler dev's proxy hops in front.
 */
import { relative } from "node:path";

export interface BuiltWorker {
  /** Absolute path of the bundle's main module (wrangler deploy --dry-run output). */
  main: string;
  vars: Record<string, string>;
}

export interface WorkerdLayout {
  gateway: BuiltWorker & { port: number };
  monitor: BuiltWorker & { port: number };
  passthrough: { main: string; port: number; upstream: string };
  /** Folder for Durable Object storage. */
  storageDir: string;
  compatibilityDate: string;
  /** Folder the config file is written to: embedded paths are relative to it. */
  configDir: string;
}

const str = (s: string): string => JSON.stringify(s);

function textBindings(vars: Record<string, string>): string[] {
  return Object.entries(vars).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`);
}

export function workerdConfig(l: WorkerdLayout): string {
  const embed = (path: string): string => `embed ${str(relative(l.configDir, path))}`;
  const gatewayBindings = [
    `(name = "HUB", durableObjectNamespace = (className = "HealthHub", serviceName = "monitor"))`,
    `(name = "ASSETS", service = "no-assets")`,
    ...textBindings(l.gateway.vars),
  ];
  const monitorBindings = [`(name = "HUB", durableObjectNamespace = "HealthHub")`, ...textBindings(l.monitor.vars)];
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    (name = "monitor", worker = .monitor),
    (name = "passthrough", worker = .passthrough),
    (name = "no-assets", worker = .noAssets),
    (name = "do-disk", disk = (path = ${str(l.storageDir)}, writable = true)),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "gateway", address = "127.0.0.1:${l.gateway.port}", http = (), service = "gateway"),
    (name = "monitor", address = "127.0.0.1:${l.monitor.port}", http = (), service = "monitor"),
    (name = "passthrough", address = "127.0.0.1:${l.passthrough.port}", http = (), service = "passthrough"),
  ],
);

const gateway :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${embed(l.gateway.main)})],
  compatibilityDate = ${str(l.compatibilityDate)},
  bindings = [${gatewayBindings.join(", ")}],
  globalOutbound = "loopback",
);

const monitor :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${embed(l.monitor.main)})],
  compatibilityDate = ${str(l.compatibilityDate)},
  bindings = [${monitorBindings.join(", ")}],
  durableObjectNamespaces = [(className = "HealthHub", uniqueKey = "exo-bridge-health-hub", enableSql = true)],
  durableObjectStorage = (localDisk = "do-disk"),
  globalOutbound = "loopback",
);

const passthrough :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${embed(l.passthrough.main)})],
  compatibilityDate = ${str(l.compatibilityDate)},
  bindings = [(name = "UPSTREAM", text = ${str(l.passthrough.upstream)})],
  globalOutbound = "loopback",
);

const noAssets :Workerd.Worker = (
  modules = [(name = "index.js", esModule = "export default { fetch() { return new Response('not found', { status: 404 }); } };")],
  compatibilityDate = ${str(l.compatibilityDate)},
);
`;
}
