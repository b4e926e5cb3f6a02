/**
 * A small multi-layer perceptron classifier, following scikit-learn's MLPClassifier with the Adam
 * solver: one or two ReLU hidden layers, a logistic output (binary) or softmax (multiclass), Glorot
 * uniform initialisation, minibatch Adam with bias correction, and the L2 penalty alpha/2·‖W‖² added
 * to each batch's mean loss (so its gradient is (Aᵀδ + αW) / batch size, as in sklearn). With
 * shuffle=false and the same initial weights it follows sklearn's iterates (see the tests).
 *
 * Additions: inverted dropout on the hidden units (seeded); sample weights (row i's loss counts
 * w_i / mean(w), the penalty is divided by mean(w), so integer weights equal duplicated rows);
 * class weights; early stopping on the dev loss with the best epoch's weights kept.
 *
 * Sparse input: the first layer multiplies the CSR rows by the dense d × h₁ weight matrix (one
 * contiguous weight row per nonzero) and its gradient is accumulated the same way; the dense
 * layers are plain row-major loops that skip the zeros ReLU produces.
 *
 * Parameters are one flat Float64Array in sklearn's order: coefs_[0], coefs_[1], …, then
 * intercepts_[0], …; coefs_[l] is fan_in × fan_out row-major. Adam runs over it in one loop.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { MlpParams } from "../spec/models.js";
import { createRng, deriveSeed, type Rng } from "../util/random.js";
import { checkFitData, checkPredictX, classWeightMultipliers } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { stratifiedHoldout } from "./holdout.js";
import { numberArray } from "./logistic-regression.js";
import { divergenceWarning, nonFiniteWarning, notConvergedWarning } from "./training-warnings.js";

export const MLP = "mlp";

const DOUBLE_EPS = 2.220446049250313e-16;
/** Rows per forward pass when predicting (bounds the activation buffers). */
const PREDICT_CHUNK = 512;

/** Where each layer's weights sit in the flat parameter vector. */
export interface MlpLayout {
  /** Units per layer: input, hidden…, output (1 for binary). */
  readonly sizes: readonly number[];
  readonly coefOffset: readonly number[];
  readonly interceptOffset: readonly number[];
  /** Parameters before the first intercept (the penalised ones). */
  readonly nCoef: number;
  readonly size: number;
}

export function mlpLayout(nFeatures: number, hidden: readonly number[], nClasses: number): MlpLayout {
  const sizes = [nFeatures, ...hidden, nClasses === 2 ? 1 : nClasses];
  const coefOffset: number[] = [];
  const interceptOffset: number[] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    coefOffset.push(at);
    at += sizes[l]! * sizes[l + 1]!;
  }
  const nCoef = at;
  for (let l = 0; l + 1 < sizes.length; l++) {
    interceptOffset.push(at);
    at += sizes[l + 1]!;
  }
  return { sizes, coefOffset, interceptOffset, nCoef, size: at };
}

/** sklearn's _init_coef for ReLU: U(−b, b) with b = √(6 / (fan_in + fan_out)), coefs then intercept per layer. */
function glorotInit(layout: MlpLayout, rng: Rng): Float64Array {
  const w = new Float64Array(layout.size);
  const { sizes } = layout;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = Math.sqrt(6 / (sizes[l]! + sizes[l + 1]!));
    const c = layout.coefOffset[l]!;
    for (let k = 0; k < sizes[l]! * sizes[l + 1]!; k++) w[c + k] = (2 * rng.next() - 1) * bound;
    const b = layout.interceptOffset[l]!;
    for (let k = 0; k < sizes[l + 1]!; k++) w[b + k] = (2 * rng.next() - 1) * bound;
  }
  return w;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Log loss of one row from its output probabilities, clipped to [eps, 1 − eps] as sklearn does. */
function rowLogLoss(out: Float64Array, o: number, nOut: number, label: number): number {
  if (nOut === 1) {
    const p = Math.min(Math.max(out[o]!, DOUBLE_EPS), 1 - DOUBLE_EPS);
    return label === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return -Math.log(Math.min(Math.max(out[o + label]!, DOUBLE_EPS), 1 - DOUBLE_EPS));
}

/**
 * out[r·n + o] = bias[o] + Σ_p x_p · W[j_p·n + o] for the CSR rows rows[from .. to) (rows null:
 * from .. to). Eight outputs are accumulated in registers per pass over a row's nonzeros: about
 * twice as fast as updating the output row once per nonzero.
 */
function csrTimesDense(
  X: CsrMatrix,
  rows: Int32Array | null,
  from: number,
  to: number,
  W: Float64Array,
  wOff: number,
  n: number,
  bias: Float64Array,
  bOff: number,
  out: Float64Array,
): void {
  const { indptr, indices, data } = X;
  for (let r = 0; r < to - from; r++) {
    const i = rows === null ? from + r : rows[from + r]!;
    const p0 = indptr[i]!;
    const p1 = indptr[i + 1]!;
    const z = r * n;
    let o = 0;
    for (; o + 8 <= n; o += 8) {
      const b = bOff + o;
      let s0 = bias[b]!;
      let s1 = bias[b + 1]!;
      let s2 = bias[b + 2]!;
      let s3 = bias[b + 3]!;
      let s4 = bias[b + 4]!;
      let s5 = bias[b + 5]!;
      let s6 = bias[b + 6]!;
      let s7 = bias[b + 7]!;
      for (let p = p0; p < p1; p++) {
        const x = data[p]!;
        const w = wOff + indices[p]! * n + o;
        s0 += x * W[w]!;
        s1 += x * W[w + 1]!;
        s2 += x * W[w + 2]!;
        s3 += x * W[w + 3]!;
        s4 += x * W[w + 4]!;
        s5 += x * W[w + 5]!;
        s6 += x * W[w + 6]!;
        s7 += x * W[w + 7]!;
      }
      out[z + o] = s0;
      out[z + o + 1] = s1;
      out[z + o + 2] = s2;
      out[z + o + 3] = s3;
      out[z + o + 4] = s4;
      out[z + o + 5] = s5;
      out[z + o + 6] = s6;
      out[z + o + 7] = s7;
    }
    for (; o < n; o++) {
      let s = bias[bOff + o]!;
      for (let p = p0; p < p1; p++) s += data[p]! * W[wOff + indices[p]! * n + o]!;
      out[z + o] = s;
    }
  }
}

/** out (B × n) = bias + A (B × m) · W (m × n, row-major at wOff); zeros of A (ReLU) are skipped. */
function denseTimesDense(
  A: Float64Array,
  B: number,
  m: number,
  W: Float64Array,
  wOff: number,
  n: number,
  bias: Float64Array,
  bOff: number,
  out: Float64Array,
): void {
  for (let r = 0; r < B; r++) {
    const a0 = r * m;
    const z = r * n;
    let o = 0;
    for (; o + 4 <= n; o += 4) {
      const b = bOff + o;
      let s0 = bias[b]!;
      let s1 = bias[b + 1]!;
      let s2 = bias[b + 2]!;
      let s3 = bias[b + 3]!;
      for (let u = 0; u < m; u++) {
        const a = A[a0 + u]!;
        if (a === 0) continue;
        const w = wOff + u * n + o;
        s0 += a * W[w]!;
        s1 += a * W[w + 1]!;
        s2 += a * W[w + 2]!;
        s3 += a * W[w + 3]!;
      }
      out[z + o] = s0;
      out[z + o + 1] = s1;
      out[z + o + 2] = s2;
      out[z + o + 3] = s3;
    }
    for (; o < n; o++) {
      let s = bias[bOff + o]!;
      for (let u = 0; u < m; u++) s += A[a0 + u]! * W[wOff + u * n + o]!;
      out[z + o] = s;
    }
  }
}

/**
 * The nonzeros of a batch of CSR rows grouped by column (a CSC view), rebuilt for every batch in
 * time proportional to its nonzeros: the first layer's gradient Xᵀδ is then accumulated column by
 * column in registers, each gradient row written once per batch.
 */
class BatchColumns {
  private readonly count: Int32Array;
  private readonly start: Int32Array;
  /** Columns with a nonzero in the batch, in first-seen order. */
  columns: Int32Array = new Int32Array(0);
  nColumns = 0;
  /** Entries of column columns[c]: rowOf/valueOf[start(c) .. start(c) + count(c)). */
  rowOf: Int32Array = new Int32Array(0);
  valueOf: Float64Array = new Float64Array(0);

  constructor(d: number) {
    this.count = new Int32Array(d);
    this.start = new Int32Array(d);
  }

  build(X: CsrMatrix, rows: Int32Array | null, from: number, to: number): void {
    const { indptr, indices, data } = X;
    let nnz = 0;
    for (let r = 0; r < to - from; r++) {
      const i = rows === null ? from + r : rows[from + r]!;
      nnz += indptr[i + 1]! - indptr[i]!;
    }
    if (this.rowOf.length < nnz) {
      this.rowOf = new Int32Array(nnz);
      this.valueOf = new Float64Array(nnz);
    }
    if (this.columns.length < Math.min(nnz, this.count.length))
      this.columns = new Int32Array(Math.min(nnz, this.count.length));
    const count = this.count;
    let nc = 0;
    for (let r = 0; r < to - from; r++) {
      const i = rows === null ? from + r : rows[from + r]!;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        const j = indices[p]!;
        if (count[j] === 0) this.columns[nc++] = j;
        count[j]!++;
      }
    }
    let at = 0;
    for (let c = 0; c < nc; c++) {
      const j = this.columns[c]!;
      this.start[j] = at;
      at += count[j]!;
      count[j] = this.start[j]!;
    }
    for (let r = 0; r < to - from; r++) {
      const i = rows === null ? from + r : rows[from + r]!;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        const k = count[indices[p]!]!++;
        this.rowOf[k] = r;
        this.valueOf[k] = data[p]!;
      }
    }
    // count[j] now marks the end of column j; start[j] its beginning.
    this.nColumns = nc;
  }

  /** grad[gOff + j·n + o] += Σ_{(r, x) in column j} x · delta[r·n + o] for every column of the batch. */
  accumulateGradient(delta: Float64Array, n: number, grad: Float64Array, gOff: number): void {
    const { rowOf, valueOf, count, start } = this;
    for (let c = 0; c < this.nColumns; c++) {
      const j = this.columns[c]!;
      const k0 = start[j]!;
      const k1 = count[j]!;
      count[j] = 0;
      const g = gOff + j * n;
      let o = 0;
      for (; o + 8 <= n; o += 8) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let s4 = 0;
        let s5 = 0;
        let s6 = 0;
        let s7 = 0;
        for (let k = k0; k < k1; k++) {
          const x = valueOf[k]!;
          const d = rowOf[k]! * n + o;
          s0 += x * delta[d]!;
          s1 += x * delta[d + 1]!;
          s2 += x * delta[d + 2]!;
          s3 += x * delta[d + 3]!;
          s4 += x * delta[d + 4]!;
          s5 += x * delta[d + 5]!;
          s6 += x * delta[d + 6]!;
          s7 += x * delta[d + 7]!;
        }
        grad[g + o]! += s0;
        grad[g + o + 1]! += s1;
        grad[g + o + 2]! += s2;
        grad[g + o + 3]! += s3;
        grad[g + o + 4]! += s4;
        grad[g + o + 5]! += s5;
        grad[g + o + 6]! += s6;
        grad[g + o + 7]! += s7;
      }
      for (; o < n; o++) {
        let s = 0;
        for (let k = k0; k < k1; k++) s += valueOf[k]! * delta[rowOf[k]! * n + o]!;
        grad[g + o]! += s;
      }
    }
  }
}

/**
 * Forward and backward passes over batches of rows, with buffers sized for the largest batch.
 * `acts[l]` holds layer l's activations (l ≥ 1; the input is the CSR rows).
 */
class Network {
  readonly acts: Float64Array[];
  readonly deltas: Float64Array[];
  private readonly columns: BatchColumns;
  constructor(
    readonly layout: MlpLayout,
    readonly maxRows: number,
  ) {
    const { sizes } = layout;
    this.acts = sizes.map((s, l) => (l === 0 ? new Float64Array(0) : new Float64Array(maxRows * s)));
    this.deltas = sizes.map((s, l) => (l === 0 ? new Float64Array(0) : new Float64Array(maxRows * s)));
    this.columns = new BatchColumns(sizes[0]!);
  }

  /**
   * Output probabilities of rows[from .. to) into acts[last]. With `dropout`, hidden units are
   * zeroed with probability `dropout` and the kept ones scaled by 1/(1 − dropout).
   */
  forward(
    X: CsrMatrix,
    rows: Int32Array | null,
    from: number,
    to: number,
    w: Float64Array,
    dropout: number,
    rng: Rng | null,
  ): void {
    const { sizes, coefOffset, interceptOffset } = this.layout;
    const L = sizes.length - 1;
    const B = to - from;
    csrTimesDense(X, rows, from, to, w, coefOffset[0]!, sizes[1]!, w, interceptOffset[0]!, this.acts[1]!);
    for (let l = 1; l <= L; l++) {
      const A = this.acts[l]!;
      const n = sizes[l]!;
      if (l > 1) {
        const m = sizes[l - 1]!;
        denseTimesDense(this.acts[l - 1]!, B, m, w, coefOffset[l - 1]!, n, w, interceptOffset[l - 1]!, A);
      }
      if (l < L) reluInPlace(A, B * n, dropout, rng);
      else if (n === 1) for (let k = 0; k < B; k++) A[k] = sigmoid(A[k]!);
      else softmaxRows(A, B, n);
    }
  }

  /**
   * Gradient of Σ_r factor[r]·loss_r (the caller adds the penalty's) after a forward pass over
   * the same rows, accumulated into `grad` (the weights' layout). `dropoutScale` is 1/(1 − dropout),
   * the derivative of a kept unit.
   */
  backward(
    X: CsrMatrix,
    rows: Int32Array | null,
    from: number,
    to: number,
    y: Int32Array,
    factor: Float64Array,
    w: Float64Array,
    grad: Float64Array,
    dropoutScale: number,
  ): void {
    const { sizes, coefOffset, interceptOffset } = this.layout;
    const L = sizes.length - 1;
    const B = to - from;
    const nOut = sizes[L]!;
    const out = this.acts[L]!;
    const dOut = this.deltas[L]!;
    for (let r = 0; r < B; r++) {
      const i = rows === null ? from + r : rows[from + r]!;
      const f = factor[r]!;
      if (nOut === 1) dOut[r] = f * (out[r]! - (y[i] === 1 ? 1 : 0));
      else for (let o = 0; o < nOut; o++) dOut[r * nOut + o] = f * (out[r * nOut + o]! - (o === y[i] ? 1 : 0));
    }
    for (let l = L; l >= 1; l--) {
      const delta = this.deltas[l]!;
      const n = sizes[l]!;
      const b = interceptOffset[l - 1]!;
      for (let r = 0; r < B; r++) for (let o = 0; o < n; o++) grad[b + o]! += delta[r * n + o]!;
      const c = coefOffset[l - 1]!;
      if (l === 1) {
        this.columns.build(X, rows, from, to);
        this.columns.accumulateGradient(delta, n, grad, c);
        break;
      }
      const m = sizes[l - 1]!;
      const prev = this.acts[l - 1]!;
      denseGradient(prev, B, m, delta, n, grad, c);
      const prevDelta = this.deltas[l - 1]!;
      for (let r = 0; r < B; r++) {
        const dz = r * n;
        for (let u = 0; u < m; u++) {
          // ReLU (and a dropped unit) pass no gradient.
          if (prev[r * m + u] === 0) {
            prevDelta[r * m + u] = 0;
            continue;
          }
          const wo = c + u * n;
          let s = 0;
          for (let o = 0; o < n; o++) s += delta[dz + o]! * w[wo + o]!;
          prevDelta[r * m + u] = s * dropoutScale;
        }
      }
    }
  }
}

/** grad[gOff + u·n + o] += Σ_r A[r·m + u] · delta[r·n + o] (Aᵀδ), four outputs in registers. */
function denseGradient(
  A: Float64Array,
  B: number,
  m: number,
  delta: Float64Array,
  n: number,
  grad: Float64Array,
  gOff: number,
): void {
  for (let u = 0; u < m; u++) {
    const g = gOff + u * n;
    let o = 0;
    for (; o + 4 <= n; o += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0; r < B; r++) {
        const a = A[r * m + u]!;
        if (a === 0) continue;
        const d = r * n + o;
        s0 += a * delta[d]!;
        s1 += a * delta[d + 1]!;
        s2 += a * delta[d + 2]!;
        s3 += a * delta[d + 3]!;
      }
      grad[g + o]! += s0;
      grad[g + o + 1]! += s1;
      grad[g + o + 2]! += s2;
      grad[g + o + 3]! += s3;
    }
    for (; o < n; o++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += A[r * m + u]! * delta[r * n + o]!;
      grad[g + o]! += s;
    }
  }
}

function reluInPlace(A: Float64Array, count: number, dropout: number, rng: Rng | null): void {
  // NaN stays NaN (a diverging network must show in its loss, not turn into zeros).
  if (rng === null || dropout === 0) {
    for (let k = 0; k < count; k++) if (A[k]! < 0) A[k] = 0;
    return;
  }
  const keep = 1 - dropout;
  for (let k = 0; k < count; k++) {
    const a = A[k]!;
    if (a < 0) A[k] = 0;
    else if (a > 0) A[k] = rng.next() < keep ? a / keep : 0;
  }
}

function softmaxRows(A: Float64Array, B: number, n: number): void {
  for (let r = 0; r < B; r++) {
    const z = r * n;
    let max = -Infinity;
    for (let o = 0; o < n; o++) if (A[z + o]! > max) max = A[z + o]!;
    let sum = 0;
    for (let o = 0; o < n; o++) {
      const e = Math.exp(A[z + o]! - max);
      A[z + o] = e;
      sum += e;
    }
    for (let o = 0; o < n; o++) A[z + o]! /= sum;
  }
}

interface Adam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  t: number;
}

export class Mlp implements Estimator {
  readonly family = MLP;
  nFeatures = -1;
  nClasses = 0;
  /** Flat parameters (see mlpLayout). */
  weights: Float64Array = new Float64Array(0);

  constructor(
    readonly params: MlpParams,
    private readonly seed: number,
  ) {}

  get layout(): MlpLayout {
    return mlpLayout(this.nFeatures, this.params.hidden_layer_sizes, this.nClasses);
  }

  /**
   * `initialWeights` (tests, warm starts) replaces the seeded Glorot initialisation; it must have
   * the layout of mlpLayout(X.cols, hidden_layer_sizes, nClasses).
   */
  fit(data: FitData, initialWeights?: Float64Array): TrainingReport {
    const family = this.family;
    const p = this.params;
    const swAll = checkFitData(data, family);
    const { X, y, nClasses } = data;
    const dev = data.dev !== undefined && data.dev.X.rows > 0 ? data.dev : undefined;
    if (dev !== undefined) {
      checkPredictX(dev.X, X.cols, `${family} (dev)`);
      dev.y.forEach((c, i) => {
        if (!(c >= 0 && c < nClasses)) {
          throw new ModelError(`${family}: dev y[${i}] = ${c} is not a class index (allowed: 0 .. ${nClasses - 1})`);
        }
      });
    }
    const mult = classWeightMultipliers(p.class_weight, y, nClasses, family);
    for (let i = 0; i < swAll.length; i++) swAll[i]! *= mult[y[i]!]!;

    const earlyStopping = p.early_stopping === true || (p.early_stopping === "auto" && dev !== undefined);
    const holdout =
      earlyStopping && dev === undefined
        ? stratifiedHoldout(y, nClasses, swAll, p.validation_fraction, deriveSeed(this.seed, "validation"), family)
        : null;
    const trainRows = holdout?.train ?? Int32Array.from({ length: X.rows }, (_, i) => i);
    const validation = dev ?? (holdout !== null ? { X, y, rows: holdout.validation } : null);
    const valRows = validation === null ? null : "rows" in validation ? validation.rows : null;
    const n = trainRows.length;
    let meanWeight = 0;
    for (let k = 0; k < n; k++) meanWeight += swAll[trainRows[k]!]! / n;
    if (!(meanWeight > 0)) throw new ModelError(`${family}: every training row has sample weight 0`);

    this.nFeatures = X.cols;
    this.nClasses = nClasses;
    const layout = this.layout;
    if (initialWeights !== undefined) {
      if (initialWeights.length !== layout.size) {
        throw new ModelError(
          `${family}: initial weights have ${initialWeights.length} entries; the network has ${layout.size}`,
        );
      }
      this.weights = Float64Array.from(initialWeights);
    } else this.weights = glorotInit(layout, createRng(deriveSeed(this.seed, "init")));
    const w = this.weights;

    const batchSize = Math.min(p.batch_size === "auto" ? 200 : p.batch_size, n);
    const net = new Network(layout, Math.max(batchSize, PREDICT_CHUNK));
    const grad = new Float64Array(layout.size);
    const adam: Adam = { m: new Float64Array(layout.size), v: new Float64Array(layout.size), t: 0 };
    const order = Int32Array.from(trainRows);
    const shuffleRng = createRng(deriveSeed(this.seed, "shuffle"));
    const dropoutRng = p.dropout > 0 ? createRng(deriveSeed(this.seed, "dropout")) : null;
    const factor = new Float64Array(batchSize);
    const dropoutScale = 1 / (1 - p.dropout);
    const nOut = layout.sizes.at(-1)!;
    const outAct = net.acts[layout.sizes.length - 1]!;
    let sqNorm = 0;
    for (let k = 0; k < layout.nCoef; k++) sqNorm += w[k]! * w[k]!;

    const curve: CurvePoint[] = [];
    const warnings: string[] = [];
    const lastGood = Float64Array.from(w);
    let best: Float64Array | null = null;
    let bestLoss = Infinity;
    let noImprovement = 0;
    let converged = false;
    let epoch = 0;
    let failed: { what: "loss" | "gradient"; value: number; epoch: number } | null = null;

    while (epoch < p.max_iter) {
      if (p.shuffle) {
        for (let i = n - 1; i > 0; i--) {
          const j = shuffleRng.int(i + 1);
          const t = order[i]!;
          order[i] = order[j]!;
          order[j] = t;
        }
      }
      let objective = 0;
      let dataLoss = 0;
      for (let from = 0; from < n; from += batchSize) {
        const to = Math.min(from + batchSize, n);
        const B = to - from;
        const scale = 1 / (B * meanWeight);
        net.forward(X, order, from, to, w, p.dropout, dropoutRng);
        let batchLoss = 0;
        for (let r = 0; r < B; r++) {
          const i = order[from + r]!;
          factor[r] = swAll[i]! * scale;
          const l = rowLogLoss(outAct, r * nOut, nOut, y[i]!);
          batchLoss += factor[r]! * l;
          dataLoss += l;
        }
        batchLoss += 0.5 * p.alpha * sqNorm * scale;
        if (!Number.isFinite(batchLoss)) {
          failed = { what: "loss", value: batchLoss, epoch: epoch + 1 };
          break;
        }
        objective += batchLoss * B;
        net.backward(X, order, from, to, y, factor, w, grad, dropoutScale);
        sqNorm = this.adamStep(adam, w, grad, p.alpha * scale, layout.nCoef);
      }
      if (failed === null && !Number.isFinite(sqNorm)) failed = { what: "loss", value: sqNorm, epoch: epoch + 1 };
      if (failed === null) {
        // An overflowing gradient leaves the loss finite but makes Adam's second moment infinite,
        // which freezes the weights it touches: the network would look "converged".
        for (let k = 0; k < adam.v.length; k++) {
          if (!Number.isFinite(adam.v[k]!)) {
            failed = { what: "gradient", value: adam.v[k]! === Infinity ? Infinity : NaN, epoch: epoch + 1 };
            break;
          }
        }
      }
      if (failed !== null) break;
      epoch++;
      const loss = objective / n;
      // With dropout the running loss is of a noisier network than the one evaluated on dev: a
      // clean pass keeps the two comparable.
      const trainLoss = p.dropout > 0 ? this.meanLoss(net, X, trainRows, y) : dataLoss / n;
      let point: CurvePoint = { step: epoch, loss, trainLoss };
      let stopLoss = loss;
      if (validation !== null) {
        const vLoss = this.meanLoss(net, validation.X, valRows, validation.y);
        if (dev !== undefined) point = { ...point, devLoss: vLoss };
        if (earlyStopping) stopLoss = vLoss;
      }
      curve.push(point);
      data.onIteration?.(point);
      lastGood.set(w);
      // sklearn's _update_no_improvement_count, on the dev loss when stopping early.
      noImprovement = stopLoss > bestLoss - p.tol ? noImprovement + 1 : 0;
      if (stopLoss < bestLoss) {
        bestLoss = stopLoss;
        if (earlyStopping) best = Float64Array.from(w);
      }
      if (noImprovement > p.n_iter_no_change) {
        converged = true;
        break;
      }
    }

    if (failed !== null) {
      if (epoch === 0) {
        throw new ModelError(
          `${family}: ${failed.what} became ${failed.value} in the first epoch (learning_rate_init ${p.learning_rate_init}); lower learning_rate_init or scale the features`,
        );
      }
      warnings.push(
        nonFiniteWarning(
          failed.what,
          failed.value,
          "epochs",
          failed.epoch,
          `stopped and kept the weights of epoch ${epoch}; lower learning_rate_init or scale the features`,
        ),
      );
      w.set(lastGood);
    }
    if (earlyStopping && best !== null) w.set(best);
    const diverging = divergenceWarning(
      curve.map((c) => c.loss),
      curve.map((c) => c.step),
      "epochs",
      "lower learning_rate_init",
    );
    if (diverging !== null) warnings.push(diverging);
    if (!converged && failed === null) {
      warnings.push(
        notConvergedWarning(
          epoch,
          "epochs",
          `the ${earlyStopping ? (dev !== undefined ? "dev" : "validation") : "training"} loss was still improving by more than tol ${p.tol}; max_iter ${p.max_iter}`,
          "raise max_iter or learning_rate_init",
        ),
      );
    }
    return { iterations: epoch, converged, finalLoss: curve.at(-1)!.loss, curve, warnings };
  }

  /** One Adam step over all parameters (the penalty gradient added here); returns ‖coefs‖² after it. */
  private adamStep(adam: Adam, w: Float64Array, grad: Float64Array, penalty: number, nCoef: number): number {
    const { beta_1: b1, beta_2: b2, epsilon: eps, learning_rate_init: lr } = this.params;
    adam.t++;
    const lrT = (lr * Math.sqrt(1 - Math.pow(b2, adam.t))) / (1 - Math.pow(b1, adam.t));
    const { m, v } = adam;
    const c1 = 1 - b1;
    const c2 = 1 - b2;
    let sq = 0;
    for (let k = 0; k < nCoef; k++) {
      const g = grad[k]! + penalty * w[k]!;
      grad[k] = 0;
      const mk = b1 * m[k]! + c1 * g;
      const vk = b2 * v[k]! + c2 * g * g;
      m[k] = mk;
      v[k] = vk;
      const wk = w[k]! - (lrT * mk) / (Math.sqrt(vk) + eps);
      w[k] = wk;
      sq += wk * wk;
    }
    for (let k = nCoef; k < w.length; k++) {
      const g = grad[k]!;
      grad[k] = 0;
      const mk = b1 * m[k]! + c1 * g;
      const vk = b2 * v[k]! + c2 * g * g;
      m[k] = mk;
      v[k] = vk;
      w[k]! -= (lrT * mk) / (Math.sqrt(vk) + eps);
    }
    return sq;
  }

  /** Mean (unweighted, unregularised) log loss of the given rows (all when null) in inference mode. */
  private meanLoss(net: Network, X: CsrMatrix, rows: Int32Array | null, y: Int32Array): number {
    const total = rows === null ? X.rows : rows.length;
    const nOut = this.layout.sizes.at(-1)!;
    const out = net.acts[net.acts.length - 1]!;
    let s = 0;
    for (let from = 0; from < total; from += net.maxRows) {
      const to = Math.min(from + net.maxRows, total);
      net.forward(X, rows, from, to, this.weights, 0, null);
      for (let r = 0; r < to - from; r++) {
        const i = rows === null ? from + r : rows[from + r]!;
        s += rowLogLoss(out, r * nOut, nOut, y[i]!);
      }
    }
    return s / total;
  }

  /**
   * The full-batch objective at the current weights — Σ_i (w_i / mean w)·loss_i / n + ½α‖W‖² / (n·mean w)
   * — and its gradient (no dropout): what one Adam step on a batch of all rows descends.
   */
  objective(X: CsrMatrix, y: Int32Array, sampleWeight?: Float64Array): { loss: number; gradient: Float64Array } {
    checkPredictX(X, this.nFeatures, this.family);
    const layout = this.layout;
    const n = X.rows;
    const sw = sampleWeight ?? new Float64Array(n).fill(1);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += sw[i]! / n;
    const scale = 1 / (n * mean);
    const net = new Network(layout, n);
    net.forward(X, null, 0, n, this.weights, 0, null);
    const nOut = layout.sizes.at(-1)!;
    const factor = new Float64Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      factor[i] = sw[i]! * scale;
      loss += factor[i]! * rowLogLoss(net.acts.at(-1)!, i * nOut, nOut, y[i]!);
    }
    const gradient = new Float64Array(layout.size);
    net.backward(X, null, 0, n, y, factor, this.weights, gradient, 1);
    let sq = 0;
    for (let k = 0; k < layout.nCoef; k++) {
      sq += this.weights[k]! * this.weights[k]!;
      gradient[k]! += this.params.alpha * scale * this.weights[k]!;
    }
    return { loss: loss + 0.5 * this.params.alpha * sq * scale, gradient };
  }

  predictProba(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    const K = this.nClasses;
    const layout = this.layout;
    const nOut = layout.sizes.at(-1)!;
    const net = new Network(layout, Math.min(PREDICT_CHUNK, Math.max(1, X.rows)));
    const act = net.acts.at(-1)!;
    const out = new Float64Array(X.rows * K);
    for (let from = 0; from < X.rows; from += net.maxRows) {
      const to = Math.min(from + net.maxRows, X.rows);
      net.forward(X, null, from, to, this.weights, 0, null);
      for (let r = 0; r < to - from; r++) {
        const i = from + r;
        if (nOut === 1) {
          out[2 * i] = 1 - act[r]!;
          out[2 * i + 1] = act[r]!;
        } else for (let k = 0; k < K; k++) out[i * K + k] = act[r * K + k]!;
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
      state: { weights: Array.from(this.weights) },
    };
  }

  restore(s: SerializedModel): void {
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    this.weights = numberArray(s, "weights", this.layout.size);
  }
}
