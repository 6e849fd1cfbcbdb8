import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 1 });
const twoDigits = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

/** A count with thousands separators ("12,345"). */
export function count(n: number | bigint): string {
  return whole.format(n);
}

/** A short number for axes and tiles ("12.3K"). */
export function short(n: number): string {
  return Math.abs(n) < 1000 ? twoDigits.format(n) : compact.format(n);
}

/** A share in [0, 1] as a percentage ("12.5%"). */
export function share(x: number): string {
  return percent.format(x);
}

/** A ratio such as lift or confidence, with two decimals. */
export function ratio(x: number): string {
  return twoDigits.format(x);
}

/**
 * An exact decimal string ("1234567.50") with thousands separators, digits untouched: the
 * server sends money as text so it never passes through a float, and neither does this.
 */
export function money(decimal: string): string {
  if (decimal === "") return "—";
  const [int = "0", frac] = decimal.split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const digits = sign === "" ? int : int.slice(1);
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${frac === undefined ? "" : `.${frac}`}`;
}

/** A timestamp as a readable UTC moment ("28 Nov 2026, 01:43 UTC"). */
export function when(ts: Timestamp | undefined): string {
  if (ts === undefined) return "—";
  return `${timestampDate(ts).toLocaleString("en-GB", {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  })} UTC`;
}

/** How long ago, in words ("3 min", "2 h 5 min", "4 days"). */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

/** A protobuf Duration in milliseconds. */
export function durationMs(d: Duration | undefined): number {
  if (d === undefined) return 0;
  return Number(d.seconds) * 1000 + Math.round(d.nanos / 1e6);
}

/** A snake_case word as a label ("loyal_customers" → "Loyal customers"). */
export function label(word: string): string {
  const text = word.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
