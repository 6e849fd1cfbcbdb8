/**
 * How the in-memory structures hold SQL cells in typed arrays, and how they turn them back into
 * the exact text the SQL path returns (dates as DuckDB prints them, DECIMALs to the cent).
 *
 * @module
 */

/** A NULL start_date (or any NULL day): never active, in no minimum or maximum. */
export const NO_START = -2_147_483_648;
/** A NULL end_date: open-ended, so active on every day from its start. */
export const OPEN_END = 2_147_483_647;
/** 0001-01-01 in days since 1970-01-01: where a missing start sorts (the SQL's coalesce). */
export const FIRST_DAY = -719_162;
/** 9999-12-31 in days: the last date JavaScript formats as DuckDB does. */
export const LAST_DAY = 2_932_896;
const DAY_MS = 86_400_000;

/** The SQL that turns DATE `column` into days, NULL into `sentinel` (bound as `?`). */
export function daySql(column: string): string {
  return `coalesce((${column} - DATE '1970-01-01')::INTEGER, ?)`;
}

/** The SQL that turns DECIMAL `column` into cents as DOUBLE (exact below 2^53), NULL into NaN. */
export function centsSql(column: string): string {
  return `coalesce((${column} * 100)::DOUBLE, 'NaN'::DOUBLE)`;
}

/** A day read from a scan; throws for a date JavaScript would not print as DuckDB does. */
export function scannedDay(value: unknown, sentinel: number): number {
  const day = Number(value);
  if (day !== sentinel && (day < FIRST_DAY || day > LAST_DAY)) {
    throw new Error("a date lies outside 0001-01-01 to 9999-12-31");
  }
  return day;
}

/** The day of a validated `YYYY-MM-DD` request date. */
export function dayOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/**
 * A day as `YYYY-MM-DD`; "" for a NULL sentinel. Every date of every answer read from memory
 * goes through here, so it is the civil-from-days arithmetic (proleptic Gregorian, as DuckDB
 * and `Date` count) rather than a `Date` and its ISO string, which cost several times more;
 * test/day-text-matches-iso-dates.test.ts holds it to `toISOString` for every day it accepts.
 */
export function dayText(day: number): string {
  const i = day - PRINTED_FROM;
  if (i < 0 || i >= PRINTED_DAYS) return printedDay(day);
  let text = printed[i];
  if (text === undefined) {
    text = printedDay(day);
    printed[i] = text;
  }
  return text;
}

/** The first day kept printed (1900-01-01) and how many follow it (to 2099-12-31). */
const PRINTED_FROM = -25_567;
const PRINTED_DAYS = 73_049;

/**
 * The days of two centuries as their text once printed: a page of fifty holders prints a
 * hundred dates, and the same few thousand days recur in every answer, so each is one string
 * for the process's life instead of a new one per answer (less to build and to collect).
 */
const printed: (string | undefined)[] = new Array(PRINTED_DAYS);

/** {@link dayText} computed. */
function printedDay(day: number): string {
  if (day === NO_START || day === OPEN_END) return "";
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const date = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${date < 10 ? "0" : ""}${date}`;
}

/** Cents as DuckDB prints a DECIMAL(p,2): `-0.05`, `0.00`, `1234.56`. */
export function decimalText(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * Whole cents below 2^53 as DuckDB prints a DECIMAL(p,2), without the BigInt that
 * {@link decimalText} needs past 2^53: every money field read from memory goes through one of
 * the two, and a BigInt per value costs more than the rest of the formatting.
 */
export function safeCentsText(cents: number): string {
  const negative = cents < 0;
  const digits = String(negative ? -cents : cents).padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** A stored cents cell as its DECIMAL text; "" for NULL (NaN). */
export function centsText(cents: number): string {
  if (Number.isNaN(cents)) return "";
  return Number.isSafeInteger(cents) ? safeCentsText(cents) : decimalText(BigInt(cents));
}

/** Whether a relationship from `start` to `end` is active on `day` (start <= day <= end). */
export function activeOn(start: number, end: number, day: number): boolean {
  return start !== NO_START && start <= day && end >= day;
}

/** A scanned text cell; null stays null. */
export function scannedText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
