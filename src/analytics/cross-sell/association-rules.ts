import type { SqlRunner } from "../../snapshot/sql-runner.js";
import { DERIVED_PARAM, recordDerivedParam } from "../derived-params.js";
import { RULE_METRIC_COLUMNS } from "./association-rule-sql.js";

/** The support floor of the precomputed rules. */
export interface AssociationRuleOptions {
  /**
   * Rules need a support of at least this fraction of N. The default 0.01 bounds the table at
   * about E[C(basket size, 2)] / 0.01 pairs whatever the catalogue size, since Σ pair counts =
   * Σ C(deg, 2); lower floors made millions of rules on Online Retail's large baskets.
   */
  readonly minSupport?: number | undefined;
  /** ...and at least this many customers holding both products, so tiny snapshots stay small. */
  readonly minPairCount?: number | undefined;
}

/** The floor used when the caller does not choose one. */
export const DEFAULT_RULES_MIN_SUPPORT = 0.01;
/** The count floor used when the caller does not choose one. */
export const DEFAULT_RULES_MIN_PAIR_COUNT = 5;

const SET_FLOOR = `UPDATE basket_modes
  SET min_pair_count = greatest(?::BIGINT, ceil(?::DOUBLE * baskets)::BIGINT)`;

const CREATE_RULES = `CREATE TABLE association_rules AS
  WITH m AS (SELECT basket_mode, baskets, min_pair_count FROM basket_modes),
  f AS (
    SELECT m.basket_mode, b.customer_id, b.product_id
    FROM basket_items b
    JOIN m ON m.basket_mode = 'all' OR b.active
    JOIN basket_product_counts c ON c.basket_mode = m.basket_mode AND c.product_id = b.product_id
    WHERE c.holders >= m.min_pair_count),
  co AS (
    SELECT a.basket_mode, a.product_id AS x, b.product_id AS y, count(*) AS n_xy
    FROM f a JOIN f b
      ON a.basket_mode = b.basket_mode AND a.customer_id = b.customer_id
     AND a.product_id < b.product_id
    GROUP BY a.basket_mode, a.product_id, b.product_id),
  directed AS (
    SELECT basket_mode, x AS antecedent, y AS consequent, n_xy FROM co
    UNION ALL
    SELECT basket_mode, y, x, n_xy FROM co),
  pc AS (
    SELECT d.basket_mode, d.antecedent, d.consequent, ca.holders AS n_a, cc.holders AS n_c,
           d.n_xy AS n_ac, m.baskets AS n
    FROM directed d
    JOIN m ON m.basket_mode = d.basket_mode
    JOIN basket_product_counts ca ON ca.basket_mode = d.basket_mode AND ca.product_id = d.antecedent
    JOIN basket_product_counts cc ON cc.basket_mode = d.basket_mode AND cc.product_id = d.consequent
    WHERE d.n_xy >= m.min_pair_count),
  rules AS (SELECT basket_mode, ${RULE_METRIC_COLUMNS} FROM pc)
  SELECT *, row_number() OVER (
      PARTITION BY basket_mode, antecedent
      ORDER BY both_count DESC, consequent_count DESC, consequent) AS rule_rank,
    dense_rank() OVER (PARTITION BY basket_mode ORDER BY confidence) AS confidence_rank
  FROM rules
  ORDER BY basket_mode, antecedent, rule_rank`;

/**
 * Precomputes every single-item rule X -> Y, for both basket modes, whose pair count reaches the
 * support floor, into `association_rules` (sorted by mode and antecedent, with `rule_rank` the
 * rule's place among its antecedent's rules by confidence, consequent popularity and id, and
 * `confidence_rank` its confidence as a dense integer rank, for cheap composite sort keys). The
 * floor per mode lands in `basket_modes.min_pair_count`; questions below it are answered from
 * `basket_items` by the query layer. Items under the floor are pruned before the self-join (the
 * apriori property), which never changes N.
 */
export async function buildAssociationRules(
  db: SqlRunner,
  options: AssociationRuleOptions = {},
): Promise<void> {
  const minSupport = options.minSupport ?? DEFAULT_RULES_MIN_SUPPORT;
  const minPairCount = Math.max(1, Math.ceil(options.minPairCount ?? DEFAULT_RULES_MIN_PAIR_COUNT));
  await db.run(SET_FLOOR, [minPairCount, minSupport]);
  await db.run(CREATE_RULES);
  await recordDerivedParam(db, DERIVED_PARAM.rulesMinSupport, String(minSupport));
}
