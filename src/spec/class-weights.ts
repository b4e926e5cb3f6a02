/**
 * `model.class_weight` in a spec names labels ({spam: 5}); learners take class indices. One
 * translation for the runner and the diagnosis's cross-validation, so both train the same model.
 */
import { SpecError } from "../errors.js";
import type { ModelSpec } from "./models.js";

export function classWeightsByIndex(model: ModelSpec, classes: readonly string[]): ModelSpec {
  if (!("class_weight" in model) || model.class_weight === null || model.class_weight === "balanced") return model;
  const byIndex: Record<string, number> = {};
  for (const [label, w] of Object.entries(model.class_weight)) {
    const idx = classes.indexOf(label);
    if (idx < 0) {
      throw new SpecError(`model.class_weight.${label}: not a label in the data (labels: ${classes.join(", ")})`, {
        where: `model.class_weight.${label}`,
      });
    }
    byIndex[String(idx)] = w;
  }
  return { ...model, class_weight: byIndex } as ModelSpec;
}
