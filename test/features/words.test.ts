/**
 * The words family against scikit-learn 1.2.1 (reference values in test/fixtures/features/
 * words_sklearn.json, written by test/reference/features_ref.py with the exact call per case) and
 * against Python 3.11's own `re` / `str.lower` (unicode_python.json).
 */
import { describe, expect, it } from "vitest";
import { DataError, SpecError, StoreError } from "../../src/errors.js";
import { csrNnz } from "../../src/features/csr.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { isWordCodePoint, wordTokens } from "../../src/features/word-chars.js";
import { WordsFamily, type WordsState } from "../../src/features/words.js";
import { wordsParamsSchema } from "../../src/spec/schema.js";
import { assertSortedRows, denseRows, docs, example, fixture, type CsrJson } from "./helpers.js";

interface WordsFixture {
  versions: Record<string, string>;
  train: Array<{ subject: string; body: string }>;
  test: Array<{ subject: string; body: string }>;
  max_features_cases_where_stable_sort_differs: string[];
  cases: Array<{
    name: string;
    sklearn_call: string;
    params: Record<string, unknown>;
    vocabulary: string[];
    idf?: number[];
    train: CsrJson;
    test: CsrJson;
  }>;
}

const ref = fixture<WordsFixture>("words_sklearn.json");
const toExamples = (rows: Array<{ subject: string; body: string }>, prefix: string) =>
  rows.map((r, i) => example(`${prefix}/${i}`, { text: { subject: r.subject, body: r.body } }));
const train = toExamples(ref.train, "train");
const test = toExamples(ref.test, "test");

function expectCsrClose(actual: ReturnType<WordsFamily["transform"]>, expected: CsrJson): void {
  expect([actual.rows, actual.cols]).toEqual(expected.shape);
  expect(Array.from(actual.indptr)).toEqual(expected.indptr);
  expect(Array.from(actual.indices)).toEqual(expected.indices);
  expect(actual.data.length).toBe(expected.data.length);
  let worst = 0;
  actual.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - expected.data[k]!))));
  expect(worst).toBeLessThanOrEqual(1e-12);
}

describe("words family vs scikit-learn", () => {
  it("the fixture exercises numpy's tie-breaking for max_features", () => {
    expect(ref.max_features_cases_where_stable_sort_differs.length).toBeGreaterThan(0);
  });

  for (const c of ref.cases) {
    describe(`${c.name}: ${c.sklearn_call}`, () => {
      const params = { fields: ["subject", "body"], ...c.params };

      it("fit + transform: same vocabulary, same matrices (1e-12)", () => {
        const family = createFamily("words", params);
        family.fit(train);
        expect(family.featureNames()).toEqual(c.vocabulary.map((t) => `words:${t}`));
        const xtr = family.transform(train);
        const xte = family.transform(test);
        assertSortedRows(xtr);
        assertSortedRows(xte);
        expectCsrClose(xtr, c.train);
        expectCsrClose(xte, c.test);
        const state = family.state() as { idf: number[] | null };
        if (c.idf) c.idf.forEach((v, k) => expect(Math.abs(state.idf![k]! - v)).toBeLessThanOrEqual(1e-12));
        else expect(state.idf).toBeNull();
      });

      it("fitTransform gives the same training matrix as fit then transform", () => {
        const family = createFamily("words", params);
        expectCsrClose(family.fitTransform!(train), c.train);
      });

      it("a family restored from its state transforms identically", () => {
        const family = createFamily("words", params);
        family.fit(train);
        const restored = restoreFamily("words", params, JSON.parse(JSON.stringify(family.state())));
        expect(restored.featureNames()).toEqual(family.featureNames());
        expectCsrClose(restored.transform(test), c.test);
      });
    });
  }
});

describe("tokenizer vs Python's re and str.lower", () => {
  const uni = fixture<{
    word_ranges: Array<[number, number]>;
    unassigned_ranges: Array<[number, number]>;
    lower: Array<[number, string]>;
    tokens: Array<{ text: string; lower: string; tokens_of_lower: string[]; tokens_cased: string[] }>;
  }>("unicode_python.json");
  const inRanges = (ranges: Array<[number, number]>) => {
    const set = new Uint8Array(0x110000);
    for (const [lo, hi] of ranges) set.fill(1, lo, hi + 1);
    return set;
  };
  const pyWord = inRanges(uni.word_ranges);
  const unassigned = inRanges(uni.unassigned_ranges);

  it("\\w: the same word characters as Python 3.11 for every code point assigned in its Unicode", () => {
    const differ: number[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if ((cp >= 0xd800 && cp < 0xe000) || unassigned[cp]) continue;
      if (isWordCodePoint(cp) !== (pyWord[cp] === 1)) differ.push(cp);
    }
    expect(differ).toEqual([]);
  });

  it("lowercase: String.toLowerCase maps every assigned character as str.lower does", () => {
    const lower = new Map(uni.lower);
    const differ: number[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if ((cp >= 0xd800 && cp < 0xe000) || unassigned[cp]) continue;
      const ch = String.fromCodePoint(cp);
      if (ch.toLowerCase() !== (lower.get(cp) ?? ch)) differ.push(cp);
    }
    expect(differ).toEqual([]);
  });

  for (const t of uni.tokens) {
    it(`tokens of ${JSON.stringify(t.text)}`, () => {
      expect(t.text.toLowerCase()).toBe(t.lower);
      expect(wordTokens(t.text.toLowerCase())).toEqual(t.tokens_of_lower);
      expect(wordTokens(t.text)).toEqual(t.tokens_cased);
    });
  }

  it("the interning scanner finds the same tokens as wordTokens", () => {
    const texts = uni.tokens.map((t) => t.text);
    const family = createFamily("words", { fields: ["text"], weighting: "counts", lowercase: false });
    family.fit(docs(texts));
    const expected = [...new Set(texts.flatMap((t) => wordTokens(t)))].sort();
    expect([...family.featureNames()].sort()).toEqual(expected.map((w) => `words:${w}`));
  });
});

describe("words family behaviour", () => {
  it("learns the vocabulary from train only: a word seen only at transform time gets no column", () => {
    const family = createFamily("words", { fields: ["text"], weighting: "counts" });
    family.fit(docs(["free money", "money talk"]));
    expect(family.featureNames()).toEqual(["words:free", "words:money", "words:talk"]);
    const x = family.transform(docs(["brandnew free free words", "unseen"]));
    expect(denseRows(x)).toEqual([
      [2, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("separate_fields prefixes each field's tokens and keeps n-grams inside a field", () => {
    const family = createFamily("words", {
      fields: ["subject", "body"],
      separate_fields: true,
      weighting: "counts",
      ngram_range: [1, 2],
    });
    const ex = [example("m1", { text: { subject: "Free offer", body: "free money" } })];
    family.fit(ex);
    expect(family.featureNames()).toEqual([
      "words:body:free",
      "words:body:free money",
      "words:body:money",
      "words:subject:free",
      "words:subject:free offer",
      "words:subject:offer",
    ]);
    expect(denseRows(family.transform(ex))).toEqual([[1, 1, 1, 1, 1, 1]]);
    const restored = restoreFamily("words", (family as WordsFamily).params, family.state());
    expect(denseRows(restored.transform([example("m2", { text: { subject: "money", body: "offer free" } })]))).toEqual([
      [1, 0, 0, 0, 0, 0],
    ]);
  });

  it("pooled fields form n-grams across the field boundary, as the \\n-joined text does", () => {
    const family = createFamily("words", { fields: ["subject", "body"], weighting: "counts", ngram_range: [2, 2] });
    family.fit([example("m1", { text: { subject: "free offer", body: "money now" } })]);
    expect(family.featureNames()).toEqual(["words:free offer", "words:money now", "words:offer money"]);
  });

  it("sorts the vocabulary by code point like Python, not by UTF-16 unit", () => {
    // U+FF46 (fullwidth f) < U+10428 (Deseret); in UTF-16 the surrogate 0xD801 would sort first
    const family = createFamily("words", { fields: ["text"], weighting: "counts" });
    family.fit(docs(["\u{10428}\u{10429} ｆｕｌｌ zz"]));
    expect(family.featureNames()).toEqual(["words:zz", "words:ｆｕｌｌ", "words:\u{10428}\u{10429}"]);
  });

  it("handles a vocabulary large enough to rehash its tables, n-grams included", () => {
    const texts = Array.from({ length: 300 }, (_, i) =>
      Array.from({ length: 40 }, (_, k) => `w${(i * 37 + k * 101) % 5003}`).join(" "),
    );
    const family = createFamily("words", { fields: ["text"], weighting: "counts", ngram_range: [1, 3] });
    const x = family.fitTransform!(docs(texts));
    assertSortedRows(x);
    // every document has 40 unigrams + 39 bigrams + 38 trigrams, all counted once (no repeats within)
    for (let r = 0; r < x.rows; r++) {
      let sum = 0;
      for (let k = x.indptr[r]!; k < x.indptr[r + 1]!; k++) sum += x.data[k]!;
      expect(sum).toBe(117);
    }
    expect(csrNnz(family.transform(docs(texts)))).toBe(csrNnz(x));
  });

  it("writes matrices of more entries than a row chunk, and a row longer than one, as the exactly sized training matrix", () => {
    // fitTransform counts the training matrix's entries and fills arrays of that size; transform writes
    // rows into 65,536-entry chunks and copies them once: 3,000 × 40 entries span two chunks, and the
    // last document alone (70,000 distinct words) is longer than a chunk
    const texts = Array.from({ length: 3000 }, (_, i) =>
      Array.from({ length: 40 }, (_, k) => `w${(i * 37 + k * 101) % 90001}`).join(" "),
    );
    texts.push(Array.from({ length: 70_000 }, (_, k) => `w${k}`).join(" "));
    const examples = docs(texts);
    const family = createFamily("words", { fields: ["text"], weighting: "tfidf", sublinear_tf: true });
    const fitted = family.fitTransform!(examples);
    const transformed = family.transform(examples);
    expect(csrNnz(fitted)).toBe(3000 * 40 + 70_000);
    expect(transformed.indptr).toEqual(fitted.indptr);
    expect(transformed.indices).toEqual(fitted.indices);
    expect(transformed.data).toEqual(fitted.data);
    // arrays of the matrix's size, not views of larger buffers
    for (const x of [fitted, transformed]) {
      expect(x.indices.buffer.byteLength).toBe(csrNnz(x) * 4);
      expect(x.data.buffer.byteLength).toBe(csrNnz(x) * 8);
    }
  });

  it("missing text field → DataError naming the field, the example and the fields it has", () => {
    const family = createFamily("words", { fields: ["subjct", "body"] });
    const ex = [example("spam-1/00042", { text: { subject: "hi", body: "there", from: "a@b" } })];
    expect(() => family.fit(ex)).toThrow(DataError);
    expect(() => family.fit(ex)).toThrow(
      'features.words.fields: example "spam-1/00042" has no text field "subjct" — did you mean "subject"? ' +
        "(text fields of this example: body, from, subject)",
    );
  });

  it("no words at all → DataError", () => {
    const family = createFamily("words", { fields: ["text"] });
    expect(() => family.fit(docs(["a b c", "", "! ?"]))).toThrow(
      new DataError(
        'features.words: the 3 training examples contain no words in fields text (a word is 2+ letters, digits or "_"); ' +
          "check features.words.fields",
      ),
    );
  });

  it("min_df above every document frequency → DataError saying what to change", () => {
    const family = createFamily("words", { fields: ["text"], min_df: 2 });
    expect(() => family.fit(docs(["aa bb", "cc dd", "ee"]))).toThrow(
      "features.words: no term is left after min_df=2 and max_df=1 (5 terms in 3 training documents); " +
        "lower min_df or raise max_df",
    );
  });

  it("max_df below min_df → SpecError", () => {
    const family = createFamily("words", { fields: ["text"], min_df: 2, max_df: 0.25 });
    const fit = () => family.fit(docs(["aa", "aa", "bb", "cc"]));
    expect(fit).toThrow(SpecError);
    expect(fit).toThrow(
      "features.words: max_df=0.25 (1 of 4 training documents) is below min_df=2 (2 documents); no term could be kept",
    );
  });

  it("no training examples → DataError", () => {
    expect(() => createFamily("words", {}).fit([])).toThrow(
      "features.words: there are no training examples to learn a vocabulary from",
    );
  });

  it("rejects a saved state that does not fit the parameters", () => {
    const family = createFamily("words", { fields: ["text"], weighting: "counts" });
    family.fit(docs(["aa bb"]));
    const state = family.state() as WordsState;
    expect(() => restoreFamily("words", { fields: ["text"], weighting: "tfidf" }, state)).toThrow(
      new StoreError('saved words features are not usable: idf is missing but weighting is "tfidf"'),
    );
    expect(() =>
      restoreFamily("words", { fields: ["text"], weighting: "counts" }, { ...state, vocabulary: ["aa", "aa"] }),
    ).toThrow('saved words features are not usable: term "aa" appears twice');
    expect(() =>
      restoreFamily("words", { fields: ["text"], weighting: "counts" }, { ...state, vocabulary: ["aa bb"] }),
    ).toThrow('saved words features are not usable: term "aa bb" is not a 1-gram of words');
  });
});

describe("words parameters", () => {
  const issue = (params: unknown) => {
    const r = wordsParamsSchema.safeParse(params);
    return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("min_df/max_df are a fraction or a whole count", () => {
    expect(issue({ min_df: 2.5 })).toEqual(["min_df: use a fraction below 1 or a whole document count"]);
    expect(issue({ max_df: 1.5 })).toEqual(["max_df: use a fraction up to 1 or a whole document count"]);
    expect(issue({ min_df: 0.05, max_df: 40 })).toBeNull();
  });

  it("ngram_range must be ordered and sublinear_tf needs tfidf", () => {
    expect(issue({ ngram_range: [2, 1] })).toEqual(["ngram_range: min_n must not exceed max_n (e.g. [1, 2])"]);
    expect(issue({ weighting: "counts", sublinear_tf: true })).toEqual([
      'sublinear_tf: sublinear_tf applies to weighting "tfidf" only (weighting is "counts")',
    ]);
  });

  it("createFamily reports bad parameters with their key path", () => {
    expect(() => createFamily("words", { min_df: 2.5, weighting: "tfidff" })).toThrow(
      'invalid parameters for feature family "words":\n' +
        "  ✖ features.words.min_df: use a fraction below 1 or a whole document count (got 2.5)\n" +
        '  ✖ features.words.weighting: "tfidff" is not allowed — did you mean "tfidf"? (allowed: tfidf, counts, binary)',
    );
    expect(() => createFamily("words", { min_dff: 2 })).toThrow(
      'invalid parameters for feature family "words":\n' +
        '  ✖ unknown key "features.words.min_dff" — did you mean "features.words.min_df"? (allowed here: fields, ' +
        "separate_fields, lowercase, ngram_range, min_df, max_df, max_features, weighting, sublinear_tf, normalize, " +
        "stop_words, stem, normalize_tokens, char_ngrams, vectorizer, n_features, alternate_sign)",
    );
  });
});

describe("text field that is not a string", () => {
  it("→ DataError naming the example and field", () => {
    const family = createFamily("words", { fields: ["body"] });
    const bad = example("e1", { text: { body: null as unknown as string } });
    expect(() => family.fit([bad])).toThrow(
      new DataError('features.words.fields: example "e1" has null in text field "body"', { where: "e1" }),
    );
  });
});
