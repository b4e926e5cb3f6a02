/**
 * Linear classifier trained by stochastic gradient descent, following scikit-learn's SGDClassifier
 * (plain_sgd; the epochs themselves are in sgd-epochs.ts and kernels/sgd-epochs.ts): per-example
 * updates on the L2-regularised loss with the weight-scale trick (an L2
 * step multiplies one scalar instead of all weights), the "optimal" schedule of Bottou's SGD,
 * averaged SGD with the sparse averaging trick, early stopping on a held-out validation fraction,
 * and one-vs-rest for multiclass. With shuffle=false it reproduces sklearn's coefficients; with
 * shuffling the order comes from our seeded RNG, so results agree with sklearn's in quality, not
 * digit for digit.
 *
 * As in sklearn for sparse input, intercept updates are damped by 0.01 (SPARSE_INTERCEPT_DECAY):
 * the intercept sees every example while a sparse feature sees few, and undamped it oscillates.
 */
import { stratifiedHoldoutMask } from "./holdout.js";
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { SgdParams } from "../spec/models.js";
import { createRng, deriveSeed, type Rng } from "../util/random.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";
import { WasmSgdEpochs, WasmSgdMatrix } from "./kernels/sgd-wasm.js";
import { JsSgdEpochs, lossDerivative } from "./sgd-epochs.js";
import { checkFitData, checkPredictX, classWeightMultipliers, nonFiniteError } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { decisionValues, mergeCurves, plattOneVsRest, withDevLoss } from "./one-vs-rest.js";
import { numberArray } from "./logistic-regression.js";
import { plattProbabilities } from "./platt.js";
import { divergenceWarning } from "./training-warnings.js";

export const SGD = "sgd";

export interface SgdBinaryResult {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly epochs: number;
  readonly converged: boolean;
  readonly curve: CurvePoint[];
}

/**
 * One binary problem (labels ±1). `validation` marks rows held out for early stopping (never
 * trained on); `rowWeight` is sample weight × class weight. The epochs run in WebAssembly or in
 * the JavaScript reference (MLLOOP_KERNELS); the shuffle, the stopping rule and the curve are here.
 */
export function sgdBinary(
  X: CsrMatrix,
  ySign: Float64Array,
  rowWeight: Float64Array,
  validation: Uint8Array | null,
  p: SgdParams,
  rng: Rng,
  /** X already copied into a WebAssembly instance by the caller (shared by one-vs-rest problems). */
  matrix: WasmSgdMatrix | null = null,
): SgdBinaryResult {
  const n = X.rows;
  let optimalInit = 0;
  if (p.learning_rate === "optimal") {
    const typw = Math.sqrt(1 / Math.sqrt(p.alpha));
    const eta0 = typw / Math.max(1, lossDerivative(p.loss, -typw, 1));
    optimalInit = 1 / (eta0 * p.alpha);
  }
  const averageFrom = p.average === false ? 0 : p.average === true ? 1 : p.average;
  const problem = { X, ySign, rowWeight, validation, params: p, optimalInit, averageFrom };
  const sgd = kernelBackend("sgd-epochs") === "wasm" ? new WasmSgdEpochs(problem, matrix) : new JsSgdEpochs(problem);
  let trainCount = 0;
  for (let i = 0; i < n; i++) if (validation === null || !validation[i]) trainCount++;

  let bestLoss = Infinity;
  let bestScore = -Infinity;
  let noImprovement = 0;
  let epoch = 0;
  let converged = false;
  const curve: CurvePoint[] = [];
  const tol = p.tol;
  while (epoch < p.max_iter) {
    if (p.shuffle) sgd.shuffle(rng);
    const sumLoss = sgd.epoch();
    epoch++;
    const norm = sgd.squaredNorm();
    if (!Number.isFinite(norm) || !Number.isFinite(sgd.intercept)) {
      throw new ModelError(
        `sgd: weights overflowed at epoch ${epoch} (loss ${p.loss}, learning_rate ${p.learning_rate}); lower eta0 or alpha, or scale the features`,
      );
    }
    curve.push({ step: epoch, loss: sumLoss / trainCount + 0.5 * p.alpha * norm });
    if (tol !== null) {
      if (validation !== null) {
        const score = sgd.validationAccuracy();
        noImprovement = score < bestScore + tol ? noImprovement + 1 : 0;
        if (score > bestScore) bestScore = score;
      } else {
        noImprovement = sumLoss > bestLoss - tol * trainCount ? noImprovement + 1 : 0;
        if (sumLoss < bestLoss) bestLoss = sumLoss;
      }
      if (noImprovement >= p.n_iter_no_change) {
        converged = true;
        break;
      }
    }
  }
  const { coef, intercept } = sgd.finish();
  return {
    coef,
    intercept,
    epochs: epoch,
    // With tol = null there is no stopping rule: running all epochs is what was asked.
    converged: tol === null || converged,
    curve,
  };
}

export class SgdClassifier implements Estimator {
  readonly family = SGD;
  nFeatures = -1;
  nClasses = 0;
  coef: Float64Array = new Float64Array(0);
  intercept: Float64Array = new Float64Array(0);
  /** hinge only: Platt parameters per output. */
  plattA: Float64Array = new Float64Array(0);
  plattB: Float64Array = new Float64Array(0);

  constructor(
    readonly params: SgdParams,
    private readonly seed: number,
  ) {}

  private fitOvr(
    X: CsrMatrix,
    y: Int32Array,
    nClasses: number,
    sw: Float64Array,
    label: string,
    matrix: WasmSgdMatrix | null = null,
  ): { coef: Float64Array; intercept: Float64Array; results: SgdBinaryResult[] } {
    const p = this.params;
    const d = X.cols;
    const nOut = nClasses === 2 ? 1 : nClasses;
    const mult = classWeightMultipliers(p.class_weight, y, nClasses, this.family);
    const validation = p.early_stopping
      ? stratifiedHoldoutMask(
          y,
          nClasses,
          sw,
          p.validation_fraction,
          deriveSeed(this.seed, `${label}/validation`),
          this.family,
        )
      : null;
    const coef = new Float64Array(nOut * d);
    const intercept = new Float64Array(nOut);
    const results: SgdBinaryResult[] = [];
    for (let k = 0; k < nOut; k++) {
      const positive = nClasses === 2 ? 1 : k;
      const ySign = new Float64Array(X.rows);
      const rowWeight = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        const isPos = y[i] === positive;
        ySign[i] = isPos ? 1 : -1;
        // sklearn: binary uses both classes' weights; one-vs-rest weights only the positive class.
        const cw = nClasses === 2 ? mult[y[i]!]! : isPos ? mult[k]! : 1;
        rowWeight[i] = sw[i]! * cw;
      }
      const r = sgdBinary(
        X,
        ySign,
        rowWeight,
        validation,
        p,
        createRng(deriveSeed(this.seed, `${label}/${k}`)),
        matrix,
      );
      coef.set(r.coef, k * d);
      intercept[k] = r.intercept;
      results.push(r);
    }
    return { coef, intercept, results };
  }

  fit(data: FitData): TrainingReport {
    // Without calibration folds or a validation split (both fit other matrices first), the
    // WebAssembly epochs take one copy of X for every one-vs-rest problem and check its values on
    // it, right where checkFitData would have, so the errors come in the same order.
    const shared =
      kernelBackend("sgd-epochs") === "wasm" && this.params.loss !== "hinge" && !this.params.early_stopping;
    const sw = checkFitData(data, this.family, !shared);
    const matrix = shared ? new WasmSgdMatrix(data.X) : null;
    try {
      const bad = matrix?.firstNonFinite() ?? -1;
      if (bad >= 0) throw nonFiniteError(data.X, bad, "X", this.family);
      return this.fitChecked(data, sw, matrix);
    } finally {
      matrix?.close();
    }
  }

  private fitChecked(data: FitData, sw: Float64Array, matrix: WasmSgdMatrix | null): TrainingReport {
    const { X, y, nClasses } = data;
    if (data.dev !== undefined) checkPredictX(data.dev.X, X.cols, `${this.family} (dev)`);
    const nOut = nClasses === 2 ? 1 : nClasses;
    const warnings: string[] = [];
    if (this.params.loss === "hinge") {
      const platt = plattOneVsRest(
        data,
        sw,
        this.params.calibration_folds,
        deriveSeed(this.seed, "calibration-folds"),
        this.family,
        (Xf, yf, swf, label) => this.fitOvr(Xf, yf, nClasses, swf, label),
      );
      this.plattA = platt.A;
      this.plattB = platt.B;
      warnings.push(...platt.warnings);
    }
    const full = this.fitOvr(X, y, nClasses, sw, "full", matrix);
    this.coef = full.coef;
    this.intercept = full.intercept;
    this.nFeatures = X.cols;
    this.nClasses = nClasses;
    full.results.forEach((r, o) => {
      if (!r.converged) {
        warnings.push(
          `${nOut > 1 ? `one-vs-rest problem for class ${o}: ` : ""}did not converge in ${r.epochs} epochs (max_iter); raise max_iter, or tol, or lower eta0`,
        );
      }
    });
    const curve = withDevLoss(mergeCurves(full.results.map((r) => r.curve)), data, (Xd) => this.predictProba(Xd));
    const diverging = divergenceWarning(
      curve.map((c) => c.loss),
      curve.map((c) => c.step),
      "epochs",
      "lower eta0, or use learning_rate: optimal",
    );
    if (diverging !== null) warnings.push(diverging);
    return {
      iterations: Math.max(...full.results.map((r) => r.epochs)),
      converged: full.results.every((r) => r.converged),
      finalLoss: curve.at(-1)!.loss,
      curve,
      warnings,
    };
  }

  decisionFunction(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    return decisionValues(X, this.coef, this.intercept, this.intercept.length);
  }

  predictProba(X: CsrMatrix): Float64Array {
    const scores = this.decisionFunction(X);
    const K = this.nClasses;
    if (this.params.loss === "hinge") return plattProbabilities(scores, X.rows, K, this.plattA, this.plattB);
    // sklearn: log_loss → sigmoid of each one-vs-rest score; modified_huber → (clip(f, -1, 1) + 1) / 2;
    // multiclass rows are renormalised (uniform when they sum to 0).
    const toProb =
      this.params.loss === "log_loss"
        ? (f: number) => (f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f)))
        : (f: number) => (Math.min(1, Math.max(-1, f)) + 1) / 2;
    const out = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      if (K === 2) {
        const q = toProb(scores[i]!);
        out[2 * i] = 1 - q;
        out[2 * i + 1] = q;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const q = toProb(scores[i * K + k]!);
        out[i * K + k] = q;
        sum += q;
      }
      for (let k = 0; k < K; k++) out[i * K + k] = sum > 0 ? out[i * K + k]! / sum : 1 / K;
    }
    return out;
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
    const nPlatt = this.params.loss === "hinge" ? nOut : 0;
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    this.coef = numberArray(s, "coef", nOut * s.nFeatures);
    this.intercept = numberArray(s, "intercept", nOut);
    this.plattA = numberArray(s, "plattA", nPlatt);
    this.plattB = numberArray(s, "plattB", nPlatt);
  }
}
