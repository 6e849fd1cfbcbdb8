import { RFM_SEGMENTS, type RfmSegmentName } from "../analytics/rfm/rfm-sql.js";
import {
  COMPUTED_CUSTOMER_RFM,
  COMPUTED_SEGMENT_SUMMARY,
  CUSTOMER_KNOWN,
  FILTERED_SEGMENT_SUMMARY,
  PRECOMPUTED_CUSTOMER_RFM,
  PRECOMPUTED_SEGMENT_SUMMARY,
} from "../analytics/rfm/segmentation-sql.js";
import { AppError } from "../app-error.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";
import type { SqlRow, SqlRunner } from "../snapshot/sql-runner.js";
import { readAnalyticsParams } from "./analytics-params.js";
import { checkId } from "./arg-checks.js";
import { requestDate } from "./dates.js";
import { RFM_INDEX } from "./memory/rfm-index.js";
import { cellNumber, cellNumberOrNull, cellText, jsonListParam } from "./row-values.js";

export { getCohortRetention } from "./cohort-queries.js";

/** GetSegmentSummary's arguments; empty filters mean everyone. */
export interface SegmentSummaryArgs {
  /** YYYY-MM-DD; undefined or "" means the snapshot's reference date. */
  readonly referenceDate?: string;
  readonly regions?: readonly string[];
  readonly customerTypes?: readonly string[];
}

/** One segment's customers, in summary. */
export interface SegmentStats {
  readonly segment: RfmSegmentName;
  readonly customers: number;
  /** customers / scored customers matching the filters; 0 when there are none. */
  readonly share: number;
  /** Means over the segment; 0 when it is empty. */
  readonly meanRecency: number;
  readonly meanFrequency: number;
  readonly meanMonetary: number;
  /** The segment's monetary total, an exact decimal string. */
  readonly totalMonetary: string;
}

/** GetSegmentSummary's answer: all ten segments in map order. */
export interface SegmentSummaryResult {
  readonly referenceDate: string;
  readonly scoredCustomers: number;
  readonly segments: SegmentStats[];
  readonly computedFrom: "precomputed" | "computed";
}

/**
 * Counts each RFM segment's customers with their share and mean R, F and M. Filters pick which
 * customers are summarised; scores are always those of the whole scored population. The
 * snapshot's reference date is answered from the precomputed scores; another date re-scores
 * everyone from the relationships.
 */
export async function getSegmentSummary(
  db: SqlRunner,
  args: SegmentSummaryArgs,
): Promise<SegmentSummaryResult> {
  const params = await readAnalyticsParams(db);
  const ref = requestDate(args.referenceDate ?? "", "reference_date", params.referenceDate);
  const regions = jsonListParam(args.regions);
  const types = jsonListParam(args.customerTypes);
  const filtered = (args.regions?.length ?? 0) > 0 || (args.customerTypes?.length ?? 0) > 0;
  const filterParams = [regions, regions, types, types];
  let rows: SqlRow[];
  if (ref !== params.referenceDate) {
    rows = await db.all(COMPUTED_SEGMENT_SUMMARY, [ref, ...filterParams]);
  } else if (filtered) {
    rows = await db.all(FILTERED_SEGMENT_SUMMARY, filterParams);
  } else {
    rows = await db.all(PRECOMPUTED_SEGMENT_SUMMARY);
  }
  const bySegment = new Map(rows.map((r) => [cellText(r.segment), r]));
  const total = rows.reduce((sum, r) => sum + cellNumber(r.customers), 0);
  return {
    referenceDate: ref,
    scoredCustomers: total,
    segments: RFM_SEGMENTS.map((segment) => toStats(segment, bySegment.get(segment), total)),
    computedFrom: ref === params.referenceDate ? "precomputed" : "computed",
  };
}

function toStats(segment: RfmSegmentName, row: SqlRow | undefined, total: number): SegmentStats {
  const customers = cellNumber(row?.customers ?? 0);
  return {
    segment,
    customers,
    share: total === 0 ? 0 : customers / total,
    meanRecency: cellNumberOrNull(row?.mean_recency) ?? 0,
    meanFrequency: cellNumberOrNull(row?.mean_frequency) ?? 0,
    meanMonetary: cellNumberOrNull(row?.mean_monetary) ?? 0,
    totalMonetary: cellText(row?.total_monetary) ?? "0.00",
  };
}

/** GetCustomerSegment's answer: R, F, M, scores and segment, or `scored: false`. */
export interface CustomerSegmentResult {
  readonly customerId: string;
  readonly referenceDate: string;
  readonly scored: boolean;
  /** Null when the customer has no relationship before the reference date. */
  readonly recency: number | null;
  readonly frequency: number;
  readonly monetary: string;
  readonly lastStartDate: string | null;
  readonly rScore: number | null;
  readonly fScore: number | null;
  readonly mScore: number | null;
  /** R, F and M digits ("545"); null when not scored. */
  readonly rfmScore: string | null;
  readonly segment: RfmSegmentName | null;
}

/**
 * One customer's RFM at the snapshot's reference date (a point lookup) or another date (the
 * population re-scored). A known customer without relationships before the date, or with a
 * monetary total that is not positive, comes back unscored. NOT_FOUND when the id is unknown.
 * On a snapshot the reference date's rows come from the in-memory {@link RFM_INDEX} once built.
 */
export async function getCustomerSegment(
  db: SqlRunner | SnapshotReader,
  args: { readonly customerId: string; readonly referenceDate?: string },
): Promise<CustomerSegmentResult> {
  const customerId = checkId(args.customerId, "customer_id");
  const params = await readAnalyticsParams(db);
  const ref = requestDate(args.referenceDate ?? "", "reference_date", params.referenceDate);
  const memory =
    ref === params.referenceDate && "memo" in db ? db.memo.built(RFM_INDEX) : undefined;
  let row: SqlRow | undefined;
  if (memory !== undefined) {
    const found = memory.row(customerId);
    if (found === undefined) throw noCustomer(customerId);
    row = found ?? undefined;
  } else {
    [row] =
      ref === params.referenceDate
        ? await db.all(PRECOMPUTED_CUSTOMER_RFM, [customerId])
        : await db.all(COMPUTED_CUSTOMER_RFM, [ref, customerId]);
    if (row === undefined) {
      const [known] = await db.all(CUSTOMER_KNOWN, [customerId]);
      if (known === undefined) throw noCustomer(customerId);
    }
  }
  const segment = cellText(row?.segment);
  const scores = [row?.r_score, row?.f_score, row?.m_score].map(cellNumberOrNull);
  const [r, f, m] = scores;
  return {
    customerId,
    referenceDate: ref,
    scored: segment !== null,
    recency: cellNumberOrNull(row?.recency),
    frequency: cellNumber(row?.frequency ?? 0),
    monetary: cellText(row?.monetary) ?? "0.00",
    lastStartDate: cellText(row?.last_start_date),
    rScore: r ?? null,
    fScore: f ?? null,
    mScore: m ?? null,
    rfmScore: segment === null ? null : scores.join(""),
    segment: RFM_SEGMENTS.find((s) => s === segment) ?? null,
  };
}

function noCustomer(customerId: string): AppError {
  return new AppError("not_found", `no customer has id ${customerId}`, {
    field: "customer_id",
  });
}
