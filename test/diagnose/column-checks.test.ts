/**
 * Column checks of tabular rows on a table built by hand: a constant column, a copy of another
 * column, missing values, a far outlier and a column that encodes the label.
 */
import { describe, expect, it } from "vitest";
import type { Example } from "../../src/data/example.js";
import { checkColumns } from "../../src/diagnose/column-checks.js";

function row(
  i: number,
  label: string,
  over: Partial<Record<string, number | null>> = {},
  cat: string | null = "a",
): Example {
  return {
    id: `r${i}`,
    label,
    group: null,
    text: {},
    numeric: {
      x: i % 7,
      copy: i % 7,
      one: 5,
      leak: label === "yes" ? 100 + (i % 3) : i % 3,
      gaps: i % 4 === 0 ? null : i,
      ...over,
    },
    categorical: { c: cat },
    contentHash: String(i),
  };
}

describe("checkColumns", () => {
  const label = (i: number): string => (i % 3 === 0 ? "yes" : "no");
  const train = Array.from({ length: 60 }, (_, i) =>
    row(i, label(i), i === 5 ? { x: 1000, copy: 1000 } : {}, i % 2 === 0 ? "a" : "b"),
  );
  const dev = Array.from({ length: 30 }, (_, k) => row(100 + k, label(k), { gaps: null }, k % 2 === 0 ? "a" : null));
  const c = checkColumns(train, dev);

  it("finds the constant column and the copy", () => {
    expect(c.columns).toBe(6);
    expect(c.constant).toEqual([{ column: "one", value: "5" }]);
    expect(c.duplicates).toEqual([{ column: "copy", sameAs: "x" }]);
  });

  it("measures missing rates per split", () => {
    // gaps: every 4th training row; every dev row. c: every other dev row
    expect(c.missing).toEqual([
      { column: "gaps", train: 15 / 60, dev: 1 },
      { column: "c", train: 0, dev: 0.5 },
    ]);
  });

  it("flags values beyond Tukey's far-out fences of the training values", () => {
    const x = c.outliers.find((o) => o.column === "x")!;
    // x = i mod 7 except 1000 once: numpy.quantile gives Q1 = 1, Q3 = 5, so the fences are −11 and 17
    expect(x.low).toBe(-11);
    expect(x.high).toBe(17);
    expect(x).toMatchObject({ train: 1, dev: 0, examples: ["r5"] });
  });

  it("names the column that predicts the label alone, and only that one", () => {
    expect(c.majority).toBeCloseTo(20 / 30, 12);
    expect(c.oneRule[0]).toEqual({ column: "leak", accuracy: 1, leaky: true });
    expect(c.oneRule.filter((r) => r.leaky).map((r) => r.column)).toEqual(["leak"]);
  });

  it("reports nothing wrong for clean columns", () => {
    const clean = Array.from({ length: 40 }, (_, i) =>
      row(i, i % 2 ? "yes" : "no", { one: i, copy: -i, leak: (i * 7) % 11, gaps: i * i }, i % 3 === 0 ? "a" : "b"),
    );
    const r = checkColumns(clean, clean.slice(0, 20));
    expect(r.constant).toEqual([]);
    expect(r.duplicates).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.outliers).toEqual([]);
    expect(r.oneRule.filter((x) => x.leaky)).toEqual([]);
  });
});
