/**
 * The run query language's syntax tree, shared by the parser (query.ts), the reference evaluator
 * (query.ts, over loaded runs) and the backends that compile it (sqlite-query.ts). A backend must
 * give every expression the same meaning as the reference evaluator; test/track/query.test.ts
 * checks the SQLite compiler against it on random expressions.
 *
 * Semantics, in one place:
 * - `params.<key>` reads the free-form params a run was started with exactly as `spec.<key>` reads
 *   the spec (JSON types, paths into objects and arrays).
 * - Logic is two-valued: a comparison whose field is missing (no such spec key, tag or metric, or
 *   a NaN metric) is false, and NOT of it is true.
 * - Comparisons are typed: a number literal matches numbers only (spec numbers, metrics, times;
 *   tags whose whole text is a number), a string literal matches text only, `true`/`false` match
 *   JSON booleans in the spec (and the text "true"/"false" elsewhere). `= null` / `!= null` test
 *   whether the field is missing.
 * - `~` is a text match on the field's text (numbers as written, objects and arrays as compact
 *   JSON): a `/regex/flags` literal is a JavaScript regular expression; any other literal matches
 *   as a case-insensitive substring.
 * - `created` and `ended` are times: an ISO date literal ("2026-05-01", "2026-05-01T12:00:00Z")
 *   stands for its millisecond timestamp (a date without a zone is UTC).
 */

export const RUN_COLUMNS = [
  "id",
  "name",
  "notes",
  "parent",
  "status",
  "experiment",
  "created",
  "ended",
  "spec_hash",
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number];
export const TIME_COLUMNS: ReadonlySet<RunColumn> = new Set(["created", "ended"]);

export type QueryField =
  | { readonly kind: "spec"; readonly path: readonly string[] }
  /** A key of the free-form params a run was started with (the tracking API's params). */
  | { readonly kind: "param"; readonly path: readonly string[] }
  | { readonly kind: "metric"; readonly split: string; readonly name: string }
  | { readonly kind: "tag"; readonly key: string }
  | { readonly kind: "column"; readonly column: RunColumn };

export type QueryLiteral =
  | { readonly type: "number"; readonly value: number }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "null" }
  | { readonly type: "regex"; readonly source: string; readonly flags: string };

export const COMPARISON_OPS = ["=", "!=", "<", "<=", ">", ">=", "~"] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

export type QueryExpr =
  | { readonly kind: "and"; readonly left: QueryExpr; readonly right: QueryExpr }
  | { readonly kind: "or"; readonly left: QueryExpr; readonly right: QueryExpr }
  | { readonly kind: "not"; readonly operand: QueryExpr }
  | {
      readonly kind: "cmp";
      readonly field: QueryField;
      readonly op: ComparisonOp;
      readonly value: QueryLiteral;
    };

export interface QuerySortKey {
  readonly field: QueryField;
  readonly descending: boolean;
}

/** What a backend is asked: filter, order, page, and which field values to return with each run. */
export interface RunQuery {
  readonly where?: QueryExpr | null;
  /** Missing values sort last whatever the direction; ties fall back to newest first. Default: newest first. */
  readonly sort?: readonly QuerySortKey[];
  readonly limit?: number;
  readonly offset?: number;
  /** Values to return per run, keyed by {@link fieldKey}. */
  readonly fields?: readonly QueryField[];
}

/** Fields read from a run's JSON documents (its spec, its params), with the same typing rules. */
export function isDocumentField(field: QueryField): field is QueryField & { kind: "spec" | "param" } {
  return field.kind === "spec" || field.kind === "param";
}

/** The canonical text of a field, e.g. "spec.model.C", "metrics.dev.f1", "tags.owner", "created". */
export function fieldKey(field: QueryField): string {
  switch (field.kind) {
    case "spec":
      return ["spec", ...field.path].join(".");
    case "param":
      return ["params", ...field.path].join(".");
    case "metric":
      return `metrics.${field.split}.${field.name}`;
    case "tag":
      return `tags.${field.key}`;
    default:
      return field.column;
  }
}
