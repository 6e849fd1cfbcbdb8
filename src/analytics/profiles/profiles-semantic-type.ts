import type { StorageKind } from "./profiles-catalog.js";
import type { ProfileTypeInference } from "./profiles-options.js";

/**
 * The type ydata-profiling would infer for a column. It decides which alerts apply and which
 * columns take part in correlations; statistics follow the storage type regardless.
 */
export type SemanticType = "numeric" | "date" | "categorical" | "text" | "boolean" | "unsupported";

/**
 * Infers the {@link SemanticType} as ydata's typeset does (`typeset_relations.py`): a numeric
 * column with few distinct values (`1 <= n_distinct <= low_categorical_threshold`) is
 * categorical; a string column is categorical when `1 <= n_distinct <= cardinality_threshold`
 * and `n_distinct / count < percentage_cat_threshold`, and text otherwise (ids, names). Strings
 * that merely look like booleans or dates are not re-typed: the snapshot's types are declared.
 */
export function inferSemanticType(
  storage: StorageKind,
  nDistinct: number,
  count: number,
  inference: ProfileTypeInference,
): SemanticType {
  switch (storage) {
    case "integer":
    case "decimal":
    case "float":
      return nDistinct >= 1 && nDistinct <= inference.lowCategoricalThreshold
        ? "categorical"
        : "numeric";
    case "date":
      return "date";
    case "boolean":
      return "boolean";
    case "string": {
      const isCategory =
        count > 0 &&
        nDistinct >= 1 &&
        nDistinct <= inference.cardinalityThreshold &&
        nDistinct / count < inference.percentageCatThreshold;
      return isCategory ? "categorical" : "text";
    }
    default:
      return "unsupported";
  }
}
