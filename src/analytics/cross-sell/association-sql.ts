/**
 * The select list that turns pair counts into every rule metric, shared by the snapshot build
 * and by the query layer's exact answers below the support floor, so both compute the same
 * numbers. It reads a relation with columns antecedent, consequent, n_a (customers holding the
 * antecedent), n_c (the consequent), n_ac (both) and n (baskets), and follows mlxtend's
 * `association_rules` formulas (fractions first, then ratios of fractions) so results agree with
 * it to the last bits; conviction is +infinity exactly when confidence is 1, decided on counts.
 */
export const RULE_METRIC_COLUMNS = `antecedent, consequent,
  n_a::BIGINT AS antecedent_count, n_c::BIGINT AS consequent_count, n_ac::BIGINT AS both_count,
  n_a::DOUBLE / n AS antecedent_support,
  n_c::DOUBLE / n AS consequent_support,
  n_ac::DOUBLE / n AS support,
  support / antecedent_support AS confidence,
  confidence / consequent_support AS lift,
  support - antecedent_support * consequent_support AS leverage,
  CASE WHEN n_ac = n_a THEN 'inf'::DOUBLE
       ELSE (1 - consequent_support) / (1 - confidence) END AS conviction,
  CASE WHEN greatest(support * (1 - antecedent_support),
                     antecedent_support * (consequent_support - support)) = 0 THEN 0
       ELSE leverage / greatest(support * (1 - antecedent_support),
                                antecedent_support * (consequent_support - support)) END
    AS zhangs_metric,
  support / (antecedent_support + consequent_support - support) AS jaccard,
  CASE WHEN n_c = n THEN 0
       ELSE (confidence - consequent_support) / (1 - consequent_support) END AS certainty,
  (support / antecedent_support + support / consequent_support) / 2 AS kulczynski,
  n_ac::DOUBLE / sqrt(n_a::DOUBLE * n_c::DOUBLE) AS cosine,
  (n_a - n_ac)::BIGINT AS opportunity_count`;

/** The metric columns a rule row carries, in the order {@link RULE_METRIC_COLUMNS} emits them. */
export const RULE_COLUMN_NAMES = [
  "antecedent",
  "consequent",
  "antecedent_count",
  "consequent_count",
  "both_count",
  "antecedent_support",
  "consequent_support",
  "support",
  "confidence",
  "lift",
  "leverage",
  "conviction",
  "zhangs_metric",
  "jaccard",
  "certainty",
  "kulczynski",
  "cosine",
  "opportunity_count",
] as const;
