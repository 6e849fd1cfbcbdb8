import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type ColumnCorrelationSchema,
  type ColumnProfileSchema,
  CorrelationMethod,
  CorrelationStatus,
  type DataQualitySummarySchema,
  type ExpectationResultSchema,
  ExpectationStatus,
  type ExploreTableSchema,
  type NumericProfileSchema,
  PercentBasis,
  type ProfileAlertSchema,
  ProfileAlertType,
  SemanticType,
  type TableProfileSchema,
} from "../../gen/customeranalytics/v1/explore_pb.js";
import type {
  ColumnProfile,
  Correlation,
  DataQualitySummary,
  ExpectationResult,
  NumericProfile,
  ProfileAlert,
  TableInfo,
  TableStats,
} from "../query/explore-types.js";
import { enumNames, enumOf, int64, optional } from "./message-values.js";

/*
 * The query layer's words for each explore enum: the value's name in lower case, but for alert
 * types, stored as ydata spells them, which is also the proto's spelling without its prefix.
 */
const SEMANTIC_TYPES = enumNames(SemanticType);
const CORRELATION_METHODS = enumNames(CorrelationMethod);
const CORRELATION_STATUSES = enumNames(CorrelationStatus);
const ALERT_TYPES = enumNames(ProfileAlertType, (name) => name);
const STATUSES = enumNames(ExpectationStatus);
const PERCENT_BASES = enumNames(PercentBasis);

/** A base table as ListTables describes it. */
export function exploreTable(t: TableInfo): MessageInitShape<typeof ExploreTableSchema> {
  return {
    name: t.name,
    rowCount: int64(t.rowCount),
    columnCount: t.columnCount,
    columns: t.columns.map((c) => ({
      ...c,
      semanticType: enumOf(SEMANTIC_TYPES, c.semanticType, SemanticType.UNSPECIFIED),
    })),
  };
}

/** Table-level profile statistics. */
export function tableProfile(t: TableStats): MessageInitShape<typeof TableProfileSchema> {
  return {
    ...t,
    nRows: int64(t.nRows),
    nCellsMissing: int64(t.nCellsMissing),
    nDuplicates: int64(t.nDuplicates),
    nDuplicateRows: int64(t.nDuplicateRows),
  };
}

/** The correlation status as the proto enum. */
export function correlationStatus(status: string): CorrelationStatus {
  return enumOf(CORRELATION_STATUSES, status, CorrelationStatus.UNSPECIFIED);
}

/** One column's profile; a sub-profile that does not apply stays absent. */
export function columnProfile(c: ColumnProfile): MessageInitShape<typeof ColumnProfileSchema> {
  return {
    name: c.name,
    ordinal: c.ordinal,
    dataType: c.dataType,
    semanticType: enumOf(SEMANTIC_TYPES, c.semanticType, SemanticType.UNSPECIFIED),
    n: int64(c.n),
    count: int64(c.count),
    nMissing: int64(c.nMissing),
    pMissing: c.pMissing,
    nDistinct: int64(c.nDistinct),
    pDistinct: c.pDistinct,
    nUnique: int64(c.nUnique),
    pUnique: c.pUnique,
    isUnique: c.isUnique,
    imbalance: optional(c.imbalance),
    numeric: c.numeric === null ? undefined : numericProfile(c.numeric),
    date:
      c.date === null
        ? undefined
        : {
            min: optional(c.date.min),
            max: optional(c.date.max),
            rangeDays: optional(c.date.rangeDays),
          },
    text:
      c.text === null
        ? undefined
        : {
            minLength: optionalInt64(c.text.minLength),
            meanLength: optional(c.text.meanLength),
            medianLength: optional(c.text.medianLength),
            maxLength: optionalInt64(c.text.maxLength),
          },
    topValues: c.topValues.map((v) => ({ ...v, count: int64(v.count) })),
    histogram: c.histogram.map((b) => ({ ...b, count: int64(b.count) })),
  };
}

function numericProfile(p: NumericProfile): MessageInitShape<typeof NumericProfileSchema> {
  const q = p.quantiles;
  return {
    min: optional(p.min),
    max: optional(p.max),
    sum: optional(p.sum),
    mean: optional(p.mean),
    std: optional(p.std),
    variance: optional(p.variance),
    skewness: optional(p.skewness),
    kurtosis: optional(p.kurtosis),
    mad: optional(p.mad),
    range: optional(p.range),
    iqr: optional(p.iqr),
    cv: optional(p.cv),
    quantiles: {
      p05: optional(q.p05),
      p25: optional(q.p25),
      p50: optional(q.p50),
      p75: optional(q.p75),
      p95: optional(q.p95),
    },
    nZeros: int64(p.nZeros),
    pZeros: p.pZeros,
    nNegative: int64(p.nNegative),
    pNegative: p.pNegative,
    nInfinite: int64(p.nInfinite),
    pInfinite: p.pInfinite,
  };
}

/** One pair of the correlation matrix. */
export function correlation(c: Correlation): MessageInitShape<typeof ColumnCorrelationSchema> {
  return {
    columnA: c.columnA,
    columnB: c.columnB,
    method: enumOf(CORRELATION_METHODS, c.method, CorrelationMethod.UNSPECIFIED),
    coefficient: optional(c.coefficient),
    n: int64(c.n),
  };
}

/** One ydata-style alert; a table-level alert has an empty column. */
export function profileAlert(a: ProfileAlert): MessageInitShape<typeof ProfileAlertSchema> {
  return {
    type: enumOf(ALERT_TYPES, a.type, ProfileAlertType.UNSPECIFIED),
    column: a.column ?? "",
    value: optional(a.value),
    threshold: optional(a.threshold),
    fields: [...a.fields],
  };
}

/** The counts of a data-quality report by status, and its worst status. */
export function dataQualitySummary(
  s: DataQualitySummary,
): MessageInitShape<typeof DataQualitySummarySchema> {
  return { ...s, overallStatus: enumOf(STATUSES, s.overallStatus, ExpectationStatus.UNSPECIFIED) };
}

/** One expectation result in Great Expectations' terms. */
export function expectationResult(
  e: ExpectationResult,
): MessageInitShape<typeof ExpectationResultSchema> {
  return {
    checkId: e.checkId,
    expectation: e.expectation,
    table: e.table ?? "",
    columns: [...e.columns],
    description: e.description,
    success: e.success,
    status: enumOf(STATUSES, e.status, ExpectationStatus.UNSPECIFIED),
    elementCount: int64(e.elementCount),
    missingCount: optionalInt64(e.missingCount),
    missingPercent: optional(e.missingPercent),
    unexpectedCount: int64(e.unexpectedCount),
    unexpectedPercent: optional(e.unexpectedPercent),
    unexpectedPercentTotal: optional(e.unexpectedPercentTotal),
    unexpectedPercentNonmissing: optional(e.unexpectedPercentNonmissing),
    percentBasis: enumOf(PERCENT_BASES, e.percentBasis, PercentBasis.UNSPECIFIED),
    observedValue: e.observedValue ?? "",
    warnThreshold: optional(e.warnThreshold),
    failThreshold: optional(e.failThreshold),
    thresholdUnit: e.thresholdUnit,
    rule: e.rule,
    partialUnexpectedList: e.partialUnexpectedList.map((s) => ({
      value: optional(s.value),
      key: optional(s.key),
    })),
    partialUnexpectedCounts: e.partialUnexpectedCounts.map((c) => ({
      value: optional(c.value),
      count: int64(c.count),
    })),
  };
}

function optionalInt64(count: number | null): bigint | undefined {
  return count === null ? undefined : int64(count);
}
