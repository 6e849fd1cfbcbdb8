import type { SnowflakeLiveRunner } from "./snowflake-live.js";
import type { SourceWriter } from "./source-writer.js";
import type { SourceLoad } from "./table-feed.js";

/**
 * Where the three tables come from, as the syncer sees it. `fingerprint` is the cheap check
 * that lets a sync be skipped when nothing changed (file sizes and times; Snowflake's
 * `LAST_ALTERED` and `ROW_COUNT`), and `load` describes one consistent read of the tables.
 */
export interface Source {
  /** The name recorded in snapshots and status ("local", "online-retail", "snowflake"). */
  readonly kind: string;
  /** Changes whenever the source's data may have changed. */
  fingerprint(): Promise<string>;
  /**
   * One consistent read of the three tables. `syncId` names the run, where the source leaves
   * traces of it (the Snowflake source's stage prefix for a bulk unload).
   */
  load(options?: { readonly syncId?: string }): Promise<SourceLoad>;
  /**
   * Answers questions live, for sources that can (Snowflake); absent for files, whose snapshot
   * is as fresh as the files themselves.
   */
  readonly live?: SnowflakeLiveRunner;
  /**
   * The oldest statement a sync has in flight at the source and since when, for sources that
   * run statements (Snowflake); GetSyncStatus shows it so a hung statement is visible.
   */
  readonly currentStatement?: () => { readonly what: string; readonly startedAt: Date } | undefined;
  /**
   * Takes writes, for sources that are a source of truth the service may change (Snowflake,
   * the embedded database); absent for read-only files, whose writes are refused.
   */
  readonly writer?: SourceWriter;
  /** Releases connections; the source is not used afterwards. */
  close(): Promise<void>;
}
