/**
 * Turning a run's predicted probabilities into decisions and metrics per split. The threshold of
 * a binary model is chosen by the spec's policy on dev — never on test; without a dev split a
 * data-driven policy falls back to train, and the run says so.
 */
import { evaluateSplit } from "../evaluate/evaluate.js";
import { chooseThreshold } from "../evaluate/threshold.js";
import type { Spec } from "../spec/schema.js";

export interface SplitEvaluation {
  /** Binary: P(positive); multiclass: probability of the predicted class. */
  readonly scores: Float64Array;
  /** Predicted class index per example. */
  readonly decisions: Int32Array;
  readonly metrics: Record<string, number>;
  readonly confusion: number[][];
}

export interface RunEvaluation {
  readonly splits: Partial<Record<"train" | "dev" | "test", SplitEvaluation>>;
  readonly threshold: { value: number; policy: string; chosenOn: "train" | "dev" | "test" } | null;
  readonly warnings: string[];
}

export interface EvaluateInput {
  readonly spec: Spec;
  readonly classes: readonly string[];
  /** Index of the positive class for binary data, null for multiclass. */
  readonly positive: number | null;
  readonly splits: ReadonlyArray<{ name: "train" | "dev" | "test"; y: Int32Array; proba: Float64Array }>;
}

function positiveScores(proba: Float64Array, nClasses: number, positive: number): Float64Array {
  const n = proba.length / nClasses;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = proba[i * nClasses + positive]!;
  return out;
}

export function evaluatePredictions(input: EvaluateInput): RunEvaluation {
  const k = input.classes.length;
  const warnings: string[] = [];
  const splits: RunEvaluation["splits"] = {};
  const present = input.splits.filter((s) => s.y.length > 0);

  if (input.positive === null) {
    if (input.spec.evaluate.threshold.policy !== "fixed") {
      warnings.push(
        `threshold policy ${input.spec.evaluate.threshold.policy} applies to binary data only; multiclass decisions use argmax`,
      );
    }
    for (const s of present) {
      const m = evaluateSplit({ kind: "multiclass", y: s.y, proba: s.proba, nClasses: k });
      const n = s.y.length;
      const decisions = new Int32Array(n);
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (s.proba[i * k + c]! > s.proba[i * k + best]!) best = c;
        decisions[i] = best;
        scores[i] = s.proba[i * k + best]!;
      }
      splits[s.name] = { scores, decisions, metrics: m.metrics, confusion: m.confusionMatrix };
    }
    return { splits, threshold: null, warnings };
  }

  const pos = input.positive;
  const policy = input.spec.evaluate.threshold;
  const binary = present.map((s) => {
    const yBin = new Uint8Array(s.y.length);
    for (let i = 0; i < s.y.length; i++) yBin[i] = s.y[i] === pos ? 1 : 0;
    return { name: s.name, y: s.y, yBin, score: positiveScores(s.proba, k, pos) };
  });
  let chosenOn: "train" | "dev" | "test" = "dev";
  let source = binary.find((b) => b.name === "dev");
  if (!source) {
    source = binary.find((b) => b.name === "train");
    chosenOn = "train";
    if (policy.policy !== "fixed") {
      warnings.push(`no dev split: the ${policy.policy} threshold was chosen on train, which flatters train metrics`);
    }
  }
  const chosen = source
    ? chooseThreshold(policy, source.yBin, source.score, input.spec.evaluate.costs)
    : { threshold: policy.policy === "fixed" ? policy.value : 0.5, policy: policy.policy, objective: Number.NaN };
  if ("feasible" in chosen && chosen.feasible === false && policy.policy === "max_recall_at_precision") {
    warnings.push(
      `no threshold reaches precision ${policy.min_precision} on ${chosenOn}: nothing is predicted positive (lower evaluate.threshold.min_precision)`,
    );
  }
  const threshold = chosen.threshold;
  for (const b of binary) {
    const m = evaluateSplit({ kind: "binary", yTrue: b.yBin, score: b.score, threshold });
    const n = b.y.length;
    const decisions = new Int32Array(n);
    const neg = pos === 0 ? 1 : 0;
    for (let i = 0; i < n; i++) decisions[i] = b.score[i]! >= threshold ? pos : neg;
    splits[b.name] = { scores: b.score, decisions, metrics: m.metrics, confusion: m.confusionMatrix };
  }
  return { splits, threshold: { value: threshold, policy: chosen.policy, chosenOn }, warnings };
}
