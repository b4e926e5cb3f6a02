/**
 * Linear support vector machine, solved as liblinear does it (and so scikit-learn's LinearSVC):
 * dual coordinate descent with shrinking (Hsieh et al. 2008) on
 *
 *   min_w ½‖w‖² + Σ_i c_i · ξ(y_i wᵀx_i),  ξ = max(0, 1 − m) (hinge) or max(0, 1 − m)² (squared hinge)
 *
 * where, as in liblinear, the intercept is the weight of a constant feature of value
 * `intercept_scaling` and IS regularised. Multiclass is one-vs-rest (liblinear's default).
 *
 * Probabilities: an SVM gives margins, not probabilities. They come from Platt scaling fitted on
 * held-out decision values (stratified `calibration_folds`-fold cross-validation, like
 * sklearn's CalibratedClassifierCV(method="sigmoid", ensemble=False)): fitting the sigmoid on the
 * training margins would be overconfident, since training rows sit beyond the margin by design.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { LinearSvmParams } from "../spec/models.js";
import { createRng, deriveSeed, type Rng } from "../util/random.js";
import { checkFitData, checkPredictX, classWeightMultipliers } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { dualCoordinateDescentWasm } from "./kernels/linear-svm-wasm.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";
import { numberArray } from "./logistic-regression.js";
import { rowDot } from "./sparse-linear.js";
import { decisionValues, mergeCurves, plattOneVsRest, withDevLoss } from "./one-vs-rest.js";
import { plattProbabilities } from "./platt.js";

export const LINEAR_SVM = "linear_svm";

/**
 * What a fit reports of its primal objective: "curve" (at iterations 1, 2, 4, 8, … and at the end:
 * each value is a pass over X) or "none" (the calibration folds, whose objective nobody reads:
 * curve empty, primal NaN). The weights are the same either way.
 */
export type ObjectiveReport = "curve" | "none";

export interface DualCdResult {
  /** d weights followed by the bias weight (0 without an intercept). */
  readonly w: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** max − min projected gradient at the last pass (liblinear's stopping quantity). */
  readonly violation: number;
  /** Primal objective at iterations 1, 2, 4, 8, … and at the end. */
  readonly curve: CurvePoint[];
  readonly primal: number;
}

/**
 * One binary problem (liblinear's solve_l2r_l1l2_svc). `bias` is the constant feature's value
 * (0: no intercept). Rows with c_i = 0 take no part, as in liblinear.
 */
export function dualCoordinateDescent(
  X: CsrMatrix,
  ySign: Float64Array,
  c: Float64Array,
  loss: "hinge" | "squared_hinge",
  bias: number,
  tol: number,
  maxIter: number,
  rng: Rng,
  report: ObjectiveReport = "curve",
): DualCdResult {
  return kernelBackend("linear-svm-dcd") === "wasm"
    ? dualCoordinateDescentWasm(X, ySign, c, loss, bias, tol, maxIter, rng, report)
    : dualCoordinateDescentJs(X, ySign, c, loss, bias, tol, maxIter, rng, report);
}

/** The JavaScript reference of kernels/linear-svm-dcd.ts (MLLOOP_KERNELS=js). */
export function dualCoordinateDescentJs(
  X: CsrMatrix,
  ySign: Float64Array,
  c: Float64Array,
  loss: "hinge" | "squared_hinge",
  bias: number,
  tol: number,
  maxIter: number,
  rng: Rng,
  report: ObjectiveReport = "curve",
): DualCdResult {
  const { indptr, indices, data } = X;
  const d = X.cols;
  const w = new Float64Array(d + 1);
  const alpha = new Float64Array(X.rows);
  const QD = new Float64Array(X.rows);
  const diag = new Float64Array(X.rows);
  const upper = new Float64Array(X.rows);
  const index: number[] = [];
  for (let i = 0; i < X.rows; i++) {
    if (c[i]! <= 0) continue;
    index.push(i);
    diag[i] = loss === "hinge" ? 0 : 0.5 / c[i]!;
    upper[i] = loss === "hinge" ? c[i]! : Infinity;
    let q = diag[i]! + bias * bias;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) q += data[p]! * data[p]!;
    QD[i] = q;
  }
  const l = index.length;
  let activeSize = l;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  let converged = false;
  let violation = Infinity;
  const curve: CurvePoint[] = [];
  let nextCheckpoint = 1;
  const primal = (): number => primalObjective(X, ySign, c, loss, bias, w);

  while (iter < maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let s = activeSize - 1; s > 0; s--) {
      const j = rng.int(s + 1);
      const t = index[s]!;
      index[s] = index[j]!;
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s]!;
      const yi = ySign[i]!;
      let G = w[d]! * bias + rowDot(w, indices, data, indptr[i]!, indptr[i + 1]!);
      G = G * yi - 1 + diag[i]! * alpha[i]!;
      let PG = 0;
      if (alpha[i] === 0) {
        if (G > pgMaxOld) {
          // Shrink: this row is at its bound and will likely stay there.
          activeSize--;
          index[s] = index[activeSize]!;
          index[activeSize] = i;
          s--;
          continue;
        } else if (G < 0) PG = G;
      } else if (alpha[i] === upper[i]) {
        if (G < pgMinOld) {
          activeSize--;
          index[s] = index[activeSize]!;
          index[activeSize] = i;
          s--;
          continue;
        } else if (G > 0) PG = G;
      } else PG = G;
      if (PG > pgMaxNew) pgMaxNew = PG;
      if (PG < pgMinNew) pgMinNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const old = alpha[i]!;
        alpha[i] = Math.min(Math.max(old - G / QD[i]!, 0), upper[i]!);
        const delta = (alpha[i]! - old) * yi;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) w[indices[p]!]! += delta * data[p]!;
        w[d]! += delta * bias;
      }
    }
    iter++;
    violation = pgMaxNew - pgMinNew;
    if (iter === nextCheckpoint && report === "curve") {
      curve.push({ step: iter, loss: primal() });
      nextCheckpoint *= 2;
    }
    if (violation <= tol) {
      if (activeSize === l) {
        converged = true;
        break;
      }
      // Converged on the shrunk problem: check all rows once more before stopping.
      activeSize = l;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
  }
  if (report === "none") return { w, iterations: iter, converged, violation, curve, primal: NaN };
  const final = primal();
  if (curve.at(-1)?.step !== iter) curve.push({ step: iter, loss: final });
  return { w, iterations: iter, converged, violation, curve, primal: final };
}

function primalObjective(
  X: CsrMatrix,
  ySign: Float64Array,
  c: Float64Array,
  loss: "hinge" | "squared_hinge",
  bias: number,
  w: Float64Array,
): number {
  const d = X.cols;
  let f = 0;
  for (let j = 0; j <= d; j++) f += 0.5 * w[j]! * w[j]!;
  for (let i = 0; i < X.rows; i++) {
    let z = w[d]! * bias;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) z += w[X.indices[p]!]! * X.data[p]!;
    const slack = Math.max(0, 1 - ySign[i]! * z);
    f += c[i]! * (loss === "hinge" ? slack : slack * slack);
  }
  return f;
}

interface SvmFit {
  /** nOut × d, class-major. */
  coef: Float64Array;
  intercept: Float64Array;
  results: DualCdResult[];
}

export class LinearSvm implements Estimator {
  readonly family = LINEAR_SVM;
  nFeatures = -1;
  nClasses = 0;
  coef: Float64Array = new Float64Array(0);
  intercept: Float64Array = new Float64Array(0);
  /** Platt parameters per output (A then B). */
  plattA: Float64Array = new Float64Array(0);
  plattB: Float64Array = new Float64Array(0);

  constructor(
    readonly params: LinearSvmParams,
    private readonly seed: number,
  ) {}

  /** One-vs-rest (or binary) SVM on the given rows; `seedLabel` separates the RNG streams of CV fits. */
  private fitSvm(
    X: CsrMatrix,
    y: Int32Array,
    nClasses: number,
    sw: Float64Array,
    seedLabel: string,
    report: ObjectiveReport = "curve",
  ): SvmFit {
    const p = this.params;
    const d = X.cols;
    const nOut = nClasses === 2 ? 1 : nClasses;
    const mult = classWeightMultipliers(p.class_weight, y, nClasses, this.family);
    const bias = p.fit_intercept ? p.intercept_scaling : 0;
    const coef = new Float64Array(nOut * d);
    const intercept = new Float64Array(nOut);
    const results: DualCdResult[] = [];
    for (let k = 0; k < nOut; k++) {
      const positive = nClasses === 2 ? 1 : k;
      const ySign = new Float64Array(X.rows);
      const c = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        ySign[i] = y[i] === positive ? 1 : -1;
        // liblinear's one-vs-rest weights only the positive class by its class weight.
        const m = nClasses === 2 || y[i] === positive ? mult[y[i]!]! : 1;
        c[i] = p.C * sw[i]! * m;
      }
      const rng = createRng(deriveSeed(this.seed, `${seedLabel}/${k}`));
      const r = dualCoordinateDescent(X, ySign, c, p.loss, bias, p.tol, p.max_iter, rng, report);
      coef.set(r.w.subarray(0, d), k * d);
      intercept[k] = r.w[d]! * bias;
      results.push(r);
    }
    return { coef, intercept, results };
  }

  fit(data: FitData): TrainingReport {
    const sw = checkFitData(data, this.family);
    const { X, y, nClasses } = data;
    if (data.dev !== undefined) checkPredictX(data.dev.X, X.cols, `${this.family} (dev)`);
    const nOut = nClasses === 2 ? 1 : nClasses;
    const warnings: string[] = [];

    const platt = plattOneVsRest(
      data,
      sw,
      this.params.calibration_folds,
      deriveSeed(this.seed, "calibration-folds"),
      this.family,
      (Xf, yf, swf, label) => this.fitSvm(Xf, yf, nClasses, swf, label, "none"),
    );
    this.plattA = platt.A;
    this.plattB = platt.B;
    warnings.push(...platt.warnings);

    const full = this.fitSvm(X, y, nClasses, sw, "full");
    this.coef = full.coef;
    this.intercept = full.intercept;
    this.nFeatures = X.cols;
    this.nClasses = nClasses;

    full.results.forEach((r, o) => {
      if (!r.converged) {
        warnings.push(
          `${nOut > 1 ? `one-vs-rest problem for class ${o}: ` : ""}did not converge in ${r.iterations} iterations (projected-gradient spread ${r.violation.toExponential(2)} > tol ${this.params.tol}); raise max_iter or tol, or scale the features`,
        );
      }
    });
    const curve = withDevLoss(mergeCurves(full.results.map((r) => r.curve)), data, (Xd) => this.predictProba(Xd));
    const finalLoss = full.results.reduce((s, r) => s + r.primal, 0);
    if (!Number.isFinite(finalLoss)) warnings.push(`final objective is ${finalLoss}; the model is not usable`);
    return {
      iterations: Math.max(...full.results.map((r) => r.iterations)),
      converged: full.results.every((r) => r.converged),
      finalLoss,
      curve,
      warnings,
    };
  }

  /** Row-major n × (1 for binary, nClasses otherwise) margins wᵀx + b. */
  decisionFunction(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    return decisionValues(X, this.coef, this.intercept, this.intercept.length);
  }

  predictProba(X: CsrMatrix): Float64Array {
    return plattProbabilities(this.decisionFunction(X), X.rows, this.nClasses, this.plattA, this.plattB);
  }

  serialize(): SerializedModel {
    if (this.nFeatures < 0) throw new ModelError(`${this.family}: serialize called before fit`);
    return {
      family: this.family,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      state: {
        coef: Array.from(this.coef),
        intercept: Array.from(this.intercept),
        plattA: Array.from(this.plattA),
        plattB: Array.from(this.plattB),
      },
    };
  }

  restore(s: SerializedModel): void {
    const nOut = s.nClasses === 2 ? 1 : s.nClasses;
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    this.coef = numberArray(s, "coef", nOut * s.nFeatures);
    this.intercept = numberArray(s, "intercept", nOut);
    this.plattA = numberArray(s, "plattA", nOut);
    this.plattB = numberArray(s, "plattB", nOut);
  }
}
