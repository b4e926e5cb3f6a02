/** Validation curve over the model's capacity knob (C, alpha, depth…), cross-validated (cached with the CV key). */
import { capacityKnob } from "../capacity.js";
import { validationCurve as computeValidationCurve, type ValidationCurve } from "../curves.js";
import { defineDiagnostic } from "../diagnostic.js";

export const validationCurve = defineDiagnostic({
  key: "validationCurve",
  step: "validation curve",
  when: (ctx) => !ctx.options.noCv && capacityKnob(ctx.run.spec.model) !== null,
  cacheKey: (ctx) => ctx.cvKey,
  compute(ctx): Promise<ValidationCurve | null> {
    const knob = capacityKnob(ctx.run.spec.model)!;
    ctx.events.start?.("validation curve", knob.grid.length * ctx.options.folds);
    return computeValidationCurve(ctx.cv(), knob, { onProgress: (d, t) => ctx.events.progress?.(d, t) });
  },
  summary: (r) => `${r.key} over ${r.points.length} values, best ${r.best}`,
});
