/**
 * The benchmark's data: customers, products and relationships written as Parquet by DuckDB SQL,
 * deterministic for a seed (every random choice is a hash of the row number, a key and the
 * seed), and cached in `data/bench/<scale>-<seed>/` so a second run reuses it.
 *
 * Shape: six regions, three customer types, five statuses (the data-quality value sets), eight
 * product categories; registration and start dates over ten years (2016-11-01 + 3650 days);
 * relationships per customer from a mixture (most hold a few, 5 % follow a Pareto tail up to
 * 400), scaled so the total is exact; products drawn Zipf-like (rank = (n+1)^u, popularity
 * ~ 1/rank) and, 40 % of the time, from a bundle of five products near the customer's anchor,
 * which gives the cross-sell rules real lift; 30 % of relationships ended; values log-normal
 * DECIMAL(15,2).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance, version } from "@duckdb/node-api";
import type { Scale } from "./scale.js";

/** Where a generated data set lives and what it holds. */
export interface DataSet {
  readonly dir: string;
  readonly seed: number;
  readonly customers: number;
  readonly products: number;
  readonly relationships: number;
  /** Milliseconds spent generating (0 when the cache was reused). */
  readonly generateMs: number;
  readonly reused: boolean;
}

interface Marker {
  readonly duckdb: string;
  readonly customers: number;
  readonly products: number;
  readonly relationships: number;
}

const REGIONS = "['North', 'South', 'East', 'West', 'Central', 'International']";
const CATEGORIES =
  "['Deposits', 'Loans', 'Cards', 'Investments', 'Insurance', 'Payments', 'Mortgages', 'Pensions']";
const FIRST =
  "['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Proseware', 'Wingtip', 'Alpine', 'Coho', 'Lucerne', 'Margie', 'Trey', 'Woodgrove', 'Humongous', 'Blue Yonder']";
const SECOND =
  "['Trading', 'Holdings', 'Foods', 'Logistics', 'Partners', 'Studio', 'Bakery', 'Motors', 'Labs', 'Farms', 'Systems', 'Group']";

/**
 * Returns the data set for `scale` and `seed`, generating it into `root/<scale>-<seed>/` unless a
 * complete one (same counts, same DuckDB version, since the hash is DuckDB's) is already there.
 */
export async function ensureDataSet(root: string, scale: Scale, seed: number): Promise<DataSet> {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`bad seed ${seed}`);
  const dir = join(root, `${scale.name}-${seed}`);
  const counts = {
    customers: scale.customers,
    products: scale.products,
    relationships: scale.relationships,
  };
  const marker: Marker = { duckdb: version(), ...counts };
  const markerPath = join(dir, "dataset.json");
  if (existsSync(markerPath)) {
    const found = JSON.parse(await readFile(markerPath, "utf8")) as Marker;
    if (JSON.stringify(found) === JSON.stringify(marker)) {
      return { dir, seed, ...counts, generateMs: 0, reused: true };
    }
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    for (const sql of generationSql(dir, scale, seed)) await db.run(sql);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
  await writeFile(markerPath, `${JSON.stringify(marker)}\n`);
  return { dir, seed, ...counts, generateMs: performance.now() - started, reused: false };
}

/** A multiplier coprime to `n`, so `(k * m) % n` permutes 0..n-1 (scatters popular ranks). */
function coprime(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let m = 7919;
  while (gcd(m, n) !== 1) m += 2;
  return m;
}

/** The statements, in order; every number spliced in is a validated integer. */
function generationSql(dir: string, scale: Scale, seed: number): string[] {
  const { customers: nc, products: np, relationships: nr } = scale;
  const file = (table: string) => `'${join(dir, `${table}.parquet`).replaceAll("'", "''")}'`;
  const parquet = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)";
  const zipf = (key: string, row: string) =>
    `least(${np}, floor(pow(${np + 1}, rnd('${key}', ${row})))::BIGINT)`;
  const productOf = (rank: string) => `((${rank} - 1) * ${coprime(np)}) % ${np} + 1`;
  return [
    "SET threads = 2",
    `CREATE MACRO rnd(k, i) AS (hash(i, k, ${seed}) >> 11)::DOUBLE / 9007199254740992.0`,
    `CREATE MACRO pick(k, i, xs) AS xs[1 + floor(rnd(k, i) * len(xs))::INTEGER]`,
    "CREATE MACRO reg_day(i) AS floor(rnd('reg', i) * 3300)::INTEGER",
    `COPY (SELECT 'C' || lpad(i::VARCHAR, 8, '0') AS customer_id,
        pick('n1', i, ${FIRST}) || ' ' || pick('n2', i, ${SECOND}) || ' ' || i AS customer_name,
        CASE WHEN rnd('type', i) < 0.70 THEN 'retail' WHEN rnd('type', i) < 0.92 THEN 'business'
             ELSE 'enterprise' END AS customer_type,
        ${REGIONS}[1 + floor(pow(rnd('region', i), 1.6) * 6)::INTEGER] AS region,
        DATE '2016-11-01' + reg_day(i) AS registration_date,
        CASE WHEN rnd('status', i) < 0.82 THEN 'active' WHEN rnd('status', i) < 0.91 THEN 'inactive'
             WHEN rnd('status', i) < 0.96 THEN 'churned' WHEN rnd('status', i) < 0.99 THEN 'prospect'
             ELSE 'suspended' END AS status
      FROM range(1, ${nc + 1}) t(i)) TO ${file("customers")} ${parquet}`,
    `COPY (SELECT 'P' || lpad(i::VARCHAR, 6, '0') AS product_id,
        pick('pc', i, ${CATEGORIES}) || ' ' || pick('pt', i, ['Basic', 'Plus', 'Premium', 'Business'])
          || ' ' || i AS product_name,
        pick('pc', i, ${CATEGORIES}) AS product_category,
        pick('pt', i, ['Basic', 'Plus', 'Premium', 'Business']) AS product_type,
        DATE '2012-01-01' + floor(rnd('launch', i) * 3650)::INTEGER AS launch_date,
        CASE WHEN rnd('pstatus', i) < 0.85 THEN 'active' WHEN rnd('pstatus', i) < 0.93 THEN 'discontinued'
             WHEN rnd('pstatus', i) < 0.98 THEN 'inactive' ELSE 'planned' END AS status
      FROM range(1, ${np + 1}) t(i)) TO ${file("products")} ${parquet}`,
    `CREATE TABLE holdings AS
      WITH raw AS (
        SELECT i, CASE WHEN rnd('mix', i) < 0.60 THEN 1 + floor(-ln(1 - rnd('cnt', i)) * 2.5)
                       WHEN rnd('mix', i) < 0.95 THEN 1 + floor(-ln(1 - rnd('cnt', i)) * 11)
                       ELSE least(400, floor(20 / pow(1 - rnd('cnt', i), 1 / 1.2))) END::BIGINT AS c
        FROM range(1, ${nc + 1}) t(i)),
      cum AS (SELECT i, c, sum(c) OVER (ORDER BY i) AS cum FROM raw),
      tot AS (SELECT sum(c) AS total FROM raw)
      SELECT i, ((cum - c) * ${nr} // total)::BIGINT AS first_r,
             (cum * ${nr} // total - (cum - c) * ${nr} // total)::BIGINT AS n
      FROM cum, tot`,
    `CREATE TABLE rel AS
      SELECT i, first_r + unnest(range(n)) AS r FROM holdings WHERE n > 0`,
    `COPY (
      WITH x AS (
        SELECT i, r, reg_day(i) AS reg,
               reg_day(i) + floor(rnd('start', r) * (3650 - reg_day(i)))::INTEGER AS s,
               CASE WHEN rnd('bundle', r) < 0.4
                 THEN (${zipf("anchor", "i")} - 1 + floor(rnd('off', r) * 5)::BIGINT) % ${np} + 1
                 ELSE ${zipf("prod", "r")} END AS rank
        FROM rel)
      SELECT 'R' || lpad(((r * ${coprime(nr)}) % ${nr} + 1)::VARCHAR, 9, '0') AS relationship_id,
        'C' || lpad(i::VARCHAR, 8, '0') AS customer_id,
        'P' || lpad((${productOf("rank")})::VARCHAR, 6, '0') AS product_id,
        CASE WHEN rnd('rt', r) < 0.40 THEN 'purchase' WHEN rnd('rt', r) < 0.65 THEN 'subscription'
             WHEN rnd('rt', r) < 0.85 THEN 'contract' WHEN rnd('rt', r) < 0.95 THEN 'trial'
             ELSE 'return' END AS relationship_type,
        DATE '2016-11-01' + s AS start_date,
        CASE WHEN rnd('ended', r) < 0.30
          THEN DATE '2016-11-01' + s + 1 + floor(rnd('dur', r) * (3650 - s))::INTEGER END AS end_date,
        least(round(exp(6.5 + 1.4 * sqrt(-2 * ln(1 - rnd('v1', r))) * cos(2 * pi() * rnd('v2', r))), 2),
              999999999.99)::DECIMAL(15,2) AS "value"
      FROM x ORDER BY start_date, relationship_id) TO ${file("customer_products")} ${parquet}`,
  ];
}
