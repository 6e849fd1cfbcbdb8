import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "../analytics-fixture.js";

/**
 * A deterministic, bank-like data set written as the local source's three CSV files: customers
 * in four regions and three types, sixteen products in four categories bought in correlated
 * bundles (so association rules and recommendations exist), relationships spread over six years
 * with some ended, and values with exact cents. Names include a comma,
 * double quotes and an apostrophe so CSV quoting is exercised. The dashboard and export tests
 * use it: big enough for charts and multi-chunk exports, small enough to sync in seconds.
 */
export async function writeBankFixture(customers: number, seed = 7): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ca-bank-"));
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const customerLines = ["customer_id,customer_name,customer_type,region,registration_date,status"];
  const relationshipLines = [
    "relationship_id,customer_id,product_id,relationship_type,start_date,end_date,value",
  ];
  let relationship = 0;
  for (let i = 1; i <= customers; i++) {
    const id = `C${String(i).padStart(5, "0")}`;
    const name = i === 1 ? "Alice Ledger" : customerName(i, pick);
    const registered = day(rand() * 2190);
    const status = rand() < 0.9 ? "active" : "inactive";
    customerLines.push([id, csv(name), pick(TYPES), pick(REGIONS), registered, status].join(","));
    const bundle = i === 1 ? FIRST_BUNDLE : pick(BUNDLES);
    const held = new Set(bundle.filter(() => i === 1 || rand() < 0.8));
    if (rand() < 0.3) held.add(pick(PRODUCTS)[0]);
    if (i === 1) held.delete("P04");
    for (const product of held) {
      relationship++;
      const offset = rand() * 2100;
      const start = day(offset);
      const ended = rand() < 0.15 ? day(offset + 30 + rand() * 60) : "";
      const value = (rand() * 5000 + 0.01).toFixed(2);
      relationshipLines.push(
        [`R${relationship}`, id, product, pick(KINDS), start, ended, value].join(","),
      );
    }
  }
  const productLines = ["product_id,product_name,product_category,product_type,launch_date,status"];
  for (const [id, name, category, type] of PRODUCTS) {
    productLines.push([id, csv(name), category, type, "2015-01-01", "active"].join(","));
  }
  await writeFile(join(dir, "customers.csv"), `${customerLines.join("\n")}\n`);
  await writeFile(join(dir, "products.csv"), `${productLines.join("\n")}\n`);
  await writeFile(join(dir, "customer_products.csv"), `${relationshipLines.join("\n")}\n`);
  return dir;
}

const REGIONS = ["North", "South", "East", "West"] as const;
const TYPES = ["retail", "wholesale", "private"] as const;
const KINDS = ["holder", "joint"] as const;
const FIRST = ["Ann", "Bob", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun"] as const;
const LAST = ["Smith", "O'Neil", "Ng", "Kowalski", "Diaz", "Okafor", "Berg", "Rossi"] as const;

const PRODUCTS: readonly (readonly [string, string, string, string])[] = [
  ["P01", "Everyday Checking", "banking", "account"],
  ["P02", "Online Savings", "banking", "account"],
  ["P03", "Youth Account", "banking", "account"],
  ["P04", "Term Deposit", "banking", "deposit"],
  ["P05", "Cashback Card", "cards", "card"],
  ["P06", "Travel Card", "cards", "card"],
  ["P07", 'Business "Gold" Card', "cards", "card"],
  ["P08", "Prepaid Card", "cards", "card"],
  ["P09", "Home Mortgage", "lending", "loan"],
  ["P10", "Car Loan", "lending", "loan"],
  ["P11", "Personal Loan", "lending", "loan"],
  ["P12", "Overdraft, Flexible", "lending", "credit"],
  ["P13", "Index Fund", "investing", "fund"],
  ["P14", "Pension Plan", "investing", "pension"],
  ["P15", "Brokerage Account", "investing", "account"],
  ["P16", "Green Bond", "investing", "bond"],
];

/** Alice's bundle, less the deposit the dashboard test expects to see recommended. */
const FIRST_BUNDLE = ["P01", "P02", "P05", "P04"] as const;

/** Products people tend to hold together: what gives the rules their lift. */
const BUNDLES: readonly (readonly string[])[] = [
  FIRST_BUNDLE,
  ["P01", "P09", "P14", "P12"],
  ["P01", "P06", "P15", "P13"],
  ["P02", "P03", "P08"],
  ["P01", "P10", "P11", "P12"],
  ["P07", "P12", "P15", "P16"],
  ["P02", "P13", "P14"],
];

function customerName(i: number, pick: <T>(items: readonly T[]) => T): string {
  if (i % 97 === 0) return `${pick(LAST)}, ${pick(FIRST)} & Co`;
  if (i % 89 === 0) return `"${pick(FIRST)}'s" Shop`;
  return `${pick(FIRST)} ${pick(LAST)}`;
}

/** The day `offset` days after 2019-01-01, as YYYY-MM-DD. */
function day(offset: number): string {
  return new Date(Date.UTC(2019, 0, 1) + Math.floor(offset) * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

function csv(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
