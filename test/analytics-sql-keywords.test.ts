import { describe, expect, it } from "vitest";
import {
  COMPUTED_RULES_PAGE,
  PRECOMPUTED_RULES_PAGE,
  RULE_METRIC_COLUMNS,
} from "../src/analytics/cross-sell/association-rule-sql.js";
import {
  RECOMMEND_FROM_BASKETS,
  RECOMMEND_FROM_RULES,
} from "../src/analytics/cross-sell/cross-sell-sql.js";
import { RFM_SELECT } from "../src/analytics/rfm/rfm-sql.js";
import {
  COMPUTED_CUSTOMER_RFM,
  COMPUTED_SEGMENT_SUMMARY,
} from "../src/analytics/rfm/segmentation-sql.js";
import { TREND_ROLLUP_SELECT } from "../src/analytics/trends/trend-rollup-sql.js";
import { COMPUTED_SERIES, ROLLUP_SERIES } from "../src/analytics/trends/trend-series-sql.js";

/*
 * The keyword trap docs/analytics.md warns of: `value` is a DuckDB keyword (and `expr value` without AS
 * is a parser error in 1.5.6), so every statement must quote the column as "value" and never use
 * value or month as a bare alias. The behavioural tests would only catch the forms that fail to
 * parse; this catches the rest before they reach a snapshot.
 */
const STATEMENTS: Record<string, string> = {
  RULE_METRIC_COLUMNS,
  RFM_SELECT,
  RECOMMEND_FROM_RULES,
  RECOMMEND_FROM_BASKETS,
  COMPUTED_SEGMENT_SUMMARY,
  COMPUTED_CUSTOMER_RFM,
  ...Object.fromEntries(
    Object.entries(TREND_ROLLUP_SELECT).map(([g, sql]) => [`rollup ${g}`, sql]),
  ),
  ...Object.fromEntries(
    Object.entries(PRECOMPUTED_RULES_PAGE).map(([o, sql]) => [`rules ${o}`, sql]),
  ),
  ...Object.fromEntries(
    Object.entries(COMPUTED_RULES_PAGE).map(([o, sql]) => [`computed rules ${o}`, sql]),
  ),
  ...Object.fromEntries(
    Object.entries(ROLLUP_SERIES).flatMap(([g, by]) =>
      Object.entries(by).map(([b, sql]) => [`series ${g} ${b}`, sql]),
    ),
  ),
  ...Object.fromEntries(
    Object.entries(COMPUTED_SERIES).flatMap(([g, by]) =>
      Object.entries(by).map(([b, sql]) => [`computed ${g} ${b}`, sql]),
    ),
  ),
};

describe("SQL keyword hygiene", () => {
  it('quotes the "value" column everywhere and uses no bare value or month alias', () => {
    for (const [name, sql] of Object.entries(STATEMENTS)) {
      expect(sql, name).not.toMatch(/(?<!["'])\bvalue\b(?!["'])/i);
      expect(sql, name).not.toMatch(/\)\s+month\b|\bAS\s+month\b/i);
    }
  });

  it("binds request values instead of splicing them", () => {
    for (const [name, sql] of Object.entries(STATEMENTS)) {
      expect(sql, name).not.toMatch(/\$\{|undefined|\[object/);
    }
  });
});
