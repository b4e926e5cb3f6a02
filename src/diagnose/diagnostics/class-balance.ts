/**
 * Class balance by split: each split's class counts and a chi-square test of homogeneity (are
 * train, dev and test drawn with the same class mix?). A column or group split can give dev a
 * different base rate than train; then dev metrics measure another problem than the one trained.
 * The section is shown only when the mix differs (p < 0.01); the finding is always in the JSON.
 */
import { SPLIT_NAMES } from "../../data/split.js";
import { gammaQ } from "../../evaluate/special.js";
import { defineDiagnostic } from "../diagnostic.js";
import { heading, table } from "../view-model.js";

export interface ClassBalance {
  readonly classes: readonly string[];
  readonly splits: ReadonlyArray<{ readonly split: string; readonly n: number; readonly counts: readonly number[] }>;
  /** Pearson's chi-square statistic of the splits × classes table, its degrees of freedom and p value. */
  readonly chiSquare: number;
  readonly df: number;
  readonly p: number;
  /** p < 0.01: the class mix differs between splits. */
  readonly differs: boolean;
}

/** Pearson's chi-square test of homogeneity of a rows × columns count table (empty rows and columns left out). */
export function chiSquareHomogeneity(table: readonly (readonly number[])[]): {
  chiSquare: number;
  df: number;
  p: number;
} {
  const rows = table.filter((r) => r.some((v) => v > 0));
  const cols = (rows[0] ?? []).map((_, j) => j).filter((j) => rows.some((r) => r[j]! > 0));
  const total = rows.reduce((a, r) => a + cols.reduce((b, j) => b + r[j]!, 0), 0);
  let chiSquare = 0;
  for (const r of rows) {
    const rowSum = cols.reduce((b, j) => b + r[j]!, 0);
    for (const j of cols) {
      const expected = (rowSum * rows.reduce((b, x) => b + x[j]!, 0)) / total;
      chiSquare += (r[j]! - expected) ** 2 / expected;
    }
  }
  const df = (rows.length - 1) * (cols.length - 1);
  return { chiSquare, df, p: df > 0 ? gammaQ(df / 2, chiSquare / 2) : 1 };
}

export const classBalance = defineDiagnostic({
  key: "classBalance",
  compute(ctx): ClassBalance {
    const { classes } = ctx;
    const splits = SPLIT_NAMES.map((split) => {
      const counts = classes.map(() => 0);
      for (const ex of ctx.data.bySplit[split]) {
        const c = classes.indexOf(ex.label);
        if (c >= 0) counts[c]!++;
      }
      return { split, n: ctx.data.bySplit[split].length, counts };
    });
    const test = chiSquareHomogeneity(splits.map((s) => s.counts));
    return { classes, splits, ...test, differs: test.p < 0.01 };
  },
  view(b) {
    if (!b.differs) return null;
    const share = (k: number, n: number): string => `${n > 0 ? ((k / n) * 100).toFixed(1) : "0.0"}%`;
    return {
      title: "Class balance by split",
      blocks: [
        heading(2, "Class balance by split"),
        table(
          ["split", "n", ...b.classes],
          b.splits.map((s) => [s.split, s.n, ...s.counts.map((k) => `${k} (${share(k, s.n)})`)]),
        ),
        {
          kind: "text",
          role: "p",
          spans: [
            `chi-square ${b.chiSquare.toFixed(2)}, df ${b.df}, p ${b.p.toExponential(1)}: the class mix differs between splits`,
          ],
        },
      ],
    };
  },
  propose: (b) =>
    [
      {
        finding: "class_balance",
        title: "give dev and test the training split's class mix",
        rationale: `the class proportions differ between splits (chi-square p = ${b.p.toExponential(1)}): dev metrics are measured at another base rate than the model was trained on`,
        evidence: b.splits.map((s) => `${s.split}: ${s.counts.map((k, c) => `${b.classes[c]} ${k}`).join(", ")}`),
        patch: null,
        action: "split with data.split.method: stratified, or re-weigh dev and test to the deployment class mix",
        expected: {
          devErrorDelta: 0,
          low: null,
          high: null,
          basis: "makes the comparison honest; the error may move either way",
        },
        gain: 0,
      },
    ].filter(() => b.differs),
});
