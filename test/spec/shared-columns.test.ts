import { describe, expect, it } from "vitest";
import { parseSpec } from "../../src/spec/load.js";
import { specHash } from "../../src/spec/canonical.js";

const data = (columns: Record<string, unknown>) => ({
  source: "csv",
  path: "x.csv",
  columns: { id: "id", label: "y", ...columns },
});

describe("numeric and categorical columns are listed once", () => {
  it("features.numeric and features.categorical without columns take the source's", () => {
    const spec = parseSpec({
      data: data({ numeric: ["a", "b"], categorical: ["c"] }),
      features: { numeric: { missing: "median" }, categorical: {} },
      model: { family: "logistic_regression" },
    });
    expect(spec.features.numeric?.columns).toEqual(["a", "b"]);
    expect(spec.features.categorical?.columns).toEqual(["c"]);
  });

  it("a source without numeric columns takes the feature family's", () => {
    const spec = parseSpec({
      data: data({}),
      features: { numeric: { columns: ["a"] } },
      model: { family: "logistic_regression" },
    });
    expect(spec.data.source === "csv" && spec.data.columns.numeric).toEqual(["a"]);
  });

  it("resolves to the spec that spells them out twice (same hash)", () => {
    const once = parseSpec({
      data: data({ numeric: ["a", "b"] }),
      features: { numeric: {} },
      model: { family: "logistic_regression" },
    });
    const twice = parseSpec({
      data: data({ numeric: ["a", "b"] }),
      features: { numeric: { columns: ["a", "b"] } },
      model: { family: "logistic_regression" },
    });
    expect(specHash(once)).toBe(specHash(twice));
  });

  it("keeps a feature family's own subset of the declared columns", () => {
    const spec = parseSpec({
      data: data({ numeric: ["a", "b"] }),
      features: { numeric: { columns: ["b"] } },
      model: { family: "logistic_regression" },
    });
    expect(spec.features.numeric?.columns).toEqual(["b"]);
    expect(spec.data.source === "csv" && spec.data.columns.numeric).toEqual(["a", "b"]);
  });

  it("still reports a numeric family with no columns anywhere", () => {
    expect(() =>
      parseSpec({ data: data({}), features: { numeric: {} }, model: { family: "logistic_regression" } }),
    ).toThrow(/features\.numeric\.columns/);
  });
});
