import { createHash } from "node:crypto";
import { BASE_TABLE_NAMES, createTableSql } from "./schema-sql.js";

/**
 * Raised by hand when the layout of the derived tables or the metadata changes in a way a
 * reader of an older snapshot would misread; changes to the base tables raise the version by
 * themselves (see {@link SNAPSHOT_SCHEMA_VERSION}).
 */
const LAYOUT_REVISION = 1;

/**
 * The version recorded in every snapshot's metadata: the layout revision and a digest of the
 * base tables' DDL. A snapshot on disk whose version differs was built by other code (an older
 * release, a schema before a column was added); it is not opened but rebuilt by a fresh sync,
 * so no query reads a table whose columns it does not expect.
 */
export const SNAPSHOT_SCHEMA_VERSION = `${LAYOUT_REVISION}-${createHash("sha256")
  .update(BASE_TABLE_NAMES.map(createTableSql).join(";\n"))
  .digest("hex")
  .slice(0, 12)}`;
