/** Data checks: exact and near duplicates (within and across splits), label balance, train→dev drift, tiny examples. */
import { csrSelectRows } from "../../features/csr.js";
import { SPLIT_NAMES } from "../../data/split.js";
import { checkData, type DataChecks } from "../data-checks.js";
import { defineDiagnostic, type DiagnosticContext } from "../diagnostic.js";
import { heading, span, table, text, type Block } from "../view-model.js";

function driftInput(ctx: DiagnosticContext): Parameters<typeof checkData>[1]["drift"] {
  const { featurizer, data } = ctx;
  if (!featurizer || data.bySplit.dev.length === 0) return null;
  const all = featurizer.transform([...data.bySplit.train, ...data.bySplit.dev]);
  const nTrain = data.bySplit.train.length;
  const idx = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return {
    train: csrSelectRows(all, idx(0, nTrain)),
    dev: csrSelectRows(all, idx(nTrain, all.rows)),
    names: featurizer.featureNames,
    families: featurizer.families,
  };
}

function terminalBlocks(dc: DataChecks): Block[] {
  const leaked =
    Object.entries(dc.nearDuplicates.leakedBySplit)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ") || "none";
  const lines: Block[] = [
    text(["\n", span("DATA CHECKS", "accent", "bold")]),
    text(
      `exact duplicates: ${dc.exactDuplicates.clusters} clusters, ${dc.exactDuplicates.crossSplit.length} across splits, ${dc.exactDuplicates.labelConflicts.length} with conflicting labels`,
      "p",
    ),
    text(
      `near-duplicates (MinHash ≥ 0.8): ${dc.nearDuplicates.pairs} pairs, ${dc.nearDuplicates.crossSplit.length} across splits; with a near-copy in train: ${leaked}; label conflicts ${dc.nearDuplicates.labelConflicts.length}`,
      "p",
    ),
    text(
      `label balance: ${dc.balance
        .map(
          (b) =>
            `${b.split} ${Object.entries(b.counts)
              .map(([c, n]) => `${c} ${n} (${b.n > 0 ? Math.round((n / b.n) * 100) : 0}%)`)
              .join(" / ")}`,
        )
        .join(" · ")}`,
      "p",
    ),
  ];
  for (const f of dc.drift) {
    const shifts =
      f.topColumns.length > 0
        ? `; largest shifts: ${f.topColumns
            .slice(0, 4)
            .map((c) => `${c.name} ${c.shift >= 0 ? "+" : ""}${c.shift.toFixed(2)} sd`)
            .join(", ")}`
        : "";
    lines.push(
      text(
        [
          `drift train→dev, ${f.family}: Jensen–Shannon ${f.jensenShannon.toFixed(3)}`,
          ...(f.drifted ? [span(" (drifted)", "bad")] : []),
          shifts,
        ],
        "p",
      ),
    );
  }
  if (dc.tiny.length > 0)
    lines.push(
      text(
        `empty or tiny examples: ${dc.tiny.length} (${dc.tiny
          .slice(0, 5)
          .map((t) => t.id)
          .join(", ")}…)`,
        "p",
      ),
    );
  return lines.map((b) => ({ ...b, only: "terminal" as const }));
}

function htmlBlocks(dc: DataChecks): Block[] {
  const blocks: Block[] = [
    heading(2, "Data checks"),
    text(
      `exact duplicate clusters ${dc.exactDuplicates.clusters} (${dc.exactDuplicates.crossSplit.length} across splits, ${dc.exactDuplicates.labelConflicts.length} label conflicts); near-duplicate pairs ${dc.nearDuplicates.pairs} (${dc.nearDuplicates.crossSplit.length} across splits); examples with a near-copy in train: ${JSON.stringify(dc.nearDuplicates.leakedBySplit)}.`,
      "p",
    ),
    table(
      ["split", "n", "classes"],
      dc.balance.map((b) => [
        b.split,
        b.n,
        Object.entries(b.counts)
          .map(([c, n]) => `${c} ${n}`)
          .join(" / "),
      ]),
    ),
    table(
      ["family", "columns", "Jensen–Shannon", "largest shifts (train sd)"],
      dc.drift.map((f) => [
        f.family,
        f.columns,
        f.jensenShannon.toFixed(3),
        f.topColumns.map((c) => `${c.name} ${c.shift >= 0 ? "+" : ""}${c.shift.toFixed(2)}`).join(", "),
      ]),
    ),
  ];
  if (dc.nearDuplicates.crossSplit.length > 0)
    blocks.push({
      kind: "details",
      summary: "near-duplicates across splits",
      blocks: [
        table(
          ["a", "b", "splits", "similarity"],
          dc.nearDuplicates.crossSplit.map((p) => [p.a, p.b, `${p.splitA}/${p.splitB}`, p.similarity.toFixed(2)]),
        ),
      ],
    });
  return blocks.map((b) => ({ ...b, only: "html" as const }));
}

export const dataChecks = defineDiagnostic({
  key: "dataChecks",
  step: "data checks",
  compute: (ctx) =>
    checkData(
      SPLIT_NAMES.map((s) => ({ split: s, examples: ctx.data.bySplit[s] })),
      { classes: ctx.classes, drift: driftInput(ctx) },
    ),
  summary: (r) => `${r.exactDuplicates.clusters} duplicate clusters, ${r.nearDuplicates.pairs} near-duplicate pairs`,
  view: (dc) => ({ title: "Data checks", blocks: [...terminalBlocks(dc), ...htmlBlocks(dc)] }),
});
