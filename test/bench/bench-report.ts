/**
 * The shape of one benchmark run's results, as written to `report-<scale>.json` and rendered
 * to Markdown.
 *
 * @module
 */
import type { FloorResult, FloorThroughput } from "./floor.js";
import type { DataSet } from "./generate.js";
import type { JobResult } from "./load-client.js";
import type { MachineInfo } from "./machine.js";
import type { StructuresReport } from "./memory-structures.js";
import type { PublicationResult } from "./publication-bench.js";
import type { RestartResult, SyncResult } from "./sync-bench.js";
import type { WriteResult } from "./write-bench.js";

/** One target of issue 5 checked against a measured figure. */
export interface TargetCheck {
  readonly target: string;
  /** The figure as measured, formatted with its unit ("" when not measured). */
  readonly measured: string;
  readonly limit: string;
  /** Undefined when the figure could not be measured (e.g. the RPC is not registered). */
  readonly met: boolean | undefined;
}

/** Everything one run measured. */
export interface BenchReport {
  readonly command: string;
  readonly scale: string;
  readonly seed: number;
  readonly logLevel: string;
  readonly startedAt: string;
  readonly totalMs: number;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly dataset: DataSet;
  readonly emulator: { readonly startMs: number; readonly peakRssBytes: number };
  readonly syncs: readonly SyncResult[];
  readonly restart: RestartResult | undefined;
  /** The serving process's in-memory structures, as GetSyncStatus reported them once built. */
  readonly memory: StructuresReport;
  /** Peak RSS of the serving process (restarted, structures built, under the RPC load). */
  readonly servingPeakRssBytes: number;
  readonly rpc: readonly JobResult[];
  readonly live: readonly JobResult[];
  readonly floor: readonly FloorResult[];
  /** DuckDB alone, four connections in parallel: the ceiling of the lookups' throughput. */
  readonly floorThroughput: readonly FloorThroughput[];
  /** Write latency through the emulator and the embedded DuckDB source (absent in old reports). */
  readonly writes?: readonly WriteResult[];
  /** One syncer publishing to two replicas (absent in old reports, or when the phase failed). */
  readonly publication?: PublicationResult;
  readonly notes: readonly string[];
  readonly targets: readonly TargetCheck[];
}
