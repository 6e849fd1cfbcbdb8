/**
 * Alert thresholds, named and defaulted as in ydata-profiling's `config_default.yaml` and
 * settings (`model/alerts.py` applies them), so a report compares with ydata's out of the box.
 */
export interface ProfileAlertThresholds {
  /** MISSING when p_missing (share of n, nulls included) is above this. */
  readonly missing: number;
  /** ZEROS when p_zeros (share of n) is above this. */
  readonly zeros: number;
  /** INFINITE when p_infinite (share of n) is above this. */
  readonly infinite: number;
  /** SKEWED when |skewness| is above this (`vars.num.skewness_threshold`). */
  readonly skewness: number;
  /** HIGH_CARDINALITY when a string column has more distinct values than this. */
  readonly cardinality: number;
  /** IMBALANCE when a categorical column's imbalance is above this. */
  readonly imbalance: number;
  /** HIGH_CORRELATION when |coefficient| is at least this (ydata compares with `>=`). */
  readonly correlation: number;
  /** DUPLICATES when the number of duplicated row groups is above this (ydata: `n_duplicates > 0.01`). */
  readonly duplicates: number;
}

/** ydata-profiling's type inference settings (`typeset_relations.py`). */
export interface ProfileTypeInference {
  /** A numeric column with at most this many distinct values is categorical. */
  readonly lowCategoricalThreshold: number;
  /** A string column is categorical only with at most this many distinct values... */
  readonly cardinalityThreshold: number;
  /** ...and a distinct share (n_distinct / count) below this; otherwise it is text. */
  readonly percentageCatThreshold: number;
}

/** How the "auto" correlation matrix is computed, and when it is skipped. */
export interface ProfileCorrelationOptions {
  /** False skips correlations for every table. */
  readonly enabled: boolean;
  /** Tables with more eligible columns than this skip correlations (pairwise work is quadratic)... */
  readonly maxColumns: number;
  /** ...unless this opts in to computing them anyway. */
  readonly includeBeyondCap: boolean;
  /** Categoricals take part only with 1 < n_distinct <= this (`categorical_maximum_correlation_distinct`). */
  readonly maxCategoricalDistinct: number;
  /** Uniform bins a numeric column is cut into when paired with a categorical (`correlations.auto.n_bins`). */
  readonly numericBins: number;
}

/** Everything the profile build can be told; see {@link DEFAULT_PROFILE_OPTIONS}. */
export interface ProfileOptions {
  /** Histogram bins for numeric and date columns (`plot.histogram.bins`), capped by n_distinct. */
  readonly histogramBins: number;
  /** Entries in each column's frequency table (`n_freq_table_max`). */
  readonly topValues: number;
  readonly thresholds: ProfileAlertThresholds;
  readonly typeInference: ProfileTypeInference;
  readonly correlations: ProfileCorrelationOptions;
}

/** Overrides for {@link ProfileOptions}; each group is merged over the defaults. */
export interface ProfileBuildOptions {
  readonly histogramBins?: number;
  readonly topValues?: number;
  readonly thresholds?: Partial<ProfileAlertThresholds>;
  readonly typeInference?: Partial<ProfileTypeInference>;
  readonly correlations?: Partial<ProfileCorrelationOptions>;
}

/** ydata-profiling's defaults, plus a column cap for correlations that ydata lacks. */
export const DEFAULT_PROFILE_OPTIONS: ProfileOptions = {
  histogramBins: 50,
  topValues: 10,
  thresholds: {
    missing: 0.01,
    zeros: 0.01,
    infinite: 0.01,
    skewness: 20,
    cardinality: 50,
    imbalance: 0.5,
    correlation: 0.9,
    duplicates: 0.01,
  },
  typeInference: {
    lowCategoricalThreshold: 5,
    cardinalityThreshold: 50,
    percentageCatThreshold: 0.5,
  },
  correlations: {
    enabled: true,
    maxColumns: 25,
    includeBeyondCap: false,
    maxCategoricalDistinct: 100,
    numericBins: 10,
  },
};

/** Merges overrides over {@link DEFAULT_PROFILE_OPTIONS}. */
export function resolveProfileOptions(options: ProfileBuildOptions = {}): ProfileOptions {
  const d = DEFAULT_PROFILE_OPTIONS;
  return {
    histogramBins: options.histogramBins ?? d.histogramBins,
    topValues: options.topValues ?? d.topValues,
    thresholds: { ...d.thresholds, ...options.thresholds },
    typeInference: { ...d.typeInference, ...options.typeInference },
    correlations: { ...d.correlations, ...options.correlations },
  };
}
