/**
 * The features stage: fit every family named in the spec on the training examples, then turn any
 * examples into one CSR matrix — the families' blocks side by side, always in registry order
 * (words, numeric, categorical, …) whatever the spec's key order. Records what each family cost, and
 * serializes to plain JSON so a run's featurizer can be stored as an artifact and loaded again.
 */
import type { Example } from "../data/example.js";
import { DataError, ModelError, SpecError, StoreError } from "../errors.js";
import type { FeaturesSpec } from "../spec/schema.js";
import { csrHstack, type CsrMatrix } from "./csr.js";
import type { FeatureFamily } from "./family.js";
import { createFamily, FAMILY_ORDER, familyDefinition, familyParams, isFeatureFamilyName } from "./registry.js";

/** What one family costs, recorded with the run. */
export interface FamilyCost {
  readonly name: string;
  readonly nFeatures: number;
  /** Fitting on train (including transforming train when fitted with fitTransformFeatures). */
  fitMs: number;
  /** All later transform calls, summed. */
  transformMs: number;
}

export interface SerializedFeatures {
  readonly format: "mlloop.features";
  readonly version: 1;
  readonly families: Array<{ readonly name: string; readonly params: unknown; readonly state: unknown }>;
}

export interface FittedFeatures {
  /** All column names, family by family ("words:free", …, "num:age", …). */
  readonly featureNames: string[];
  readonly families: FamilyCost[];
  /** One row per example; the same columns for any examples. */
  transform(examples: readonly Example[]): CsrMatrix;
  serialize(): SerializedFeatures;
}

interface Member {
  readonly family: FeatureFamily;
  readonly params: unknown;
  readonly cost: FamilyCost;
}

class Featurizer implements FittedFeatures {
  readonly featureNames: string[];
  readonly families: FamilyCost[];

  constructor(private readonly members: readonly Member[]) {
    this.featureNames = members.flatMap((m) => m.family.featureNames());
    this.families = members.map((m) => m.cost);
  }

  transform(examples: readonly Example[]): CsrMatrix {
    const blocks = this.members.map((m) => {
      const t0 = performance.now();
      const block = m.family.transform(examples);
      m.cost.transformMs += performance.now() - t0;
      checkBlock(m, block, examples.length);
      return block;
    });
    return blocks.length === 1 ? blocks[0]! : csrHstack(blocks);
  }

  serialize(): SerializedFeatures {
    return {
      format: "mlloop.features",
      version: 1,
      families: this.members.map((m) => ({ name: m.family.name, params: m.params, state: m.family.state() })),
    };
  }
}

function checkBlock(m: Member, block: CsrMatrix, rows: number): void {
  if (block.rows !== rows || block.cols !== m.cost.nFeatures) {
    throw new Error(
      `feature family "${m.family.name}" returned a ${block.rows}×${block.cols} block for ${rows} examples ` +
        `and ${m.cost.nFeatures} features`,
    );
  }
}

/** The spec's families in column order, with their (validated) parameters. */
function familiesOf(spec: FeaturesSpec): Array<{ name: string; params: unknown }> {
  for (const key of Object.keys(spec)) familyDefinition(key); // unknown key → SpecError naming it
  const out: Array<{ name: string; params: unknown }> = [];
  for (const name of FAMILY_ORDER) {
    const raw = (spec as Record<string, unknown>)[name];
    if (raw !== undefined) out.push({ name, params: familyParams(name, raw) });
  }
  if (out.length === 0) {
    throw new SpecError(`features: no feature family is enabled (allowed: ${FAMILY_ORDER.join(", ")})`);
  }
  return out;
}

/** Columns one family may learn when the spec's `limits.features_per_family` is not set. */
export const DEFAULT_FEATURES_PER_FAMILY = 1_000_000;

/**
 * Families already fitted (with their training block) on one set of training examples, by name and
 * parameters. Screening featurises dozens of specs that differ in one family ("add the routing
 * features", bigrams for words): with a memo each family is fitted once per parameter set and the
 * blocks are reused, giving the same matrix as fitting them all again. A memo belongs to exactly
 * one list of training examples; the caller keys memos by it.
 */
export class FamilyMemo extends Map<
  string,
  { readonly family: FeatureFamily; readonly block: CsrMatrix; readonly fitMs: number }
> {
  /**
   * Work a family shares between its parameter sets on these same examples: the words family's
   * token scan per tokenisation, which min_df, max_df, max_features and the weighting only filter
   * and reweight (see FeatureFamily.fitTransform).
   */
  readonly shared = new Map<string, unknown>();
}

export interface FitOptions {
  /** The spec's `limits.features_per_family` (default DEFAULT_FEATURES_PER_FAMILY). */
  readonly maxFeaturesPerFamily?: number;
  /** Reuse (and fill) fitted families for these same training examples (fitTransformFeatures only). */
  readonly memo?: FamilyMemo;
}

/** A family that learned more columns than allowed: stopped before a model is trained on them. */
function checkFamilyWidth(name: string, n: number, options: FitOptions): void {
  const limit = options.maxFeaturesPerFamily ?? DEFAULT_FEATURES_PER_FAMILY;
  if (n <= limit) return;
  const words = name === "words";
  throw new ModelError(
    `features.${name} learned ${n.toLocaleString("en-US")} features, more than limits.features_per_family ` +
      `(${limit.toLocaleString("en-US")}${options.maxFeaturesPerFamily === undefined ? ", the default" : ""}): ` +
      (words
        ? "shorten ngram_range/char_ngrams, raise min_df, keep the most frequent with max_features, or use vectorizer: hashing (fixed n_features); "
        : "raise its min_df or min_count, or drop high-cardinality columns; ") +
      "or raise limits.features_per_family in the spec",
    { where: `features.${name}` },
  );
}

function fit(
  spec: FeaturesSpec,
  train: readonly Example[],
  keepTrain: boolean,
  options: FitOptions = {},
): [Featurizer, CsrMatrix | null] {
  if (train.length === 0) throw new DataError("features: there are no training examples to fit the features on");
  const members: Member[] = [];
  const blocks: CsrMatrix[] = [];
  for (const { name, params } of familiesOf(spec)) {
    const key = `${name}:${JSON.stringify(params)}`;
    const known = keepTrain ? options.memo?.get(key) : undefined;
    if (known !== undefined) {
      checkFamilyWidth(name, known.family.featureNames().length, options);
      blocks.push(known.block);
      members.push({
        family: known.family,
        params,
        cost: { name, nFeatures: known.family.featureNames().length, fitMs: known.fitMs, transformMs: 0 },
      });
      continue;
    }
    const family = createFamily(name, params);
    const t0 = performance.now();
    if (keepTrain) {
      blocks.push(
        family.fitTransform
          ? family.fitTransform(train, options.memo?.shared)
          : (family.fit(train), family.transform(train)),
      );
    } else family.fit(train);
    const fitMs = performance.now() - t0;
    if (keepTrain) options.memo?.set(key, { family, block: blocks[blocks.length - 1]!, fitMs });
    checkFamilyWidth(name, family.featureNames().length, options);
    members.push({ family, params, cost: { name, nFeatures: family.featureNames().length, fitMs, transformMs: 0 } });
  }
  const featurizer = new Featurizer(members);
  if (!keepTrain) return [featurizer, null];
  members.forEach((m, k) => checkBlock(m, blocks[k]!, train.length));
  if (blocks.length > 1) return [featurizer, csrHstack(blocks)];
  // a memoised block is shared: whoever gets the matrix may not reach into the memo through it
  const only = blocks[0]!;
  if (options.memo === undefined) return [featurizer, only];
  return [
    featurizer,
    {
      rows: only.rows,
      cols: only.cols,
      indptr: only.indptr.slice(),
      indices: only.indices.slice(),
      data: only.data.slice(),
    },
  ];
}

/** Fit the spec's feature families on the training examples (and only on them). */
export function fitFeatures(spec: FeaturesSpec, train: readonly Example[], options: FitOptions = {}): FittedFeatures {
  return fit(spec, train, false, options)[0];
}

/** Fit and transform the training examples in one go (one pass over the text for the words family). */
export function fitTransformFeatures(
  spec: FeaturesSpec,
  train: readonly Example[],
  options: FitOptions = {},
): { features: FittedFeatures; train: CsrMatrix } {
  const [features, matrix] = fit(spec, train, true, options);
  return { features, train: matrix! };
}

/** A fitted featurizer from `serialize()` output (an object, or its JSON text). */
export function loadFeatures(json: unknown): FittedFeatures {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new StoreError(`saved features are not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const v = value as Partial<SerializedFeatures> | null;
  if (v === null || typeof v !== "object" || v.format !== "mlloop.features" || !Array.isArray(v.families)) {
    throw new StoreError(`saved features are not an mlloop features document (expected format "mlloop.features")`);
  }
  if (v.version !== 1) {
    throw new StoreError(`saved features have version ${String(v.version)}; this mlloop reads version 1`);
  }
  if (v.families.length === 0) throw new StoreError("saved features contain no feature family");
  const seen = new Set<string>();
  const members = v.families.map((f, i) => {
    const name = (f as { name?: unknown }).name;
    if (typeof name !== "string" || !isFeatureFamilyName(name)) {
      throw new StoreError(`saved features: family ${i} has unknown name ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) throw new StoreError(`saved features: family "${name}" appears twice`);
    seen.add(name);
    const params = familyParams(name, f.params);
    const family = familyDefinition(name).restore(params, f.state);
    return { family, params, cost: { name, nFeatures: family.featureNames().length, fitMs: 0, transformMs: 0 } };
  });
  const order = members.map((m) => FAMILY_ORDER.indexOf(m.family.name as (typeof FAMILY_ORDER)[number]));
  if (order.some((o, i) => i > 0 && o < order[i - 1]!)) {
    throw new StoreError(`saved features list their families out of order (expected ${FAMILY_ORDER.join(", ")})`);
  }
  return new Featurizer(members);
}
