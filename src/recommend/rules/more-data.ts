/** More data, only when the learning curve's extrapolation says the error keeps falling (MLY ch. 27). */
import type { SpecPatch } from "../../spec/patch.js";
import type { Spec } from "../../spec/schema.js";
import { pct, problemsOf, pts, type Rule } from "./rule.js";

/** Twice the training data as a spec change (dev and test unchanged, so the comparison stays paired), if the spec can say it. */
function doubleData(spec: Spec): { patch: SpecPatch; title: string } | null {
  const trainLimit = spec.data.split.train_limit;
  if (trainLimit !== undefined)
    return {
      patch: [{ op: "set", path: ["data", "split", "train_limit"], value: trainLimit * 2, from: trainLimit }],
      title: `more data: data.split.train_limit ${trainLimit} → ${trainLimit * 2}`,
    };
  const limit = (spec.data as Record<string, unknown>)["limit"];
  if (typeof limit === "number")
    return {
      patch: [{ op: "set", path: ["data", "limit"], value: limit * 2, from: limit }],
      title: `more data: data.limit ${String(limit)} → ${limit * 2}`,
    };
  return null;
}

export const moreDataRule: Rule = ({ spec, findings }) => {
  const lc = findings.learningCurve;
  const ex = lc?.extrapolation ?? null;
  if (!lc || !ex || !(ex.change.high < 0 && -ex.change.estimate > 0.001)) return [];
  const gain = -ex.change.estimate;
  const change = doubleData(spec);
  return [
    {
      finding: "more_data",
      title: change?.title ?? "collect more labelled data",
      rationale: problemsOf(findings).has("high_variance")
        ? "high variance, and the learning curve is still falling: more data is the simplest, most reliable fix (MLY ch. 27)"
        : "the learning curve is still falling: more data should help",
      evidence: [
        `cross-validated error ${pct(ex.atReference)} at ${lc.poolSize} training examples → ${pct(ex.predicted)} predicted at ${ex.atSize} (power law a + b·m^-c, a=${ex.law.a.toFixed(4)}, c=${ex.law.c})`,
        `95% interval of the change: ${pts(ex.change.low)} to ${pts(ex.change.high)} (${ex.resamples} fold resamples)`,
      ],
      patch: change?.patch ?? null,
      action: change ? null : "label more examples like the training data (about twice as many)",
      expected: {
        devErrorDelta: -gain,
        low: ex.change.low,
        high: ex.change.high,
        basis: "learning-curve extrapolation",
      },
      gain,
    },
  ];
};
