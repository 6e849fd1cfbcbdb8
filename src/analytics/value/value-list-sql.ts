import { PURCHASE_SUMMARY } from "./value-sql.js";

/** The columns every customer-value answer reads. */
const VALUE_COLUMNS = `v.customer_id, strftime(v.first_purchase, '%Y-%m-%d') AS first_purchase,
  strftime(v.last_purchase, '%Y-%m-%d') AS last_purchase, v.x, v.t_x, v."T", v.zbar, v.p_alive,
  v.expected_30, v.expected_90, v.expected_365, v.expected_spend, v.clv, v.value_at_risk`;

/** `?` customer: one customer's precomputed row. */
export const PRECOMPUTED_CUSTOMER_VALUE = `SELECT ${VALUE_COLUMNS} FROM value_customers v
WHERE v.customer_id = ?`;

/** `?` customer: whether the id is a customer at all. */
export const CUSTOMER_EXISTS = "SELECT 1 AS known FROM customers WHERE customer_id = ? LIMIT 1";

/**
 * One customer's calibration history under other arguments. Params: the summary's, then the
 * customer id.
 */
export const CUSTOMER_HISTORY = `SELECT customer_id, strftime(birth, '%Y-%m-%d') AS first_purchase,
  strftime(last_day, '%Y-%m-%d') AS last_purchase, x, t_x, "T", zbar
FROM (${PURCHASE_SUMMARY}) WHERE customer_id = ?`;

/** The rankings ListCustomersByValue offers, each an allow-listed column of value_customers. */
export const RANKING_COLUMNS = { clv: "clv", at_risk: "value_at_risk" } as const;

/** A ranking's name. */
export type RankingName = keyof typeof RANKING_COLUMNS;

/**
 * One page of the ranking, best first, ties by customer_id; keyset continuation after
 * (score, id). Params: regions JSON twice, customer types JSON twice, max P(alive) twice,
 * min repeats, last score three times, last id, limit.
 */
function rankedPageSql(column: (typeof RANKING_COLUMNS)[RankingName]): string {
  return `SELECT ${VALUE_COLUMNS}
FROM value_customers v LEFT JOIN customers c ON c.customer_id = v.customer_id
WHERE v.${column} IS NOT NULL
  AND (json_array_length(?::JSON) = 0 OR c.region IN (SELECT unnest(json_transform(?, '["VARCHAR"]'))))
  AND (json_array_length(?::JSON) = 0 OR c.customer_type IN (SELECT unnest(json_transform(?, '["VARCHAR"]'))))
  AND (?::DOUBLE IS NULL OR v.p_alive <= ?::DOUBLE)
  AND v.x >= ?
  AND (?::DOUBLE IS NULL OR v.${column} < ?::DOUBLE OR (v.${column} = ?::DOUBLE AND v.customer_id > ?))
ORDER BY v.${column} DESC, v.customer_id
LIMIT ?`;
}

/** The page SQL per ranking, written once. */
export const RANKED_PAGE: Readonly<Record<RankingName, string>> = {
  clv: rankedPageSql(RANKING_COLUMNS.clv),
  at_risk: rankedPageSql(RANKING_COLUMNS.at_risk),
};

/** The precomputed customers in ten equal groups by CLV, lowest first. */
export const CLV_DECILES = `SELECT decile::INTEGER AS decile, count(*)::DOUBLE AS customers,
  min(clv) AS min_clv, max(clv) AS max_clv, sum(clv) AS total_clv
FROM (SELECT clv, ntile(10) OVER (ORDER BY clv, customer_id) AS decile
      FROM value_customers WHERE clv IS NOT NULL)
GROUP BY decile ORDER BY decile`;
