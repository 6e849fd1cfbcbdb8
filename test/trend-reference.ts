import type { TestData, TestRelationship } from "./analytics-fixture.js";
import { addDays } from "./analytics-fixture.js";

/*
 * Trends by brute force, period by period, in plain JS from docs/analytics.md and docs/data_sources.md's
 * "active on day d": no events, no running sums, no SQL. Slow, obviously right, and so the
 * answer the service's roll-ups are checked against.
 */

/** A period length. */
export type Granularity = "day" | "week" | "month" | "quarter";

/** The first day of the period holding `date`. */
export function periodStart(date: string, g: Granularity): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (g === "week") return addDays(date, -((d.getUTCDay() + 6) % 7));
  if (g === "month") return `${date.slice(0, 7)}-01`;
  if (g === "quarter") {
    const month = Math.floor(d.getUTCMonth() / 3) * 3 + 1;
    return `${date.slice(0, 4)}-${String(month).padStart(2, "0")}-01`;
  }
  return date;
}

/** The first day of the period after the one starting on `start`. */
export function nextPeriod(start: string, g: Granularity): string {
  if (g === "day") return addDays(start, 1);
  if (g === "week") return addDays(start, 7);
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + (g === "month" ? 1 : 3));
  return d.toISOString().slice(0, 10);
}

/** One period's measures for one group. */
export interface ReferencePoint {
  periodStart: string;
  revenueCents: number;
  activeCustomers: number;
  newCustomers: number;
  newRelationships: number;
  endedRelationships: number;
  openAtStart: number;
}

/** Options mirroring GetTrends' arguments. */
export interface ReferenceTrendArgs {
  granularity: Granularity;
  from: string;
  to: string;
  groupBy: "none" | "region" | "product_category" | "customer_type";
  regions?: string[];
  customerTypes?: string[];
  productCategories?: string[];
}

function toCents(value: string | null): number {
  return value === null ? 0 : Math.round(Number(value) * 100);
}

/**
 * Series per group key ("" for ungrouped, null for a missing value), each point from the period
 * before `from`'s through `to`'s. Groups with nothing in the requested periods are left out.
 */
export function referenceTrends(
  data: TestData,
  args: ReferenceTrendArgs,
): Map<string | null, ReferencePoint[]> {
  const customer = new Map(data.customers.map((c) => [c.id, c]));
  const category = new Map(data.products.map((p) => [p.id, p.category]));
  const inList = (list: string[] | undefined, v: string | null) =>
    list === undefined || list.length === 0 || (v !== null && list.includes(v));
  const rels = data.relationships.filter((r) => {
    const c = customer.get(r.customer);
    return (
      r.start !== null &&
      inList(args.regions, c?.region ?? null) &&
      inList(args.customerTypes, c?.type ?? null) &&
      inList(args.productCategories, category.get(r.product) ?? null)
    );
  });
  const keyOf = (r: TestRelationship): string | null => {
    const c = customer.get(r.customer);
    if (args.groupBy === "region") return c?.region ?? null;
    if (args.groupBy === "customer_type") return c?.type ?? null;
    if (args.groupBy === "product_category") return category.get(r.product) ?? null;
    return "";
  };
  const groups = new Map<string | null, TestRelationship[]>();
  for (const r of rels) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const first = periodStart(args.from, args.granularity);
  const last = periodStart(args.to, args.granularity);
  const periods: string[] = [];
  for (let p = first; p <= last; p = nextPeriod(p, args.granularity)) periods.push(p);
  const before = periodStart(addDays(first, -1), args.granularity);
  const out = new Map<string | null, ReferencePoint[]>();
  for (const [key, list] of groups) {
    const firstStart = new Map<string, string>();
    for (const r of list) {
      const s = r.start ?? "";
      if (!firstStart.has(r.customer) || s < (firstStart.get(r.customer) ?? "")) {
        firstStart.set(r.customer, s);
      }
    }
    const points = [before, ...periods].map((p) => {
      const end = addDays(nextPeriod(p, args.granularity), -1);
      const inPeriod = (d: string | null) => d !== null && d >= p && d <= end;
      const active = new Set<string>();
      for (const r of list) {
        const startsInTime = (r.start ?? "") <= end;
        const endsInTime = r.end === null || r.end >= p;
        const everOpen = r.end === null || r.end >= (r.start ?? "");
        if (startsInTime && endsInTime && everOpen) active.add(r.customer);
      }
      return {
        periodStart: p,
        revenueCents: list
          .filter((r) => inPeriod(r.start))
          .reduce((s, r) => s + toCents(r.value), 0),
        activeCustomers: active.size,
        newCustomers: [...firstStart.values()].filter(inPeriod).length,
        newRelationships: list.filter((r) => inPeriod(r.start)).length,
        endedRelationships: list.filter((r) => inPeriod(r.end)).length,
        openAtStart: list.filter((r) => (r.start ?? "") < p && (r.end === null || r.end >= p))
          .length,
      };
    });
    const inRange = points.slice(1);
    const any = inRange.some(
      (x) =>
        x.revenueCents !== 0 ||
        x.activeCustomers +
          x.newCustomers +
          x.newRelationships +
          x.endedRelationships +
          x.openAtStart >
          0,
    );
    if (any) out.set(key, points);
  }
  return out;
}
