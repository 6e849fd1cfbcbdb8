import {
  DOUBLE,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from "@duckdb/node-api";

/**
 * A value that may be bound to a `?` placeholder. Request values only ever reach SQL this way,
 * never spliced into the text. A string array binds as `VARCHAR[]` (for `IN (SELECT unnest(?))`).
 */
export type SqlParam = string | number | boolean | bigint | null | readonly string[];

/**
 * A row as the query layer sees it: DECIMAL and BIGINT arrive as exact strings, DATE as
 * `YYYY-MM-DD`, TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]`, DOUBLE and INTEGER as numbers.
 * Strings for decimals are what keep money exact from DuckDB to the client.
 */
export type SqlRow = Record<string, JsonValue>;

/** The JSON-shaped values DuckDB's JSON converter produces. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The narrow window through which code outside `src/snapshot` runs SQL on a snapshot (the
 * derived-table builds of the syncer, the questions of the query layer). It exists so that only
 * this folder imports DuckDB, and so that every statement takes its values as bound parameters.
 */
export interface SqlRunner {
  /** Runs a statement for its effect (DDL, INSERT ... SELECT). */
  run(sql: string, params?: readonly SqlParam[]): Promise<void>;
  /** Runs a query and returns every row, converted as {@link SqlRow} describes. */
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
}

/** Adapts one DuckDB connection to {@link SqlRunner}, for builds: statements run once. */
export function connectionRunner(connection: DuckDBConnection): SqlRunner {
  return {
    async run(sql, params) {
      const [values, types] = bindable(params);
      await connection.run(sql, values, types);
    },
    async all(sql, params) {
      const [values, types] = bindable(params);
      const reader = await connection.runAndReadAll(sql, values, types);
      return reader.getRowObjectsJson() as SqlRow[];
    },
  };
}

/**
 * Adapts one DuckDB connection to {@link SqlRunner} for reads that repeat: each distinct SQL
 * text is prepared once and kept, so a lookup pays only for binding and execution.
 */
export function preparedRunner(connection: DuckDBConnection): SqlRunner {
  const prepared = new Map<string, Promise<DuckDBPreparedStatement>>();
  const statement = (sql: string): Promise<DuckDBPreparedStatement> => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = connection.prepare(sql);
      found.catch(() => prepared.delete(sql));
      prepared.set(sql, found);
    }
    return found;
  };
  const execute = async (sql: string, params: readonly SqlParam[] | undefined) => {
    const stmt = await statement(sql);
    const [values, types] = bindable(params);
    if (values === undefined) stmt.clearBindings();
    else stmt.bind(values, types);
    return stmt.runAndReadAll();
  };
  return {
    async run(sql, params) {
      await execute(sql, params);
    },
    async all(sql, params) {
      return (await execute(sql, params)).getRowObjectsJson() as SqlRow[];
    },
  };
}

const varcharList = LIST(VARCHAR);

/**
 * Converts bound values for DuckDB. Binds string lists as VARCHAR[]. DuckDB infers BIGINT for an integer-valued JS number, which
 * overflows for the large but integral doubles statistics produce (the variance of big money
 * values), so such numbers bind as DOUBLE, which is what they are.
 */
export function bindable(
  params: readonly SqlParam[] | undefined,
): [DuckDBValue[] | undefined, DuckDBType[] | undefined] {
  if (params === undefined || params.length === 0) return [undefined, undefined];
  let types: (DuckDBType | undefined)[] | undefined;
  const typed = (index: number, type: DuckDBType) => {
    types ??= new Array<DuckDBType | undefined>(params.length);
    types[index] = type;
  };
  const values = params.map((param, index): DuckDBValue => {
    if (Array.isArray(param)) {
      typed(index, varcharList);
      return listValue(param as readonly string[]);
    }
    if (typeof param === "number" && Number.isInteger(param) && !Number.isSafeInteger(param)) {
      typed(index, DOUBLE);
    }
    return param as Exclude<SqlParam, readonly string[]>;
  });
  return [values, types as DuckDBType[] | undefined];
}
