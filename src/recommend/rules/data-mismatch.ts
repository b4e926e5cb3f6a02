/** Data mismatch (MLY ch. 40–44): worse on dev than on held-out training data → make training data look like dev. */
import { problemsOf, pts, type Rule } from "./rule.js";

export const dataMismatchRule: Rule = ({ findings }) => {
  if (!problemsOf(findings).has("data_mismatch")) return [];
  const g = findings.biasVariance.gaps.find((x) => x.name === "data_mismatch")!;
  return [
    {
      finding: "data_mismatch",
      title: "make the training data look like the dev data",
      rationale: "data mismatch: the model does worse on dev than on held-out training data (MLY ch. 40–44)",
      evidence: [
        `data mismatch ${pts(g.value)} ± ${pts(g.se)}`,
        "error-analyse dev against train-dev for the properties that differ",
      ],
      patch: null,
      action: "collect or synthesise training examples like the dev examples (not from a tiny pool)",
      expected: { devErrorDelta: -0.5 * g.value, low: -g.value, high: 0, basis: "half the mismatch gap (heuristic)" },
      gain: 0.5 * g.value,
    },
  ];
};
