/**
 * The epochs of plain SGD (scikit-learn's `_plain_sgd`): per-row updates with the weight-scale
 * trick (an L2 step multiplies one scalar instead of all weights) and the sparse averaging trick
 * (ā = (u + avgA · v) / avgB, so that each step touches only the row's nonzeros). Two back ends
 * implement `SgdEpochs`: `JsSgdEpochs` here (the reference, MLLOOP_KERNELS=js) and
 * `WasmSgdEpochs` (kernels/sgd-epochs.ts); the driver in sgd.ts shuffles, stops and records the
 * curve the same way for both.
 */
import type { CsrMatrix } from "../features/csr.js";
import type { SgdParams } from "../spec/models.js";
import type { Rng } from "../util/random.js";
import { rowDot } from "./sparse-linear.js";

/** As in sklearn for sparse input: the intercept sees every row while a sparse feature sees few. */
const SPARSE_INTERCEPT_DECAY = 0.01;
const MAX_DLOSS = 1e12;

type Loss = SgdParams["loss"];

export function lossValue(loss: Loss, p: number, y: number): number {
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
export function lossDerivative(loss: Loss, p: number, y: number): number {
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

/** What one binary SGD problem needs besides the matrix. */
export interface SgdProblem {
  readonly X: CsrMatrix;
  /** Labels ±1. */
  readonly ySign: Float64Array;
  /** Sample weight × class weight. */
  readonly rowWeight: Float64Array;
  /** 1 = held out for early stopping (never trained on); null = no validation rows. */
  readonly validation: Uint8Array | null;
  readonly params: SgdParams;
  /** The "optimal" schedule's t₀ (0 for the other schedules). */
  readonly optimalInit: number;
  /** 0: no averaging; else averaging starts at this update number. */
  readonly averageFrom: number;
}

export interface SgdEpochs {
  /** The row order of the next epoch. */
  readonly order: Int32Array;
  /** Shuffles `order` in place (Fisher–Yates, drawing from `rng`) before an epoch. */
  shuffle(rng: Rng): void;
  /** One pass over `order`; returns the summed loss of the rows trained on. */
  epoch(): number;
  /** ‖w‖² of the current (unaveraged) weights. */
  squaredNorm(): number;
  readonly intercept: number;
  /** Number of updates made so far, plus one. */
  readonly t: number;
  /** Weighted accuracy on the validation rows (averaged weights once averaging has started). */
  validationAccuracy(): number;
  /** The final weights and intercept (averaged ones once averaging has started). */
  finish(): { coef: Float64Array; intercept: number };
}

/** The JavaScript reference. */
export class JsSgdEpochs implements SgdEpochs {
  readonly order: Int32Array;
  private readonly v: Float64Array;
  private readonly u: Float64Array | null;
  private wscale = 1;
  intercept = 0;
  private avgA = 0;
  private avgB = 1;
  private avgIntercept = 0;
  t = 1;

  constructor(private readonly q: SgdProblem) {
    const n = q.X.rows;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.v = new Float64Array(q.X.cols);
    this.u = q.averageFrom > 0 ? new Float64Array(q.X.cols) : null;
  }

  private resetScale(): void {
    const { u, v } = this;
    const d = v.length;
    if (u !== null) {
      for (let j = 0; j < d; j++) u[j] = (u[j]! + this.avgA * v[j]!) / this.avgB;
      this.avgA = 0;
      this.avgB = 1;
    }
    for (let j = 0; j < d; j++) v[j]! *= this.wscale;
    this.wscale = 1;
  }

  private averaging(): boolean {
    return this.u !== null && this.t > this.q.averageFrom;
  }

  shuffle(rng: Rng): void {
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
  }

  epoch(): number {
    const { X, ySign, rowWeight, validation, params: p, optimalInit, averageFrom } = this.q;
    const { indptr, indices, data } = X;
    const { v, u, order } = this;
    const alpha = p.alpha;
    let sumLoss = 0;
    for (let s = 0; s < order.length; s++) {
      const i = order[s]!;
      if (validation !== null && validation[i]) continue;
      const y = ySign[i]!;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      const pred = rowDot(v, indices, data, start, end) * this.wscale + this.intercept;
      const t = this.t;
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
      this.wscale *= Math.max(0, 1 - eta * alpha);
      if (this.wscale < 1e-9) this.resetScale();
      if (update !== 0) {
        const step = update / this.wscale;
        for (let k = start; k < end; k++) v[indices[k]!]! += step * data[k]!;
        if (p.fit_intercept) this.intercept += update * SPARSE_INTERCEPT_DECAY;
      }
      if (u !== null && averageFrom <= t) {
        const seen = t - averageFrom + 1;
        const mu = 1 / seen;
        const coefU = this.avgA * (-update / this.wscale);
        if (coefU !== 0) for (let k = start; k < end; k++) u[indices[k]!]! += coefU * data[k]!;
        if (seen > 1) this.avgB /= 1 - mu;
        this.avgA += mu * this.avgB * this.wscale;
        this.avgIntercept += (this.intercept - this.avgIntercept) / seen;
      }
      this.t = t + 1;
    }
    return sumLoss;
  }

  squaredNorm(): number {
    let norm = 0;
    for (const x of this.v) norm += x * x;
    return norm * (this.wscale * this.wscale);
  }

  validationAccuracy(): number {
    const { X, ySign, rowWeight, validation } = this.q;
    const { indptr, indices, data } = X;
    const { v, u } = this;
    let right = 0;
    let total = 0;
    const useAverage = this.averaging();
    for (let i = 0; i < X.rows; i++) {
      if (!validation![i]) continue;
      let dv = 0;
      let du = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
        dv += v[indices[k]!]! * data[k]!;
        if (useAverage) du += u![indices[k]!]! * data[k]!;
      }
      const score = useAverage
        ? (du + this.avgA * dv) / this.avgB + this.avgIntercept
        : dv * this.wscale + this.intercept;
      const w = rowWeight[i]!;
      total += w;
      if ((score > 0 ? 1 : -1) === ySign[i]) right += w;
    }
    return right / total;
  }

  finish(): { coef: Float64Array; intercept: number } {
    this.resetScale();
    return this.averaging()
      ? { coef: this.u!, intercept: this.avgIntercept }
      : { coef: this.v, intercept: this.intercept };
  }
}
