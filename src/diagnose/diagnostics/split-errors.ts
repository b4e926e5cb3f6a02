/** Error rate of each split from the stored predictions: the input of bias/variance and the recommendations. */
import type { SplitName } from "../../data/split.js";
import type { ErrorAt } from "../bias-variance.js";
import { defineDiagnostic } from "../diagnostic.js";

function errorAt(preds: readonly { correct: boolean | null }[]): ErrorAt | null {
  const scored = preds.filter((p) => p.correct !== null);
  if (scored.length === 0) return null;
  return { error: scored.filter((p) => !p.correct).length / scored.length, n: scored.length };
}

export const splitErrors = defineDiagnostic({
  key: "splitErrors",
  published: false,
  compute: (ctx): Record<SplitName, ErrorAt | null> => ({
    train: errorAt(ctx.run.predictions.train),
    dev: errorAt(ctx.run.predictions.dev),
    test: errorAt(ctx.run.predictions.test),
  }),
});
