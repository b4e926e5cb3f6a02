/**
 * The categorical family against scikit-learn 1.2.1's OneHotEncoder
 * (test/fixtures/features/categorical_sklearn.json, written by test/reference/features_ref.py):
 * OneHotEncoder(handle_unknown="ignore") for the category columns, and
 * OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist") for min_count.
 */
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { denseRows, example, fixture } from "./helpers.js";

const ref = fixture<{
  columns: string[];
  train: string[][];
  test: string[][];
  plain: { categories: string[][]; test_dense: number[][] };
  min_frequency_2: { feature_names: string[]; train_dense: number[][]; test_dense: number[][] };
}>("categorical_sklearn.json");

const rows = (values: string[][], prefix: string) =>
  values.map((r, i) =>
    example(`${prefix}${i}`, { categorical: Object.fromEntries(ref.columns.map((c, j) => [c, r[j]!])) }),
  );
const train = rows(ref.train, "tr");
const test = rows(ref.test, "te");

/** Our columns without the __other__/__missing__ pair, in order. */
function categoryColumns(names: string[]): number[] {
  return names.flatMap((n, i) => (n.endsWith("=__other__") || n.endsWith("=__missing__") ? [] : [i]));
}

describe("categorical family vs OneHotEncoder", () => {
  it('min_count 1: categories sorted by code point; known columns = OneHotEncoder(handle_unknown="ignore")', () => {
    const family = createFamily("categorical", { columns: ref.columns });
    family.fit(train);
    const names = family.featureNames();
    expect(names).toEqual(
      ref.columns.flatMap((c, j) =>
        [...ref.plain.categories[j]!, "__other__", "__missing__"].map((v) => `cat:${c}=${v}`),
      ),
    );
    const cols = categoryColumns(names);
    const dense = denseRows(family.transform(test));
    expect(dense.map((row) => cols.map((c) => row[c]))).toEqual(ref.plain.test_dense);
    // where OneHotEncoder ignores an unknown value (all zeros), ours flags __other__
    const other = names.flatMap((n, i) => (n.endsWith("=__other__") ? [i] : []));
    ref.plain.test_dense.forEach((row, r) => {
      let offset = 0;
      ref.columns.forEach((_, j) => {
        const k = ref.plain.categories[j]!.length;
        const known = row.slice(offset, offset + k).some((v) => v === 1);
        expect(dense[r]![other[j]!]).toBe(known ? 0 : 1);
        offset += k;
      });
    });
  });

  it('min_count 2 = OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist")', () => {
    const family = createFamily("categorical", { columns: ref.columns, min_count: 2 });
    family.fit(train);
    const names = family.featureNames();
    // sklearn names "<col>_<value>" and "<col>_infrequent_sklearn"; ours "cat:<col>=<value>" and "=__other__"
    const mapped = names
      .filter((n) => !n.endsWith("=__missing__"))
      .map((n) => n.replace(/^cat:/, "").replace("=__other__", "=infrequent_sklearn").replace("=", "_"));
    expect(mapped).toEqual(ref.min_frequency_2.feature_names);
    const keep = names.flatMap((n, i) => (n.endsWith("=__missing__") ? [] : [i]));
    expect(denseRows(family.transform(train)).map((row) => keep.map((c) => row[c]))).toEqual(
      ref.min_frequency_2.train_dense,
    );
    expect(denseRows(family.transform(test)).map((row) => keep.map((c) => row[c]))).toEqual(
      ref.min_frequency_2.test_dense,
    );
  });

  it("missing values go to __missing__, and a restored family agrees", () => {
    const family = createFamily("categorical", { columns: ["color"] });
    family.fit([example("a", { categorical: { color: "red" } }), example("b", { categorical: { color: null } })]);
    expect(family.featureNames()).toEqual(["cat:color=red", "cat:color=__other__", "cat:color=__missing__"]);
    const probe = [
      example("c", { categorical: { color: null } }),
      example("d", { categorical: { color: "blue" } }),
      example("e", { categorical: { color: "red" } }),
    ];
    const expected = [
      [0, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ];
    expect(denseRows(family.transform(probe))).toEqual(expected);
    expect(denseRows(restoreFamily("categorical", { columns: ["color"] }, family.state()).transform(probe))).toEqual(
      expected,
    );
  });

  it("errors: reserved values and absent columns", () => {
    const family = createFamily("categorical", { columns: ["color"] });
    expect(() => family.fit([example("r1", { categorical: { color: "__other__" } })])).toThrow(
      new DataError(
        'features.categorical: example "r1" has the reserved value "__other__" in categorical column "color" ' +
          "(__other__ and __missing__ name the rare/unseen and missing columns)",
        { where: "r1" },
      ),
    );
    expect(() => family.fit([example("r2", { categorical: { colour: "red" } })])).toThrow(
      'features.categorical.columns: example "r2" has no categorical field "color" — did you mean "colour"? ' +
        "(categorical fields of this example: colour)",
    );
  });
});
