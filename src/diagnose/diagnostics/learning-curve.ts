/** Learning curve: cross-validated train and validation error at growing training sizes (cached with the CV key). */
import { learningCurve as computeLearningCurve, type LearningCurve } from "../curves.js";
import { defineDiagnostic } from "../diagnostic.js";

export const learningCurve = defineDiagnostic({
  key: "learningCurve",
  step: "learning curve",
  when: (ctx) => !ctx.options.noCv,
  cacheKey: (ctx) => ctx.cvKey,
  compute(ctx): Promise<LearningCurve | null> {
    const { folds, sizes } = ctx.options;
    ctx.events.start?.("learning curve", folds * sizes);
    return computeLearningCurve(ctx.cv(), { sizes, onProgress: (d, t) => ctx.events.progress?.(d, t) });
  },
  summary: (r) => `${r.folds} folds × ${r.points.length} sizes`,
});
