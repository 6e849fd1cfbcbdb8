/**
 * Encodes DuckDB result columns the way Snowflake's JSON result format does: a `rowtype`
 * entry per column (lower-case type names, precision/scale) and every non-null value as a
 * string — FIXED as exact decimal text, DATE as days since 1970-01-01, TIMESTAMP_NTZ/LTZ as
 * epoch seconds with nine fractional digits, TIME as seconds since midnight, BOOLEAN as
 * "1"/"0", BINARY as upper-case hex, nested values as JSON text (VARIANT).
 *
 * @module
 */
import {
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalType,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";

/** One `rowtype` entry as the driver reads it. */
export interface RowTypeEntry {
  readonly name: string;
  readonly type: string;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly length: number | null;
  readonly byteLength: number | null;
  readonly nullable: boolean;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly collation: null;
}

/** Turns one DuckDB value into its Snowflake wire text (never called with null). */
export type ValueEncoder = (value: DuckDBValue) => string;

/** The Snowflake type of a column and how its values are written. */
export interface ColumnEncoding {
  readonly snowflakeType: string;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly length: number | null;
  readonly encode: ValueEncoder;
}

const MAX_TEXT = 16_777_216;
const MAX_BINARY = 8_388_608;

/** Formats `count` units (`unitsPerSecond` per second) as `secs.fffffffff`. */
export function epochText(count: bigint, unitsPerSecond: bigint): string {
  const negative = count < 0n;
  const abs = negative ? -count : count;
  const seconds = abs / unitsPerSecond;
  const nanos = ((abs % unitsPerSecond) * 1_000_000_000n) / unitsPerSecond;
  return `${negative ? "-" : ""}${seconds}.${nanos.toString().padStart(9, "0")}`;
}

const asText: ValueEncoder = (value) => String(value);
const hasMicros = (value: DuckDBValue): bigint =>
  typeof value === "object" && value !== null && "micros" in value ? (value.micros as bigint) : 0n;
const hasField = (value: DuckDBValue, field: "seconds" | "millis" | "nanos"): bigint =>
  typeof value === "object" && value !== null && field in value
    ? ((value as unknown as Record<string, bigint>)[field] as bigint)
    : 0n;

const fixed = (precision: number, scale: number): ColumnEncoding => ({
  snowflakeType: "fixed",
  precision,
  scale,
  length: null,
  encode: asText,
});

const timestamp = (
  kind: "timestamp_ntz" | "timestamp_ltz",
  encode: ValueEncoder,
): ColumnEncoding => ({
  snowflakeType: kind,
  precision: 0,
  scale: 9,
  length: null,
  encode,
});

/** Chooses the Snowflake type and value encoder for a DuckDB column type. */
export function columnEncoding(type: DuckDBType): ColumnEncoding {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return {
        snowflakeType: "boolean",
        precision: null,
        scale: null,
        length: null,
        encode: (v) => (v === true ? "1" : "0"),
      };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return fixed(38, 0);
    case DuckDBTypeId.DECIMAL: {
      const decimal = type as DuckDBDecimalType;
      return fixed(decimal.width, decimal.scale);
    }
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { snowflakeType: "real", precision: null, scale: null, length: null, encode: asText };
    case DuckDBTypeId.DATE:
      return {
        snowflakeType: "date",
        precision: null,
        scale: null,
        length: null,
        encode: (v) => String((v as DuckDBDateValue).days),
      };
    case DuckDBTypeId.TIME:
      return {
        snowflakeType: "time",
        precision: 0,
        scale: 9,
        length: null,
        encode: (v) => epochText(hasMicros(v), 1_000_000n),
      };
    case DuckDBTypeId.TIMESTAMP:
      return timestamp("timestamp_ntz", (v) => epochText(hasMicros(v), 1_000_000n));
    case DuckDBTypeId.TIMESTAMP_S:
      return timestamp("timestamp_ntz", (v) => epochText(hasField(v, "seconds"), 1n));
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestamp("timestamp_ntz", (v) => epochText(hasField(v, "millis"), 1000n));
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestamp("timestamp_ntz", (v) => epochText(hasField(v, "nanos"), 1_000_000_000n));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestamp("timestamp_ltz", (v) => epochText(hasMicros(v), 1_000_000n));
    case DuckDBTypeId.BLOB:
      return {
        snowflakeType: "binary",
        precision: null,
        scale: null,
        length: MAX_BINARY,
        encode: (v) =>
          Buffer.from((v as DuckDBBlobValue).bytes)
            .toString("hex")
            .toUpperCase(),
      };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
      return {
        snowflakeType: "variant",
        precision: null,
        scale: null,
        length: null,
        encode: (v) => JSON.stringify(JsonDuckDBValueConverter(v, type, JsonDuckDBValueConverter)),
      };
    case DuckDBTypeId.VARCHAR:
      return type.alias === "JSON"
        ? { snowflakeType: "variant", precision: null, scale: null, length: null, encode: asText }
        : { snowflakeType: "text", precision: null, scale: null, length: MAX_TEXT, encode: asText };
    default:
      return {
        snowflakeType: "text",
        precision: null,
        scale: null,
        length: MAX_TEXT,
        encode: asText,
      };
  }
}

/**
 * The column name Snowflake would report: unquoted identifiers are upper case in Snowflake,
 * so DuckDB's names are upper-cased unless the statement wrote them in double quotes.
 */
export function snowflakeColumnName(name: string, quoted: ReadonlySet<string>): string {
  return quoted.has(name) ? name : name.toUpperCase();
}

/** Builds the `rowtype` entry of a column. */
export function rowTypeEntry(
  name: string,
  encoding: ColumnEncoding,
  where: { database: string; schema: string },
): RowTypeEntry {
  return {
    name,
    type: encoding.snowflakeType,
    precision: encoding.precision,
    scale: encoding.scale,
    length: encoding.length,
    byteLength: encoding.length,
    nullable: true,
    database: where.database,
    schema: where.schema,
    table: "",
    collation: null,
  };
}

/** A column of a synthetic result (DML counts are `fixed`, statuses `text`). */
export function syntheticColumn(name: string, type: "fixed" | "text"): RowTypeEntry {
  const encoding: ColumnEncoding =
    type === "fixed"
      ? fixed(19, 0)
      : { snowflakeType: "text", precision: null, scale: null, length: MAX_TEXT, encode: asText };
  return rowTypeEntry(name, encoding, { database: "", schema: "" });
}

/**
 * The session parameters sent with every query result. The driver crashes on TIMESTAMP or
 * BINARY columns without `TIMEZONE` / `BINARY_OUTPUT_FORMAT`, so they are always present.
 */
export function resultParameters(
  jsTreatIntegerAsBigInt: boolean,
): { name: string; value: string | number | boolean }[] {
  const parameters: { name: string; value: string | number | boolean }[] = [
    { name: "TIMEZONE", value: "UTC" },
    { name: "DATE_OUTPUT_FORMAT", value: "YYYY-MM-DD" },
    { name: "TIME_OUTPUT_FORMAT", value: "HH24:MI:SS" },
    { name: "TIMESTAMP_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" },
    { name: "TIMESTAMP_NTZ_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3" },
    { name: "TIMESTAMP_LTZ_OUTPUT_FORMAT", value: "" },
    { name: "TIMESTAMP_TZ_OUTPUT_FORMAT", value: "" },
    { name: "BINARY_OUTPUT_FORMAT", value: "HEX" },
    { name: "CLIENT_RESULT_CHUNK_SIZE", value: 160 },
  ];
  if (jsTreatIntegerAsBigInt) parameters.push({ name: "JS_TREAT_INTEGER_AS_BIGINT", value: true });
  return parameters;
}
