/**
 * Column checks of tabular rows: constant and duplicate columns, missing rates, outliers and
 * leakage by a near-perfect single column (src/diagnose/column-checks.ts). Shown for data with
 * numeric or categorical columns and no parsed email.
 */
import { checkColumns, LEAKAGE_ACCURACY, type ColumnChecks } from "../column-checks.js";
import { defineDiagnostic, type DiagnosticContext } from "../diagnostic.js";
import { heading, pct, span, table, text, type Block } from "../view-model.js";

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

function applies(ctx: DiagnosticContext): boolean {
  const first = ctx.data.bySplit.train[0];
  return (
    first !== undefined && !first.email && Object.keys(first.numeric).length + Object.keys(first.categorical).length > 0
  );
}

/** Train and dev; a cross-validated run's pooled split is halved (even rows fit, odd rows score) so that 1R is not scored on its own rows. */
function trainAndDev(ctx: DiagnosticContext) {
  const { train, dev } = ctx.data.bySplit;
  if (train !== dev && !(train.length === dev.length && train.every((ex, i) => ex === dev[i]))) return { train, dev };
  return { train: train.filter((_, i) => i % 2 === 0), dev: train.filter((_, i) => i % 2 === 1) };
}

function lines(c: ColumnChecks): Array<string | Block> {
  const out: Array<string | Block> = [];
  out.push(
    `constant columns: ${c.constant.length === 0 ? "none" : c.constant.map((k) => `${k.column} (always ${k.value})`).join(", ")}` +
      ` · duplicate columns: ${c.duplicates.length === 0 ? "none" : c.duplicates.map((d) => `${d.column} = ${d.sameAs}`).join(", ")}`,
  );
  out.push(
    `missing values: ${
      c.missing.length === 0
        ? "none"
        : c.missing.map((m) => `${m.column} ${pct(m.train)} of train, ${pct(m.dev)} of dev`).join("; ")
    }`,
  );
  out.push(
    `outliers beyond 3 × IQR of train: ${
      c.outliers.length === 0
        ? "none"
        : c.outliers
            .map(
              (o) =>
                `${o.column} ${o.train} in train, ${o.dev} in dev (outside ${fmt(o.low)}…${fmt(o.high)}; ${o.examples.join(", ")})`,
            )
            .join("; ")
    }`,
  );
  const best = c.oneRule.slice(0, 3).map((r) => `${r.column} ${pct(r.accuracy)}`);
  out.push(`one column alone (1R) on dev: ${best.join(", ") || "—"}; majority class ${pct(c.majority)}`);
  for (const r of c.oneRule.filter((x) => x.leaky)) {
    out.push(
      text(
        [
          span(`! possible leakage: ${r.column} alone predicts ${pct(r.accuracy)} of dev`, "bad"),
          ` (≥ ${pct(LEAKAGE_ACCURACY)}): check that it is known before the label is`,
        ],
        "p",
      ),
    );
  }
  return out;
}

export const columnChecks = defineDiagnostic({
  key: "columnChecks",
  step: "column checks",
  when: applies,
  compute: (ctx): ColumnChecks | null => {
    const { train, dev } = trainAndDev(ctx);
    return checkColumns(train, dev);
  },
  summary: (c) =>
    `${c.columns} columns: ${c.constant.length} constant, ${c.duplicates.length} duplicate, ${c.outliers.length} with outliers, ${c.oneRule.filter((r) => r.leaky).length} near-perfect`,
  view: (c) => ({
    title: "Column checks",
    blocks: [
      text(["\n", span("COLUMN CHECKS", "accent", "bold"), `  ${c.columns} columns`], "p", "terminal"),
      heading(2, "Column checks", "html"),
      ...lines(c).map((l) => (typeof l === "string" ? text(l, "p") : l)),
      table(
        ["column", "1R accuracy on dev"],
        c.oneRule.map((r) => [r.column, pct(r.accuracy)]),
        { only: "html" },
      ),
    ],
  }),
});
