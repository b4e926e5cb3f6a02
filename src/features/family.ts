/**
 * The one interface of every feature family (words, numeric, categorical, and later the email
 * families). A family is fitted on the training examples only — anything it learns (a vocabulary,
 * idf weights, means, category lists) comes from train — and then turns any examples into a CSR
 * block whose columns are its named features. Feature names carry the family's prefix
 * ("words:free", "num:age", "cat:color=red", "urls:ip_host") so names never collide across families.
 *
 * A new family is one file exporting a `FeatureFamilyDefinition` plus one line in registry.ts.
 */
import type { z } from "zod";
import type { Example } from "../data/example.js";
import type { CsrMatrix } from "./csr.js";

export interface FeatureFamily {
  /** The family's key in the spec's `features` section ("words"). */
  readonly name: string;
  /** Learn the family's state from the training examples (and from nothing else). */
  fit(train: readonly Example[]): void;
  /** One row per example, `featureNames().length` columns, sorted column indices per row. */
  transform(examples: readonly Example[]): CsrMatrix;
  /**
   * `fit(train)` then `transform(train)`, in one pass where the family can do better than that.
   * `shared`, when given, belongs to exactly these training examples and lives across fits of other
   * parameter sets of the family: what it holds must be keyed by the parameters it depends on, and
   * a fit through it must give what a fit without it gives.
   */
  fitTransform?(train: readonly Example[], shared?: Map<string, unknown>): CsrMatrix;
  /** Column names, prefixed with the family's feature prefix. */
  featureNames(): string[];
  /** The learned state as plain JSON (restored by the definition's `restore`). */
  state(): unknown;
}

export interface FeatureFamilyDefinition<P> {
  /** The family's key in the spec's `features` section. */
  readonly name: string;
  /** What its feature names start with, before the ":" ("words", "num", "cat"). */
  readonly prefix: string;
  /** Validates the spec's parameters and fills in defaults. */
  readonly paramsSchema: z.ZodType<P>;
  create(params: P): FeatureFamily;
  /** Rebuild a fitted family from `state()`; throws if the state is not one this family wrote. */
  restore(params: P, state: unknown): FeatureFamily;
}

/** Thrown by families used before `fit` (a programming error, not a user error). */
export function notFitted(name: string): Error {
  return new Error(`feature family "${name}" is used before fit()`);
}
