import { AppError } from "../app-error.js";
import type { BaseTableName } from "../schema/base-tables.js";
import {
  DEFAULT_BLOCKING_CHECKS,
  SHRINK_CHECK_KINDS,
  VALIDATION_CHECKS,
  type ValidationCheck,
} from "../schema/validation-spec.js";
import type { SqlRunner } from "./sql-runner.js";

/** Something validation or the source noticed about the loaded rows, kept in the snapshot. */
export interface ValidationNote {
  readonly kind: "dropped" | "check";
  readonly message: string;
  readonly rows: number;
}

/** Which checks block and how far a table may shrink; the rest of the spec reports. */
export interface ValidationPolicy {
  /** Ids of the checks that fail the sync (`SYNC_BLOCKING_CHECKS`). */
  readonly blocking: ReadonlySet<string>;
  /** Largest share (0 to 1) of the live snapshot's rows a table may lose (`SYNC_MAX_SHRINK`). */
  readonly maxShrink: number;
  /** Waives the empty-table and shrink checks for this one run (`TriggerSync{allow_shrink}`). */
  readonly allowShrink: boolean;
}

/**
 * The policy when none is given: today's blocking set and no shrink limit (the service passes
 * `SYNC_MAX_SHRINK`, 0.5 by default).
 */
export const DEFAULT_POLICY: ValidationPolicy = {
  blocking: new Set(DEFAULT_BLOCKING_CHECKS),
  maxShrink: 1,
  allowShrink: false,
};

/** What the build knows of each table's size: loaded, reported by the source, in the live snapshot. */
export interface TableCounts {
  readonly loaded: Readonly<Record<BaseTableName, number>>;
  readonly reported: Readonly<Partial<Record<BaseTableName, number>>>;
  /** Rows of the live snapshot; undefined on the first sync into an empty DATA_DIR. */
  readonly live: Readonly<Partial<Record<BaseTableName, number>>> | undefined;
}

/**
 * A sync stopped by a blocking check. It names the check, the table and how many rows failed,
 * which the sync status and `/readyz` repeat; the build's file is removed and the live snapshot
 * keeps serving.
 */
export class BlockedSyncError extends AppError {
  override readonly name = "BlockedSyncError";

  constructor(
    readonly check: string,
    readonly table: string,
    readonly rows: number,
    message: string,
  ) {
    super("invalid_data", message);
  }

  /** Only errors built by this class: AppError's brand check would accept any AppError. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      Object.getPrototypeOf(value) === BlockedSyncError.prototype
    );
  }
}

/** One check's outcome: how many rows fail and what a person reads about it. */
interface Outcome {
  readonly rows: number;
  readonly message: string;
}

/**
 * Runs every check of the spec (except the column checks, which file sources run before
 * loading) against the loaded base tables. The first failing check that blocks throws a
 * {@link BlockedSyncError}; failing checks that report become notes of the snapshot (the
 * data-quality report shows the same checks with samples).
 */
export async function validateBaseTables(
  db: SqlRunner,
  counts: TableCounts,
  policy: ValidationPolicy = DEFAULT_POLICY,
): Promise<ValidationNote[]> {
  const notes: ValidationNote[] = [];
  for (const check of VALIDATION_CHECKS) {
    if (!worthRunning(check, policy)) continue;
    const outcome = await evaluate(db, check, counts, policy);
    if (outcome === undefined) continue;
    const waived = policy.allowShrink && SHRINK_CHECK_KINDS.has(check.kind);
    if (policy.blocking.has(check.id) && !waived) {
      const advice = SHRINK_CHECK_KINDS.has(check.kind)
        ? "; TriggerSync with force and allow_shrink takes it anyway"
        : "";
      throw new BlockedSyncError(
        check.id,
        check.table,
        outcome.rows,
        `sync blocked by check ${check.id}: ${outcome.message}; the live snapshot keeps serving${advice}`,
      );
    }
    notes.push({ kind: "check", message: `${check.id}: ${outcome.message}`, rows: outcome.rows });
  }
  return notes;
}

/**
 * Row checks that only report are left to the data-quality report, which evaluates them anyway
 * (with samples); orphans are still counted here, as before, for the snapshot's notes. Column
 * checks are run by file sources before loading.
 */
function worthRunning(check: ValidationCheck, policy: ValidationPolicy): boolean {
  if (check.kind === "columns") return false;
  if (check.sql === undefined || check.kind === "foreign_key") return true;
  return policy.blocking.has(check.id);
}

async function evaluate(
  db: SqlRunner,
  check: ValidationCheck,
  counts: TableCounts,
  policy: ValidationPolicy,
): Promise<Outcome | undefined> {
  const loaded = counts.loaded[check.table];
  switch (check.kind) {
    case "row_count": {
      const reported = counts.reported[check.table];
      if (reported === undefined || reported === loaded) return undefined;
      return {
        rows: Math.abs(reported - loaded),
        message: `${check.table}: the source reported ${reported} rows but ${loaded} arrived; the sync was abandoned`,
      };
    }
    case "not_empty":
      return loaded > 0 ? undefined : { rows: 0, message: `${check.table} would be empty` };
    case "shrink":
      return shrinkOutcome(check.table, loaded, counts.live?.[check.table], policy.maxShrink);
    default:
      return rowOutcome(db, check);
  }
}

/** Blocked when the table would lose more than `maxShrink` of the live snapshot's rows. */
function shrinkOutcome(
  table: string,
  loaded: number,
  live: number | undefined,
  maxShrink: number,
): Outcome | undefined {
  if (live === undefined || live === 0 || loaded >= live) return undefined;
  const lost = live - loaded;
  if (lost / live <= maxShrink) return undefined;
  const percent = Math.round((lost / live) * 1000) / 10;
  return {
    rows: lost,
    message: `${table} would shrink from ${live} to ${loaded} rows (${lost} fewer, ${percent} %; SYNC_MAX_SHRINK allows ${maxShrink * 100} %)`,
  };
}

async function rowOutcome(db: SqlRunner, check: ValidationCheck): Promise<Outcome | undefined> {
  if (check.sql === undefined) return undefined;
  const [row] = await db.all(check.sql);
  const rows = Number(row?.n ?? 0);
  if (rows === 0) return undefined;
  const example = row?.example === null || row?.example === undefined ? "" : String(row.example);
  const where = `${check.table}.${check.column ?? ""}`;
  const forExample = example === "" ? "" : ` (for example ${JSON.stringify(example)})`;
  const what: Record<string, string> = {
    unique: `${where} is not unique: ${rows} values occur more than once${forExample}`,
    not_null: `${where} is null in ${rows} rows`,
    foreign_key: `${rows} rows of ${check.table} point at a missing ${check.column ?? "key"}${forExample}`,
    range: `${where} is out of range in ${rows} rows${forExample}`,
  };
  return { rows, message: what[check.kind] ?? `${check.description}: ${rows} rows fail` };
}
