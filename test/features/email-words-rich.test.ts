/**
 * The words family's richer body-text options (stop words, stemming, URL/address/number tokens,
 * character n-grams). Reference values: test/reference/features_words_rich_ref.py
 * (scikit-learn 1.2.1 CountVectorizer, Python 3.11), pasted below.
 */
import { describe, expect, it } from "vitest";
import { createFamily } from "../../src/features/registry.js";
import { charNgrams, ENGLISH_STOP_WORDS, mapTokens, wordsPreprocessor } from "../../src/features/words-preprocess.js";
import { wordsParamsSchema } from "../../src/spec/schema.js";
import { docs } from "./helpers.js";

const DOCS = [
  "The offer is free for all of you and your friends",
  "We will not be able to attend the meeting on Monday",
  "Free money: claim your free prize now, it is not a joke",
];
const CHAR_DOCS = ["free offer", "offer of money", "free money now"];

/** term → total count over the documents, from a words family fitted with `params` on `texts`. */
function totals(texts: readonly string[], params: object): Record<string, number> {
  const fam = createFamily("words", { fields: ["text"], weighting: "counts", ...params });
  const m = fam.fitTransform!(docs(texts));
  const names = fam.featureNames().map((n) => n.slice("words:".length));
  const sums = new Array<number>(names.length).fill(0);
  for (let k = 0; k < m.indices.length; k++) sums[m.indices[k]!]! += m.data[k]!;
  return Object.fromEntries(names.map((n, i) => [n, sums[i]!]));
}

describe("words: stop words", () => {
  it("is scikit-learn's English list", () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(318);
    for (const w of ["the", "and", "amoungst", "yourselves", "not"]) expect(ENGLISH_STOP_WORDS.has(w)).toBe(true);
  });

  it("unigrams equal CountVectorizer(stop_words='english')", () => {
    // CountVectorizer(stop_words="english").fit_transform(DOCS), column sums
    expect(totals(DOCS, { stop_words: "english" })).toEqual({
      able: 1,
      attend: 1,
      claim: 1,
      free: 3,
      friends: 1,
      joke: 1,
      meeting: 1,
      monday: 1,
      money: 1,
      offer: 1,
      prize: 1,
    });
  });

  it("bigrams span a dropped stop word, as CountVectorizer(stop_words='english', ngram_range=(1, 2))", () => {
    expect(totals(DOCS, { stop_words: "english", ngram_range: [1, 2] })).toEqual({
      able: 1,
      "able attend": 1,
      attend: 1,
      "attend meeting": 1,
      claim: 1,
      "claim free": 1,
      free: 3,
      "free friends": 1,
      "free money": 1,
      "free prize": 1,
      friends: 1,
      joke: 1,
      meeting: 1,
      "meeting monday": 1,
      monday: 1,
      money: 1,
      "money claim": 1,
      offer: 1,
      "offer free": 1,
      prize: 1,
      "prize joke": 1,
    });
  });
});

describe("words: character n-grams", () => {
  it("equal CountVectorizer(analyzer='char_wb', ngram_range=(3, 4)) with '_' for the padding space", () => {
    const sklearn: Record<string, number> = {
      " fr": 2,
      " fre": 2,
      " mo": 2,
      " mon": 2,
      " no": 1,
      " now": 1,
      " of": 3,
      " of ": 1,
      " off": 2,
      "ee ": 2,
      "er ": 2,
      "ey ": 2,
      fer: 2,
      "fer ": 2,
      ffe: 2,
      ffer: 2,
      fre: 2,
      free: 2,
      mon: 2,
      mone: 2,
      ney: 2,
      "ney ": 2,
      now: 1,
      "now ": 1,
      "of ": 1,
      off: 2,
      offe: 2,
      one: 2,
      oney: 2,
      "ow ": 1,
      ree: 2,
      "ree ": 2,
    };
    const want = Object.fromEntries(Object.entries(sklearn).map(([t, n]) => [t.replace(/ /g, "_"), n]));
    expect(totals(CHAR_DOCS, { char_ngrams: [3, 4] })).toEqual(want);
  });

  it("a word shorter than n gives its padded form once", () => {
    expect(charNgrams("of", 3, 5)).toBe("_of of_ _of_");
    expect(charNgrams("of", 5, 6)).toBe("_of_");
    expect(charNgrams("free", 3, 3)).toBe("_fr fre ree ee_");
  });

  it("needs word ngram_range [1, 1]", () => {
    const r = wordsParamsSchema.safeParse({ char_ngrams: [3, 5], ngram_range: [1, 2] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe(
      "char_ngrams replaces words by character n-grams; word ngram_range must stay [1, 1] (is [1, 2])",
    );
    expect(() => createFamily("words", { char_ngrams: [1, 3] })).toThrow(
      'invalid parameters for feature family "words":\n  ✖ features.words.char_ngrams.0: 1 — expected number to be >=2',
    );
  });
});

describe("words: stemming and normalisation tokens", () => {
  it("stems with Porter's algorithm (examples from Porter 1980)", () => {
    const stem = wordsPreprocessor(wordsParamsSchema.parse({ stem: true }))!;
    expect(stem("caresses ponies relational conditional offers offered offering")).toBe(
      "caress poni relat condit offer offer offer",
    );
    expect(totals(["offers offered offering", "offer"], { stem: true })).toEqual({ offer: 4 });
  });

  it("turns URLs, addresses and numbers into one token each, and leaves digits inside words", () => {
    const norm = wordsPreprocessor(wordsParamsSchema.parse({ normalize_tokens: ["urls", "emails", "numbers"] }))!;
    expect(norm("see http://x.example.com/a?b=1 or mail bob@example.com, only $19.99 for 2 mp3 players").trim()).toBe(
      "see  __url__  or mail  __email__ , only $ __number__  for  __number__  mp3 players",
    );
    expect(
      totals(["win $1,000 at www.example.com", "call 555 1234"], { normalize_tokens: ["numbers", "urls"] }),
    ).toEqual({ __number__: 3, __url__: 1, at: 1, call: 1, win: 1 });
  });

  it("mapTokens rewrites tokens only (2+ word characters) and keeps everything else", () => {
    expect(mapTokens("a bc, déf! 1", (t) => `<${t}>`)).toBe("a <bc>, <déf>! 1");
  });

  it("with none of the options the text is read as it is, and parsed params carry no new keys", () => {
    const parsed = wordsParamsSchema.parse({});
    expect(wordsPreprocessor(parsed)).toBeNull();
    expect(Object.keys(parsed).sort()).toEqual(
      [
        "fields",
        "separate_fields",
        "lowercase",
        "ngram_range",
        "min_df",
        "max_df",
        "max_features",
        "weighting",
        "sublinear_tf",
        "normalize",
      ].sort(),
    );
  });
});
