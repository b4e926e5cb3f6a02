/** Unequal error costs and a threshold that is not the minimum-cost one → the min_cost policy, when it saves ≥ 10%. */
import type { Rule } from "./rule.js";

export const thresholdRule: Rule = ({ spec, findings }) => {
  const th = findings.threshold;
  if (!th || spec.evaluate.threshold.policy === "min_cost" || th.costs.fp === th.costs.fn) return [];
  const run = th.points[0];
  const mc = th.points.find((p) => p.policy === "min_cost");
  if (!run || !mc || !run.policy.startsWith("run") || !(mc.cost < run.cost * 0.9)) return [];
  const saved = (run.cost - mc.cost) / th.n;
  return [
    {
      finding: "threshold",
      title: `threshold for cost: evaluate.threshold ${spec.evaluate.threshold.policy} → min_cost`,
      rationale: `with costs fp=${th.costs.fp}, fn=${th.costs.fn} the minimum-cost threshold ${mc.threshold.toPrecision(3)} costs ${mc.per10k.cost.toFixed(0)} per 10,000 messages instead of ${run.per10k.cost.toFixed(0)}`,
      evidence: th.points.map(
        (p) =>
          `${p.policy}: threshold ${p.threshold.toPrecision(3)}, per 10,000: ${p.per10k.negativesLost.toFixed(1)} legitimate lost, ${p.per10k.positivesMissed.toFixed(1)} spam delivered`,
      ),
      patch: [
        { op: "set", path: ["evaluate", "threshold"], value: { policy: "min_cost" }, from: spec.evaluate.threshold },
      ],
      action: null,
      expected: {
        devErrorDelta: (mc.fp + mc.fn - run.fp - run.fn) / th.n,
        low: null,
        high: null,
        basis: "dev operating points (the threshold is chosen on dev: optimistic)",
      },
      // cost saved per message, in units of the larger error cost: comparable with error gains
      gain: saved / Math.max(th.costs.fp, th.costs.fn),
    },
  ];
};
