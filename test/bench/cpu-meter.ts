/**
 * CPU used by the load client and by the server it calls over one measured window, so a report
 * shows which of the two (sharing the machine's cores) was saturated. The client reads its own
 * time with `process.cpuUsage()`, the server's from `/proc/<pid>/stat` (all its threads).
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** CPU over a window in % of one core (cpu-seconds / wall-seconds × 100; threads can add up past 100). */
export interface CpuShare {
  readonly clientPercent: number;
  /** NaN when the server's /proc entry could not be read. */
  readonly serverPercent: number;
}

/** Measures the window from {@link CpuMeter.start} to {@link CpuMeter.stop} (NaN if never started). */
export interface CpuMeter {
  start(): void;
  stop(): CpuShare;
}

/** /proc reports times in USER_HZ clock ticks, which Linux fixes at 100 per second. */
const TICKS_PER_SECOND = 100;

/** The CPU time this process and process `serverPid` use between start() and stop(). */
export function cpuMeter(serverPid: number): CpuMeter {
  let began = Number.NaN;
  let client = process.cpuUsage();
  let server: number | undefined;
  return {
    start() {
      server = processCpuMs(serverPid);
      client = process.cpuUsage();
      began = performance.now();
    },
    stop() {
      const wallMs = performance.now() - began;
      const used = process.cpuUsage(client);
      const serverNow = processCpuMs(serverPid);
      const serverMs =
        server === undefined || serverNow === undefined ? Number.NaN : serverNow - server;
      return {
        clientPercent: ((used.user + used.system) / 1000 / wallMs) * 100,
        serverPercent: (serverMs / wallMs) * 100,
      };
    },
  };
}

/** A process's user + system CPU time so far, in milliseconds, or undefined once it is gone. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
