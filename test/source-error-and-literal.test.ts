import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, test } from "vitest";
import { AppError, isErrorKind } from "../src/app-error.js";
import { checkFailure, runSourceChecks } from "../src/source/source-checks.js";
import { sourceError } from "../src/source/source-error.js";
import { sqlStringLiteral } from "../src/source/sql-literal.js";

describe("sqlStringLiteral", () => {
  test("reads back in DuckDB as exactly the value", async () => {
    const connection = await (await DuckDBInstance.create(":memory:")).connect();
    for (const value of ["plain", "it's", "''", "a\\b\\'c", "x'; DROP TABLE t; --", "ünï 🦆", ""]) {
      const reader = await connection.runAndReadAll(
        `SELECT ${sqlStringLiteral(value)} = ? AS same`,
        [value],
      );
      expect(reader.getRowObjectsJson()).toEqual([{ same: true }]);
    }
    connection.closeSync();
  });

  test("refuses a NUL character", () => {
    expect(() => sqlStringLiteral("a\u0000b")).toThrow(RangeError);
  });
});

describe("sourceError", () => {
  test("names the file and column in its message and is recognised by its brand", () => {
    const error = sourceError("is missing", "/data/x.csv", "region");
    expect(error.message).toBe('/data/x.csv, column "region": is missing');
    expect(isErrorKind(error, "invalid_data")).toBe(true);
    expect(isErrorKind(new Error("x"), "invalid_data")).toBe(false);
    const lookalike = Object.assign(new Error("y"), { name: "AppError", kind: "invalid_data" });
    expect(lookalike instanceof AppError).toBe(false);
    const otherCopy = Object.assign(new Error("z"), {
      kind: "invalid_data",
      [Symbol.for("customer-analytics/AppError")]: true,
    });
    expect(otherCopy instanceof AppError).toBe(true);
    expect(sourceError("empty", "/data/y.csv").column).toBeUndefined();
  });

  test("a failed check becomes an invalid_data error with its detail; passing checks do not", async () => {
    const check = { sql: "q", params: [], problem: "bad", file: "f.csv", column: "c" };
    expect(checkFailure(check, null).message).toBe('f.csv, column "c": bad');
    await expect(runSourceChecks([check], async () => [])).resolves.toBeUndefined();
    await expect(runSourceChecks([check], async () => [{ detail: "row 1" }])).rejects.toThrow(
      'f.csv, column "c": bad (row 1)',
    );
  });
});
