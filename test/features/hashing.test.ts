/**
 * The words family's hashing vectorizer against scikit-learn 1.2.1: murmurhash3_32 and
 * HashingVectorizer (+ TfidfTransformer) on the same documents give the same columns and values.
 * Reference numbers from `/usr/bin/python3 test/reference/features_hashing_ref.py`.
 */
import { describe, expect, it } from "vitest";
import { csrToDense } from "../../src/features/csr.js";
import { murmurhash3 } from "../../src/features/hashing.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { fitFeatures } from "../../src/features/pipeline.js";
import { SpecError } from "../../src/errors.js";
import { featuresSchema } from "../../src/spec/schema.js";
import { docs } from "./helpers.js";

const TRAIN = ["Free money now, free MONEY!", "meeting at noon", "the money meeting was free", "café crème café"];
const TEST = ["free café", "nothing known here", "noon noon money"];

// sklearn.utils.murmurhash3_32(s, seed=0)
const MURMUR: Array<[string, number]> = [
  ["", 0],
  ["a", 1009084850],
  ["ab", -1681926305],
  ["abc", -1277324294],
  ["abcd", 1139631978],
  ["abcde", -392455434],
  ["hello", 613153351],
  ["free money", -905306296],
  ["caf\u00e9", 605818632],
  ["\u65e5\u672c\u8a9e", -1515949417],
  ["\ud83d\ude00x", 1914495294],
];

// HashingVectorizer(n_features=16, norm=None, alternate_sign=True).transform(TRAIN + TEST)
const COUNTS_SIGNED_16 = [
  [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2, 0, -1],
  [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
  [0, 0, 0, -1, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, -2],
];

// HashingVectorizer(n_features=32, norm=None, alternate_sign=False, ngram_range=(1, 2)).transform(TRAIN + TEST)
const COUNTS_UNSIGNED_32_BIGRAMS = [
  [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1],
  [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0],
  [0, 0, 0, 0, 0, 1, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2],
];

// HashingVectorizer(n_features=16, norm=None, binary=True).transform(TRAIN + TEST)
const BINARY_16 = [
  [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
  [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0],
  [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
  [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
];

// t = TfidfTransformer().fit(HashingVectorizer(n_features=16, norm=None).transform(TRAIN)); t.transform(… TRAIN), t.transform(… TEST)
const TFIDF_TRAIN = [
  [0, 0, 0, 0.409178819654649, 0, 0, 0, 0, 0, 0, -0.6452025625902412, 0, 0, 0, 0.6452025625902412, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.8444932017012523, 0, -0.5355662725381126],
  [0, 0.6676785446095399, 0, 0, 0, 0, 0, 0, 0, 0, -0.5264054336099155, 0, 0, -0.5264054336099155, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0.4472135954999579, 0.8944271909999159, 0, 0, 0, 0, 0, 0, 0],
];
const TFIDF_TEST = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0.7852882757103967, 0, 0, 0, 0, 0, 0.6191302964899972, 0],
  [0, 0, 0, -0.5093653213032487, 0, 0, -0.693609356127263, 0, -0.5093653213032487, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.3667390112974172, 0, 0, 0, 0, -0.9303238670444788],
];

function rows(m: { rows: number; cols: number } & Parameters<typeof csrToDense>[0]): number[][] {
  const dense = csrToDense(m);
  return Array.from({ length: m.rows }, (_, i) => Array.from(dense.subarray(i * m.cols, (i + 1) * m.cols)));
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 12)));
}

const base = { fields: ["text"], vectorizer: "hashing" as const };

describe("hashing vectorizer", () => {
  it("hashes as scikit-learn's murmurhash3_32 (every tail length, multi-byte UTF-8, astral characters)", () => {
    for (const [s, h] of MURMUR) expect([s, murmurhash3(s)]).toEqual([s, h]);
  });

  it("counts with alternating signs, as HashingVectorizer(norm=None)", () => {
    const fam = createFamily("words", { ...base, n_features: 16, weighting: "counts" });
    fam.fit(docs(TRAIN));
    expect(rows(fam.transform(docs([...TRAIN, ...TEST])))).toEqual(COUNTS_SIGNED_16);
  });

  it("counts word bigrams without signs, as HashingVectorizer(alternate_sign=False, ngram_range=(1, 2))", () => {
    const fam = createFamily("words", {
      ...base,
      n_features: 32,
      alternate_sign: false,
      weighting: "counts",
      ngram_range: [1, 2],
    });
    fam.fit(docs(TRAIN));
    expect(rows(fam.transform(docs([...TRAIN, ...TEST])))).toEqual(COUNTS_UNSIGNED_32_BIGRAMS);
  });

  it("marks presence, as HashingVectorizer(binary=True)", () => {
    const fam = createFamily("words", { ...base, n_features: 16, weighting: "binary" });
    fam.fit(docs(TRAIN));
    expect(rows(fam.transform(docs([...TRAIN, ...TEST])))).toEqual(BINARY_16);
  });

  it("weights by the idf of train, as TfidfTransformer after HashingVectorizer; survives save and restore", () => {
    const features = fitFeatures(featuresSchema.parse({ words: { ...base, n_features: 16 } }), docs(TRAIN));
    expectClose(rows(features.transform(docs(TRAIN))), TFIDF_TRAIN);
    expectClose(rows(features.transform(docs(TEST))), TFIDF_TEST);
    expect(features.featureNames.slice(0, 3)).toEqual(["words:#0", "words:#1", "words:#2"]);
    const saved = features.serialize().families[0]!;
    const restored = restoreFamily("words", saved.params, JSON.parse(JSON.stringify(saved.state)));
    expectClose(rows(restored.transform(docs(TEST))), TFIDF_TEST);
  });

  it("rejects vocabulary-only parameters with hashing, and hashing parameters without it", () => {
    expect(() => createFamily("words", { ...base, min_df: 2 })).toThrow(SpecError);
    expect(() => createFamily("words", { ...base, min_df: 2 })).toThrow(
      'min_df needs a learned vocabulary; it does not apply to vectorizer "hashing" (remove it, or use vectorizer "vocabulary")',
    );
    expect(() => createFamily("words", { fields: ["text"], n_features: 64 })).toThrow(
      'n_features applies to vectorizer "hashing" only (vectorizer is "vocabulary")',
    );
  });

  it("refuses a saved state whose width does not match", () => {
    const fam = createFamily("words", { ...base, n_features: 16 });
    fam.fit(docs(TRAIN));
    expect(() => restoreFamily("words", { ...base, n_features: 32 }, fam.state())).toThrow(
      "saved words (hashing) features are not usable: 16 columns saved, but n_features is 32",
    );
  });
});
