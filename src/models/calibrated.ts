/**
 * `model.calibration: sigmoid | isotonic` — scikit-learn's CalibratedClassifierCV(method, cv=5,
 * ensemble=True) around any family. The training rows are split into 5 stratified folds exactly as
 * sklearn's StratifiedKFold(5) without shuffling splits them; on each fold the family is fitted on the
 * other four, scores the held-out fold, and a calibrator per output (one for binary data, one per
 * class otherwise) is fitted on those held-out scores: Platt's sigmoid (platt.ts) or isotonic
 * regression. A prediction is the mean over the 5 (model, calibrators) pairs; multiclass outputs are
 * renormalised per row as sklearn does.
 *
 * The score a calibrator sees is the family's decision function where sklearn's counterpart has one
 * (logistic regression, linear SVM, SGD, gradient boosting: margins or logits), else its probability
 * of the class (naive Bayes, MLP). Only training rows are used: dev and test are never seen.
 */
import { ModelError } from "../errors.js";
import { csrSelectRows, type CsrMatrix } from "../features/csr.js";
import type { ModelSpec } from "../spec/models.js";
import { stratifiedKFold } from "../util/stratified-kfold.js";
import type { Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { fitPlatt, plattProbability } from "./platt.js";

export type CalibrationMethod = "sigmoid" | "isotonic";

/** sklearn's default cv for CalibratedClassifierCV. */
export const CALIBRATION_FOLDS = 5;

/** An isotonic (non-decreasing) fit: breakpoints and values, linearly interpolated, clipped at the ends. */
export interface IsotonicFit {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * sklearn's IsotonicRegression(out_of_bounds="clip").fit: rows sorted by score, equal scores merged
 * into their (weighted) mean, then pool-adjacent-violators.
 */
export function fitIsotonic(score: Float64Array, target: Float64Array): IsotonicFit {
  const idx = Array.from(score.keys()).sort((a, b) => score[a]! - score[b]! || target[a]! - target[b]!);
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of idx) {
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === score[i]) {
      sums[last]! += target[i]!;
      weights[last]! += 1;
    } else {
      xs.push(score[i]!);
      sums.push(target[i]!);
      weights.push(1);
    }
  }
  // pool adjacent violators over the merged points: blocks of (mean, weight, count)
  const mean: number[] = [];
  const weight: number[] = [];
  const count: number[] = [];
  for (let j = 0; j < xs.length; j++) {
    mean.push(sums[j]! / weights[j]!);
    weight.push(weights[j]!);
    count.push(1);
    while (mean.length > 1 && mean[mean.length - 2]! > mean[mean.length - 1]!) {
      const w = weight.pop()!;
      const m = mean.pop()!;
      const c = count.pop()!;
      const t = mean.length - 1;
      mean[t] = (mean[t]! * weight[t]! + m * w) / (weight[t]! + w);
      weight[t]! += w;
      count[t]! += c;
    }
  }
  const y = new Float64Array(xs.length);
  let at = 0;
  mean.forEach((m, b) => {
    for (let j = 0; j < count[b]!; j++) y[at++] = m;
  });
  return { x: Float64Array.from(xs), y };
}

export function predictIsotonic(fit: IsotonicFit, s: number): number {
  const { x, y } = fit;
  const n = x.length;
  if (n === 1 || s <= x[0]!) return y[0]!;
  if (s >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= s) lo = mid;
    else hi = mid;
  }
  const t = (s - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

type Calibrator = { readonly A: number; readonly B: number } | IsotonicFit;

function calibrate(c: Calibrator, s: number): number {
  return "A" in c ? plattProbability(c, s) : predictIsotonic(c, s);
}

/** The scores a calibrator reads: n × (1 for binary, nClasses otherwise). */
function scoresOf(model: Estimator, X: CsrMatrix, nClasses: number): Float64Array {
  const decision = (model as Partial<{ decisionFunction(X: CsrMatrix): Float64Array }>).decisionFunction;
  if (typeof decision === "function") return decision.call(model, X);
  const proba = model.predictProba(X);
  if (nClasses > 2) return proba;
  return Float64Array.from({ length: X.rows }, (_, i) => proba[2 * i + 1]!);
}

interface Member {
  readonly model: Estimator;
  readonly calibrators: readonly Calibrator[];
}

export type CreateBase = (spec: ModelSpec, seed: number) => Estimator;
export type LoadBase = (s: SerializedModel) => Estimator;

/**
 * The smallest class must have a row in every fold: otherwise fewer folds (with a warning), and an
 * error below two rows.
 */
function foldsFor(y: Int32Array, nClasses: number, family: string): { k: number; warnings: string[] } {
  const counts = new Int32Array(nClasses);
  for (const v of y) counts[v]!++;
  const present = Array.from(counts).filter((c) => c > 0);
  const smallest = Math.min(...present);
  if (smallest < 2) {
    throw new ModelError(
      `${family} with calibration: a class has ${smallest} training row; calibration needs at least 2 rows of every class`,
    );
  }
  const k = Math.min(CALIBRATION_FOLDS, smallest);
  return {
    k,
    warnings:
      k < CALIBRATION_FOLDS
        ? [
            `calibration used ${k} folds instead of ${CALIBRATION_FOLDS}: the smallest class has only ${k} training rows`,
          ]
        : [],
  };
}

export class CalibratedClassifier implements Estimator {
  readonly family: string;
  nClasses = 0;
  nFeatures = -1;
  private members: Member[] = [];

  constructor(
    readonly params: ModelSpec & { calibration: CalibrationMethod },
    private readonly seed: number,
    private readonly createBase: CreateBase,
  ) {
    this.family = params.family;
  }

  private restoredBase(b: SerializedModel): Estimator {
    const m = this.createBase(this.baseSpec(), 0);
    m.restore(b);
    return m;
  }

  /** The family's own spec, without the calibration key. */
  private baseSpec(): ModelSpec {
    const { calibration: _drop, ...base } = this.params;
    void _drop;
    return base as ModelSpec;
  }

  fit(data: FitData): TrainingReport {
    const { X, y, nClasses } = data;
    const { k, warnings } = foldsFor(y, nClasses, this.family);
    const folds = stratifiedKFold(y, k);
    const nOut = nClasses === 2 ? 1 : nClasses;
    this.members = [];
    let iterations = 0;
    let converged = true;
    let finalLoss = 0;
    for (let f = 0; f < k; f++) {
      const trainRows: number[] = [];
      const heldRows: number[] = [];
      for (let i = 0; i < X.rows; i++) (folds[i] === f ? heldRows : trainRows).push(i);
      const model = this.createBase(this.baseSpec(), this.seed + f);
      const report = model.fit({
        X: csrSelectRows(X, trainRows),
        y: Int32Array.from(trainRows, (i) => y[i]!),
        nClasses,
        sampleWeight: data.sampleWeight ? Float64Array.from(trainRows, (i) => data.sampleWeight![i]!) : undefined,
      });
      iterations += report.iterations;
      converged &&= report.converged;
      finalLoss += report.finalLoss / k;
      for (const w of report.warnings) warnings.push(`calibration fold ${f + 1}: ${w}`);
      const scores = scoresOf(model, csrSelectRows(X, heldRows), nClasses);
      const calibrators: Calibrator[] = [];
      for (let o = 0; o < nOut; o++) {
        const cls = nClasses === 2 ? 1 : o;
        const s = Float64Array.from(heldRows, (_, t) => scores[t * nOut + o]!);
        const target = Float64Array.from(heldRows, (i) => (y[i] === cls ? 1 : 0));
        calibrators.push(
          this.params.calibration === "sigmoid" ? fitPlatt(s, Uint8Array.from(target)) : fitIsotonic(s, target),
        );
      }
      this.members.push({ model, calibrators });
    }
    this.nClasses = nClasses;
    this.nFeatures = X.cols;
    return { iterations, converged, finalLoss, curve: [], warnings };
  }

  predictProba(X: CsrMatrix): Float64Array {
    if (this.members.length === 0) throw new ModelError(`${this.family} with calibration: predict before fit`);
    const K = this.nClasses;
    const nOut = K === 2 ? 1 : K;
    const out = new Float64Array(X.rows * K);
    const one = new Float64Array(K);
    for (const { model, calibrators } of this.members) {
      const scores = scoresOf(model, X, K);
      for (let i = 0; i < X.rows; i++) {
        if (K === 2) {
          const p = calibrate(calibrators[0]!, scores[i]!);
          one[0] = 1 - p;
          one[1] = p;
        } else {
          let sum = 0;
          for (let c = 0; c < nOut; c++) sum += one[c] = calibrate(calibrators[c]!, scores[i * nOut + c]!);
          for (let c = 0; c < K; c++) one[c] = sum > 0 ? one[c]! / sum : 1 / K;
        }
        for (let c = 0; c < K; c++) out[i * K + c]! += one[c]! / this.members.length;
      }
    }
    return out;
  }

  serialize(): SerializedModel {
    return {
      family: this.family,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      state: {
        calibrated: JSON.stringify(
          this.members.map((m) => ({
            model: m.model.serialize(),
            calibrators: m.calibrators.map((c) => ("A" in c ? { A: c.A, B: c.B } : { x: [...c.x], y: [...c.y] })),
          })),
        ),
      },
    };
  }

  /** `loadBase` rebuilds each member (default: a fresh base model of this spec, restored). */
  restore(s: SerializedModel, loadBase: LoadBase = (b) => this.restoredBase(b)): void {
    const text = s.state["calibrated"];
    if (typeof text !== "string") throw new ModelError(`cannot load ${s.family} model: calibration state missing`);
    const parsed = JSON.parse(text) as Array<{
      model: SerializedModel;
      calibrators: Array<{ A: number; B: number } | { x: number[]; y: number[] }>;
    }>;
    this.members = parsed.map((m) => ({
      model: loadBase(m.model),
      calibrators: m.calibrators.map((c) =>
        "A" in c ? { A: c.A, B: c.B } : { x: Float64Array.from(c.x), y: Float64Array.from(c.y) },
      ),
    }));
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
  }
}
