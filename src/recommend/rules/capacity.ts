/** The validation curve's best value of the capacity knob, when it beats the current one by more than its standard error. */
import { describeKnobMove } from "../../diagnose/capacity.js";
import { pct, problemsOf, type Rule } from "./rule.js";

function why(problems: ReadonlySet<string>, move: string): string {
  if (problems.has("high_variance") && move.startsWith("stronger"))
    return "; MLY ch. 27: regularisation reduces variance";
  if (problems.has("high_avoidable_bias") && move.startsWith("weaker"))
    return "; MLY ch. 25: less regularisation reduces avoidable bias";
  if (problems.has("high_variance") && move.startsWith("weaker"))
    return "; although the verdict is high variance, the model is over-regularised: a weaker penalty lowers the cross-validated error too";
  return "";
}

export const capacityRule: Rule = ({ findings }) => {
  const vc = findings.validationCurve;
  if (!vc) return [];
  const cur = vc.points.find((p) => p.x === vc.current);
  const best = vc.points.find((p) => p.x === vc.best);
  if (!cur || !best || vc.best === vc.current) return [];
  const gain = cur.valError.mean - best.valError.mean;
  const se = Math.sqrt(cur.valError.std ** 2 + best.valError.std ** 2) / Math.sqrt(cur.valError.values.length);
  if (!(gain > 0 && gain > se)) return [];
  const move = describeKnobMove(vc, vc.current, vc.best);
  return [
    {
      finding: "capacity",
      title: `${move}: model.${vc.key} ${vc.current} → ${vc.best}`,
      rationale:
        `the validation curve over ${vc.key} is lowest at ${vc.best} (cross-validated error ${pct(best.valError.mean)} vs ${pct(cur.valError.mean)} at ${vc.current})` +
        why(problemsOf(findings), move),
      evidence: vc.points.map(
        (p) => `${vc.key}=${p.x}: train ${pct(p.trainError.mean)}, CV ${pct(p.valError.mean)} ± ${pct(p.valError.std)}`,
      ),
      patch: [{ op: "set", path: ["model", vc.key], value: vc.best, from: vc.current }],
      action: null,
      expected: {
        devErrorDelta: -gain,
        low: -gain - 2 * se,
        high: -gain + 2 * se,
        basis: "validation curve (5-fold CV)",
      },
      gain,
    },
  ];
};
