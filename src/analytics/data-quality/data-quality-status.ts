import type { CheckThresholds } from "./data-quality-options.js";

/** A check's outcome, as Soda reports it: pass, warn or fail. */
export type CheckStatus = "pass" | "warn" | "fail";

/** Which count `unexpected_percent` is a share of. */
export type PercentBasis = "nonmissing" | "element_count" | "none";

/** GX's column-map percentages, all on a 0–100 scale; null when undefined (no rows). */
export interface MapPercents {
  readonly missingCount: number | null;
  readonly missingPercent: number | null;
  /** GX's headline figure: the non-missing share, or the total share for not-null checks. */
  readonly unexpectedPercent: number | null;
  readonly unexpectedPercentTotal: number | null;
  readonly unexpectedPercentNonmissing: number | null;
  readonly basis: PercentBasis;
}

/**
 * GX's `_format_map_output`: `unexpected_percent` is `unexpected / nonnull * 100` (nulls are not
 * unexpected; the reference notes list it over element_count, but GX's code divides by the
 * non-null count and calls the other `unexpected_percent_total`). A not-null expectation has no
 * non-null count (`nonnull` null): its nulls are the unexpected values and both shares equal the
 * total share.
 */
export function mapPercents(
  elementCount: number,
  nonnull: number | null,
  unexpected: number,
): MapPercents {
  if (elementCount === 0) {
    return {
      missingCount: nonnull === null ? null : 0,
      missingPercent: null,
      unexpectedPercent: null,
      unexpectedPercentTotal: null,
      unexpectedPercentNonmissing: null,
      basis: nonnull === null ? "element_count" : "nonmissing",
    };
  }
  const total = (unexpected / elementCount) * 100;
  if (nonnull === null) {
    return {
      missingCount: null,
      missingPercent: null,
      unexpectedPercent: total,
      unexpectedPercentTotal: total,
      unexpectedPercentNonmissing: total,
      basis: "element_count",
    };
  }
  const missing = elementCount - nonnull;
  const nonmissing = nonnull > 0 ? (unexpected / nonnull) * 100 : null;
  return {
    missingCount: missing,
    missingPercent: (missing / elementCount) * 100,
    unexpectedPercent: nonmissing,
    unexpectedPercentTotal: total,
    unexpectedPercentNonmissing: nonmissing,
    basis: "nonmissing",
  };
}

/**
 * Pass at or below `warnAbove`, warn above it, fail above `failAbove`. An undefined figure (an
 * empty column) passes, as GX calls a vacuous expectation successful.
 */
export function statusFor(value: number | null, t: CheckThresholds): CheckStatus {
  if (value === null) return "pass";
  if (value > t.failAbove) return "fail";
  if (value > t.warnAbove) return "warn";
  return "pass";
}

/** The human form of a percent rule, stored with each result. */
export function percentRule(t: CheckThresholds): string {
  return `warn when unexpected_percent > ${t.warnAbove}; fail when > ${t.failAbove}`;
}
