import { AppError } from "../app-error.js";
import type { Bind, QueryResult, ResultColumn, SnowflakeClient } from "./snowflake-client.js";
import { snowflakeUnavailable } from "./snowflake-errors.js";

/**
 * A value the query layer may bind (the same set as the snapshot's `SqlParam`). A bigint binds
 * as its decimal text; a string list binds as its JSON text, for Snowflake SQL such as
 * `IN (SELECT value FROM TABLE(FLATTEN(PARSE_JSON(?))))`.
 */
export type LiveParam = string | number | boolean | bigint | null | readonly string[];

/** A JSON-shaped value, as the snapshot's rows hold them. */
export type LiveValue =
  | string
  | number
  | boolean
  | null
  | readonly LiveValue[]
  | { readonly [key: string]: LiveValue };

/**
 * A row shaped like a snapshot row (`SqlRow`): lower-case column names, exact decimals as
 * strings, integers as numbers when they fit, dates as `YYYY-MM-DD`, booleans as booleans.
 * The query layer can then map live and snapshot answers with the same code.
 */
export type LiveRow = Record<string, LiveValue>;

/** Runs the query layer's Snowflake SQL; structurally a `LiveRunner` (`Reader`) of `src/query`. */
export interface SnowflakeLiveRunner {
  all(sql: string, params?: readonly LiveParam[]): Promise<LiveRow[]>;
  /** Slot usage right now, for the live-query concurrency metrics. */
  stats?(): { active: number; waiting: number; slots: number };
}

/** Bounds of live queries. */
export interface LiveOptions {
  /** Statements running at once; more wait their turn (within their timeout). */
  readonly maxConcurrent: number;
  /** Per call, waiting included; past it the statement is canceled. */
  readonly timeoutMs: number;
}

/**
 * Live answers from Snowflake with bounded concurrency and a per-call deadline, so that a slow
 * or unreachable Snowflake costs a caller at most `timeoutMs` and never more than
 * `maxConcurrent` sessions. Every failure is a `unavailable` AppError.
 */
export function snowflakeLiveRunner(
  client: SnowflakeClient,
  options: LiveOptions,
): SnowflakeLiveRunner {
  const slots = new Semaphore(options.maxConcurrent);
  return {
    async all(sql, params = []) {
      const deadline = Date.now() + options.timeoutMs;
      const acquired = await slots.acquire(options.timeoutMs);
      if (!acquired) {
        throw snowflakeUnavailable(
          "busy",
          `all ${options.maxConcurrent} live Snowflake slots stayed busy for ${options.timeoutMs} ms`,
        );
      }
      try {
        const result = await client.query(sql, params.map(toBind), {
          what: "answering a live query",
          timeoutMs: Math.max(1, deadline - Date.now()),
        });
        return toLiveRows(result);
      } catch (err) {
        if (err instanceof AppError && err.reason === "timeout") {
          throw snowflakeUnavailable(
            "timeout",
            `Snowflake did not answer a live query within ${options.timeoutMs} ms; the statement was canceled`,
            { code: err.code, sqlState: err.sqlState },
          );
        }
        throw err;
      } finally {
        slots.release();
      }
    },
    stats: () => ({ active: slots.inUse, waiting: slots.waiting, slots: options.maxConcurrent }),
  };
}

function toBind(param: LiveParam): Bind {
  if (typeof param === "bigint") return param.toString();
  if (Array.isArray(param)) return JSON.stringify(param);
  return param as Bind;
}

/** Converts a driver result (fetched with NUMBER and DATE as strings) into {@link LiveRow}s. */
export function toLiveRows(result: QueryResult): LiveRow[] {
  const names = result.columns.map((column) => column.name.toLowerCase());
  return result.rows.map((row) => {
    const out: LiveRow = {};
    result.columns.forEach((column, index) => {
      out[names[index] as string] = liveValue(row[index], column);
    });
    return out;
  });
}

function liveValue(value: unknown, column: ResultColumn): LiveValue {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case "fixed": {
      const text = String(value);
      if (column.scale > 0) return text;
      const number = Number(text);
      return Number.isSafeInteger(number) ? number : text;
    }
    case "real":
      return Number(value);
    case "boolean":
      return typeof value === "boolean" ? value : /^(true|1)$/i.test(String(value));
    case "variant":
    case "object":
    case "array":
    case "map":
      return jsonValue(value);
    case "binary":
      return Buffer.isBuffer(value) ? value.toString("hex").toUpperCase() : String(value);
    default:
      return typeof value === "string" ? value : String(value);
  }
}

function jsonValue(value: unknown): LiveValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "object") {
    const out: Record<string, LiveValue> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = jsonValue(inner);
    return out;
  }
  return String(value);
}

/**
 * A counting semaphore whose waiters give up after a time limit, so that a queue of live
 * queries behind a slow Snowflake drains by timing out instead of growing without end.
 */
export class Semaphore {
  #free: number;
  readonly #waiting: ((granted: boolean) => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`semaphore size ${size} is not >= 1`);
    this.#free = size;
  }

  /** Slots held now. */
  get inUse(): number {
    return this.size - this.#free;
  }

  /** Callers waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves true once a slot is held, or false when `timeoutMs` passed first. */
  acquire(timeoutMs: number): Promise<boolean> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.#waiting.push(grant);
    });
  }

  /** Gives a slot back, to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free += 1;
    else next(true);
  }
}
