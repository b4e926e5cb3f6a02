/**
 * The worked-example diagnosis (src/diagnose/diagnostics/class-balance.ts). Reference values:
 * scipy.stats.chi2_contingency(table, correction=False) (scipy 1.10, Debian python3-scipy):
 *   [[300,100],[60,40],[70,30]]            → chi2 9.02872777017784, p 0.010950568731825414, df 2
 *   [[2169,1446],[730,487],[728,486]]      → chi2 0.0004379634832045052, p 0.9997810422331492, df 2
 */
import { describe, expect, it } from "vitest";
import type { DiagnosticContext } from "../../src/diagnose/diagnostic.js";
import { chiSquareHomogeneity, classBalance } from "../../src/diagnose/diagnostics/class-balance.js";

describe("class balance by split", () => {
  it("chi-square test of homogeneity matches scipy", () => {
    const a = chiSquareHomogeneity([
      [300, 100],
      [60, 40],
      [70, 30],
    ]);
    expect(a.chiSquare).toBeCloseTo(9.02872777017784, 10);
    expect(a.df).toBe(2);
    expect(a.p).toBeCloseTo(0.010950568731825414, 10);
    const b = chiSquareHomogeneity([
      [2169, 1446],
      [730, 487],
      [728, 486],
    ]);
    expect(b.chiSquare).toBeCloseTo(0.0004379634832045052, 12);
    expect(b.p).toBeCloseTo(0.9997810422331492, 10);
  });

  it("a split with another class mix is a finding with a section and a proposed action", async () => {
    const ex = (label: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, label }));
    const ctx = {
      classes: ["ham", "spam"],
      data: {
        bySplit: {
          train: [...ex("ham", 300), ...ex("spam", 100)],
          dev: [...ex("ham", 60), ...ex("spam", 40)],
          test: [],
        },
      },
    } as unknown as DiagnosticContext;
    const f = await classBalance.compute(ctx);
    expect(f.splits.map((s) => s.counts)).toEqual([
      [300, 100],
      [60, 40],
      [0, 0],
    ]);
    expect(f.differs).toBe(true);
    expect(classBalance.view!(f, { runId: "r", previews: {}, finding: () => undefined })!.title).toBe(
      "Class balance by split",
    );
    expect(classBalance.propose!(f, {} as never)).toHaveLength(1);
    const same = { ...f, differs: false };
    expect(classBalance.view!(same, { runId: "r", previews: {}, finding: () => undefined })).toBeNull();
    expect(classBalance.propose!(same, {} as never)).toEqual([]);
  });
});
