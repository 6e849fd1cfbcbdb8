/**
 * Maps DuckDB errors to the Snowflake error codes, SQL states and message shapes the driver
 * surfaces (`err.code`, `err.sqlState`), so tests see what a service would see from
 * Snowflake. The DuckDB text is kept after Snowflake's prefix where there is no exact match.
 *
 * @module
 */
import { SnowflakeError, type SnowflakeErrorInfo } from "./types.js";

/** Snowflake's reply for a cancelled statement. */
export const CANCELED: SnowflakeErrorInfo = {
  code: "000604",
  sqlState: "57014",
  type: "EXECUTION",
  message: "SQL execution canceled",
};

const compilation = (code: string, sqlState: string, message: string): SnowflakeErrorInfo => ({
  code,
  sqlState,
  type: "COMPILATION",
  message: `SQL compilation error:\n${message}`,
});

const execution = (code: string, sqlState: string, message: string): SnowflakeErrorInfo => ({
  code,
  sqlState,
  type: "EXECUTION",
  message,
});

/** One rule: a DuckDB message pattern and the Snowflake error it becomes. */
type Rule = readonly [RegExp, (match: RegExpExecArray, text: string) => SnowflakeErrorInfo];

const unquote = (name: string | undefined): string =>
  (name ?? "").replace(/^["']|["']$/g, "").toUpperCase();

const RULES: readonly Rule[] = [
  [/INTERRUPT/i, () => CANCELED],
  [
    /Parser Error: (.*)/s,
    (m) => compilation("001003", "42000", `syntax error line 1 at position 0 ${m[1] ?? ""}`),
  ],
  [
    /Catalog Error: Table with name (\S+) does not exist/,
    (m) =>
      compilation("002003", "42S02", `Object '${unquote(m[1])}' does not exist or not authorized.`),
  ],
  [
    /Catalog Error: Schema with name (\S+) does not exist/,
    (m) =>
      compilation("002003", "02000", `Schema '${unquote(m[1])}' does not exist or not authorized.`),
  ],
  [
    /Catalog Error: (?:Scalar |Aggregate |Table )?Function with name (\S+) does not exist/,
    (m) => compilation("002140", "42601", `Unknown function ${unquote(m[1])}`),
  ],
  [
    /Binder Error: Referenced column "?([^"\s]+)"? not found/,
    (m) =>
      compilation(
        "000904",
        "42000",
        `error line 1 at position 0\ninvalid identifier '${unquote(m[1])}'`,
      ),
  ],
  [/Binder Error: (.*)/s, (m) => compilation("002016", "22000", m[1] ?? "")],
  [/Catalog Error: (.*)/s, (m) => compilation("002003", "42S02", m[1] ?? "")],
  [
    /Could not convert string '(.*?)' to (?:DATE)/,
    (m) => execution("100040", "22007", `Date '${m[1] ?? ""}' is not recognized`),
  ],
  [
    /Could not convert string '(.*?)' to (?:TIMESTAMP|TIME)/,
    (m) => execution("100035", "22007", `Timestamp '${m[1] ?? ""}' is not recognized`),
  ],
  [
    /Could not convert string '(.*?)' to (?:BOOL)/,
    (m) => execution("100037", "22018", `Boolean value '${m[1] ?? ""}' is not recognized`),
  ],
  [
    /Could not convert string '(.*?)' to/,
    (m) => execution("100038", "22018", `Numeric value '${m[1] ?? ""}' is not recognized`),
  ],
  [
    /Out of Range Error|out of range/i,
    () => execution("100039", "22003", "Numeric value out of range"),
  ],
  [/Constraint Error: (.*)/s, (m) => execution("100072", "22000", m[1] ?? "Constraint violated")],
  [/Conversion Error: (.*)/s, (m) => execution("100038", "22018", m[1] ?? "")],
  [/Invalid Input Error: (.*)/s, (m) => execution("100069", "22000", m[1] ?? "")],
];

/** Turns anything thrown while running a statement into a Snowflake error. */
export function toSnowflakeError(error: unknown): SnowflakeErrorInfo {
  if (error instanceof SnowflakeError) return error.info;
  const text = error instanceof Error ? error.message : String(error);
  for (const [pattern, build] of RULES) {
    const match = pattern.exec(text);
    if (match !== null) return build(match, text);
  }
  return execution("000603", "XX000", `SQL execution internal error:\n${text}`);
}

/** The error for a request naming more than one statement (MULTI_STATEMENT_COUNT is 1). */
export function statementCountError(count: number): SnowflakeError {
  return new SnowflakeError(
    execution(
      "000008",
      "0A000",
      `Actual statement count ${count} did not match the desired statement count 1.`,
    ),
  );
}

/** The error for a statement form the emulator does not support. */
export function unsupported(what: string): SnowflakeError {
  return new SnowflakeError(
    compilation("002045", "0A000", `${what} is not supported by the emulator.`),
  );
}
