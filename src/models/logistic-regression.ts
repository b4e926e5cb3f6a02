/**
 * Regularised logistic regression on sparse data: binary, multinomial (softmax) and one-vs-rest.
 * It minimises scikit-learn's objective ½‖w‖² + C Σ_i s_i·loss_i with an unregularised intercept
 * (see logistic-objectives.ts), so its coefficients agree with
 * sklearn.linear_model.LogisticRegression(solver="lbfgs") to the solver tolerance; with an L1 or
 * elastic-net penalty, ½(1−ρ)‖w‖² + ρ‖w‖₁ + C Σ_i s_i·loss_i as sklearn's solver="saga" does.
 *
 * L1/elastic net use OWL-QN rather than coordinate descent (liblinear's newGLMNET, glmnet): it
 * reuses the smooth objectives and parameter layouts above unchanged, handles the multinomial
 * problem and the unpenalised intercept with no extra code, and needs no column-major copy of X.
 * Coordinate descent is faster for very sparse solutions of a binary problem, which is not what
 * the spam loop needs most.
 *
 * Solver: trust-region Newton-CG (TRON, liblinear's primal solver) for binary, one-vs-rest and
 * multinomial problems; for the multinomial one L-BFGS was measured against it (MULTINOMIAL_SOLVER).
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { LogisticRegressionParams } from "../spec/models.js";
import { checkFitData, checkPredictX, classWeightMultipliers, nonFiniteError } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { tronBinaryLogisticWasm, WasmLogisticMatrix } from "./kernels/logistic-tron-wasm.js";
import { sparseProducts } from "./kernels/sparse-products.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";
import { BinaryLogisticObjective, MultinomialLogisticObjective } from "./logistic-objectives.js";
import { lbfgs, owlqn } from "./optim/lbfgs.js";
import type { SmoothObjective, SolverOptions, SolverResult } from "./optim/objective.js";
import { tron } from "./optim/tron.js";
import { csrTimesMatrix, csrTimesVector, logOnePlusExpNeg, sigmoid, softmaxRowsInPlace } from "./sparse-linear.js";

export const LOGISTIC_REGRESSION = "logistic_regression";

export type SmoothSolver = "tron" | "lbfgs";

/**
 * Measured with `npx tsx test/reference/models_solver_bench.ts` (5,000 × 20,000, ~100 nnz/row,
 * 3 classes, C = 1, median CPU time of 3 fits): to tol 1e-4 TRON took 0.52 s (4 Newton steps),
 * L-BFGS 2.48 s (93 iterations); to tol 1e-8 TRON 0.59 s (6), L-BFGS 6.56 s (170). A Newton step
 * costs a few Hessian-vector products but replaces dozens of quasi-Newton steps.
 */
const MULTINOMIAL_SOLVER: SmoothSolver = "tron";

function solve(kind: SmoothSolver, obj: SmoothObjective, w: Float64Array, opts: SolverOptions): SolverResult {
  return kind === "tron" ? tron(obj, w, opts) : lbfgs(obj, w, opts);
}

export class LogisticRegression implements Estimator {
  readonly family = LOGISTIC_REGRESSION;
  nFeatures = -1;
  nClasses = 0;
  /** Class-major (sklearn's coef_): 1 × nFeatures for binary, nClasses × nFeatures otherwise. */
  coef: Float64Array = new Float64Array(0);
  intercept: Float64Array = new Float64Array(0);

  constructor(
    readonly params: LogisticRegressionParams,
    /** Solver override for the multinomial problem (benchmarks and tests). */
    private readonly multinomialSolver: SmoothSolver = MULTINOMIAL_SOLVER,
  ) {}

  /** Weight of ‖w‖₁ in the objective (0 for the L2 penalty). */
  private get l1Strength(): number {
    const p = this.params;
    return p.penalty === "l1" ? 1 : p.penalty === "elasticnet" ? p.l1_ratio : 0;
  }

  /** TRON for the smooth L2 problem; OWL-QN once an L1 term makes the objective non-smooth. */
  private minimise(
    obj: SmoothObjective,
    nWeights: number,
    w: Float64Array,
    opts: SolverOptions,
    smoothSolver: SmoothSolver,
  ): SolverResult {
    const l1 = this.l1Strength;
    if (l1 === 0) return solve(smoothSolver, obj, w, opts);
    // The intercepts (after the weights in both parameter layouts) are not penalised.
    const lambda = new Float64Array(obj.size);
    lambda.fill(l1, 0, nWeights);
    return owlqn(obj, lambda, w, opts);
  }

  fit(data: FitData): TrainingReport {
    // The smooth (L2) binary and one-vs-rest problems run whole in WebAssembly when it is built:
    // then one copy of X in the module serves every binary problem and X's values are checked on
    // it, right where checkFitData would have, so the errors come in the same order.
    const shared =
      this.l1Strength === 0 &&
      (data.nClasses === 2 || this.params.multi_class === "ovr") &&
      kernelBackend("logistic-tron") === "wasm";
    const sw = checkFitData(data, this.family, !shared);
    const matrix = shared ? new WasmLogisticMatrix(data.X, this.params.fit_intercept) : null;
    try {
      const bad = matrix?.firstNonFinite() ?? -1;
      if (bad >= 0) throw nonFiniteError(data.X, bad, "X", this.family);
      return this.fitChecked(data, sw, matrix);
    } finally {
      matrix?.close();
    }
  }

  private fitChecked(data: FitData, sw: Float64Array, matrix: WasmLogisticMatrix | null): TrainingReport {
    const family = this.family;
    const { X, y, nClasses } = data;
    if (data.dev !== undefined) checkPredictX(data.dev.X, X.cols, `${family} (dev)`);
    const { C, fit_intercept: fitIntercept, class_weight: classWeight } = this.params;
    const d = X.cols;
    this.nFeatures = d;
    this.nClasses = nClasses;
    const solverOpts = { tol: this.params.tol, maxIter: this.params.max_iter };

    if (nClasses === 2 || this.params.multi_class === "ovr") {
      const nOut = nClasses === 2 ? 1 : nClasses;
      this.coef = new Float64Array(nOut * d);
      this.intercept = new Float64Array(nOut);
      // sklearn: a class_weight map applies to the original classes; "balanced" is recomputed for
      // each one-vs-rest problem from its own positive/negative counts.
      const mapMult = classWeight === "balanced" ? null : classWeightMultipliers(classWeight, y, nClasses, family);
      const results: SolverResult[] = [];
      const curves: CurvePoint[][] = [];
      // Without the module's shared copy (L1/elastic net, MLLOOP_KERNELS=js), the objective's
      // products on X (one copy of X and its transpose) are shared by all one-vs-rest problems.
      const products = matrix !== null ? null : sparseProducts(X);
      for (let k = 0; k < nOut; k++) {
        const positive = nClasses === 2 ? 1 : k;
        const ySign = new Float64Array(X.rows);
        let nPos = 0;
        for (let i = 0; i < X.rows; i++) {
          ySign[i] = y[i] === positive ? 1 : -1;
          if (y[i] === positive) nPos++;
        }
        const c = new Float64Array(X.rows);
        for (let i = 0; i < X.rows; i++) {
          const mult = mapMult !== null ? mapMult[y[i]!]! : X.rows / (2 * (ySign[i]! > 0 ? nPos : X.rows - nPos));
          c[i] = C * sw[i]! * mult;
        }
        const l2 = 1 - this.l1Strength;
        const obj = products === null ? null : new BinaryLogisticObjective(X, ySign, c, fitIntercept, l2, products);
        let wasmMeanLoss = NaN;
        const w = new Float64Array(d + (fitIntercept ? 1 : 0));
        const curve: CurvePoint[] = [];
        const devLoss =
          nOut === 1 && data.dev !== undefined ? binaryDevLoss(data.dev.X, data.dev.y, d, fitIntercept) : null;
        const record = (step: number, f: number, wNow: Float64Array): void => {
          const point: CurvePoint = { step, loss: f, trainLoss: obj === null ? wasmMeanLoss : obj.meanLoss };
          curve.push(devLoss === null ? point : { ...point, devLoss: devLoss(wNow) });
          data.onIteration?.(curve.at(-1)!);
        };
        const opts = { ...solverOpts, onIteration: record };
        const result =
          obj === null
            ? tronBinaryLogisticWasm({ X, ySign, c, fitIntercept, l2 }, w, opts, (m) => (wasmMeanLoss = m), matrix)
            : this.minimise(obj, d, w, opts, "tron");
        results.push(result);
        curves.push(curve);
        this.coef.set(w.subarray(0, d), k * d);
        this.intercept[k] = fitIntercept ? w[d]! : 0;
      }
      const report = combineReports(results, curves, nOut > 1 ? "one-vs-rest problem for class " : null);
      return this.withFinalDevLoss(report, data);
    }

    // Multinomial.
    const K = nClasses;
    const mult = classWeightMultipliers(classWeight, y, K, family);
    const c = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) c[i] = C * sw[i]! * mult[y[i]!]!;
    const obj = new MultinomialLogisticObjective(X, y, K, c, fitIntercept, 1 - this.l1Strength);
    const w = new Float64Array(obj.size);
    const curve: CurvePoint[] = [];
    const devLoss = data.dev !== undefined ? multinomialDevLoss(data.dev.X, data.dev.y, d, K, fitIntercept) : null;
    const record = (step: number, f: number, wNow: Float64Array): void => {
      const point: CurvePoint = { step, loss: f, trainLoss: obj.meanLoss };
      curve.push(devLoss === null ? point : { ...point, devLoss: devLoss(wNow) });
      data.onIteration?.(curve.at(-1)!);
    };
    const result = this.minimise(obj, d * K, w, { ...solverOpts, onIteration: record }, this.multinomialSolver);
    this.coef = new Float64Array(K * d);
    for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) this.coef[k * d + j] = w[j * K + k]!;
    this.intercept = new Float64Array(K);
    if (fitIntercept) {
      let mean = 0;
      for (let k = 0; k < K; k++) mean += w[d * K + k]! / K;
      for (let k = 0; k < K; k++) this.intercept[k] = w[d * K + k]! - mean;
    }
    return combineReports([result], [curve], null);
  }

  /** Adds the dev log loss of the final model to the last curve point when the solver could not track it. */
  private withFinalDevLoss(report: TrainingReport, data: FitData): TrainingReport {
    if (data.dev === undefined || report.curve.length === 0 || report.curve.at(-1)!.devLoss !== undefined)
      return report;
    const proba = this.predictProba(data.dev.X);
    const curve = [...report.curve];
    curve[curve.length - 1] = { ...curve.at(-1)!, devLoss: meanLogLoss(proba, data.dev.y, this.nClasses) };
    return { ...report, curve };
  }

  /** Row-major n × (1 for binary, nClasses otherwise) logits wᵀx + b (sklearn's decision_function). */
  decisionFunction(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    const d = this.nFeatures;
    const nOut = this.intercept.length;
    const out = new Float64Array(X.rows * nOut);
    if (nOut === 1) {
      csrTimesVector(X, this.coef, this.intercept[0]!, out);
      return out;
    }
    const Wfm = new Float64Array(d * nOut);
    for (let k = 0; k < nOut; k++) for (let j = 0; j < d; j++) Wfm[j * nOut + k] = this.coef[k * d + j]!;
    csrTimesMatrix(X, Wfm, nOut, this.intercept, out);
    return out;
  }

  predictProba(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    const K = this.nClasses;
    const d = this.nFeatures;
    const out = new Float64Array(X.rows * K);
    if (K === 2) {
      const z = new Float64Array(X.rows);
      csrTimesVector(X, this.coef, this.intercept[0]!, z);
      for (let i = 0; i < X.rows; i++) {
        const p = sigmoid(z[i]!);
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      }
      return out;
    }
    const Wfm = new Float64Array(d * K);
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) Wfm[j * K + k] = this.coef[k * d + j]!;
    csrTimesMatrix(X, Wfm, K, this.intercept, out);
    if (this.params.multi_class === "multinomial") {
      softmaxRowsInPlace(out, X.rows, K);
    } else {
      // sklearn's one-vs-rest probabilities: each class's sigmoid, renormalised to sum to 1.
      for (let i = 0; i < X.rows; i++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const p = sigmoid(out[i * K + k]!);
          out[i * K + k] = p;
          sum += p;
        }
        for (let k = 0; k < K; k++) out[i * K + k]! /= sum;
      }
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
      state: { coef: Array.from(this.coef), intercept: Array.from(this.intercept) },
    };
  }

  /** Restores learned state written by `serialize` (used by the registry's loadModel). */
  restore(s: SerializedModel): void {
    const nOut = s.nClasses === 2 ? 1 : s.nClasses;
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    this.coef = numberArray(s, "coef", nOut * s.nFeatures);
    this.intercept = numberArray(s, "intercept", nOut);
  }
}

/** A state array from a serialized model, checked for its expected length. */
export function numberArray(s: SerializedModel, key: string, length: number): Float64Array {
  const v = s.state[key];
  if (!Array.isArray(v) || v.length !== length) {
    throw new ModelError(
      `${s.family}: serialized state "${key}" should be an array of ${length} numbers, got ${Array.isArray(v) ? `${v.length} entries` : typeof v}`,
    );
  }
  return Float64Array.from(v);
}

function meanLogLoss(proba: Float64Array, y: Int32Array, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(proba[i * K + y[i]!]!, 1e-300));
  return s / y.length;
}

function binaryDevLoss(X: CsrMatrix, y: Int32Array, d: number, fitIntercept: boolean): (w: Float64Array) => number {
  const z = new Float64Array(X.rows);
  return (w) => {
    csrTimesVector(X, w, fitIntercept ? w[d]! : 0, z);
    let s = 0;
    for (let i = 0; i < X.rows; i++) s += logOnePlusExpNeg((y[i] === 1 ? 1 : -1) * z[i]!);
    return s / X.rows;
  };
}

function multinomialDevLoss(
  X: CsrMatrix,
  y: Int32Array,
  d: number,
  K: number,
  fitIntercept: boolean,
): (w: Float64Array) => number {
  const Z = new Float64Array(X.rows * K);
  const lse = new Float64Array(X.rows);
  return (w) => {
    csrTimesMatrix(X, w.subarray(0, d * K), K, fitIntercept ? w.subarray(d * K) : null, Z);
    let s = 0;
    for (let i = 0; i < X.rows; i++) {
      const zy = Z[i * K + y[i]!]!;
      softmaxRowsInPlace(Z.subarray(i * K, (i + 1) * K), 1, K, lse.subarray(i, i + 1));
      s += lse[i]! - zy;
    }
    return s / X.rows;
  };
}

/** One report for one or several (one-vs-rest) solver runs; objectives of OvR problems add up. */
function combineReports(results: SolverResult[], curves: CurvePoint[][], label: string | null): TrainingReport {
  const warnings: string[] = [];
  results.forEach((r, k) => {
    for (const w of r.warnings) warnings.push(label === null ? w : `${label}${k}: ${w}`);
  });
  const finalLoss = results.reduce((s, r) => s + r.f, 0);
  let curve: CurvePoint[];
  if (curves.length === 1) curve = curves[0]!;
  else {
    const steps = Math.max(...curves.map((c) => c.length));
    curve = [];
    for (let t = 0; t < steps; t++) {
      let loss = 0;
      for (const c of curves) loss += c[Math.min(t, c.length - 1)]!.loss;
      curve.push({ step: t, loss });
    }
  }
  if (!Number.isFinite(finalLoss)) warnings.push(`final objective is ${finalLoss}; the model is not usable`);
  return {
    iterations: Math.max(...results.map((r) => r.iterations)),
    converged: results.every((r) => r.converged),
    finalLoss,
    curve,
    warnings,
  };
}
