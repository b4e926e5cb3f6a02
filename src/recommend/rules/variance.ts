/** High variance without a measured answer: fewer features (rarer words out) and, with no validation curve, stronger regularisation (MLY ch. 27). */
import type { CandidateChange } from "../../diagnose/diagnostic.js";
import { gapOf, modelParams, problemsOf, type Rule } from "./rule.js";

export const varianceRule: Rule = ({ spec, findings }) => {
  if (!problemsOf(findings).has("high_variance")) return [];
  const variance = gapOf(findings, "variance");
  const evidence = findings.biasVariance.notes.slice();
  const out: CandidateChange[] = [];
  const words = spec.features.words;
  if (words && words.min_df >= 1 && words.min_df < 5) {
    const to = Math.max(5, Math.ceil(words.min_df * 2.5));
    out.push({
      finding: "high_variance",
      title: `fewer features: features.words.min_df ${words.min_df} → ${to}`,
      rationale:
        "high variance: dropping rare words shrinks the feature set (feature selection helps on small training sets, MLY ch. 27)",
      evidence,
      patch: [{ op: "set", path: ["features", "words", "min_df"], value: to, from: words.min_df }],
      action: null,
      expected: {
        devErrorDelta: -0.15 * variance,
        low: null,
        high: null,
        basis: "heuristic (15% of the variance gap)",
      },
      gain: 0.15 * variance,
    });
  }
  const c = modelParams(spec)["C"];
  if (!findings.validationCurve && typeof c === "number") {
    out.push({
      finding: "high_variance",
      title: `stronger regularisation: model.C ${c} → ${c / 10}`,
      rationale: "high variance: more regularisation (MLY ch. 27)",
      evidence,
      patch: [{ op: "set", path: ["model", "C"], value: c / 10, from: c }],
      action: null,
      expected: {
        devErrorDelta: -0.25 * variance,
        low: null,
        high: null,
        basis: "heuristic (25% of the variance gap)",
      },
      gain: 0.25 * variance,
    });
  }
  return out;
};
