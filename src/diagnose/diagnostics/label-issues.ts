/**
 * Likely label errors (Northcutt et al. 2021): train from cross-validation, dev and test from the
 * run's own (out-of-sample) probabilities.
 */
import type { SplitName } from "../../data/split.js";
import type { PredictionRecord } from "../../track/store.js";
import { defineDiagnostic } from "../diagnostic.js";
import { findLabelIssues } from "../label-issues.js";
import { heading, span, table, text, type Block } from "../view-model.js";
import { trainLabelIssues } from "./train-label-issues.js";

export interface LabelIssueList {
  readonly split: SplitName;
  readonly estimatedErrors: number;
  readonly issues: ReadonlyArray<{ id: string; given: string; suggested: string; selfConfidence: number }>;
}

/** Class probabilities (row-major) from stored predictions: binary P(positive), or multiclass scores. */
export function probaOf(
  preds: readonly Pick<PredictionRecord, "score" | "scores">[],
  classes: readonly string[],
  positiveClass: string | null,
): Float64Array | null {
  const k = classes.length;
  const out = new Float64Array(preds.length * k);
  const pos = positiveClass === null ? -1 : classes.indexOf(positiveClass);
  for (let i = 0; i < preds.length; i++) {
    const p = preds[i]!;
    if (k === 2 && pos >= 0 && typeof p.score === "number") {
      out[i * k + pos] = p.score;
      out[i * k + (1 - pos)] = 1 - p.score;
    } else if (Array.isArray(p.scores) && p.scores.length === k) {
      for (let c = 0; c < k; c++) out[i * k + c] = Number(p.scores[c]);
    } else if (p.scores && typeof p.scores === "object") {
      const rec = p.scores as Record<string, number>;
      for (let c = 0; c < k; c++) out[i * k + c] = rec[classes[c]!] ?? 0;
    } else return null;
  }
  return out;
}

export const labelIssues = defineDiagnostic({
  key: "labelIssues",
  async compute(ctx): Promise<readonly LabelIssueList[]> {
    const { classes } = ctx;
    const out: LabelIssueList[] = [];
    const train = await ctx.get(trainLabelIssues);
    if (train) out.push(train);
    for (const s of ["dev", "test"] as const) {
      const preds = ctx.run.predictions[s].filter((p) => p.label !== null && classes.includes(p.label));
      const proba = probaOf(preds, classes, ctx.run.positiveClass);
      if (!proba || preds.length === 0) continue;
      const y = Int32Array.from(preds, (p) => classes.indexOf(p.label!));
      const r = findLabelIssues(y, proba, classes.length);
      out.push({
        split: s,
        estimatedErrors: r.estimatedErrors,
        issues: r.issues.map((i) => ({
          id: preds[i.index]!.exampleId,
          given: classes[i.given]!,
          suggested: classes[i.suggested]!,
          selfConfidence: i.selfConfidence,
        })),
      });
    }
    return out;
  },
  listedExamples: (lists) => lists.flatMap((l) => l.issues.slice(0, 20).map((i) => i.id)),
  view(lists, v) {
    if (lists.length === 0) return null;
    const blocks: Block[] = [
      text(
        [
          "\n",
          span("LIKELY LABEL ERRORS", "accent", "bold"),
          span("  confident learning on out-of-sample probabilities", "dim"),
        ],
        undefined,
        "terminal",
      ),
      heading(2, "Likely label errors", "html"),
    ];
    for (const l of lists) {
      blocks.push(
        text(
          `${l.split}: ${l.issues.length} flagged (estimated ${l.estimatedErrors.toFixed(0)})` +
            (l.issues.length > 0
              ? ` — ${l.issues
                  .slice(0, 5)
                  .map((i) => `${i.id} (${i.given}→${i.suggested}, p=${i.selfConfidence.toFixed(2)})`)
                  .join(", ")}`
              : ""),
          "p",
          "terminal",
        ),
        text(`${l.split}: ${l.issues.length} flagged (estimated ${l.estimatedErrors.toFixed(0)})`, "p", "html"),
      );
      if (l.issues.length > 0)
        blocks.push(
          table(
            ["example", "given", "suggested", "p(given)", "preview"],
            // an email's subject, else the beginning of the example's text (empty for tabular rows)
            l.issues
              .slice(0, 20)
              .map((i) => [
                i.id,
                i.given,
                i.suggested,
                i.selfConfidence.toFixed(3),
                v.previews[i.id]?.subject || v.previews[i.id]?.snippet || "",
              ]),
            { only: "html" },
          ),
        );
    }
    return { title: "Likely label errors", blocks };
  },
});
