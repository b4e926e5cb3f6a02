/** Near-duplicates across splits flatter dev and test: keep each near-duplicate cluster on one side. */
import type { Rule } from "./rule.js";

export const leakageRule: Rule = ({ findings }) => {
  const leaked = findings.dataChecks?.nearDuplicates.leakedBySplit;
  const dev = leaked?.["dev"] ?? 0;
  const test = leaked?.["test"] ?? 0;
  if (dev <= 0) return [];
  return [
    {
      finding: "leakage",
      title: `${dev} dev and ${test} test messages have a near-copy in train`,
      rationale: "near-duplicates across splits flatter dev and test metrics",
      evidence: ["see the data checks (near-duplicates across splits)"],
      patch: null,
      action: "drop the near-copies or keep each near-duplicate cluster on one side of the split",
      expected: { devErrorDelta: 0, low: null, high: null, basis: "makes the metric honest; the error may rise" },
      gain: 0,
    },
  ];
};
