import type { ScanColumn } from "../../snapshot/snapshot-reader.js";
import { scannedText } from "./cells.js";
import type { CustomerListIndex } from "./customer-list-index.js";
import { Codes, StringPool, utf8 } from "./string-pool.js";

/**
 * The customers the holders index numbers its groups by, in id order: what a holder shows of a
 * customer and where a page token continues. Built from the portfolio, the index shares the
 * customer list's columns; built by its own scan, it holds the customers of that scan.
 */
export interface HolderCustomers {
  /** The bytes it holds of its own (0 when it reads another structure's). */
  readonly bytes: number;
  id(i: number): string;
  name(i: number): string;
  region(i: number): string;
  /** The first position whose id is above `customerId` in UTF-8 byte order (DuckDB's). */
  above(customerId: string): number;
}

/** The customer list's own columns as holder customers: positions are the list's. */
export function listedHolderCustomers(list: CustomerListIndex): HolderCustomers {
  const id = list.reader("customer_id");
  const name = list.reader("customer_name");
  const region = list.reader("region");
  return {
    bytes: 0,
    id: (i) => id(i) ?? "",
    name: (i) => name(i) ?? "",
    region: (i) => region(i) ?? "",
    above: (customerId) => list.above(customerId),
  };
}

/**
 * The holding customers as the holders scan numbers them (every id of the relationships,
 * orphans included, with the name and region of `customers` or "" for an orphan).
 */
export class ScannedHolderCustomers implements HolderCustomers {
  readonly #ids = new StringPool(1024);
  readonly #names = new StringPool(1024);
  readonly #regions = new Codes();
  #region = new Int32Array(1024);

  get bytes(): number {
    return this.#ids.bytes + this.#names.bytes + this.#regions.bytes + this.#region.byteLength;
  }

  id(i: number): string {
    return this.#ids.get(i);
  }

  name(i: number): string {
    return this.#names.get(i);
  }

  region(i: number): string {
    return this.#regions.value(this.#region[i] ?? -1) ?? "";
  }

  above(customerId: string): number {
    return this.#ids.lowerBound(utf8(customerId), 0, this.#ids.size, true);
  }

  /** Stores a chunk of rows of id, name and region, in id order (loading). */
  add(columns: readonly ScanColumn[], rows: number): void {
    const [ids = [], names = [], regions = []] = columns;
    for (let r = 0; r < rows; r++) {
      const code = this.#ids.push(String(ids[r]));
      this.#names.push(scannedText(names[r]) ?? "");
      if (code >= this.#region.length) {
        const grown = new Int32Array(this.#region.length * 2);
        grown.set(this.#region);
        this.#region = grown;
      }
      this.#region[code] = this.#regions.code(scannedText(regions[r]));
    }
  }

  /** Releases the spare capacity (called once, after loading). */
  seal(): void {
    this.#region = this.#region.slice(0, this.#ids.size);
    this.#ids.seal();
    this.#names.seal();
  }
}
