import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import type { Connection, RowStatement, SnowflakeError } from "snowflake-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDriver, destroy, run } from "./emulator/driver-helpers.js";
import { type EmulatorHandle, startEmulator } from "./emulator/index.js";

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

let emulator: EmulatorHandle;
let connection: Connection;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    generate: { customers: 40, products: 8, customer_products: 300 },
    publicKeysPem: [keys.publicKey],
  });
  await emulator.sql(
    `INSERT INTO customer_products VALUES
       ('RX1', 'C0000001', 'P00001', 'owner', '2024-02-29', NULL, 1234567890123.45),
       ('RX2', 'C0000002', 'P00002', 'joint', '1967-06-23', '2024-01-31', -0.10)`,
  );
  connection = await connectDriver(emulator.url);
});

afterAll(async () => {
  await destroy(connection);
  await emulator.close();
});

const errorOf = async (promise: Promise<unknown>): Promise<SnowflakeError> => {
  try {
    await promise;
  } catch (error) {
    return error as SnowflakeError;
  }
  throw new Error("expected the promise to reject");
};

describe("the real snowflake-sdk against the emulator", () => {
  it("connects, binds positional values and keeps decimals and dates exact", async () => {
    const rows = await run(
      connection,
      "SELECT relationship_id, start_date, end_date, value FROM customer_products WHERE relationship_id IN (?, ?) ORDER BY relationship_id",
      { binds: ["RX1", "RX2"], fetchAsString: ["Number", "Date"] },
    );
    // The driver (not the emulator, which sends JSON null) turns NULL into the string "NULL"
    // under fetchAsString unless the connection sets representNullAsStringNull: false.
    expect(rows).toEqual([
      {
        RELATIONSHIP_ID: "RX1",
        START_DATE: "2024-02-29",
        END_DATE: "NULL",
        VALUE: "1234567890123.45",
      },
      { RELATIONSHIP_ID: "RX2", START_DATE: "1967-06-23", END_DATE: "2024-01-31", VALUE: "-0.10" },
    ]);
    const strict = await connectDriver(emulator.url, { representNullAsStringNull: false });
    const [nullable] = await run(
      strict,
      "SELECT end_date, CAST(NULL AS NUMBER(15,2)) AS v FROM customer_products WHERE relationship_id = ?",
      {
        binds: ["RX1"],
        fetchAsString: ["Number", "Date"],
      },
    );
    expect(nullable).toEqual({ END_DATE: null, V: null });
    await destroy(strict);
    const [native = {}] = await run(
      connection,
      "SELECT start_date, value, 42 AS n FROM customer_products WHERE relationship_id = ?",
      {
        binds: ["RX2"],
      },
    );
    expect((native.START_DATE as Date).getTime()).toBe(Date.UTC(1967, 5, 23));
    expect(native.VALUE).toBe(-0.1);
    expect(native.N).toBe(42);
  });

  it("reports Snowflake rowtypes for text, date, fixed and timestamps", async () => {
    const statement = await new Promise<RowStatement>((resolve, reject) => {
      connection.execute({
        sqlText: `SELECT customer_id, registration_date, count(*) OVER () AS n, 1.5::NUMBER(15,2) AS amount,
                         CURRENT_TIMESTAMP() AS now_ltz, '2024-01-02 03:04:05.678'::TIMESTAMP_NTZ AS ntz
                  FROM customers WHERE customer_id = ?`,
        binds: ["C0000001"],
        complete: (err, stmt) => (err ? reject(err) : resolve(stmt as RowStatement)),
      });
    });
    const columns = (statement.getColumns() ?? []).map((c) => [
      c.getName(),
      c.getType(),
      c.getPrecision(),
      c.getScale(),
    ]);
    expect(columns).toEqual([
      ["CUSTOMER_ID", "text", null, null],
      ["REGISTRATION_DATE", "date", null, null],
      ["N", "fixed", 38, 0],
      ["AMOUNT", "fixed", 15, 2],
      ["NOW_LTZ", "timestamp_ltz", 0, 9],
      ["NTZ", "timestamp_ntz", 0, 9],
    ]);
    const [row = {}] = await run(
      connection,
      "SELECT CURRENT_TIMESTAMP() AS now_ltz, '2024-01-02 03:04:05.678'::TIMESTAMP_NTZ AS ntz, TRUE AS flag",
    );
    expect(Math.abs((row.NOW_LTZ as Date).getTime() - Date.now())).toBeLessThan(5000);
    expect((row.NTZ as Date).toISOString()).toBe("2024-01-02T03:04:05.678Z");
    expect(row.FLAG).toBe(true);
  });

  it("runs the Snowflake forms in the translation table", async () => {
    const [row] = await run(
      connection,
      `SELECT IFF(1 = 1, 'yes', 'no') AS iff_result, TO_DATE('2024-03-15') AS d, NVL(NULL, 'x') AS nvl_result,
              DATE_TRUNC('MONTH', TO_DATE('2024-03-15')) AS month_start,
              DATEDIFF(day, TO_DATE('2024-03-01'), TO_DATE('2024-03-15')) AS days,
              '12.345'::NUMBER(15,2) AS rounded, ZEROIFNULL(NULL) AS zero, 'it\\'s' AS escaped`,
      { fetchAsString: ["Number", "Date"] },
    );
    expect(row).toEqual({
      IFF_RESULT: "yes",
      D: "2024-03-15",
      NVL_RESULT: "x",
      MONTH_START: "2024-03-01",
      DAYS: "14",
      ROUNDED: "12.35",
      ZERO: "0",
      ESCAPED: "it's",
    });
  });

  it("answers DML with Snowflake's count columns", async () => {
    const inserted = await run(connection, "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?)", {
      binds: ["P90001", "Gold card", "Cards", "Premium", "2024-05-01", "active"],
    });
    expect(inserted).toEqual([{ "number of rows inserted": 1 }]);
    const updated = await run(
      connection,
      "UPDATE products SET status = ? WHERE product_id LIKE ?",
      {
        binds: ["retired", "P9%"],
      },
    );
    expect(updated).toEqual([
      { "number of rows updated": 1, "number of multi-joined rows updated": 0 },
    ]);
    const deleted = await run(connection, "DELETE FROM products WHERE product_id = ?", {
      binds: ["P90001"],
    });
    expect(deleted).toEqual([{ "number of rows deleted": 1 }]);
    const batch = await new Promise<number>((resolve, reject) => {
      connection.execute({
        sqlText: "INSERT INTO products (product_id, product_name) VALUES (?, ?)",
        binds: [
          ["P90002", "Batch one"],
          ["P90003", null],
        ],
        complete: (err, stmt) => (err ? reject(err) : resolve(stmt.getNumUpdatedRows() ?? -1)),
      });
    });
    expect(batch).toBe(2);
    await run(connection, "DELETE FROM products WHERE product_id IN ('P90002', 'P90003')");
    const described = await new Promise<string[]>((resolve, reject) => {
      connection.execute({
        sqlText: "SELECT product_id, launch_date FROM products",
        describeOnly: true,
        complete: (err, stmt) =>
          err ? reject(err) : resolve((stmt.getColumns() ?? []).map((c) => c.getType())),
      });
    });
    expect(described).toEqual(["text", "date"]);
  });

  it("reports ROW_COUNT and LAST_ALTERED in INFORMATION_SCHEMA.TABLES and moves them on writes", async () => {
    const read = () =>
      run(
        connection,
        "SELECT table_name, row_count, last_altered FROM ANALYTICS.INFORMATION_SCHEMA.TABLES WHERE table_schema = CURRENT_SCHEMA() ORDER BY table_name",
      );
    const before = await read();
    expect(before.map((r) => [r.TABLE_NAME, r.ROW_COUNT])).toEqual([
      ["CUSTOMERS", 40],
      ["CUSTOMER_PRODUCTS", 302],
      ["PRODUCTS", 8],
    ]);
    await run(connection, "INSERT INTO customers (customer_id, customer_name) VALUES (?, ?)", {
      binds: ["C9", "Nine"],
    });
    await emulator.sql("DELETE FROM products WHERE product_id = ?", ["P00008"]);
    const after = await read();
    const altered = (rows: typeof before, name: string) =>
      (rows.find((r) => r.TABLE_NAME === name)?.LAST_ALTERED as Date | undefined)?.getTime() ?? 0;
    expect(after.map((r) => [r.TABLE_NAME, r.ROW_COUNT])).toEqual([
      ["CUSTOMERS", 41],
      ["CUSTOMER_PRODUCTS", 302],
      ["PRODUCTS", 7],
    ]);
    expect(altered(after, "CUSTOMERS")).toBeGreaterThan(altered(before, "CUSTOMERS"));
    expect(altered(after, "PRODUCTS")).toBeGreaterThan(altered(before, "PRODUCTS"));
    expect(altered(after, "CUSTOMER_PRODUCTS")).toBe(altered(before, "CUSTOMER_PRODUCTS"));
  });

  it("reads one consistent state at AT(TIMESTAMP => ?) while later writes are in", async () => {
    const [{ NOW: pinned } = {}] = await run(connection, "SELECT CURRENT_TIMESTAMP() AS now");
    const at = (pinned as Date).toISOString();
    const countAt = (table: string) =>
      run(
        connection,
        `SELECT count(*) AS n FROM ANALYTICS.PUBLIC.${table} AT(TIMESTAMP => ?::TIMESTAMP_LTZ)`,
        { binds: [at] },
      );
    const [{ N: productsBefore } = {}] = await countAt("products");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await emulator.sql("UPDATE customers SET status = 'closed' WHERE customer_id = 'C0000005'");
    await run(connection, "INSERT INTO products (product_id) VALUES (?), (?)", {
      binds: ["PX1", "PX2"],
    });
    const old = await run(
      connection,
      `SELECT c.status, (SELECT count(*) FROM products AT(TIMESTAMP => ?::TIMESTAMP_LTZ)) AS n
       FROM customers AT(TIMESTAMP => ?::TIMESTAMP_LTZ) c WHERE c.customer_id = 'C0000005'`,
      { binds: [at, at] },
    );
    expect(old).toEqual([{ STATUS: "active", N: productsBefore }]);
    expect(await countAt("products")).toEqual([{ N: productsBefore }]);
    expect(
      await run(connection, "SELECT status FROM customers WHERE customer_id = 'C0000005'"),
    ).toEqual([{ STATUS: "closed" }]);
    const [{ N: productsNow } = {}] = await run(connection, "SELECT count(*) AS n FROM products");
    expect(productsNow).toBe(Number(productsBefore) + 2);
    const sql =
      "SELECT status FROM customers AT(TIMESTAMP => ?::TIMESTAMP_LTZ) WHERE customer_id = 'C0000005'";
    const future = await errorOf(run(connection, sql, { binds: ["2999-01-01T00:00:00Z"] }));
    expect([future.code, future.sqlState]).toEqual(["000707", "02000"]);
    const beforeCreation = await errorOf(run(connection, sql, { binds: ["2001-01-01T00:00:00Z"] }));
    expect(beforeCreation.code).toBe("000707");
    expect((await emulator.stats()).timeTravelReads).toBeGreaterThanOrEqual(6);
  });

  it("surfaces SQL errors with Snowflake codes and SQL states", async () => {
    const missing = await errorOf(run(connection, "SELECT * FROM no_such_table"));
    expect([missing.code, missing.sqlState, missing.message]).toEqual([
      "002003",
      "42S02",
      "SQL compilation error:\nObject 'NO_SUCH_TABLE' does not exist or not authorized.",
    ]);
    const syntax = await errorOf(run(connection, "SELEC 1"));
    expect([syntax.code, syntax.sqlState]).toEqual(["001003", "42000"]);
    const column = await errorOf(run(connection, "SELECT nope FROM customers"));
    expect([column.code, column.sqlState]).toEqual(["000904", "42000"]);
    const two = await errorOf(run(connection, "SELECT 1; SELECT 2"));
    expect(two.code).toBe("000008");
  });

  it("refuses a wrong password with 390100 after exactly one login request", async () => {
    const before = (await emulator.stats()).logins.failed;
    const error = await errorOf(connectDriver(emulator.url, { password: "wrong" }));
    expect(error.code).toBe("390100");
    expect(error.message).toBe("Incorrect username or password was specified.");
    expect((await emulator.stats()).logins.failed).toBe(before + 1);
  });

  it("accepts key-pair (JWT) logins signed with the configured key", async () => {
    const jwtConnection = await connectDriver(emulator.url, {
      authenticator: "SNOWFLAKE_JWT",
      privateKey: keys.privateKey,
    });
    expect(await run(jwtConnection, "SELECT 1 AS one")).toEqual([{ ONE: 1 }]);
    await destroy(jwtConnection);
    const other = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const error = await errorOf(
      connectDriver(emulator.url, { authenticator: "SNOWFLAKE_JWT", privateKey: other.privateKey }),
    );
    expect(error.code).toBe("390144");
  });

  it("answers heartbeats and closes sessions", async () => {
    const extra = await connectDriver(emulator.url);
    expect(await extra.isValidAsync()).toBe(true);
    const before = await emulator.stats();
    await destroy(extra);
    const after = await emulator.stats();
    expect(after.sessionsClosed).toBe(before.sessionsClosed + 1);
    expect(after.heartbeats).toBeGreaterThanOrEqual(1);
    expect(existsSync("snowflake.log")).toBe(false);
  });
});
