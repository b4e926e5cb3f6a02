/**
 * Train-dev error (MLY ch. 36): the error on training-distribution data the model did not fit —
 * the learning curve's last cross-validated point ("cv"), or a seeded held-out slice of train.
 */
import { classWeightsByIndex } from "../../spec/class-weights.js";
import { deriveSeed } from "../../util/random.js";
import type { ErrorAt } from "../bias-variance.js";
import { defineDiagnostic } from "../diagnostic.js";
import { learningCurve } from "./learning-curve.js";

export const trainDev = defineDiagnostic({
  key: "trainDev",
  published: false,
  when: (ctx) => !ctx.options.noCv,
  cacheKey: (ctx) => ctx.cvKey,
  async compute(ctx): Promise<ErrorAt | null> {
    const pool = ctx.data.bySplit.train;
    const mode = ctx.options.trainDev;
    if (mode === "cv") {
      const lc = await ctx.get(learningCurve);
      const last = lc?.points[lc.points.length - 1];
      return last ? { error: last.valError.mean, n: pool.length } : null;
    }
    if (mode === "none") return null;
    const session = ctx.cv();
    const seed = ctx.options.seed;
    const order = Array.from({ length: pool.length }, (_, i) => i);
    // a seeded slice of train (stratified by the folds' class balance): fold 0 scaled to the fraction
    const slice = order.filter((i) => (session.folds[i]! + (deriveSeed(seed, i) % 1000) / 1000) / session.k < mode);
    const inSlice = new Set(slice);
    const rest = order.filter((i) => !inSlice.has(i));
    const [r] = await session.run([
      {
        key: "train-dev",
        trainRows: Int32Array.from(rest),
        valRows: Int32Array.from(slice),
        model: classWeightsByIndex(ctx.run.spec.model, ctx.classes),
        seed: deriveSeed(seed, "train-dev"),
      },
    ]);
    return { error: 1 - r!.val.correct / r!.val.n, n: r!.val.n };
  },
});
