/**
 * The feature families by spec key. A new family is one file exporting a FeatureFamilyDefinition
 * and one line here (plus its parameter schema in src/spec/schema.ts); the pipeline stacks the
 * families' columns in this order.
 */
import { SpecError } from "../errors.js";
import { describeIssues } from "../spec/load.js";
import { FEATURE_FAMILIES, type FeaturesSpec } from "../spec/schema.js";
import { didYouMean } from "../spec/suggest.js";
import { categoricalFamily } from "./categorical.js";
import type { FeatureFamily, FeatureFamilyDefinition } from "./family.js";
import { headersFamily } from "./headers.js";
import { htmlFamily } from "./html.js";
import { numericFamily } from "./numeric.js";
import { routingFamily } from "./routing.js";
import { spellingFamily } from "./spelling.js";
import { urlsFamily } from "./urls.js";
import { wordsFamily } from "./words.js";

export type FeatureFamilyName = (typeof FEATURE_FAMILIES)[number];
export type FeatureFamilyParams<K extends FeatureFamilyName> = NonNullable<FeaturesSpec[K]>;

const REGISTRY: { readonly [K in FeatureFamilyName]: FeatureFamilyDefinition<FeatureFamilyParams<K>> } = {
  words: wordsFamily,
  numeric: numericFamily,
  categorical: categoricalFamily,
  routing: routingFamily,
  urls: urlsFamily,
  spelling: spellingFamily,
  html: htmlFamily,
  headers: headersFamily,
};

/** Family names in column order. */
export const FAMILY_ORDER: readonly FeatureFamilyName[] = FEATURE_FAMILIES;

export function isFeatureFamilyName(name: string): name is FeatureFamilyName {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name);
}

export function familyDefinition(name: string): FeatureFamilyDefinition<unknown> {
  if (!isFeatureFamilyName(name)) {
    throw new SpecError(
      `unknown feature family "${name}"${didYouMean(name, FAMILY_ORDER)} (allowed: ${FAMILY_ORDER.join(", ")})`,
      { where: `features.${name}` },
    );
  }
  return REGISTRY[name] as FeatureFamilyDefinition<unknown>;
}

/** Validate `params` against the family's schema (defaults filled in); SpecError naming each bad key. */
export function familyParams(name: string, params: unknown): unknown {
  const def = familyDefinition(name);
  const result = def.paramsSchema.safeParse(params);
  if (result.success) return result.data;
  // described from the spec's root, so that paths, allowed keys and suggestions are the spec's own
  const issues = result.error.issues.map((i) => ({ ...i, path: ["features", name, ...i.path] }));
  const lines = describeIssues(issues, { features: { [name]: params } }).map((l) => `  ✖ ${l}`);
  throw new SpecError([`invalid parameters for feature family "${name}":`, ...lines].join("\n"), {
    where: `features.${name}`,
  });
}

/** A new, unfitted family from its spec parameters (raw or already parsed). */
export function createFamily(name: string, params: unknown): FeatureFamily {
  return familyDefinition(name).create(familyParams(name, params));
}

/** A fitted family from its parameters and the `state()` it saved. */
export function restoreFamily(name: string, params: unknown, state: unknown): FeatureFamily {
  return familyDefinition(name).restore(familyParams(name, params), state);
}
