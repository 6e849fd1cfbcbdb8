import { stat } from "node:fs/promises";
import { join } from "node:path";
import {
  createTemporaryStageSql,
  dropStageSql,
  getSql,
  listSql,
  parquetTypeCheckSql,
  readParquetSql,
  removeSql,
  stageRoot,
  tablePrefix,
  temporaryStageName,
  unloadSql,
} from "./snowflake-bulk-sql.js";
import type { SnowflakeClient, SnowflakeSession } from "./snowflake-client.js";
import { snowflakeUnavailable } from "./snowflake-errors.js";
import type { BaseTable, FetchedFiles, FetchProgress } from "./table-feed.js";

/** How the bulk path unloads and downloads; `SYNC_BULK*` and `SNOWFLAKE_STAGE` set them. */
export interface BulkSettings {
  /** A named stage to unload to; undefined = a temporary internal stage per sync. */
  readonly stage: string | undefined;
  /** GET statements at once, each downloading its share of the files (default 4). */
  readonly concurrency: number;
  /** Snowflake's MAX_FILE_SIZE for the unload, in bytes (default 32 MiB). */
  readonly maxFileBytes: number;
}

/** One file of an unload, as LIST reported it. */
interface StagedFile {
  /** The file's name within the table's prefix. */
  readonly name: string;
  readonly size: number;
}

/** One table's unload: which sync, which table, at which instant, into which local folder. */
export interface BulkTable {
  readonly syncId: string;
  readonly table: BaseTable;
  /** The sync's point in time, as `timestampBind` formats it. */
  readonly at: string;
  /** An existing local directory the files go to (the source removes it after the build). */
  readonly dir: string;
}

/**
 * Removes what earlier syncs left on a named stage (a process that crashed mid-sync never
 * reached its own REMOVE). Only one sync runs at a time, so everything under the service's
 * folder of the stage is a leftover. A temporary stage needs nothing: it ended with its session.
 */
export async function removeLeftovers(client: SnowflakeClient, stage: string): Promise<void> {
  await client.query(removeSql(stageRoot(stage)), [], {
    what: `removing earlier syncs' files from stage ${stage}`,
  });
}

/**
 * Unloads one table at the sync's instant into a stage, downloads the files with several
 * concurrent GETs into `dir`, checks each file arrived whole (its size is the one LIST gave;
 * a short file is fetched once more, then the load fails), and removes the files from the
 * stage whatever happened. Returns the SELECT the builder loads the table with and the
 * column-type check it runs first.
 */
export async function fetchTable(
  client: SnowflakeClient,
  settings: BulkSettings,
  target: BulkTable,
  onProgress: (progress: FetchProgress) => void,
): Promise<FetchedFiles> {
  const { syncId, table, at, dir } = target;
  const stage = settings.stage ?? temporaryStageName(syncId);
  const prefix = tablePrefix(stage, syncId, table);
  await client.session(`unloading ${table}`, async (session) => {
    if (settings.stage === undefined) {
      await session.query(createTemporaryStageSql(stage), [], {
        what: `creating the temporary stage ${stage}`,
      });
    }
    const temporary = settings.stage === undefined ? stage : undefined;
    try {
      await session.query(unloadSql(prefix, table, at, settings.maxFileBytes), [], {
        what: `unloading ${table} at ${at} to ${prefix}`,
      });
      const files = await listFiles(session, prefix);
      await downloadAll(session, settings.concurrency, { prefix, dir, files }, onProgress);
    } catch (err) {
      // The unload's own error is the one to report; what cleaning up hits is left for the
      // next sync (a named stage) or the session's end (a temporary one).
      await cleanUp(session, prefix, temporary).catch(() => undefined);
      throw err;
    }
    await cleanUp(session, prefix, temporary);
  });
  const glob = join(dir, "*.parquet");
  return {
    sql: readParquetSql(table),
    params: [glob],
    checks: [
      {
        sql: parquetTypeCheckSql(table),
        params: [glob],
        problem: "has columns of other types than the schema's in the files Snowflake unloaded",
        file: `Snowflake table ${table.toUpperCase()} (bulk unload)`,
      },
    ],
  };
}

async function listFiles(session: SnowflakeSession, prefix: string): Promise<StagedFile[]> {
  const listed = await session.query(listSql(prefix), [], { what: `listing ${prefix}` });
  const nameAt = listed.columns.findIndex((c) => c.name.toLowerCase() === "name");
  const sizeAt = listed.columns.findIndex((c) => c.name.toLowerCase() === "size");
  return listed.rows.map((row) => {
    const name = String(row[nameAt]);
    return { name: name.slice(name.lastIndexOf("/") + 1), size: Number(row[sizeAt]) };
  });
}

/**
 * Splits the files into `concurrency` GETs run at once on the session (the driver downloads
 * the files of one GET one after another), then verifies every file; files that failed or
 * arrived short get one more GET of their own.
 */
async function downloadAll(
  session: SnowflakeSession,
  concurrency: number,
  job: { readonly prefix: string; readonly dir: string; readonly files: readonly StagedFile[] },
  onProgress: (progress: FetchProgress) => void,
): Promise<void> {
  const totalBytes = job.files.reduce((sum, f) => sum + f.size, 0);
  const done = { bytes: 0, files: 0 };
  const report = () => onProgress({ ...done, totalBytes, totalFiles: job.files.length });
  report();
  const download = async (files: readonly StagedFile[]): Promise<StagedFile[]> => {
    if (files.length === 0) return [];
    await session.query(
      getSql(
        job.prefix,
        job.dir,
        files.map((f) => f.name),
      ),
      [],
      {
        what: `downloading ${files.length} file(s) of ${job.prefix}`,
      },
    );
    const bad: StagedFile[] = [];
    for (const file of files) {
      if ((await localSize(join(job.dir, file.name))) === file.size) {
        done.bytes += file.size;
        done.files += 1;
      } else bad.push(file);
    }
    report();
    return bad;
  };
  const groups = Array.from({ length: Math.max(1, concurrency) }, (_, g) =>
    job.files.filter((_, i) => i % Math.max(1, concurrency) === g),
  );
  const retry = (await Promise.all(groups.map(download))).flat();
  const failed = await download(retry);
  if (failed.length > 0) {
    const names = failed.map((f) => f.name).join(", ");
    throw snowflakeUnavailable(
      "download",
      `the bulk download of ${job.prefix} failed twice for ${names} (missing or not the size Snowflake listed); nothing of it was loaded`,
    );
  }
}

/** A local file's size, or -1 when it is not there. */
async function localSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}

/** Removes the table's files from the stage and drops a temporary stage. */
async function cleanUp(
  session: SnowflakeSession,
  prefix: string,
  temporaryStage: string | undefined,
): Promise<void> {
  await session.query(removeSql(prefix), [], { what: `removing ${prefix}` });
  if (temporaryStage !== undefined) {
    await session.query(dropStageSql(temporaryStage), [], {
      what: `dropping the temporary stage ${temporaryStage}`,
    });
  }
}
