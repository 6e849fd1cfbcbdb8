import type { CheckStatus } from "../analytics/data-quality/data-quality-status.js";
import type { CorrelationMethod } from "../analytics/profiles/profiles-correlations.js";
import type { SemanticType } from "../analytics/profiles/profiles-semantic-type.js";
import type { CorrelationStatus } from "../analytics/profiles/profiles-table.js";

/**
 * The answers' vocabularies are the builds' own (the slice that stores a value defines its
 * words), re-exported so that callers of the query layer need not reach into src/analytics.
 */
export type { CheckStatus, CorrelationStatus, SemanticType };

/** A column of a base table, as ListTables describes it. */
export interface TableColumnInfo {
  readonly name: string;
  /** 1-based position in the table. */
  readonly ordinal: number;
  /** DuckDB's type name, e.g. `DECIMAL(15,2)`. */
  readonly dataType: string;
  readonly semanticType: SemanticType;
}

/** A base table of the snapshot with its size and columns. */
export interface TableInfo {
  readonly name: string;
  readonly rowCount: number;
  readonly columnCount: number;
  readonly columns: readonly TableColumnInfo[];
}

/** ydata's numeric statistics; min, max and sum are exact decimal text. */
export interface NumericProfile {
  readonly min: string | null;
  readonly max: string | null;
  readonly sum: string | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly variance: number | null;
  readonly skewness: number | null;
  readonly kurtosis: number | null;
  readonly mad: number | null;
  readonly range: number | null;
  readonly iqr: number | null;
  readonly cv: number | null;
  readonly quantiles: {
    readonly p05: number | null;
    readonly p25: number | null;
    readonly p50: number | null;
    readonly p75: number | null;
    readonly p95: number | null;
  };
  readonly nZeros: number;
  readonly pZeros: number;
  readonly nNegative: number;
  readonly pNegative: number;
  readonly nInfinite: number;
  readonly pInfinite: number;
}

/** Date range of a date column (ISO text) and its span in days. */
export interface DateProfile {
  readonly min: string | null;
  readonly max: string | null;
  readonly rangeDays: number | null;
}

/** Length statistics of a string column, in Unicode code points. */
export interface TextProfile {
  readonly minLength: number | null;
  readonly meanLength: number | null;
  readonly medianLength: number | null;
  readonly maxLength: number | null;
}

/** One entry of a frequency table; frequency is a share of n (nulls included). */
export interface ValueFrequency {
  readonly value: string;
  readonly count: number;
  readonly frequency: number;
}

/** A histogram bin; dates are binned on epoch seconds and labelled in ISO form. */
export interface HistogramBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly lowerLabel: string;
  readonly upperLabel: string;
}

/** The profile of one column; ratios are 0–1 fractions as in ydata. */
export interface ColumnProfile {
  readonly name: string;
  readonly ordinal: number;
  readonly dataType: string;
  readonly semanticType: SemanticType;
  readonly n: number;
  readonly count: number;
  readonly nMissing: number;
  readonly pMissing: number;
  readonly nDistinct: number;
  readonly pDistinct: number;
  readonly nUnique: number;
  readonly pUnique: number;
  readonly isUnique: boolean;
  readonly imbalance: number | null;
  readonly numeric: NumericProfile | null;
  readonly date: DateProfile | null;
  readonly text: TextProfile | null;
  readonly topValues: readonly ValueFrequency[];
  readonly histogram: readonly HistogramBin[];
}

/** Table-level statistics; nDuplicates counts duplicated row groups (ydata), nDuplicateRows surplus rows. */
export interface TableStats {
  readonly name: string;
  readonly nRows: number;
  readonly nColumns: number;
  readonly nCellsMissing: number;
  readonly pCellsMissing: number;
  readonly nVarsWithMissing: number;
  readonly nVarsAllMissing: number;
  readonly nDuplicates: number;
  readonly pDuplicates: number;
  readonly nDuplicateRows: number;
}

/** One pair of the "auto" correlation matrix. */
export interface Correlation {
  readonly columnA: string;
  readonly columnB: string;
  readonly method: CorrelationMethod;
  readonly coefficient: number | null;
  readonly n: number;
}

/** A ydata-style alert; column is null for table-level alerts. */
export interface ProfileAlert {
  readonly type: string;
  readonly column: string | null;
  readonly value: number | null;
  readonly threshold: number | null;
  /** The correlated columns, for HIGH_CORRELATION. */
  readonly fields: readonly string[];
}

/** What GetTableProfile answers. */
export interface TableProfileResult {
  readonly table: TableStats;
  readonly columns: readonly ColumnProfile[];
  readonly correlationStatus: CorrelationStatus;
  readonly correlations: readonly Correlation[];
  readonly alerts: readonly ProfileAlert[];
}

/** One expectation's result in Great Expectations' terms (percentages 0–100). */
export interface ExpectationResult {
  readonly checkId: string;
  readonly expectation: string;
  /** Null for snapshot-level checks. */
  readonly table: string | null;
  readonly columns: readonly string[];
  readonly description: string;
  readonly success: boolean;
  readonly status: CheckStatus;
  readonly elementCount: number;
  readonly missingCount: number | null;
  readonly missingPercent: number | null;
  readonly unexpectedCount: number;
  readonly unexpectedPercent: number | null;
  readonly unexpectedPercentTotal: number | null;
  readonly unexpectedPercentNonmissing: number | null;
  /** What unexpectedPercent divides by: `nonmissing`, `element_count` or `none`. */
  readonly percentBasis: string;
  readonly observedValue: string | null;
  readonly warnThreshold: number | null;
  readonly failThreshold: number | null;
  readonly thresholdUnit: string;
  readonly rule: string;
  readonly partialUnexpectedList: readonly {
    readonly value: string | null;
    readonly key: string | null;
  }[];
  readonly partialUnexpectedCounts: readonly {
    readonly value: string | null;
    readonly count: number;
  }[];
}

/** Counts of results by status, and the worst status. */
export interface DataQualitySummary {
  readonly evaluated: number;
  readonly passed: number;
  readonly warned: number;
  readonly failed: number;
  readonly overallStatus: CheckStatus;
}

/** What GetDataQualityReport answers. */
export interface DataQualityReport {
  readonly results: readonly ExpectationResult[];
  readonly summary: DataQualitySummary;
}
