import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanColumn, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { Utf8Column } from "../../snapshot/utf8-column.js";
import type { Recommendation } from "../cross-sell-queries.js";
import { scannedText } from "./cells.js";
import { sealedOffsets } from "./group-offsets.js";
import { countOf, loadSealed } from "./scan-passes.js";
import { StringPool } from "./string-pool.js";

/** Who GetRecommendations knows (a customer or a basket owner), in id order, with what they hold. */
const KNOWN_SQL = `SELECT k.customer_id::VARCHAR AS customer_id,
    coalesce(b.active_held, 0)::INTEGER AS active_held, coalesce(b.all_held, 0)::INTEGER AS all_held
  FROM (SELECT customer_id FROM customers WHERE customer_id IS NOT NULL
        UNION SELECT customer_id FROM basket_items WHERE customer_id IS NOT NULL) k
  LEFT JOIN (SELECT customer_id, count(*) FILTER (WHERE active) AS active_held,
               count(*) AS all_held
             FROM basket_items GROUP BY customer_id) b ON b.customer_id = k.customer_id
  ORDER BY k.customer_id`;

const KNOWN_ORDINALS = `SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS ordinal
  FROM (SELECT customer_id FROM customers WHERE customer_id IS NOT NULL
        UNION SELECT customer_id FROM basket_items WHERE customer_id IS NOT NULL)`;

/** How many list entries there are, to size the arrays. */
const COUNT_RECOMMENDATIONS_SQL = "SELECT count(*)::BIGINT AS n FROM recommendations";

/** The columns of a list entry that its explaining rule decides, shared by many lists. */
const ENTRY_COLUMNS = [
  "product_id",
  "product_name",
  "product_category",
  "score",
  "confidence",
  "lift",
  "support",
  "cosine",
  "product_holders",
] as const;

/** The distinct entries of the precomputed lists, numbered. */
const ENTRY_CODES = `SELECT *, (row_number() OVER (ORDER BY ${ENTRY_COLUMNS.join(", ")}) - 1)::INTEGER AS code
  FROM (SELECT DISTINCT ${ENTRY_COLUMNS.map((c) => `r.${c}`).join(", ")} FROM recommendations r)`;

/** The numbered entries, in number order. */
const ENTRIES_SQL = `SELECT code, product_id::VARCHAR AS product_id,
    product_name::VARCHAR AS product_name, product_category::VARCHAR AS product_category,
    score::DOUBLE AS score, confidence::DOUBLE AS confidence, lift::DOUBLE AS lift,
    support::DOUBLE AS support, cosine::DOUBLE AS cosine,
    product_holders::DOUBLE AS product_holders
  FROM (${ENTRY_CODES}) ORDER BY code`;

/** The products that explain a recommendation, numbered. */
const BECAUSE_CODES = `SELECT product_id,
    (row_number() OVER (ORDER BY product_id) - 1)::INTEGER AS code
  FROM (SELECT DISTINCT unnest(because) AS product_id FROM recommendations)`;

/** The numbered explaining products, in number order. */
const BECAUSE_SQL = `SELECT code, product_id::VARCHAR AS product_id FROM (${BECAUSE_CODES})
  ORDER BY code`;

/**
 * The precomputed lists, by customer ordinal then rank: each entry as its number in
 * {@link ENTRY_CODES}, its explaining products (up to three) as numbers in
 * {@link BECAUSE_CODES} (-1 for none), so the scan converts no strings.
 */
const RECOMMENDATIONS_SQL = `WITH v AS (${ENTRY_CODES}), b AS (${BECAUSE_CODES})
  SELECT k.ordinal AS customer, r.rank::INTEGER AS rank, v.code AS entry,
    coalesce(len(r.because), 0)::INTEGER AS explained,
    coalesce(b1.code, -1) AS because_1, coalesce(b2.code, -1) AS because_2,
    coalesce(b3.code, -1) AS because_3
  FROM recommendations r JOIN (${KNOWN_ORDINALS}) k ON k.customer_id = r.customer_id
    JOIN v ON ${ENTRY_COLUMNS.map((c) => `v.${c} IS NOT DISTINCT FROM r.${c}`).join(" AND ")}
    LEFT JOIN b b1 ON b1.product_id = r.because[1]
    LEFT JOIN b b2 ON b2.product_id = r.because[2]
    LEFT JOIN b b3 ON b3.product_id = r.because[3]
  ORDER BY k.ordinal, r.rank`;

/**
 * One distinct recommended product with its metrics, shared by every list it appears in: a
 * {@link Recommendation} without the explaining products, which differ per customer.
 */
type Scored = Omit<Recommendation, "because">;

/**
 * The precomputed top lists of every customer in typed arrays, so the default
 * GetRecommendations question runs no statement. A list entry is a code of its distinct
 * (product, metrics) combination, which the rule behind it decides, so a million lists of ten
 * share a few thousand objects; the explaining products are codes of the product ids. Lists of
 * customer `i` are entries `offsets[i]` to `offsets[i + 1]`, best first.
 */
export class RecommendationIndex {
  readonly #ids = new StringPool(1024);
  #activeHeld = new Int32Array(1024);
  #allHeld = new Int32Array(1024);
  #offsets = new Int32Array(1);
  #ranks: Int32Array;
  #entries: Int32Array;
  #because: Int32Array;
  #explained: Uint8Array;
  #size = 0;
  readonly #scored: Scored[] = [];
  /** The explaining products by their number in {@link BECAUSE_CODES}. */
  readonly #products: string[] = [];

  /** Sized for `entries` list entries in all (it grows past them). */
  constructor(entries = 1024) {
    const size = Math.max(1, entries);
    this.#ranks = new Int32Array(size);
    this.#entries = new Int32Array(size);
    this.#because = new Int32Array(3 * size);
    this.#explained = new Uint8Array(size);
  }

  /** The bytes its arrays hold. */
  get bytes(): number {
    return (
      this.#ids.bytes +
      this.#activeHeld.byteLength * 2 +
      this.#offsets.byteLength +
      this.#ranks.byteLength * 2 +
      this.#because.byteLength +
      this.#explained.byteLength +
      this.#scored.length * 200 +
      this.#products.length * 64
    );
  }

  /** What the customer holds in a basket mode, or undefined for an unknown id. */
  held(customerId: string, mode: "active" | "all"): number | undefined {
    const i = this.#ids.indexOf(customerId);
    if (i < 0) return undefined;
    return (mode === "active" ? this.#activeHeld[i] : this.#allHeld[i]) ?? 0;
  }

  /** The customer's precomputed list up to rank `limit`, best first. */
  top(customerId: string, limit: number): Recommendation[] {
    const i = this.#ids.indexOf(customerId);
    if (i < 0) return [];
    const list: Recommendation[] = [];
    const to = this.#offsets[i + 1] ?? 0;
    for (let k = this.#offsets[i] ?? 0; k < to && (this.#ranks[k] ?? 0) <= limit; k++) {
      const scored = this.#scored[this.#entries[k] ?? 0];
      if (scored === undefined) continue;
      const because: string[] = [];
      for (let b = 0; b < (this.#explained[k] ?? 0); b++) {
        because.push(this.#products[this.#because[3 * k + b] ?? -1] ?? "");
      }
      list.push({ ...scored, because });
    }
    return list;
  }

  /** Stores a chunk of {@link KNOWN_SQL} (loading). */
  addKnown(
    columns: readonly ScanColumn[],
    rows: number,
    utf8: readonly (Utf8Column | undefined)[],
  ): void {
    const [, active = [], all = []] = columns;
    const ids = utf8[0];
    if (ids === undefined) throw new Error("the customer ids were not scanned as UTF-8");
    for (let r = 0; r < rows; r++) {
      const i = this.#ids.pushUtf8(ids, r);
      if (i >= this.#activeHeld.length) {
        this.#activeHeld = grow(this.#activeHeld);
        this.#allHeld = grow(this.#allHeld);
      }
      this.#activeHeld[i] = Number(active[r]);
      this.#allHeld[i] = Number(all[r]);
    }
  }

  /** Stores a chunk of {@link ENTRIES_SQL} (loading, before the lists). */
  addEntries(columns: readonly ScanColumn[], rows: number): void {
    const [, id = [], name = [], category = [], ...metrics] = columns;
    const [score = [], confidence = [], lift = [], support = [], cosine = [], holders = []] =
      metrics;
    for (let r = 0; r < rows; r++) {
      this.#scored.push({
        productId: scannedText(id[r]) ?? "",
        productName: scannedText(name[r]),
        productCategory: scannedText(category[r]),
        score: Number(score[r] ?? Number.NaN),
        confidence: Number(confidence[r] ?? Number.NaN),
        lift: Number(lift[r] ?? Number.NaN),
        support: Number(support[r] ?? Number.NaN),
        cosine: Number(cosine[r] ?? Number.NaN),
        productHolders: Number(holders[r] ?? Number.NaN),
      });
    }
  }

  /** Stores a chunk of {@link BECAUSE_SQL} (loading, before the lists). */
  addBecause(columns: readonly ScanColumn[], rows: number): void {
    const [, ids = []] = columns;
    for (let r = 0; r < rows; r++) this.#products.push(String(ids[r]));
  }

  /** Stores a chunk of {@link RECOMMENDATIONS_SQL} (loading, in its order). */
  addRecommendations(columns: readonly ScanColumn[], rows: number): void {
    if (this.#offsets.length !== this.#ids.size + 1) {
      this.#offsets = new Int32Array(this.#ids.size + 1);
    }
    const [customers = [], ranks = [], entries = [], explained = [], b1 = [], b2 = [], b3 = []] =
      columns;
    for (let r = 0; r < rows; r++) {
      const k = this.#size++;
      if (k >= this.#ranks.length) {
        this.#ranks = grow(this.#ranks);
        this.#entries = grow(this.#entries);
        this.#explained = grow(this.#explained);
        const because = new Int32Array(this.#because.length * 2);
        because.set(this.#because);
        this.#because = because;
      }
      this.#ranks[k] = Number(ranks[r]);
      this.#entries[k] = Number(entries[r]);
      this.#explained[k] = Math.min(3, Number(explained[r]));
      this.#because[3 * k] = Number(b1[r]);
      this.#because[3 * k + 1] = Number(b2[r]);
      this.#because[3 * k + 2] = Number(b3[r]);
      this.#offsets[Number(customers[r]) + 1] = k + 1;
    }
  }

  /** Completes the offsets (called once, after loading). */
  seal(): void {
    this.#offsets = sealedOffsets(this.#offsets, this.#ids.size);
    this.#ids.seal();
  }
}

function grow<T extends Int32Array | Uint8Array>(from: T): T {
  const to = new (from.constructor as new (n: number) => T)(from.length * 2);
  to.set(from);
  return to;
}

/** Loads the {@link RecommendationIndex} of a snapshot in four scans, in the background. */
export async function loadRecommendationIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<RecommendationIndex> {
  const index = new RecommendationIndex(await countOf(db, COUNT_RECOMMENDATIONS_SQL));
  return loadSealed(db, stopped, index, [
    {
      sql: KNOWN_SQL,
      utf8Columns: [0],
      take: (columns, rows, _, utf8) => index.addKnown(columns, rows, utf8),
    },
    { sql: ENTRIES_SQL, take: (columns, rows) => index.addEntries(columns, rows) },
    { sql: BECAUSE_SQL, take: (columns, rows) => index.addBecause(columns, rows) },
    { sql: RECOMMENDATIONS_SQL, take: (columns, rows) => index.addRecommendations(columns, rows) },
  ]);
}

/** The in-memory precomputed recommendations, built once per snapshot. */
export const RECOMMENDATION_INDEX: MemoKey<RecommendationIndex> = {
  name: "recommendation index",
  build: loadRecommendationIndex,
};
