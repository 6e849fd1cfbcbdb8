import { RFM_SELECT, SEGMENT_SUMMARY_SELECT } from "./rfm-sql.js";

const FILTERS = `(len(json_transform(?, '["VARCHAR"]')) = 0
      OR list_contains(json_transform(?, '["VARCHAR"]'), region))
    AND (len(json_transform(?, '["VARCHAR"]')) = 0
      OR list_contains(json_transform(?, '["VARCHAR"]'), customer_type))`;

/** The unfiltered summary at the snapshot's reference date, precomputed. */
export const PRECOMPUTED_SEGMENT_SUMMARY = "SELECT * FROM rfm_segment_summary";

/** `?` regions (JSON) ×2, customer types (JSON) ×2: a filtered summary at the default date. */
export const FILTERED_SEGMENT_SUMMARY = `WITH scored_rows AS (
    SELECT * FROM customer_rfm WHERE segment IS NOT NULL AND ${FILTERS})
  ${SEGMENT_SUMMARY_SELECT}`;

/** `?` reference date, then the filters: a summary at another date, computed from scratch. */
export const COMPUTED_SEGMENT_SUMMARY = `WITH scored_rows AS (
    SELECT * FROM (${RFM_SELECT}) WHERE segment IS NOT NULL AND ${FILTERS})
  ${SEGMENT_SUMMARY_SELECT}`;

const RFM_COLUMNS = `customer_id, last_start_date, recency, frequency, monetary, r_score, f_score,
  m_score, segment`;

/** `?` customer: one customer's RFM at the default date. */
export const PRECOMPUTED_CUSTOMER_RFM = `SELECT ${RFM_COLUMNS} FROM customer_rfm WHERE customer_id = ?`;

/**
 * `?` reference date, customer: one customer's RFM at another date. The whole population is
 * scored (quintile edges and F ranks depend on everyone), then the customer picked.
 */
export const COMPUTED_CUSTOMER_RFM = `SELECT ${RFM_COLUMNS} FROM (${RFM_SELECT}) WHERE customer_id = ?`;

/** `?` customer: whether the id names a customer at all (one without relationships is known). */
export const CUSTOMER_KNOWN = "SELECT 1 AS found FROM customers WHERE customer_id = ? LIMIT 1";
