/**
 * The family memo screening uses (FitOptions.memo): specs that share feature families, fitted one
 * after another on the same training examples with one memo, give exactly the matrices, feature
 * names and serialised featurisers that fitting each spec from scratch gives; a family is fitted
 * once per parameter set; the matrix handed out is not the memo's own block; words parameter sets
 * that differ only in what they keep and how they weight it share one token scan.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Example } from "../../src/data/example.js";
import { loadDataset } from "../../src/data/load.js";
import { FamilyMemo, fitTransformFeatures } from "../../src/features/pipeline.js";
import { dataSchema, featuresSchema } from "../../src/spec/schema.js";

let train: Example[];
beforeAll(async () => {
  const ds = await loadDataset(dataSchema.parse({ source: "spamassassin", limit: 600 }), { baseDir: ".", seed: 0 });
  train = ds.examples.slice(0, 400);
});

const SPECS: Array<Record<string, unknown>> = [
  { words: { fields: ["subject"] } },
  { words: { fields: ["subject", "body"] } },
  { words: { fields: ["subject", "body"] }, headers: {} },
  { words: { fields: ["subject", "body"] }, headers: {}, routing: {} },
  { words: { fields: ["subject", "body"], ngram_range: [1, 2] }, headers: {}, routing: {}, urls: {} },
  { words: { fields: ["subject"] }, routing: {}, html: {} },
  { words: { fields: ["subject", "body"], sublinear_tf: true }, spelling: {} },
];

describe("fitting feature specs with a family memo", () => {
  it("gives what fitting from scratch gives, fitting each family once per parameter set", () => {
    const memo = new FamilyMemo();
    for (const raw of SPECS) {
      const spec = featuresSchema.parse(raw);
      const fresh = fitTransformFeatures(spec, train);
      const memoised = fitTransformFeatures(spec, train, { memo });
      expect(memoised.train, JSON.stringify(raw)).toEqual(fresh.train);
      expect(memoised.features.featureNames).toEqual(fresh.features.featureNames);
      expect(JSON.stringify(memoised.features.serialize())).toBe(JSON.stringify(fresh.features.serialize()));
    }
    // words: 4 parameter sets; headers, routing, urls, html, spelling: one each
    expect([...memo.keys()].filter((k) => k.startsWith("words:"))).toHaveLength(4);
    expect(memo.size).toBe(9);
  });

  it("hands out a copy of a lone memoised block", () => {
    const memo = new FamilyMemo();
    const spec = featuresSchema.parse({ words: { fields: ["subject"] } });
    const first = fitTransformFeatures(spec, train, { memo });
    first.train.data.fill(0);
    const second = fitTransformFeatures(spec, train, { memo });
    expect(second.train).toEqual(fitTransformFeatures(spec, train).train);
  });

  it("shares one words scan between parameter sets that only filter or reweight, with the same matrices", () => {
    const memo = new FamilyMemo();
    const variants: Array<Record<string, unknown>> = [
      { fields: ["subject", "body"] },
      { fields: ["subject", "body"], min_df: 2 },
      { fields: ["subject", "body"], max_df: 0.5, weighting: "binary" },
      { fields: ["subject", "body"], weighting: "counts", max_features: 500 },
      { fields: ["subject", "body"], sublinear_tf: true, normalize: false, min_df: 0.01 },
      { fields: ["subject", "body"], ngram_range: [1, 2], min_df: 2 },
      { fields: ["subject", "body"], ngram_range: [1, 2], weighting: "binary" },
      { fields: ["subject", "body"], stop_words: "english", max_df: 0.9 },
      { fields: ["subject", "body"], separate_fields: true, weighting: "binary" },
    ];
    for (const words of variants) {
      const spec = featuresSchema.parse({ words });
      const fresh = fitTransformFeatures(spec, train);
      const memoised = fitTransformFeatures(spec, train, { memo });
      expect(memoised.train, JSON.stringify(words)).toEqual(fresh.train);
      expect(memoised.features.featureNames).toEqual(fresh.features.featureNames);
      expect(JSON.stringify(memoised.features.serialize())).toBe(JSON.stringify(fresh.features.serialize()));
      // a family fitted through the shared scan transforms new examples like a fresh one
      const unseen = train.slice(0, 50);
      expect(memoised.features.transform(unseen)).toEqual(fresh.features.transform(unseen));
    }
    // scans: unigrams, bigrams, stop words, separate fields
    expect([...memo.shared.keys()].filter((k) => k.startsWith("words-scan:"))).toHaveLength(4);
    expect([...memo.keys()].filter((k) => k.startsWith("words:"))).toHaveLength(variants.length);
  });
});
