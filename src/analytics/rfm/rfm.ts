import type { SqlRunner } from "../../snapshot/sql-runner.js";
import type { AnalyticsBuild } from "../analytics-build.js";
import { profiledUniqueKey } from "../profiles/profiles-key-unique.js";
import { RFM_SELECT, RFM_SELECT_UNIQUE_IDS, SEGMENT_SUMMARY_SELECT } from "./rfm-sql.js";

const createCustomerRfm = (select: string) => `CREATE TABLE customer_rfm AS
  SELECT * FROM (${select}) ORDER BY customer_id`;

const CREATE_CUSTOMER_RFM = createCustomerRfm(RFM_SELECT);

const CREATE_CUSTOMER_RFM_UNIQUE_IDS = createCustomerRfm(RFM_SELECT_UNIQUE_IDS);

const CREATE_SEGMENT_SUMMARY = `CREATE TABLE rfm_segment_summary AS
  WITH scored_rows AS (SELECT * FROM customer_rfm WHERE segment IS NOT NULL)
  ${SEGMENT_SUMMARY_SELECT}`;

/**
 * The RFM build, one step a table, both at the snapshot's reference date: `customer_rfm` (every
 * customer with a relationship before the reference date: last start, recency, frequency,
 * monetary, F rank, R/F/M scores and segment, null scores when not scored; region and customer
 * type copied in so filtered summaries need no join), sorted by customer for
 * GetCustomerSegment, then `rfm_segment_summary` (the unfiltered per-segment answer). Runs after
 * the profiles, whose proof that relationship ids are unique lets frequency skip the distinct
 * count.
 */
export const RFM_BUILDS: readonly AnalyticsBuild[] = [
  {
    slice: "rfm",
    tables: ["customer_rfm"],
    build: async (db, { dates }) => db.run(await customerRfmStatement(db), [dates.referenceDate]),
  },
  {
    slice: "rfm",
    tables: ["rfm_segment_summary"],
    build: (db) => db.run(CREATE_SEGMENT_SUMMARY),
  },
];

/** The customer_rfm statement for this snapshot: a plain count where ids are proved unique. */
async function customerRfmStatement(db: SqlRunner): Promise<string> {
  const unique = await profiledUniqueKey(db, "customer_products", "relationship_id");
  return unique === null ? CREATE_CUSTOMER_RFM : CREATE_CUSTOMER_RFM_UNIQUE_IDS;
}
