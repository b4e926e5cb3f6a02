/**
 * Reading the curves in words (MLY ch. 28–32; Ng's validation-curve lecture).
 *
 * Learning curve, at the largest size: validation error still falling (the power law's 95%
 * interval for the change at 2× the data lies below zero) with a train–validation gap → more data
 * should help; training error above the baseline and nothing more to gain from data → both have
 * plateaued, more data alone will not help; both at once → bias and variance.
 *
 * Validation curve: the best knob value, the underfit end (both errors high and close) and the
 * overfit end (training error far below validation error), and which side the current value is on.
 */
import type { LearningCurve, ValidationCurve } from "./curves.js";

export type LearningCurveKind =
  "more_data_helps" | "plateau_above_baseline" | "bias_and_variance" | "gap_but_flat" | "near_baseline";

export interface LearningCurveReading {
  readonly kind: LearningCurveKind;
  readonly moreDataHelps: boolean;
  readonly text: string;
}

const pts = (x: number): string => `${(x * 100).toFixed(2)} pt`;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function readLearningCurve(lc: LearningCurve, baseline: number, floor = 0.005): LearningCurveReading {
  const last = lc.points[lc.points.length - 1]!;
  const T = last.trainError.mean;
  const V = last.valError.mean;
  const gap = V - T;
  const ex = lc.extrapolation;
  const helps = ex !== null && ex.change.high < 0 && -ex.change.estimate >= 0.001;
  const trainAbove = T - baseline > floor;
  const at2x = ex
    ? `predicted validation error at ${ex.atSize} examples (2×): ${pct(ex.predicted)} (change ${pts(ex.change.estimate)}, 95% interval ${pts(ex.change.low)} to ${pts(ex.change.high)})`
    : "";
  const head = `at ${last.x} examples: train ${pct(T)}, validation ${pct(V)} (gap ${pts(gap)}), baseline ${pct(baseline)}`;
  let kind: LearningCurveKind;
  let text: string;
  if (helps && trainAbove && gap > floor) {
    kind = "bias_and_variance";
    text = `training error is above the baseline and validation error is still falling: both bias and variance; more data helps the variance part only`;
  } else if (helps && gap > floor) {
    kind = "more_data_helps";
    text = "validation error is still falling and stays above training error: more data should help";
  } else if (!helps && trainAbove) {
    kind = "plateau_above_baseline";
    text =
      "both errors have plateaued above the baseline: adding more data will not, by itself, be sufficient — reduce bias";
  } else if (gap > floor) {
    kind = "gap_but_flat";
    text = "validation error stays above training error but more data barely moves it: regularise or simplify";
  } else {
    kind = "near_baseline";
    text = "training and validation errors are close to each other and to the baseline";
  }
  return { kind, moreDataHelps: helps, text: [head, text, at2x].filter((s) => s !== "").join("; ") };
}

export interface ValidationCurveReading {
  readonly side: "underfit" | "overfit" | "best";
  readonly text: string;
}

export function readValidationCurve(vc: ValidationCurve, floor = 0.005): ValidationCurveReading {
  const byCapacity = [...vc.points].sort((a, b) => (a.x - b.x) * vc.direction);
  const best = vc.points.find((p) => p.x === vc.best)!;
  const cur = vc.points.find((p) => p.x === vc.current) ?? best;
  const low = byCapacity[0]!;
  const high = byCapacity[byCapacity.length - 1]!;
  const parts: string[] = [
    `best ${vc.key} = ${vc.best} (validation ${pct(best.valError.mean)}); current ${vc.current} (${pct(cur.valError.mean)})`,
  ];
  if (low.valError.mean > best.valError.mean + floor && low.valError.mean - low.trainError.mean < floor * 2) {
    parts.push(
      `underfit at ${vc.key} = ${low.x}: both errors high and close (${pct(low.trainError.mean)} / ${pct(low.valError.mean)})`,
    );
  }
  if (high.valError.mean - high.trainError.mean > floor * 2) {
    parts.push(
      `at ${vc.key} = ${high.x} training error falls to ${pct(high.trainError.mean)} while validation stays at ${pct(high.valError.mean)}` +
        (high.valError.mean > best.valError.mean + floor ? ": overfit" : ""),
    );
  }
  let side: ValidationCurveReading["side"] = "best";
  if (cur.valError.mean > best.valError.mean + 1e-12)
    side = (vc.current - vc.best) * vc.direction < 0 ? "underfit" : "overfit";
  parts.push(
    side === "best"
      ? "the current value is the best on this grid"
      : `the current value is on the ${side} side (${side === "underfit" ? "too much" : "too little"} regularisation): ${pts(cur.valError.mean - best.valError.mean)} to gain`,
  );
  return { side, text: parts.join("; ") };
}
