import { describe, expect, it } from "vitest";
import { parseBindings } from "./emulator/bindings.js";
import { type RewriteContext, rewriteStatement } from "./emulator/sql-rewriter.js";
import { splitStatements, tokenize } from "./emulator/sql-tokenizer.js";
import { datePart, strptimeFormat } from "./emulator/sql-translate.js";
import { writeTarget } from "./emulator/statement-kind.js";

const context: RewriteContext = {
  database: "ANALYTICS",
  schema: "PUBLIC",
  warehouse: "WH",
  role: "R",
  user: "analytics",
  tables: new Set(["customers", "products", "customer_products"]),
};

const rewrite = (sql: string) => rewriteStatement(tokenize(sql), context);

describe("Snowflake to DuckDB translation", () => {
  it("joins tokens back to the exact input", () => {
    const sql =
      "select 'a''b', \"Q\"\"x\" -- c\n/* d */ from t where x::number(15,2) >= :1 and y = ?";
    expect(
      tokenize(sql)
        .map((t) => t.text)
        .join(""),
    ).toBe(sql);
  });

  it("renumbers ? and :n placeholders so rewrites may repeat them", () => {
    expect(rewrite("select * from customers where customer_id = ? and region = ?").sql).toBe(
      "select * from customers where customer_id = $1 and region = $2",
    );
    const div = rewrite("select DIV0(?, ?) as r");
    expect(div.sql).toBe("select (CASE WHEN ($1) = 0 THEN 0 ELSE ($2) / ($1) END) as r");
    expect(div.params).toEqual([1, 0]);
    expect(rewrite("select :2, :1").params).toEqual([1, 0]);
  });

  it("normalises string literals: backslash escapes and $$ quotes", () => {
    expect(rewrite("select 'it\\'s', $$a'b$$, 'x\\ny'").sql).toBe("select 'it''s', 'a''b', 'x\ny'");
  });

  it("translates functions from the table, nested and case-insensitively", () => {
    expect(rewrite("select IFF(a > 1, TO_DATE('2024-01-02'), NVL(b, c)) from t").sql).toBe(
      "select (CASE WHEN a > 1 THEN CAST('2024-01-02' AS DATE) ELSE COALESCE(b, c) END) from t",
    );
    expect(rewrite("select current_timestamp(), CURRENT_DATE(), current_schema()").sql).toBe(
      "select CURRENT_TIMESTAMP, CURRENT_DATE, 'PUBLIC'",
    );
    expect(rewrite("select to_date(s, 'YYYY/MM/DD')").sql).toBe(
      "select CAST(strptime(s, '%Y/%m/%d') AS DATE)",
    );
    expect(rewrite("select to_number(v, 15, 2), zeroifnull(x)").sql).toBe(
      "select CAST(v AS DECIMAL(15,2)), COALESCE(x, 0)",
    );
  });

  it("quotes date parts and keeps DATE_TRUNC of a DATE a DATE", () => {
    expect(
      rewrite("select datediff(day, a, b), date_trunc('MONTH', d), dateadd(mm, 2, d)").sql,
    ).toBe(
      "select date_diff('day', a, b), time_bucket(INTERVAL 1 MONTH, d), (d + CAST(2 AS BIGINT) * INTERVAL 1 MONTH)",
    );
    expect(datePart("dd")).toBe("day");
    expect(datePart("'Quarter'")).toBe("quarter");
    expect(datePart("fortnight")).toBeUndefined();
    expect(strptimeFormat("DD-MON-YYYY HH24:MI:SS")).toBe("%d-%b-%Y %H:%M:%S");
  });

  it("maps Snowflake types after :: and in CAST", () => {
    expect(
      rewrite("select v::NUMBER(15,2), x::number, t::timestamp_ltz, CAST(s AS TIMESTAMP_NTZ(9))")
        .sql,
    ).toBe("select v::DECIMAL(15,2), x::DECIMAL(38,0), t::TIMESTAMPTZ, CAST(s AS TIMESTAMP)");
    expect(rewrite("select x::date, cast(y as varchar(50))").sql).toBe(
      "select x::date, cast(y as VARCHAR)",
    );
  });

  it("maps column types in CREATE TABLE but not column names", () => {
    expect(rewrite("CREATE TABLE t (text STRING, amount NUMBER(10,2), at TIMESTAMP_LTZ)").sql).toBe(
      "CREATE TABLE t (text VARCHAR, amount DECIMAL(10,2), at TIMESTAMPTZ)",
    );
  });

  it("drops database and schema qualifiers of served tables only", () => {
    expect(
      rewrite(
        'select c.customer_id from ANALYTICS.PUBLIC.CUSTOMERS c join "ANALYTICS"."PUBLIC".products p',
      ).sql,
    ).toBe("select c.customer_id from CUSTOMERS c join products p");
    expect(rewrite("select x from other_db.s.t").sql).toBe("select x from other_db.s.t");
  });

  it("replaces INFORMATION_SCHEMA.TABLES with the emulator's table macro", () => {
    expect(rewrite("select row_count from information_schema.tables").sql).toBe(
      "select row_count from emulator_internal.information_schema_tables('ANALYTICS', 'PUBLIC')",
    );
    expect(rewrite("select * from other.INFORMATION_SCHEMA.TABLES t").sql).toBe(
      "select * from emulator_internal.information_schema_tables('OTHER', 'PUBLIC') t",
    );
  });

  it("takes out time-travel clauses with their own placeholders", () => {
    const result = rewrite(
      "select * from customers AT(TIMESTAMP => ?::timestamp_ltz) c join products at(offset => -60) where c.region = ?",
    );
    expect(result.timeTravel).toHaveLength(2);
    const [first, second] = result.timeTravel;
    expect(first).toMatchObject({
      table: "customers",
      kind: "AT",
      by: "TIMESTAMP",
      exprSql: "$1::TIMESTAMPTZ",
      params: [0],
      hasAlias: true,
    });
    expect(second).toMatchObject({
      table: "products",
      by: "OFFSET",
      exprSql: "-60",
      params: [],
      hasAlias: false,
    });
    expect(result.params).toEqual([1]);
    expect(result.sql).toBe(
      `select * from ${first?.marker} c join ${second?.marker} where c.region = $1`,
    );
  });

  it("records quoted identifiers, splits statements and finds write targets", () => {
    expect([...rewrite('select 1 as "camelCase", x as plain').quotedIdentifiers]).toEqual([
      "camelCase",
    ]);
    expect(splitStatements(tokenize("select 1; select ';'; -- only a comment"))).toHaveLength(2);
    expect(writeTarget(tokenize('insert into ANALYTICS.PUBLIC."CUSTOMERS" (a) values (1)'))).toBe(
      "customers",
    );
    expect(writeTarget(tokenize("UPDATE customer_products SET value = 1"))).toBe(
      "customer_products",
    );
    expect(writeTarget(tokenize("create or replace table t2 as select 1"))).toBe("t2");
    expect(writeTarget(tokenize("select 1"))).toBeUndefined();
  });

  it("parses positional and array bindings", () => {
    expect(
      parseBindings({ "2": { type: "TEXT", value: "b" }, "1": { type: "FIXED", value: "1" } }),
    ).toEqual([
      [
        { type: "FIXED", value: "1" },
        { type: "TEXT", value: "b" },
      ],
    ]);
    expect(
      parseBindings({
        "1": { type: "FIXED", value: ["1", "2"] },
        "2": { type: "TEXT", value: ["a", null] },
      }),
    ).toEqual([
      [
        { type: "FIXED", value: "1" },
        { type: "TEXT", value: "a" },
      ],
      [
        { type: "FIXED", value: "2" },
        { type: "TEXT", value: null },
      ],
    ]);
    expect(parseBindings(undefined)).toEqual([[]]);
  });
});
