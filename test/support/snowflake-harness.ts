import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { SnowflakeConfig } from "../../src/config.js";
import { SnapshotStore } from "../../src/snapshot/snapshot-store.js";
import type { Source } from "../../src/source/source.js";
import { BASE_TABLES, type BaseTable } from "../../src/source/table-feed.js";
import { Syncer } from "../../src/sync/syncer.js";

/** The emulator's default login, database and schema, pointed at `url`. */
export function emulatorConfig(
  url: string,
  overrides: Partial<SnowflakeConfig> = {},
): SnowflakeConfig {
  return {
    account: "emulator",
    user: "analytics",
    password: "emulator",
    privateKeyPath: undefined,
    warehouse: "EMULATOR_WH",
    database: "ANALYTICS",
    schema: "PUBLIC",
    role: undefined,
    accessUrl: url,
    ...overrides,
  };
}

/** A snapshot store in a fresh temporary directory, with a syncer over `source`. */
export interface SyncHarness {
  readonly store: SnapshotStore;
  readonly syncer: Syncer;
  /** Every row of `table` as text (NULL as null), sorted, read from the live snapshot. */
  rows(table: BaseTable): Promise<(string | null)[][]>;
  close(): Promise<void>;
}

/** Builds a {@link SyncHarness}; `close` closes the store and removes the directory. */
export async function syncHarness(source: Source): Promise<SyncHarness> {
  const dir = await mkdtemp(join(tmpdir(), "snowflake-sync-"));
  const log = pino({ level: "silent" });
  const store = new SnapshotStore(dir, log);
  await store.openLast();
  const syncer = new Syncer(source, store, log);
  return {
    store,
    syncer,
    async rows(table) {
      const columns = BASE_TABLES[table].map((c) => `CAST("${c}" AS VARCHAR) AS "${c}"`);
      const answer = await store.read((db) =>
        db.all(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY 1`),
      );
      if (answer === undefined) throw new Error("no snapshot is live");
      return answer.value.map((row) =>
        BASE_TABLES[table].map((c) => (row[c] === null ? null : String(row[c]))),
      );
    },
    async close() {
      await syncer.idle();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
