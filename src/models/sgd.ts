/**
 * Linear classifier trained by stochastic gradient descent, following scikit-learn's SGDClassifier
 * (plain_sgd): per-example updates on the L2-regularised loss with the weight-scale trick (an L2
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
import { checkFitData, checkPredictX, classWeightMultipliers } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { decisionValues, mergeCurves } from "./linear-svm.js";
import { numberArray } from "./logistic-regression.js";
import { crossValidatedPlatt, plattProbabilities } from "./platt.js";
import { divergenceWarning } from "./training-warnings.js";

export const SGD = "sgd";

const SPARSE_INTERCEPT_DECAY = 0.01;
const MAX_DLOSS = 1e12;

type Loss = SgdParams["loss"];

function lossValue(loss: Loss, p: number, y: number): number {
  const z = p * y;
  switch (loss) {
    case "hinge":
      return z <= 1 ? 1 - z : 0;
    case "log_loss":
      if (z > 18) return Math.exp(-z);
      if (z < -18) return -z;
      return Math.log1p(Math.exp(-z));
    case "modified_huber":
      if (z >= 1) return 0;
      if (z >= -1) return (1 - z) * (1 - z);
      return -4 * z;
  }
}

/** d loss / d p (sklearn's dloss, including its cut-offs for |z| > 18 in the log loss). */
function lossDerivative(loss: Loss, p: number, y: number): number {
  const z = p * y;
  switch (loss) {
    case "hinge":
      return z <= 1 ? -y : 0;
    case "log_loss":
      if (z > 18) return Math.exp(-z) * -y;
      if (z < -18) return -y;
      return -y / (Math.exp(z) + 1);
    case "modified_huber":
      if (z >= 1) return 0;
      if (z >= -1) return -2 * (1 - z) * y;
      return -4 * y;
  }
}

export interface SgdBinaryResult {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly epochs: number;
  readonly converged: boolean;
  readonly curve: CurvePoint[];
}

/**
 * One binary problem (labels ±1). `validation` marks rows held out for early stopping (never
 * trained on); `rowWeight` is sample weight × class weight.
 */
export function sgdBinary(
  X: CsrMatrix,
  ySign: Float64Array,
  rowWeight: Float64Array,
  validation: Uint8Array | null,
  p: SgdParams,
  rng: Rng,
): SgdBinaryResult {
  const { indptr, indices, data } = X;
  const d = X.cols;
  const n = X.rows;
  const v = new Float64Array(d);
  let wscale = 1;
  let intercept = 0;
  // Averaged weights ā = (u + avgA · v) / avgB, so that each step touches only the row's nonzeros.
  const averageFrom = p.average === false ? 0 : p.average === true ? 1 : p.average;
  const u = averageFrom > 0 ? new Float64Array(d) : null;
  let avgA = 0;
  let avgB = 1;
  let avgIntercept = 0;

  const alpha = p.alpha;
  const interceptDecay = SPARSE_INTERCEPT_DECAY;
  let optimalInit = 0;
  if (p.learning_rate === "optimal") {
    const typw = Math.sqrt(1 / Math.sqrt(alpha));
    const eta0 = typw / Math.max(1, lossDerivative(p.loss, -typw, 1));
    optimalInit = 1 / (eta0 * alpha);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let trainCount = 0;
  for (let i = 0; i < n; i++) if (validation === null || !validation[i]) trainCount++;

  const resetScale = (): void => {
    if (u !== null) {
      for (let j = 0; j < d; j++) u[j] = (u[j]! + avgA * v[j]!) / avgB;
      avgA = 0;
      avgB = 1;
    }
    for (let j = 0; j < d; j++) v[j]! *= wscale;
    wscale = 1;
  };
  const averaging = (): boolean => u !== null && t > averageFrom;
  const validationAccuracy = (): number => {
    let right = 0;
    let total = 0;
    const useAverage = averaging();
    for (let i = 0; i < n; i++) {
      if (!validation![i]) continue;
      let dv = 0;
      let du = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
        dv += v[indices[k]!]! * data[k]!;
        if (useAverage) du += u![indices[k]!]! * data[k]!;
      }
      const score = useAverage ? (du + avgA * dv) / avgB + avgIntercept : dv * wscale + intercept;
      const w = rowWeight[i]!;
      total += w;
      if ((score > 0 ? 1 : -1) === ySign[i]) right += w;
    }
    return right / total;
  };

  let t = 1;
  let bestLoss = Infinity;
  let bestScore = -Infinity;
  let noImprovement = 0;
  let epoch = 0;
  let converged = false;
  const curve: CurvePoint[] = [];
  const tol = p.tol;
  while (epoch < p.max_iter) {
    if (p.shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = order[i]!;
        order[i] = order[j]!;
        order[j] = tmp;
      }
    }
    let sumLoss = 0;
    for (let s = 0; s < n; s++) {
      const i = order[s]!;
      if (validation !== null && validation[i]) continue;
      const y = ySign[i]!;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      let dot = 0;
      for (let k = start; k < end; k++) dot += v[indices[k]!]! * data[k]!;
      const pred = dot * wscale + intercept;
      const eta =
        p.learning_rate === "optimal"
          ? 1 / (alpha * (optimalInit + t - 1))
          : p.learning_rate === "invscaling"
            ? p.eta0 / Math.pow(t, p.power_t)
            : p.eta0;
      sumLoss += lossValue(p.loss, pred, y);
      const dloss = Math.min(MAX_DLOSS, Math.max(-MAX_DLOSS, lossDerivative(p.loss, pred, y)));
      const update = -eta * dloss * rowWeight[i]!;
      // The L2 step shrinks every weight at once; a tiny (or zero, when eta·alpha ≥ 1) scale is
      // folded into the weights before it loses precision, as sklearn's WeightVector.scale does.
      wscale *= Math.max(0, 1 - eta * alpha);
      if (wscale < 1e-9) resetScale();
      if (update !== 0) {
        const step = update / wscale;
        for (let k = start; k < end; k++) v[indices[k]!]! += step * data[k]!;
        if (p.fit_intercept) intercept += update * interceptDecay;
      }
      if (u !== null && averageFrom <= t) {
        const seen = t - averageFrom + 1;
        const mu = 1 / seen;
        const coefU = avgA * (-update / wscale);
        if (coefU !== 0) for (let k = start; k < end; k++) u[indices[k]!]! += coefU * data[k]!;
        if (seen > 1) avgB /= 1 - mu;
        avgA += mu * avgB * wscale;
        avgIntercept += (intercept - avgIntercept) / seen;
      }
      t++;
    }
    epoch++;
    let norm = 0;
    for (let j = 0; j < d; j++) norm += v[j]! * v[j]!;
    norm *= wscale * wscale;
    if (!Number.isFinite(norm) || !Number.isFinite(intercept)) {
      throw new ModelError(
        `sgd: weights overflowed at epoch ${epoch} (loss ${p.loss}, learning_rate ${p.learning_rate}); lower eta0 or alpha, or scale the features`,
      );
    }
    curve.push({ step: epoch, loss: sumLoss / trainCount + 0.5 * alpha * norm });
    if (tol !== null) {
      if (validation !== null) {
        const score = validationAccuracy();
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
  resetScale();
  const useAverage = averaging();
  return {
    coef: useAverage ? u! : v,
    intercept: useAverage ? avgIntercept : intercept,
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
      const r = sgdBinary(X, ySign, rowWeight, validation, p, createRng(deriveSeed(this.seed, `${label}/${k}`)));
      coef.set(r.coef, k * d);
      intercept[k] = r.intercept;
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
    if (this.params.loss === "hinge") {
      const platt = crossValidatedPlatt(
        X,
        y,
        data.sampleWeight === undefined ? undefined : sw,
        nClasses,
        this.params.calibration_folds,
        deriveSeed(this.seed, "calibration-folds"),
        this.family,
        (Xf, yf, swf, label) => {
          const part = this.fitOvr(Xf, yf, nClasses, swf, label);
          return (Xh) => decisionValues(Xh, part.coef, part.intercept, nOut);
        },
      );
      this.plattA = platt.A;
      this.plattB = platt.B;
      warnings.push(...platt.warnings);
    }
    const full = this.fitOvr(X, y, nClasses, sw, "full");
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
    const curve = mergeCurves(full.results.map((r) => r.curve));
    if (data.dev !== undefined && data.dev.X.rows > 0) {
      const proba = this.predictProba(data.dev.X);
      let s = 0;
      for (let i = 0; i < data.dev.y.length; i++) {
        s -= Math.log(Math.max(proba[i * nClasses + data.dev.y[i]!]!, 1e-300));
      }
      curve[curve.length - 1] = { ...curve.at(-1)!, devLoss: s / data.dev.y.length };
    }
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
