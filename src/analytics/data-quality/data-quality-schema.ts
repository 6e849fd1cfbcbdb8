import type { DerivedTable } from "../profiles/profiles-schema.js";

/** One row per expectation: GX's result fields plus the pass/warn/fail status. */
export const DQ_RESULTS: DerivedTable = {
  name: "dq_results",
  columns: [
    ["check_id", "VARCHAR"],
    ["ordinal", "INTEGER"],
    ["expectation", "VARCHAR"],
    ["table_name", "VARCHAR"],
    ["column_names", "VARCHAR"],
    ["description", "VARCHAR"],
    ["success", "BOOLEAN"],
    ["status", "VARCHAR"],
    ["element_count", "BIGINT"],
    ["missing_count", "BIGINT"],
    ["missing_percent", "DOUBLE"],
    ["unexpected_count", "BIGINT"],
    ["unexpected_percent", "DOUBLE"],
    ["unexpected_percent_total", "DOUBLE"],
    ["unexpected_percent_nonmissing", "DOUBLE"],
    ["percent_basis", "VARCHAR"],
    ["observed_value", "VARCHAR"],
    ["warn_threshold", "DOUBLE"],
    ["fail_threshold", "DOUBLE"],
    ["threshold_unit", "VARCHAR"],
    ["rule", "VARCHAR"],
  ],
};

/** Up to 20 unexpected values per check with the primary key of their row (GX's partial lists). */
export const DQ_SAMPLES: DerivedTable = {
  name: "dq_unexpected_samples",
  columns: [
    ["check_id", "VARCHAR"],
    ["rank", "INTEGER"],
    ["value", "VARCHAR"],
    ["row_key", "VARCHAR"],
  ],
};

/** The most frequent unexpected values per check with their counts (GX's partial_unexpected_counts). */
export const DQ_COUNTS: DerivedTable = {
  name: "dq_unexpected_counts",
  columns: [
    ["check_id", "VARCHAR"],
    ["rank", "INTEGER"],
    ["value", "VARCHAR"],
    ["count", "BIGINT"],
  ],
};

/**
 * One row: every result with its partial lists as one JSON array (result rows keyed by the
 * `dq_results` column names, plus `samples` and `counts`), so the report is a single lookup.
 */
export const DQ_DOCUMENT: DerivedTable = {
  name: "dq_report_document",
  columns: [["document", "VARCHAR"]],
};

/** The serving side: GetDataQualityReport reads the one stored document. */
export const DQ_REPORT_SQL = `SELECT document FROM ${DQ_DOCUMENT.name}`;

/** The data-quality build's derived tables, in creation order. */
export const DATA_QUALITY_TABLES: readonly DerivedTable[] = [
  DQ_RESULTS,
  DQ_SAMPLES,
  DQ_COUNTS,
  DQ_DOCUMENT,
];
