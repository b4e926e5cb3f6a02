/** High avoidable bias: a richer representation (word pairs) and, with no validation curve, weaker regularisation (MLY ch. 25). */
import type { CandidateChange } from "../../diagnose/diagnostic.js";
import { gapOf, modelParams, problemsOf, type Rule } from "./rule.js";

export const biasRule: Rule = ({ spec, findings }) => {
  if (!problemsOf(findings).has("high_avoidable_bias")) return [];
  const bias = gapOf(findings, "avoidable_bias");
  const evidence = findings.biasVariance.notes.slice();
  const out: CandidateChange[] = [];
  const words = spec.features.words;
  if (words && words.ngram_range[1] === 1) {
    out.push({
      finding: "high_avoidable_bias",
      title: "a more expressive model: word pairs, features.words.ngram_range [1, 1] → [1, 2]",
      rationale: "high avoidable bias: a richer representation (MLY ch. 25: increase the model size)",
      evidence,
      patch: [{ op: "set", path: ["features", "words", "ngram_range"], value: [1, 2], from: [1, 1] }],
      action: null,
      expected: { devErrorDelta: -0.2 * bias, low: null, high: null, basis: "heuristic (20% of the avoidable bias)" },
      gain: 0.2 * bias,
    });
  }
  const c = modelParams(spec)["C"];
  if (!findings.validationCurve && typeof c === "number") {
    out.push({
      finding: "high_avoidable_bias",
      title: `weaker regularisation: model.C ${c} → ${c * 10}`,
      rationale: "high avoidable bias: reduce regularisation (MLY ch. 25)",
      evidence,
      patch: [{ op: "set", path: ["model", "C"], value: c * 10, from: c }],
      action: null,
      expected: { devErrorDelta: -0.25 * bias, low: null, high: null, basis: "heuristic (25% of the avoidable bias)" },
      gain: 0.25 * bias,
    });
  }
  return out;
};
