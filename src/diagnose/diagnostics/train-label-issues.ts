/** Likely label errors in train: confident learning on out-of-fold probabilities (cached with the CV key). */
import { defineDiagnostic } from "../diagnostic.js";
import { findLabelIssues } from "../label-issues.js";
import type { LabelIssueList } from "./label-issues.js";

export const trainLabelIssues = defineDiagnostic({
  key: "trainLabelIssues",
  step: "label issues",
  published: false,
  when: (ctx) => !ctx.options.noCv,
  cacheKey: (ctx) => ctx.cvKey,
  async compute(ctx): Promise<LabelIssueList | null> {
    const { classes } = ctx;
    const pool = ctx.data.bySplit.train;
    ctx.events.start?.("label issues", ctx.options.folds);
    const oof = await ctx.cv().outOfFold((d, t) => ctx.events.progress?.(d, t));
    const r = findLabelIssues(ctx.cv().data.y, oof, classes.length);
    return {
      split: "train",
      estimatedErrors: r.estimatedErrors,
      issues: r.issues.map((i) => ({
        id: pool[i.index]!.id,
        given: classes[i.given]!,
        suggested: classes[i.suggested]!,
        selfConfidence: i.selfConfidence,
      })),
    };
  },
  summary: (r) => `${r.issues.length} likely label errors in train`,
});
