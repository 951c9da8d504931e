/** CPU time and resident memory of a process, from /proc (Linux). */
import { readFileSync } from "node:fs";

const TICKS_PER_S = 100;

export interface ProcSample {
  cpuMs: number;
  rssMiB: number;
}

export function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return { cpuMs: ((utime + stime) * 1000) / TICKS_PER_S, rssMiB: rssKiB / 1024 };
}

/** The machine's load: 1-minute load average and the number of cores. */
export function machineLoad(): { load1: number; cores: number } {
  const load1 = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  const cores = readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((l) => l.startsWith("processor")).length;
  return { load1, cores };
}
