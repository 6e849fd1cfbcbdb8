import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";

/**
 * Splits one CSV line (comma-separated, double quotes, `""` for a quote inside quotes) into its
 * fields. Enough for files without line breaks inside fields, such as the Online Retail file.
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) {
    return line.split(",");
  }
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      fields.push(field);
      field = "";
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

/**
 * Yields each line of a gzipped text file after the header, as written, in file order. Tests
 * use it to compute expectations in plain JavaScript, independently of DuckDB.
 */
export async function* gzipDataLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()) });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
    } else if (line !== "") {
      yield line;
    }
  }
}

/**
 * `quantity × price` rounded half away from zero to cents, as the decimal string DuckDB prints
 * for DECIMAL(15,2), computed with integers only.
 */
export function centsOfProduct(quantity: string, price: string): string {
  const [whole = "0", fraction = ""] = price.replace("-", "").split(".");
  if (fraction.length > 3) {
    throw new RangeError(`price ${price} has more than three decimals`);
  }
  const thousandths = BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, "0"));
  const signedPrice = price.startsWith("-") ? -thousandths : thousandths;
  const product = BigInt(quantity) * signedPrice;
  const magnitude = product < 0n ? -product : product;
  const cents = (magnitude + 5n) / 10n;
  const text = `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
  return product < 0n && cents !== 0n ? `-${text}` : text;
}
