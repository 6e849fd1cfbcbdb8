import { join } from "node:path";
import { EmbeddedDatabase } from "../snapshot/embedded-database.js";
import { localFilesLoad } from "./local-files.js";
import { onlineRetailLoad } from "./online-retail.js";
import type { Source } from "./source.js";
import type { SourceWriter } from "./source-writer.js";
import type { BaseTable, TableFeed } from "./table-feed.js";

/** The database file under DATA_DIR, and where a sync's consistent copy of it goes. */
export const EMBEDDED_DB_FILE = "source.duckdb";
const COPY_DIR = "source-copy";

/** A source that can also take writes. */
export interface WritableSource extends Source {
  readonly writer: SourceWriter;
}

/**
 * The default source without Snowflake: a DuckDB database under `DATA_DIR`, seeded from the
 * bundled Online Retail file on first start and kept across restarts, so writes made through
 * the API survive and the demo shows the whole write path. A sync reads one consistent copy of
 * the three tables; the fingerprint is the count of committed writes, so an unchanged database
 * is not reloaded and every write makes the next sync load. The database is opened on first
 * use, which keeps building the source free. With `SOURCE=embedded` and `LOCAL_SOURCE_DIR`
 * both set, the first start seeds from that directory instead (its files stay untouched).
 */
export function embeddedSource(dataDir: string, seedDir?: string): WritableSource {
  const path = join(dataDir, EMBEDDED_DB_FILE);
  const seed = () => (seedDir === undefined ? onlineRetailLoad() : localFilesLoad(seedDir));
  let opened: Promise<EmbeddedDatabase> | undefined;
  const db = (): Promise<EmbeddedDatabase> => {
    opened ??= EmbeddedDatabase.open(path, seed);
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };
  const copyDir = join(dataDir, COPY_DIR);
  const writer: SourceWriter = {
    target: `embedded:${EMBEDDED_DB_FILE}`,
    async transaction(fn) {
      return (await db()).transaction(fn);
    },
  };
  return {
    kind: "embedded",
    writer,
    async fingerprint() {
      return `embedded:${await (await db()).version()}`;
    },
    async load() {
      const { readAt } = await (await db()).copyTables(copyDir);
      const feed = (table: BaseTable): TableFeed => ({
        kind: "select",
        sql: "SELECT * FROM read_parquet(?)",
        params: [join(copyDir, `${table}.parquet`)],
      });
      return {
        prepare: [],
        tables: {
          customers: feed("customers"),
          products: feed("products"),
          customer_products: feed("customer_products"),
        },
        dropped: [],
        dataAsOf: readAt,
      };
    },
    async close() {
      if (opened !== undefined) await (await opened).close();
    },
  };
}
