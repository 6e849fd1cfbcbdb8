/**
 * When a check warns and when it fails, on its `unexpected_percent` (0–100). A check passes at or
 * below `warnAbove`, warns above it, and fails above `failAbove`. GX's `mostly` is
 * `1 - failAbove/100`: a check is GX-successful exactly when it does not fail.
 */
export interface CheckThresholds {
  readonly warnAbove: number;
  readonly failAbove: number;
}

/** The accepted values of the enumerated columns. */
export interface ValueSets {
  readonly customerStatus: readonly string[];
  readonly productStatus: readonly string[];
  readonly relationshipType: readonly string[];
}

/** Age limits on the snapshot's `data_as_of` (hours) and on the newest relationship (days). */
export interface FreshnessLimits {
  readonly dataAsOfWarnHours: number;
  readonly dataAsOfFailHours: number;
  readonly latestStartWarnDays: number;
  /** Null: an old newest relationship only warns (historical data sets are legitimately old). */
  readonly latestStartFailDays: number | null;
}

/** Everything the data-quality build needs; see {@link resolveDataQualityOptions}. */
export interface DataQualityOptions {
  /** When the snapshot's data was true at the source: the freshness check measures its age. */
  readonly dataAsOf: Date;
  /** The build's clock: dates after this day (UTC) are "in the future". */
  readonly now: Date;
  readonly valueSets?: Partial<ValueSets>;
  /** Thresholds for every check without its own (default warn above 0 %, fail above 5 %). */
  readonly defaultThresholds?: CheckThresholds;
  /** Thresholds for primary keys (default: fail on any null or duplicate). */
  readonly keyThresholds?: CheckThresholds;
  /** Per-check overrides by check id, e.g. `customer_products.value.non_negative`. */
  readonly thresholds?: Readonly<Record<string, CheckThresholds>>;
  readonly freshness?: Partial<FreshnessLimits>;
  /** A table with fewer rows fails its row-count check (default 1). */
  readonly minRows?: number;
  /** Sample unexpected values kept per check, at most 20 (GX's partial list). */
  readonly sampleSize?: number;
}

/** {@link DataQualityOptions} with every default applied. */
export interface ResolvedDataQualityOptions {
  readonly dataAsOf: Date;
  readonly now: Date;
  readonly valueSets: ValueSets;
  readonly defaultThresholds: CheckThresholds;
  readonly keyThresholds: CheckThresholds;
  readonly thresholds: Readonly<Record<string, CheckThresholds>>;
  readonly freshness: FreshnessLimits;
  readonly minRows: number;
  readonly sampleSize: number;
}

/**
 * The documented value sets: customer lifecycle states, product lifecycle states, and the kinds
 * of holding (the bundled Online Retail mapping yields `purchase` and `return`).
 */
export const DEFAULT_VALUE_SETS: ValueSets = {
  customerStatus: ["active", "inactive", "prospect", "churned", "suspended"],
  productStatus: ["active", "inactive", "discontinued", "planned"],
  relationshipType: ["purchase", "return", "subscription", "contract", "trial"],
};

/** Defaults for the freshness checks: data_as_of warns after a day, fails after three. */
export const DEFAULT_FRESHNESS: FreshnessLimits = {
  dataAsOfWarnHours: 24,
  dataAsOfFailHours: 72,
  latestStartWarnDays: 30,
  latestStartFailDays: null,
};

/** GX keeps 20 partial unexpected values; so does this report, at most. */
export const MAX_SAMPLES = 20;

/** Applies the defaults to {@link DataQualityOptions}. */
export function resolveDataQualityOptions(options: DataQualityOptions): ResolvedDataQualityOptions {
  return {
    dataAsOf: options.dataAsOf,
    now: options.now,
    valueSets: { ...DEFAULT_VALUE_SETS, ...options.valueSets },
    defaultThresholds: options.defaultThresholds ?? { warnAbove: 0, failAbove: 5 },
    keyThresholds: options.keyThresholds ?? { warnAbove: 0, failAbove: 0 },
    thresholds: options.thresholds ?? {},
    freshness: { ...DEFAULT_FRESHNESS, ...options.freshness },
    minRows: options.minRows ?? 1,
    sampleSize: Math.max(0, Math.min(MAX_SAMPLES, options.sampleSize ?? MAX_SAMPLES)),
  };
}
