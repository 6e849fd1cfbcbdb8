import type { MemoKey } from "../../snapshot/snapshot-memo.js";
import type { ScanValue, SnapshotReader } from "../../snapshot/snapshot-reader.js";
import type { Recommendation } from "../cross-sell-queries.js";
import { scannedText } from "./cells.js";
import { Codes, StringPool } from "./string-pool.js";

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

/** The precomputed lists, by customer ordinal then rank; `because` as up to three columns. */
const RECOMMENDATIONS_SQL = `SELECT k.ordinal AS customer, r.rank::INTEGER AS rank,
    r.product_id::VARCHAR AS product_id, r.product_name::VARCHAR AS product_name,
    r.product_category::VARCHAR AS product_category, r.score::DOUBLE AS score,
    r.confidence::DOUBLE AS confidence, r.lift::DOUBLE AS lift, r.support::DOUBLE AS support,
    r.cosine::DOUBLE AS cosine, r.product_holders::DOUBLE AS product_holders,
    coalesce(len(r.because), 0)::INTEGER AS explained,
    r.because[1]::VARCHAR AS because_1, r.because[2]::VARCHAR AS because_2,
    r.because[3]::VARCHAR AS because_3
  FROM recommendations r JOIN (${KNOWN_ORDINALS}) k ON k.customer_id = r.customer_id
  ORDER BY k.ordinal, r.rank`;

/** One distinct recommended product with its metrics, shared by every list it appears in. */
interface Scored {
  readonly productId: string;
  readonly productName: string | null;
  readonly productCategory: string | null;
  readonly score: number;
  readonly confidence: number;
  readonly lift: number;
  readonly support: number;
  readonly cosine: number;
  readonly productHolders: number;
}

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
  #ranks = new Int32Array(1024);
  #entries = new Int32Array(1024);
  #because = new Int32Array(3 * 1024);
  #explained = new Uint8Array(1024);
  #size = 0;
  readonly #scored: Scored[] = [];
  /** Codes of {@link Scored} entries by product id, most recently matched first, while loading. */
  readonly #scoredCodes = new Map<string, number[]>();
  readonly #products = new Codes();

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
      this.#products.bytes
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
        because.push(this.#products.value(this.#because[3 * k + b] ?? -1) ?? "");
      }
      list.push({ ...scored, because });
    }
    return list;
  }

  /** Stores a chunk of {@link KNOWN_SQL} (loading). */
  addKnown(columns: readonly (readonly ScanValue[])[], rows: number): void {
    const [ids = [], active = [], all = []] = columns;
    for (let r = 0; r < rows; r++) {
      const i = this.#ids.push(String(ids[r]));
      if (i >= this.#activeHeld.length) {
        this.#activeHeld = grow(this.#activeHeld);
        this.#allHeld = grow(this.#allHeld);
      }
      this.#activeHeld[i] = Number(active[r]);
      this.#allHeld[i] = Number(all[r]);
    }
  }

  /** Stores a chunk of {@link RECOMMENDATIONS_SQL} (loading, in its order). */
  addRecommendations(columns: readonly (readonly ScanValue[])[], rows: number): void {
    if (this.#offsets.length !== this.#ids.size + 1) {
      this.#offsets = new Int32Array(this.#ids.size + 1);
    }
    const [customers = [], ranks = [], ...metrics] = columns;
    const [explained = [], b1 = [], b2 = [], b3 = []] = columns.slice(11);
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
      this.#entries[k] = this.#scoredOf(metrics.map((column) => column[r] ?? null));
      this.#explained[k] = Math.min(3, Number(explained[r]));
      [b1, b2, b3].forEach((column, b) => {
        this.#because[3 * k + b] = this.#products.code(scannedText(column[r]));
      });
      this.#offsets[Number(customers[r]) + 1] = k + 1;
    }
  }

  /** Completes the offsets (called once, after loading). */
  seal(): void {
    if (this.#offsets.length !== this.#ids.size + 1) {
      this.#offsets = new Int32Array(this.#ids.size + 1);
    }
    for (let i = 1; i < this.#offsets.length; i++) {
      this.#offsets[i] = Math.max(this.#offsets[i] ?? 0, this.#offsets[i - 1] ?? 0);
    }
    this.#ids.seal();
    this.#scoredCodes.clear();
  }

  #scoredOf(cells: readonly ScanValue[]): number {
    const [id, name, category, score, confidence, lift, support, cosine, holders] = cells;
    const entry: Scored = {
      productId: scannedText(id) ?? "",
      productName: scannedText(name),
      productCategory: scannedText(category),
      score: Number(score ?? Number.NaN),
      confidence: Number(confidence ?? Number.NaN),
      lift: Number(lift ?? Number.NaN),
      support: Number(support ?? Number.NaN),
      cosine: Number(cosine ?? Number.NaN),
      productHolders: Number(holders ?? Number.NaN),
    };
    const candidates = this.#scoredCodes.get(entry.productId) ?? [];
    for (let c = 0; c < candidates.length; c++) {
      const code = candidates[c] ?? 0;
      if (sameScored(this.#scored[code], entry)) {
        if (c > 0) [candidates[0], candidates[c]] = [code, candidates[0] ?? code];
        return code;
      }
    }
    const code = this.#scored.push(entry) - 1;
    candidates.unshift(code);
    this.#scoredCodes.set(entry.productId, candidates);
    return code;
  }
}

/** Whether two entries are the same, NaN equal to NaN (Object.is), null distinct from "". */
function sameScored(a: Scored | undefined, b: Scored): boolean {
  return (
    a !== undefined &&
    a.productName === b.productName &&
    a.productCategory === b.productCategory &&
    Object.is(a.score, b.score) &&
    Object.is(a.confidence, b.confidence) &&
    Object.is(a.lift, b.lift) &&
    Object.is(a.support, b.support) &&
    Object.is(a.cosine, b.cosine) &&
    Object.is(a.productHolders, b.productHolders)
  );
}

function grow<T extends Int32Array | Uint8Array>(from: T): T {
  const to = new (from.constructor as new (n: number) => T)(from.length * 2);
  to.set(from);
  return to;
}

/** Loads the {@link RecommendationIndex} of a snapshot in two scans, in the background. */
export async function loadRecommendationIndex(
  db: SnapshotReader,
  stopped: () => boolean,
): Promise<RecommendationIndex> {
  const index = new RecommendationIndex();
  await db.scan(KNOWN_SQL, [], (columns, rows) => {
    index.addKnown(columns, rows);
    return !stopped();
  });
  await db.scan(RECOMMENDATIONS_SQL, [], (columns, rows) => {
    index.addRecommendations(columns, rows);
    return !stopped();
  });
  index.seal();
  return index;
}

/** The in-memory precomputed recommendations, built once per snapshot. */
export const RECOMMENDATION_INDEX: MemoKey<RecommendationIndex> = {
  name: "recommendation index",
  build: loadRecommendationIndex,
};
