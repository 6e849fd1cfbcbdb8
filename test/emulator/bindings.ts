/**
 * Snowflake positional bindings (`"bindings": {"1": {"type": "FIXED", "value": "42"}}`) and
 * how they are bound to a DuckDB prepared statement. Values travel as strings; where DuckDB
 * knows the parameter's type from context it casts the string itself, otherwise the
 * Snowflake bind type decides (FIXED → integer or decimal, REAL → double, BOOLEAN, TEXT).
 *
 * @module
 */
import { type DuckDBPreparedStatement, DuckDBTypeId, decimalValue } from "@duckdb/node-api";
import { asRecord } from "./http-util.js";
import { SnowflakeError } from "./types.js";

/** One scalar binding. */
export interface Binding {
  /** Snowflake bind type, upper case (`FIXED`, `REAL`, `TEXT`, `BOOLEAN`, `DATE`, …). */
  readonly type: string;
  readonly value: string | null;
}

/** Parsed bindings: one list for a single execution, several for array binds (one per row). */
export type BindingRows = readonly (readonly Binding[])[];

const UNKNOWN_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.INVALID,
  DuckDBTypeId.ANY,
  DuckDBTypeId.SQLNULL,
  DuckDBTypeId.STRING_LITERAL,
  DuckDBTypeId.INTEGER_LITERAL,
]);

const scalar = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * Reads the `bindings` object of a query-request. Array binds (each value an array, one
 * entry per row) become one binding list per row; otherwise there is one list.
 */
export function parseBindings(raw: unknown): BindingRows {
  const record = asRecord(raw);
  if (record === undefined) return [[]];
  const keys = Object.keys(record)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b));
  const entries = keys.map((key) => {
    const entry = asRecord(record[key]) ?? {};
    return { type: String(entry.type ?? "TEXT").toUpperCase(), value: entry.value };
  });
  const rows = entries.reduce(
    (max, entry) => (Array.isArray(entry.value) ? Math.max(max, entry.value.length) : max),
    -1,
  );
  if (rows < 0) return [entries.map((entry) => ({ type: entry.type, value: scalar(entry.value) }))];
  return Array.from({ length: rows }, (_, row) =>
    entries.map((entry) => ({
      type: entry.type,
      value: scalar(Array.isArray(entry.value) ? (entry.value as unknown[])[row] : entry.value),
    })),
  );
}

function bindByType(
  prepared: DuckDBPreparedStatement,
  index: number,
  binding: Binding & { value: string },
): void {
  const { type, value } = binding;
  if (type === "FIXED" && /^-?\d+$/.test(value)) {
    const big = BigInt(value);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) prepared.bindBigInt(index, big);
    else prepared.bindHugeInt(index, big);
  } else if (type === "FIXED" && /^-?\d*\.\d+$/.test(value)) {
    const scale = value.length - value.indexOf(".") - 1;
    prepared.bindDecimal(index, decimalValue(BigInt(value.replace(".", "")), 38, scale));
  } else if (type === "REAL" || type === "FIXED") {
    prepared.bindDouble(index, Number(value));
  } else if (type === "BOOLEAN") {
    prepared.bindBoolean(index, /^(true|1|yes|on)$/i.test(value));
  } else {
    prepared.bindVarchar(index, value);
  }
}

/**
 * Binds `bindings` to `prepared`: placeholder `$k` takes `bindings[order[k-1]]`.
 * Throws Snowflake's 002049 when a placeholder has no binding.
 */
export function bindParameters(
  prepared: DuckDBPreparedStatement,
  bindings: readonly Binding[],
  order: readonly number[],
): void {
  for (let k = 1; k <= prepared.parameterCount; k++) {
    const binding = bindings[order[k - 1] ?? -1];
    if (binding === undefined) {
      throw new SnowflakeError({
        code: "002049",
        sqlState: "42601",
        type: "COMPILATION",
        message: "SQL compilation error: error line 1 at position 0\nBind variable ? not set.",
      });
    }
    if (binding.value === null) {
      prepared.bindNull(k);
    } else if (UNKNOWN_TYPES.has(prepared.parameterTypeId(k))) {
      bindByType(prepared, k, { type: binding.type, value: binding.value });
    } else {
      prepared.bindVarchar(k, binding.value);
    }
  }
}
