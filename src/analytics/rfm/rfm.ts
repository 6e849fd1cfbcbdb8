import type { AnalyticsBuild } from "../analytics-build.js";
import { RFM_SELECT, SEGMENT_SUMMARY_SELECT } from "./rfm-sql.js";

const CREATE_CUSTOMER_RFM = `CREATE TABLE customer_rfm AS
  SELECT * FROM (${RFM_SELECT}) ORDER BY customer_id`;

const CREATE_SEGMENT_SUMMARY = `CREATE TABLE rfm_segment_summary AS
  WITH scored_rows AS (SELECT * FROM customer_rfm WHERE segment IS NOT NULL)
  ${SEGMENT_SUMMARY_SELECT}`;

/**
 * The RFM build, one step a table, both at the snapshot's reference date: `customer_rfm` (every
 * customer with a relationship before the reference date: last start, recency, frequency,
 * monetary, F rank, R/F/M scores and segment, null scores when not scored; region and customer
 * type copied in so filtered summaries need no join), sorted by customer for
 * GetCustomerSegment, then `rfm_segment_summary` (the unfiltered per-segment answer).
 */
export const RFM_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "rfm",
    tables: ["customer_rfm"],
    build: (db, { dates }) => db.run(CREATE_CUSTOMER_RFM, [dates.referenceDate]),
  },
  {
    slice: "rfm",
    tables: ["rfm_segment_summary"],
    build: (db) => db.run(CREATE_SEGMENT_SUMMARY),
  },
];
