/**
 * The in-memory structures of the serving process, read from GetSyncStatus: the benchmark waits
 * for them to be built before it measures (otherwise it would measure the SQL that answers
 * meanwhile) and reports each one's build time and size.
 *
 * @module
 */
import { MEMORY_STRUCTURES } from "../../src/query/warm-snapshot.js";

/** One structure as GetSyncStatus reports it. */
export interface StructureFigure {
  readonly name: string;
  readonly state: string;
  readonly buildMs: number;
  readonly bytes: number;
}

/** The structures once all were built (or failed), and how long after ready that was. */
export interface StructuresReport {
  readonly structures: readonly StructureFigure[];
  /** From the service answering /readyz to the last structure built. */
  readonly builtAfterReadyMs: number;
}

interface StatusJson {
  readonly memoryStructures?: readonly {
    readonly name?: string;
    readonly state?: string;
    readonly buildTime?: string;
    readonly bytes?: string;
  }[];
}

/**
 * Polls GetSyncStatus (Connect JSON) until every structure has ended its build; `readyAt` (a
 * `performance.now()`, the moment the service answered /readyz) is what the time is counted from.
 */
export async function waitForStructures(
  baseUrl: string,
  timeoutMs: number,
  readyAt: number = performance.now(),
): Promise<StructuresReport> {
  const began = readyAt;
  for (;;) {
    const response = await fetch(`${baseUrl}/customeranalytics.v1.SyncService/GetSyncStatus`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const status = (await response.json()) as StatusJson;
    const structures = (status.memoryStructures ?? []).map(
      (s): StructureFigure => ({
        name: s.name ?? "",
        state: s.state ?? "",
        buildMs: Number.parseFloat(s.buildTime ?? "0") * 1000,
        bytes: Number(s.bytes ?? 0),
      }),
    );
    const done =
      structures.length >= MEMORY_STRUCTURES.length &&
      structures.every((s) => s.state !== "building");
    const waited = performance.now() - began;
    if (done || waited > timeoutMs) return { structures, builtAfterReadyMs: waited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
