import { AppError } from "../app-error.js";
import { BASE_TABLE_NAMES, storedOrder } from "../schema/schema-sql.js";
import type { SnapshotInfo } from "../snapshot/snapshot.js";
import type { CopyOutcome, CopyRequest, ExportFileFormat } from "../snapshot/snapshot-export.js";
import type { SqlParam } from "../snapshot/sql-runner.js";
import { EXPORT_TABLE_NAMES, EXPORT_TABLES, type ExportColumn } from "./export-tables.js";
import { withPendingWrites } from "./overlay-reader.js";
import type { PendingWrites } from "./pending-writes.js";
import type { AnswerMeta, ReadPolicy } from "./read-router.js";

/**
 * An overlaid export of a base table sorted as the table is stored: the overlay puts the
 * written rows after the snapshot's, where the next snapshot will not, and an export promises
 * the stored order. Only overlaid exports pay for the sort; the others read the stored order.
 */
function inStoredOrder(table: string, sql: string): string {
  const base = BASE_TABLE_NAMES.find((name) => name === table);
  return base === undefined ? sql : `${sql} ORDER BY ${storedOrder(base)}`;
}

/** What a caller asks to export, in the query layer's words. */
export interface ExportArgs {
  readonly table: string;
  readonly format: ExportFileFormat;
  /** Column names; empty means all, in the table's order. */
  readonly columns: readonly string[];
  /** Each keeps rows whose column equals one of its values; they combine with AND. */
  readonly filters: readonly { readonly column: string; readonly values: readonly string[] }[];
}

/** A checked export: the SELECT (allow-listed identifiers, bound values) and its columns. */
export interface ExportPlan {
  readonly table: string;
  readonly format: ExportFileFormat;
  readonly columns: readonly string[];
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** What writes an export file from the live snapshot: the snapshot store. */
export interface ExportWriter {
  readonly live: SnapshotInfo | undefined;
  exportTo(
    request: CopyRequest,
    signal?: AbortSignal,
  ): Promise<(CopyOutcome & { info: SnapshotInfo }) | undefined>;
}

/**
 * Checks an export request against the allow-lists and builds its SELECT. Identifiers come only
 * from {@link EXPORT_TABLES}; filter values are bound as one `VARCHAR[]` each. An unknown
 * table, column or filter column is INVALID_ARGUMENT naming the request field and what is
 * allowed.
 */
export function planExport(args: ExportArgs): ExportPlan {
  const spec = EXPORT_TABLES[args.table];
  if (spec === undefined || !Object.hasOwn(EXPORT_TABLES, args.table)) {
    throw invalid("table", `${quote(args.table)} cannot be exported`, EXPORT_TABLE_NAMES);
  }
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const allowed = spec.columns.map((c) => c.name);
  const columns = args.columns.map((name, i): ExportColumn => {
    const found = byName.get(name);
    if (found === undefined) {
      throw invalid(`columns[${i}]`, `${quote(name)} is not a column of ${args.table}`, allowed);
    }
    return found;
  });
  const chosen = columns.length === 0 ? spec.columns : columns;
  const where: string[] = [];
  const params: SqlParam[] = [];
  args.filters.forEach((filter, i) => {
    const column = spec.filters.includes(filter.column) ? byName.get(filter.column) : undefined;
    if (column === undefined) {
      throw invalid(
        `filters[${i}].column`,
        `${args.table} cannot be filtered on ${quote(filter.column)}`,
        spec.filters,
      );
    }
    where.push(`list_contains(?::VARCHAR[], ${column.sql}::VARCHAR)`);
    params.push(filter.values);
  });
  const select = chosen.map((c) => `${selectExpr(c, args.format)} AS "${c.name}"`).join(", ");
  const filtered = where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`;
  return {
    table: args.table,
    format: args.format,
    columns: chosen.map((c) => c.name),
    sql: `SELECT ${select} FROM ${spec.relation}${filtered}`,
    params,
  };
}

/**
 * Writes `plan` to `path` from the snapshot. UNAVAILABLE when the caller required live data
 * (exports read the snapshot only) or no snapshot is loaded; RESOURCE_EXHAUSTED, naming the
 * limit, when more than `maxRows` rows match (nothing is written then). The answer says where
 * the rows came from and how old they are; a snapshot older than the caller's budget answers
 * anyway, flagged as a stale fallback, as the router does for snapshot-only questions.
 */
export async function writeExport(
  writer: ExportWriter,
  plan: ExportPlan,
  options: {
    readonly path: string;
    readonly maxRows: number;
    readonly policy: ReadPolicy;
    readonly defaultMaxStalenessMs: number;
    readonly signal?: AbortSignal;
    readonly now?: () => number;
    /** Writes not yet in the snapshot, laid over the base tables the export reads. */
    readonly pending?: PendingWrites;
  },
): Promise<{ rows: number; meta: AnswerMeta }> {
  if (options.policy.freshness === "live_required") {
    throw new AppError(
      "unavailable",
      "live data was required but exports are answered from the snapshot only",
    );
  }
  const live = writer.live;
  const view = live === undefined ? undefined : options.pending?.newerThan(live.dataAsOf);
  const overlaid = view === undefined ? undefined : withPendingWrites(plan.sql, view);
  const includesPendingWrites = overlaid !== undefined && overlaid.params.length > 0;
  const request = {
    ...plan,
    ...(overlaid !== undefined && includesPendingWrites
      ? {
          sql: inStoredOrder(plan.table, overlaid.sql),
          params: [...overlaid.params, ...plan.params],
        }
      : {}),
    path: options.path,
    maxRows: options.maxRows,
  };
  const done = await writer.exportTo(request, options.signal);
  if (done === undefined) {
    throw new AppError(
      "unavailable",
      "no snapshot is loaded, so there is nothing to export; /readyz and GetSyncStatus say why and when the next sync is",
    );
  }
  if (!done.written) {
    throw new AppError(
      "resource_exhausted",
      `${done.rows} rows match, more than MAX_EXPORT_ROWS (${options.maxRows}) allows; add filters`,
    );
  }
  const now = options.now?.() ?? Date.now();
  const ageMs = Math.max(0, now - done.info.dataAsOf.getTime());
  const budget = options.policy.maxStalenessMs ?? options.defaultMaxStalenessMs;
  const stale = options.policy.freshness === "cached_allowed" && ageMs > budget;
  return {
    rows: done.rows,
    meta: {
      source: "snapshot",
      sourceIdentity: done.info.sourceIdentity,
      snapshotId: done.info.id,
      dataAsOf: done.info.dataAsOf,
      ageMs,
      staleFallback: stale,
      fallbackReason: stale
        ? `the snapshot is ${Math.round(ageMs / 1000)} s old, older than the ${Math.round(budget / 1000)} s allowed, and exports are answered from the snapshot only`
        : "",
      pendingWrites: view?.size ?? 0,
      includesPendingWrites,
    },
  };
}

/** A column's SELECT expression: NDJSON carries decimals as exact strings. */
function selectExpr(column: ExportColumn, format: ExportFileFormat): string {
  return column.decimal === true && format === "ndjson" ? `${column.sql}::VARCHAR` : column.sql;
}

function invalid(field: string, why: string, allowed: readonly string[]): AppError {
  return new AppError("invalid_argument", `${field}: ${why}; one of: ${allowed.join(", ")}`, {
    field,
  });
}

function quote(text: string): string {
  return JSON.stringify(text);
}
