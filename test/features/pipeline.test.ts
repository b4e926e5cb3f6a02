/** The features stage: family order, fit-on-train-only, costs, serialization round trips, errors. */
import { describe, expect, it } from "vitest";
import { DataError, SpecError, StoreError } from "../../src/errors.js";
import { csrHstack } from "../../src/features/csr.js";
import { fitFeatures, fitTransformFeatures, loadFeatures } from "../../src/features/pipeline.js";
import { createFamily } from "../../src/features/registry.js";
import { featuresSchema } from "../../src/spec/schema.js";
import { assertSortedRows, denseRows, example } from "./helpers.js";

const train = [
  example("t0", {
    text: { subject: "Free money", body: "claim now" },
    numeric: { age: 30 },
    categorical: { tld: "com" },
  }),
  example("t1", {
    text: { subject: "Meeting", body: "see you at noon" },
    numeric: { age: 40 },
    categorical: { tld: "org" },
  }),
  example("t2", {
    text: { subject: "free offer", body: "claim money" },
    numeric: { age: null },
    categorical: { tld: "com" },
  }),
];
const dev = [
  example("d0", {
    text: { subject: "lottery", body: "claim the free lottery" },
    numeric: { age: 50 },
    categorical: { tld: "ru" },
  }),
  example("d1", { text: { subject: "noon", body: "" }, numeric: { age: null }, categorical: { tld: null } }),
];
// keys deliberately out of registry order
const spec = featuresSchema.parse({
  categorical: { columns: ["tld"] },
  numeric: { columns: ["age"] },
  words: { fields: ["subject", "body"], weighting: "counts" },
});

describe("fitFeatures", () => {
  it("stacks the families in registry order: words, numeric, categorical", () => {
    const fitted = fitFeatures(spec, train);
    const words = createFamily("words", spec.words);
    const numeric = createFamily("numeric", spec.numeric);
    const categorical = createFamily("categorical", spec.categorical);
    for (const f of [words, numeric, categorical]) f.fit(train);
    expect(fitted.featureNames).toEqual([
      ...words.featureNames(),
      ...numeric.featureNames(),
      ...categorical.featureNames(),
    ]);
    expect(fitted.featureNames.slice(0, 3)).toEqual(["words:at", "words:claim", "words:free"]);
    expect(fitted.featureNames.slice(-6)).toEqual([
      "num:age",
      "num:age:missing",
      "cat:tld=com",
      "cat:tld=org",
      "cat:tld=__other__",
      "cat:tld=__missing__",
    ]);
    const x = fitted.transform(dev);
    assertSortedRows(x);
    expect(x).toEqual(csrHstack([words.transform(dev), numeric.transform(dev), categorical.transform(dev)]));
  });

  it("learns from train only: a word, a value or a category seen only later gets no column of its own", () => {
    const fitted = fitFeatures(spec, train);
    expect(fitted.featureNames).not.toContain("words:lottery");
    expect(fitted.featureNames).not.toContain("cat:tld=ru");
    const row = denseRows(fitted.transform(dev))[0]!;
    const at = (name: string) => row[fitted.featureNames.indexOf(name)];
    expect(at("words:claim")).toBe(1);
    expect(at("words:free")).toBe(1);
    expect(at("cat:tld=__other__")).toBe(1);
    // standardised with the train mean 35 and population std 5 of the observed ages
    expect(at("num:age")).toBe(3);
  });

  it("records the cost of each family", () => {
    const fitted = fitFeatures(spec, train);
    expect(fitted.families.map((f) => [f.name, f.nFeatures])).toEqual([
      ["words", fitted.featureNames.filter((n) => n.startsWith("words:")).length],
      ["numeric", 2],
      ["categorical", 4],
    ]);
    for (const f of fitted.families) {
      expect(f.fitMs).toBeGreaterThanOrEqual(0);
      expect(f.transformMs).toBe(0);
    }
    fitted.transform(Array.from({ length: 200 }, (_, i) => dev[i % 2]!));
    expect(fitted.families.every((f) => f.transformMs > 0)).toBe(true);
  });

  it("fitTransformFeatures gives the same training matrix as fit then transform", () => {
    const { features, train: x } = fitTransformFeatures(spec, train);
    expect(x).toEqual(fitFeatures(spec, train).transform(train));
    expect(features.transform(dev)).toEqual(fitFeatures(spec, train).transform(dev));
  });

  it("serializes to JSON and loads back to the same features", () => {
    const fitted = fitFeatures(
      featuresSchema.parse({ ...spec, words: { fields: ["subject", "body"], ngram_range: [1, 2] } }),
      train,
    );
    const text = JSON.stringify(fitted.serialize());
    const loaded = loadFeatures(text);
    expect(loaded.featureNames).toEqual(fitted.featureNames);
    expect(loaded.transform(dev)).toEqual(fitted.transform(dev));
    expect(loadFeatures(JSON.parse(text)).transform(train)).toEqual(fitted.transform(train));
  });

  it("missing text field → DataError naming the field, the example id and the fields it has", () => {
    const bad = [
      ...train,
      example("spam-2/00123", { text: { subject: "hi" }, numeric: { age: 1 }, categorical: { tld: "com" } }),
    ];
    expect(() => fitFeatures(spec, bad)).toThrow(
      new DataError(
        'features.words.fields: example "spam-2/00123" has no text field "body" (text fields of this example: subject)',
        { where: "spam-2/00123" },
      ),
    );
    const fitted = fitFeatures(spec, train);
    expect(() => fitted.transform([example("x1", { numeric: { age: 1 }, categorical: { tld: "com" } })])).toThrow(
      'features.words.fields: example "x1" has no text field "subject" (this example has no text fields)',
    );
  });

  it("no training examples → DataError; unknown family → SpecError", () => {
    expect(() => fitFeatures(spec, [])).toThrow(
      new DataError("features: there are no training examples to fit the features on"),
    );
    expect(() => fitFeatures({ wordz: {} } as never, train)).toThrow(
      new SpecError(
        'unknown feature family "wordz" — did you mean "words"? (allowed: words, numeric, categorical, routing, urls, spelling, html, headers)',
        {
          where: "features.wordz",
        },
      ),
    );
  });
});

describe("loadFeatures errors", () => {
  const good = () => fitFeatures(spec, train).serialize();

  it("says what is wrong with the document", () => {
    expect(() => loadFeatures("{not json")).toThrow(StoreError);
    expect(() => loadFeatures({ format: "other" })).toThrow(
      'saved features are not an mlloop features document (expected format "mlloop.features")',
    );
    expect(() => loadFeatures({ ...good(), version: 2 })).toThrow(
      "saved features have version 2; this mlloop reads version 1",
    );
    const unknown = { ...good(), families: [{ name: "urlz", params: {}, state: {} }] };
    expect(() => loadFeatures(unknown)).toThrow('saved features: family 0 has unknown name "urlz"');
    const reversed = { ...good(), families: [...good().families].reverse() };
    expect(() => loadFeatures(reversed)).toThrow(
      "saved features list their families out of order (expected words, numeric, categorical, routing, urls, spelling, html, headers)",
    );
    const broken = good();
    (broken.families[1]!.state as { columns: unknown[] }).columns = [];
    expect(() => loadFeatures(broken)).toThrow(StoreError);
  });
});
