/** Training dynamics: not converged → more iterations; unstable SGD → a lower constant rate; dev loss rising → early stopping. */
import type { CandidateChange } from "../../diagnose/diagnostic.js";
import type { DynamicsFinding } from "../../diagnose/dynamics.js";
import type { Spec } from "../../spec/schema.js";
import { modelParams, type Rule } from "./rule.js";

const heuristic = (gain: number): CandidateChange["expected"] => ({
  devErrorDelta: -gain,
  low: null,
  high: null,
  basis: "heuristic",
});

function answer(f: DynamicsFinding, spec: Spec): CandidateChange[] {
  const out: CandidateChange[] = [];
  const base = { finding: "instability", rationale: f.message, evidence: [f.message], action: null };
  const maxIter = modelParams(spec)["max_iter"];
  if (f.kind === "not_converged" && typeof maxIter === "number")
    out.push({
      ...base,
      title: `let it converge: model.max_iter ${maxIter} → ${maxIter * 10}`,
      patch: [{ op: "set", path: ["model", "max_iter"], value: maxIter * 10, from: maxIter }],
      expected: heuristic(0.001),
      gain: 0.001,
    });
  if ((f.kind === "unstable" || f.kind === "non_finite_loss") && spec.model.family === "sgd") {
    const eta = spec.model.eta0;
    out.push({
      ...base,
      title: `lower learning rate: constant eta0 ${eta} → ${eta / 10}`,
      patch: [
        { op: "set", path: ["model", "learning_rate"], value: "constant", from: spec.model.learning_rate },
        { op: "set", path: ["model", "eta0"], value: eta / 10, from: eta },
      ],
      expected: heuristic(0.002),
      gain: 0.002,
    });
  }
  if (f.kind === "dev_loss_rising" && spec.model.family === "sgd" && !spec.model.early_stopping)
    out.push({
      ...base,
      title: "stop early: model.early_stopping false → true",
      patch: [{ op: "set", path: ["model", "early_stopping"], value: true, from: false }],
      expected: heuristic(0.002),
      gain: 0.002,
    });
  return out;
}

export const dynamicsRule: Rule = ({ spec, findings }) =>
  (findings.dynamics?.findings ?? []).flatMap((f) => answer(f, spec));
