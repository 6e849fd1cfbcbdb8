/**
 * The translation table: Snowflake SQL forms DuckDB does not accept, and what the emulator
 * runs instead. `sql-rewriter.ts` applies it token by token (never inside string literals);
 * `docs/emulator.md` lists the same table. Arguments arrive already translated.
 *
 * Forms DuckDB accepts as they are (`ILIKE`, `QUALIFY`, `COALESCE`, `IFNULL`, `NULLIF`,
 * `DATEDIFF('day', …)`, `COUNT_IF`, `MEDIAN`, `ARRAY_AGG`, `SPLIT_PART`, `YEAR()`…) pass through.
 *
 * @module
 */

/** Session values some functions (`CURRENT_DATABASE()` …) are replaced with. */
export interface SessionNames {
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  readonly role: string;
  readonly user: string;
}

/** One row of the function translation table. */
export interface FunctionTranslation {
  /** Snowflake function names this row handles (upper case). */
  readonly names: readonly string[];
  /** The Snowflake form, for documentation. */
  readonly snowflake: string;
  /** The DuckDB form, for documentation. */
  readonly duckdb: string;
  /** Builds the DuckDB text from translated arguments; `undefined` leaves the call as written. */
  readonly rewrite: (args: readonly string[], session: SessionNames) => string | undefined;
}

const quote = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** Date/time part spellings Snowflake accepts, by DuckDB's part name. */
const PART_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  year: ["years", "y", "yy", "yyy", "yyyy", "yr", "yrs"],
  quarter: ["quarters", "q", "qtr", "qtrs"],
  month: ["months", "mm", "mon", "mons"],
  week: ["weeks", "w", "wk", "weekofyear", "woy", "wy"],
  day: ["days", "d", "dd", "dayofmonth"],
  hour: ["hours", "h", "hh", "hr", "hrs"],
  minute: ["minutes", "m", "mi", "min", "mins"],
  second: ["seconds", "s", "sec", "secs"],
  millisecond: ["milliseconds", "ms", "msec"],
  microsecond: ["microseconds", "us", "usec"],
};

const PART_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries(PART_SPELLINGS).flatMap(([part, spellings]) =>
    [part, ...spellings].map((spelling) => [spelling, part] as const),
  ),
);

/** Normalises a date part argument (`day`, `'MONTH'`, `dd`) to DuckDB's name, if known. */
export function datePart(arg: string): string | undefined {
  const bare = /^'(.*)'$/s.exec(arg)?.[1] ?? arg;
  return PART_ALIASES.get(bare.trim().toLowerCase());
}

const INTERVAL_FOR_BUCKET: Readonly<Record<string, string>> = {
  year: "INTERVAL 1 YEAR",
  quarter: "INTERVAL 3 MONTH",
  month: "INTERVAL 1 MONTH",
  week: "INTERVAL 7 DAY",
  day: "INTERVAL 1 DAY",
};

/** Converts a Snowflake date format (`YYYY-MM-DD`) to a strptime format (`%Y-%m-%d`). */
export function strptimeFormat(snowflakeFormat: string): string {
  const map: readonly (readonly [RegExp, string])[] = [
    [/YYYY/g, "%Y"],
    [/YY/g, "%y"],
    [/MON/g, "%b"],
    [/MM/g, "%m"],
    [/DD/g, "%d"],
    [/HH24/g, "%H"],
    [/HH12/g, "%I"],
    [/HH/g, "%H"],
    [/MI/g, "%M"],
    [/SS/g, "%S"],
    [/FF\d?/g, "%f"],
    [/AM|PM/g, "%p"],
  ];
  return map.reduce(
    (fmt, [pattern, replacement]) => fmt.replace(pattern, replacement),
    snowflakeFormat.toUpperCase(),
  );
}

const fixedArity =
  (arity: number, build: (args: readonly string[]) => string) =>
  (args: readonly string[]): string | undefined =>
    args.length === arity ? build(args) : undefined;

const decimalCast =
  (fn: "CAST" | "TRY_CAST") =>
  (args: readonly string[]): string | undefined => {
    const [value, p = "38", s = "0"] = args;
    if (value === undefined || args.length > 3 || !/^\d+$/.test(p) || !/^\d+$/.test(s))
      return undefined;
    return `${fn}(${value} AS DECIMAL(${p},${s}))`;
  };

const dateCast =
  (fn: "CAST" | "TRY_CAST") =>
  (args: readonly string[]): string | undefined => {
    const [value, format] = args;
    if (value === undefined || args.length > 2) return undefined;
    if (format === undefined || /^'auto'$/i.test(format)) return `${fn}(${value} AS DATE)`;
    const literal = /^'(.*)'$/s.exec(format)?.[1];
    if (literal === undefined) return undefined;
    const parse = fn === "TRY_CAST" ? "try_strptime" : "strptime";
    return `CAST(${parse}(${value}, ${quote(strptimeFormat(literal))}) AS DATE)`;
  };

const castTo = (type: string) => fixedArity(1, ([x]) => `CAST(${x} AS ${type})`);
const literal =
  (pick: (session: SessionNames) => string) => (args: readonly string[], session: SessionNames) =>
    args.length === 0 ? quote(pick(session)) : undefined;
const noArgs =
  (text: string) =>
  (args: readonly string[]): string | undefined =>
    args.length <= 1 ? text : undefined;

/** The function translation table. */
export const FUNCTION_TRANSLATIONS: readonly FunctionTranslation[] = [
  {
    names: ["IFF"],
    snowflake: "IFF(c, a, b)",
    duckdb: "CASE WHEN c THEN a ELSE b END",
    rewrite: fixedArity(3, ([c, a, b]) => `(CASE WHEN ${c} THEN ${a} ELSE ${b} END)`),
  },
  {
    names: ["NVL"],
    snowflake: "NVL(a, b)",
    duckdb: "COALESCE(a, b)",
    rewrite: fixedArity(2, ([a, b]) => `COALESCE(${a}, ${b})`),
  },
  {
    names: ["NVL2"],
    snowflake: "NVL2(a, b, c)",
    duckdb: "CASE WHEN a IS NOT NULL THEN b ELSE c END",
    rewrite: fixedArity(3, ([a, b, c]) => `(CASE WHEN ${a} IS NOT NULL THEN ${b} ELSE ${c} END)`),
  },
  {
    names: ["ZEROIFNULL"],
    snowflake: "ZEROIFNULL(x)",
    duckdb: "COALESCE(x, 0)",
    rewrite: fixedArity(1, ([x]) => `COALESCE(${x}, 0)`),
  },
  {
    names: ["NULLIFZERO"],
    snowflake: "NULLIFZERO(x)",
    duckdb: "NULLIF(x, 0)",
    rewrite: fixedArity(1, ([x]) => `NULLIF(${x}, 0)`),
  },
  {
    names: ["DIV0"],
    snowflake: "DIV0(a, b)",
    duckdb: "CASE WHEN b = 0 THEN 0 ELSE a / b END",
    rewrite: fixedArity(2, ([a, b]) => `(CASE WHEN (${b}) = 0 THEN 0 ELSE (${a}) / (${b}) END)`),
  },
  {
    names: ["DIV0NULL"],
    snowflake: "DIV0NULL(a, b)",
    duckdb: "CASE WHEN b = 0 OR b IS NULL THEN 0 ELSE a / b END",
    rewrite: fixedArity(
      2,
      ([a, b]) => `(CASE WHEN COALESCE(${b}, 0) = 0 THEN 0 ELSE (${a}) / (${b}) END)`,
    ),
  },
  {
    names: ["EQUAL_NULL"],
    snowflake: "EQUAL_NULL(a, b)",
    duckdb: "a IS NOT DISTINCT FROM b",
    rewrite: fixedArity(2, ([a, b]) => `((${a}) IS NOT DISTINCT FROM (${b}))`),
  },
  {
    names: ["TO_DATE", "DATE"],
    snowflake: "TO_DATE(x [, fmt])",
    duckdb: "CAST(x AS DATE) / CAST(strptime(x, fmt) AS DATE)",
    rewrite: dateCast("CAST"),
  },
  {
    names: ["TRY_TO_DATE"],
    snowflake: "TRY_TO_DATE(x [, fmt])",
    duckdb: "TRY_CAST(x AS DATE)",
    rewrite: dateCast("TRY_CAST"),
  },
  {
    names: ["TO_TIMESTAMP", "TO_TIMESTAMP_NTZ"],
    snowflake: "TO_TIMESTAMP(x)",
    duckdb: "CAST(x AS TIMESTAMP)",
    rewrite: castTo("TIMESTAMP"),
  },
  {
    names: ["TO_TIMESTAMP_LTZ", "TO_TIMESTAMP_TZ"],
    snowflake: "TO_TIMESTAMP_LTZ(x)",
    duckdb: "CAST(x AS TIMESTAMPTZ)",
    rewrite: castTo("TIMESTAMPTZ"),
  },
  {
    names: ["TO_NUMBER", "TO_DECIMAL", "TO_NUMERIC"],
    snowflake: "TO_NUMBER(x [, p [, s]])",
    duckdb: "CAST(x AS DECIMAL(p,s)) (default 38,0)",
    rewrite: decimalCast("CAST"),
  },
  {
    names: ["TRY_TO_NUMBER", "TRY_TO_DECIMAL", "TRY_TO_NUMERIC"],
    snowflake: "TRY_TO_NUMBER(x [, p [, s]])",
    duckdb: "TRY_CAST(x AS DECIMAL(p,s))",
    rewrite: decimalCast("TRY_CAST"),
  },
  {
    names: ["TO_DOUBLE"],
    snowflake: "TO_DOUBLE(x)",
    duckdb: "CAST(x AS DOUBLE)",
    rewrite: castTo("DOUBLE"),
  },
  {
    names: ["TO_BOOLEAN"],
    snowflake: "TO_BOOLEAN(x)",
    duckdb: "CAST(x AS BOOLEAN)",
    rewrite: castTo("BOOLEAN"),
  },
  {
    names: ["TO_VARCHAR", "TO_CHAR"],
    snowflake: "TO_VARCHAR(x)",
    duckdb: "CAST(x AS VARCHAR)",
    rewrite: castTo("VARCHAR"),
  },
  {
    names: ["DATEADD", "TIMESTAMPADD"],
    snowflake: "DATEADD(part, n, x)",
    duckdb: "x + n * INTERVAL 1 part (a DATE becomes TIMESTAMP)",
    rewrite: (args) => {
      const [p, n, x] = args;
      const part = p === undefined ? undefined : datePart(p);
      if (part === undefined || n === undefined || x === undefined || args.length !== 3)
        return undefined;
      const unit =
        part === "quarter" ? "3 MONTH" : part === "week" ? "7 DAY" : `1 ${part.toUpperCase()}`;
      return `(${x} + CAST(${n} AS BIGINT) * INTERVAL ${unit})`;
    },
  },
  {
    names: ["DATEDIFF", "TIMESTAMPDIFF"],
    snowflake: "DATEDIFF(part, a, b)",
    duckdb: "date_diff('part', a, b)",
    rewrite: (args) => {
      const [p, a, b] = args;
      const part = p === undefined ? undefined : datePart(p);
      return part === undefined || args.length !== 3
        ? undefined
        : `date_diff('${part}', ${a}, ${b})`;
    },
  },
  {
    names: ["DATE_TRUNC"],
    snowflake: "DATE_TRUNC(part, x)",
    duckdb: "time_bucket(INTERVAL 1 part, x) (keeps DATE a DATE); date_trunc for hours and below",
    rewrite: (args) => {
      const [p, x] = args;
      const part = p === undefined ? undefined : datePart(p);
      if (part === undefined || x === undefined || args.length !== 2) return undefined;
      const bucket = INTERVAL_FOR_BUCKET[part];
      return bucket === undefined ? `date_trunc('${part}', ${x})` : `time_bucket(${bucket}, ${x})`;
    },
  },
  {
    names: ["DATE_PART"],
    snowflake: "DATE_PART(part, x)",
    duckdb: "date_part('part', x)",
    rewrite: (args) => {
      const [p, x] = args;
      const part = p === undefined ? undefined : datePart(p);
      return part === undefined || args.length !== 2 ? undefined : `date_part('${part}', ${x})`;
    },
  },
  {
    names: ["CURRENT_TIMESTAMP", "GETDATE", "SYSTIMESTAMP", "LOCALTIMESTAMP"],
    snowflake: "CURRENT_TIMESTAMP()",
    duckdb: "CURRENT_TIMESTAMP (TIMESTAMP_LTZ)",
    rewrite: noArgs("CURRENT_TIMESTAMP"),
  },
  {
    names: ["SYSDATE"],
    snowflake: "SYSDATE()",
    duckdb: "timezone('UTC', CURRENT_TIMESTAMP) (TIMESTAMP_NTZ in UTC)",
    rewrite: noArgs("timezone('UTC', CURRENT_TIMESTAMP)"),
  },
  {
    names: ["CURRENT_DATE"],
    snowflake: "CURRENT_DATE()",
    duckdb: "CURRENT_DATE",
    rewrite: noArgs("CURRENT_DATE"),
  },
  {
    names: ["CURRENT_TIME", "LOCALTIME"],
    snowflake: "CURRENT_TIME()",
    duckdb: "CAST(CURRENT_TIMESTAMP AS TIME)",
    rewrite: noArgs("CAST(CURRENT_TIMESTAMP AS TIME)"),
  },
  {
    names: ["CURRENT_DATABASE"],
    snowflake: "CURRENT_DATABASE()",
    duckdb: "the session's database as a literal",
    rewrite: literal((s) => s.database),
  },
  {
    names: ["CURRENT_SCHEMA"],
    snowflake: "CURRENT_SCHEMA()",
    duckdb: "the session's schema as a literal",
    rewrite: literal((s) => s.schema),
  },
  {
    names: ["CURRENT_WAREHOUSE"],
    snowflake: "CURRENT_WAREHOUSE()",
    duckdb: "the session's warehouse as a literal",
    rewrite: literal((s) => s.warehouse),
  },
  {
    names: ["CURRENT_ROLE"],
    snowflake: "CURRENT_ROLE()",
    duckdb: "the session's role as a literal",
    rewrite: literal((s) => s.role),
  },
  {
    names: ["CURRENT_USER"],
    snowflake: "CURRENT_USER()",
    duckdb: "the login name as a literal",
    rewrite: literal((s) => s.user),
  },
  {
    names: ["CURRENT_ACCOUNT"],
    snowflake: "CURRENT_ACCOUNT()",
    duckdb: "'EMULATOR'",
    rewrite: literal(() => "EMULATOR"),
  },
  {
    names: ["CURRENT_VERSION"],
    snowflake: "CURRENT_VERSION()",
    duckdb: "'9.0.0 (emulator)'",
    rewrite: literal(() => "9.0.0 (emulator)"),
  },
  {
    names: ["LISTAGG"],
    snowflake: "LISTAGG(x [, sep])",
    duckdb: "string_agg(x, sep)",
    rewrite: (args) =>
      args.length === 1 || args.length === 2
        ? `string_agg(${args[0]}, ${args[1] ?? "''"})`
        : undefined,
  },
  {
    names: ["CHARINDEX"],
    snowflake: "CHARINDEX(needle, haystack)",
    duckdb: "instr(haystack, needle)",
    rewrite: fixedArity(2, ([needle, haystack]) => `instr(${haystack}, ${needle})`),
  },
  {
    names: ["LEN"],
    snowflake: "LEN(x)",
    duckdb: "length(x)",
    rewrite: fixedArity(1, ([x]) => `length(${x})`),
  },
  {
    names: ["REGEXP_LIKE", "RLIKE"],
    snowflake: "REGEXP_LIKE(x, pattern)",
    duckdb: "regexp_full_match(x, pattern)",
    rewrite: fixedArity(2, ([x, p]) => `regexp_full_match(${x}, ${p})`),
  },
  {
    names: ["BOOLAND_AGG"],
    snowflake: "BOOLAND_AGG(x)",
    duckdb: "bool_and(x)",
    rewrite: fixedArity(1, ([x]) => `bool_and(${x})`),
  },
  {
    names: ["BOOLOR_AGG"],
    snowflake: "BOOLOR_AGG(x)",
    duckdb: "bool_or(x)",
    rewrite: fixedArity(1, ([x]) => `bool_or(${x})`),
  },
  {
    names: ["UUID_STRING"],
    snowflake: "UUID_STRING()",
    duckdb: "CAST(uuid() AS VARCHAR)",
    rewrite: noArgs("CAST(uuid() AS VARCHAR)"),
  },
];

/** The same table keyed by function name. */
export const FUNCTIONS_BY_NAME: ReadonlyMap<string, FunctionTranslation> = new Map(
  FUNCTION_TRANSLATIONS.flatMap((entry) => entry.names.map((name) => [name, entry] as const)),
);

/**
 * Type names after `::`, inside `CAST(… AS type)` and in `CREATE`/`ALTER` statements.
 * `NUMBER`/`DECIMAL` without precision mean (38,0) in Snowflake but (18,3) in DuckDB, so
 * they always get explicit arguments.
 */
export function translateType(name: string, args: readonly string[]): string | undefined {
  switch (name.toUpperCase()) {
    case "NUMBER":
    case "NUMERIC":
    case "DECIMAL":
      return `DECIMAL(${args[0] ?? "38"},${args[1] ?? "0"})`;
    case "INT":
    case "INTEGER":
    case "BIGINT":
    case "SMALLINT":
    case "TINYINT":
    case "BYTEINT":
      return "BIGINT";
    case "FLOAT":
    case "FLOAT4":
    case "FLOAT8":
    case "REAL":
    case "DOUBLE":
      return "DOUBLE";
    case "STRING":
    case "TEXT":
    case "VARCHAR":
    case "CHAR":
    case "CHARACTER":
    case "NCHAR":
    case "NVARCHAR":
    case "NVARCHAR2":
      return "VARCHAR";
    case "BINARY":
    case "VARBINARY":
      return "BLOB";
    case "DATETIME":
    case "TIMESTAMP":
    case "TIMESTAMP_NTZ":
      return "TIMESTAMP";
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return "TIMESTAMPTZ";
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      return "JSON";
    default:
      return undefined;
  }
}

/**
 * Rows for the other rewrites (statement level, not functions), for documentation.
 */
export const OTHER_TRANSLATIONS: readonly (readonly [string, string])[] = [
  ["'it\\'s' (backslash escapes), $$text$$", "'it''s' (standard SQL literal)"],
  ["? and :1 bind placeholders", "$1, $2, … (numbered, so rewrites may repeat or reorder them)"],
  ["db.schema.customers", "customers (qualifiers of the emulator's tables are dropped)"],
  ["[db.]INFORMATION_SCHEMA.TABLES", "emulator_internal.information_schema_tables(db, schema)"],
  [
    "t AT(TIMESTAMP => ts) / BEFORE(…) / AT(OFFSET => -s)",
    "t, with the statement run on the DuckDB snapshot current at ts (time-travel.ts)",
  ],
  [
    "x::NUMBER(15,2), CAST(x AS TIMESTAMP_LTZ)",
    "x::DECIMAL(15,2), CAST(x AS TIMESTAMPTZ) (translateType)",
  ],
];
