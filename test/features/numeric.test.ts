/**
 * The numeric family against scikit-learn 1.2.1's StandardScaler and SimpleImputer
 * (test/fixtures/features/numeric_sklearn.json, written by test/reference/features_ref.py:
 * StandardScaler().fit(train) with NaN for missing values, SimpleImputer(strategy=…).statistics_).
 */
import { describe, expect, it } from "vitest";
import { DataError, StoreError } from "../../src/errors.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { assertSortedRows, denseRows, example, fixture } from "./helpers.js";

const ref = fixture<{
  columns: string[];
  train: Array<Array<number | null>>;
  test: Array<Array<number | null>>;
  mean: number[];
  scale: number[];
  train_scaled: Array<Array<number | null>>;
  test_scaled: Array<Array<number | null>>;
  impute_mean: number[];
  impute_median: number[];
}>("numeric_sklearn.json");

const rows = (values: Array<Array<number | null>>, prefix: string) =>
  values.map((r, i) =>
    example(`${prefix}${i}`, { numeric: Object.fromEntries(ref.columns.map((c, j) => [c, r[j]!])) }),
  );
const train = rows(ref.train, "tr");
const test = rows(ref.test, "te");

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
}

describe("numeric family vs StandardScaler / SimpleImputer", () => {
  for (const missing of ["mean", "median"] as const) {
    it(`standardised values and missing: ${missing} fill + indicator`, () => {
      const family = createFamily("numeric", { columns: ref.columns, missing });
      family.fit(train);
      expect(family.featureNames()).toEqual(ref.columns.flatMap((c) => [`num:${c}`, `num:${c}:missing`]));
      const fill = missing === "mean" ? ref.impute_mean : ref.impute_median;
      for (const [examples, expected] of [
        [train, ref.train_scaled],
        [test, ref.test_scaled],
      ] as const) {
        const x = family.transform(examples);
        assertSortedRows(x);
        const dense = denseRows(x);
        expected.forEach((row, r) =>
          row.forEach((v, j) => {
            const want = v ?? (fill[j]! - ref.mean[j]!) / ref.scale[j]!;
            if (!close(dense[r]![2 * j]!, want))
              throw new Error(`row ${r} ${ref.columns[j]}: ${dense[r]![2 * j]} vs ${want}`);
            expect(dense[r]![2 * j + 1]).toBe(v === null ? 1 : 0);
          }),
        );
      }
    });
  }

  it("stores StandardScaler's mean_ and scale_ (scale 1 for constant and near-constant columns)", () => {
    const family = createFamily("numeric", { columns: ref.columns });
    family.fit(train);
    const state = family.state() as { columns: Array<{ center: number; scale: number; fill: number }> };
    state.columns.forEach((c, j) => {
      expect(close(c.center, ref.mean[j]!)).toBe(true);
      expect(close(c.scale, ref.scale[j]!)).toBe(true);
    });
    expect(ref.scale.slice(2, 4)).toEqual([1, 1]); // the fixture really has (near-)constant columns
  });

  it("standardize: false keeps raw values; missing: zero fills 0", () => {
    const family = createFamily("numeric", { columns: ["age", "income"], missing: "zero", standardize: false });
    family.fit(train);
    expect(denseRows(family.transform(test.slice(0, 2)))).toEqual([
      [29, 0, 39000, 0],
      [90, 0, 0, 1],
    ]);
  });

  it("a restored family transforms identically", () => {
    const family = createFamily("numeric", { columns: ref.columns, missing: "median" });
    family.fit(train);
    const restored = restoreFamily("numeric", { columns: ref.columns, missing: "median" }, family.state());
    expect(denseRows(restored.transform(test))).toEqual(denseRows(family.transform(test)));
    expect(() => restoreFamily("numeric", { columns: ["age"] }, family.state())).toThrow(StoreError);
  });
});

describe("numeric family errors", () => {
  it("missing: error → DataError naming the example and column", () => {
    const family = createFamily("numeric", { columns: ["income"], missing: "error" });
    expect(() => family.fit(train)).toThrow(
      new DataError(
        'features.numeric: example "tr1" has a missing value in numeric column "income" and ' +
          'features.numeric.missing is "error" (use mean, median or zero to fill it)',
        { where: "tr1" },
      ),
    );
    const ok = createFamily("numeric", { columns: ["age"], missing: "error" });
    ok.fit(train);
    expect(ok.featureNames()).toEqual(["num:age"]);
  });

  it("NaN and ±Infinity in the data → DataError", () => {
    const family = createFamily("numeric", { columns: ["age"] });
    family.fit(train);
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => family.transform([example("x9", { numeric: { age: bad } })])).toThrow(
        `features.numeric: example "x9" has ${bad} in numeric column "age"; numeric values must be finite numbers ` +
          "(write a missing value as null)",
      );
    }
  });

  it("an absent column → DataError with the columns the example has", () => {
    const family = createFamily("numeric", { columns: ["agee"] });
    expect(() => family.fit(train)).toThrow(
      'features.numeric.columns: example "tr0" has no numeric field "agee" — did you mean "age"? ' +
        "(numeric fields of this example: age, big, constant, income, near_constant)",
    );
  });

  it("a column with no value in train → DataError", () => {
    const family = createFamily("numeric", { columns: ["v"] });
    expect(() => family.fit([example("a", { numeric: { v: null } }), example("b", { numeric: { v: null } })])).toThrow(
      'features.numeric: numeric column "v" has no value in any of the 2 training examples',
    );
  });
});
