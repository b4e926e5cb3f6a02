/**
 * Histogram gradient-boosted trees for classification, following scikit-learn's
 * HistGradientBoostingClassifier (1.2): features binned into ≤ 255 quantile bins on the training
 * rows (histogram-binning.ts), leaf-wise trees on gradients and hessians of the log loss (tree.ts),
 * a baseline of the class log-odds, binary log loss with one tree per round or softmax with one
 * tree per class per round, sample and class weights multiplying gradients and hessians.
 *
 * Differences from sklearn, on purpose: gradients and hessians are float64 (sklearn's are float32,
 * so leaf values agree to about 1e-7 relative, not bit for bit); `subsample` grows each round's
 * trees on a seeded fraction of the rows (stochastic gradient boosting; sklearn 1.2 has no such
 * option); early stopping uses the dev split when the runner gives one. Missing values and
 * categorical splits are not needed: mlloop's features are finite numbers, one-hot for categories.
 *
 * Trees are stored with real-valued thresholds (x ≤ threshold goes left), so prediction needs no
 * bins; a CSR row is scattered into a dense scratch row once and walked down every tree.
 */
import { ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { GradientBoostingParams } from "../spec/models.js";
import { createRng, deriveSeed } from "../util/random.js";
import { checkFitData, checkPredictX, classWeightMultipliers } from "./check-input.js";
import type { CurvePoint, Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";
import { binMatrix, fitBinEdges, type BinEdges, type BinnedMatrix } from "./histogram-binning.js";
import { stratifiedHoldout } from "./holdout.js";
import { numberArray } from "./logistic-regression.js";
import { logOnePlusExpNeg, sigmoid, softmaxRowsInPlace } from "./sparse-linear.js";
import { addTreeBinned, treeGrower, type Tree } from "./tree.js";
import { divergenceWarning, nonFiniteWarning, notConvergedWarning } from "./training-warnings.js";

export const GRADIENT_BOOSTING = "gradient_boosting";

/** sklearn's TreeGrower default (not a parameter of its estimators). */
const MIN_HESSIAN_TO_SPLIT = 1e-3;
/** sklearn's "auto" early stopping turns on above this many training rows. */
const AUTO_EARLY_STOPPING_ROWS = 10_000;
/** Bin edges are found on at most this many rows (sklearn's _BinMapper subsample). */
const BINNING_SUBSAMPLE = 200_000;
const DOUBLE_EPS = 2.220446049250313e-16;

/** Log loss of raw scores (class-major: raw[k·n + i]) against labels: weighted and plain means. */
function logLoss(
  raw: Float64Array,
  y: Int32Array,
  nOut: number,
  weight: Float64Array | null,
): { weighted: number; plain: number } {
  const n = y.length;
  let s = 0;
  let sw = 0;
  let plain = 0;
  for (let i = 0; i < n; i++) {
    let l: number;
    if (nOut === 1) {
      const z = raw[i]!;
      l = logOnePlusExpNeg(y[i] === 1 ? z : -z);
    } else {
      let max = -Infinity;
      for (let k = 0; k < nOut; k++) if (raw[k * n + i]! > max) max = raw[k * n + i]!;
      let sum = 0;
      for (let k = 0; k < nOut; k++) sum += Math.exp(raw[k * n + i]! - max);
      l = max + Math.log(sum) - raw[y[i]! * n + i]!;
    }
    const w = weight === null ? 1 : weight[i]!;
    s += w * l;
    sw += w;
    plain += l;
  }
  return { weighted: s / sw, plain: plain / n };
}

/** Weighted and plain mean training log loss. */
interface TrainLoss {
  weighted: number;
  plain: number;
}

/**
 * Gradients and hessians of the log loss at raw (class-major), times the row weights; returns the
 * log loss at raw, which costs little more here since the probabilities are at hand.
 */
function gradients(
  raw: Float64Array,
  y: Int32Array,
  weight: Float64Array,
  nOut: number,
  G: Float64Array,
  H: Float64Array,
  prob: Float64Array,
): TrainLoss {
  const n = y.length;
  let s = 0;
  let sw = 0;
  let plain = 0;
  if (nOut === 1) {
    for (let i = 0; i < n; i++) {
      const z = raw[i]!;
      // p = σ(z) and the loss log(1 + e^{−m}) (m = ±z) share e = e^{−|z|}.
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const positive = y[i] === 1;
      const m = positive ? z : -z;
      const l = Math.log1p(e) + (m < 0 ? -m : 0);
      const w = weight[i]!;
      G[i] = w * (p - (positive ? 1 : 0));
      H[i] = w * p * (1 - p);
      s += w * l;
      sw += w;
      plain += l;
    }
    return { weighted: s / sw, plain: plain / n };
  }
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < nOut; k++) if (raw[k * n + i]! > max) max = raw[k * n + i]!;
    let sum = 0;
    for (let k = 0; k < nOut; k++) {
      const e = Math.exp(raw[k * n + i]! - max);
      prob[k] = e;
      sum += e;
    }
    const w = weight[i]!;
    const yi = y[i]!;
    for (let k = 0; k < nOut; k++) {
      const p = prob[k]! / sum;
      G[k * n + i] = w * (p - (k === yi ? 1 : 0));
      H[k * n + i] = w * p * (1 - p);
    }
    const l = max + Math.log(sum) - raw[yi * n + i]!;
    s += w * l;
    sw += w;
    plain += l;
  }
  return { weighted: s / sw, plain: plain / n };
}

/** sklearn's fit_intercept_only: log-odds (binary) or centred log-probabilities of the weighted class shares. */
function baselineScores(y: Int32Array, weight: Float64Array, nClasses: number): Float64Array {
  const share = new Float64Array(nClasses);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    share[y[i]!]! += weight[i]!;
    total += weight[i]!;
  }
  if (nClasses === 2) {
    const eps = 10 * DOUBLE_EPS;
    const p = Math.min(Math.max(share[1]! / total, eps), 1 - eps);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  const out = new Float64Array(nClasses);
  let mean = 0;
  for (let k = 0; k < nClasses; k++) {
    out[k] = Math.log(Math.min(Math.max(share[k]! / total, DOUBLE_EPS), 1 - DOUBLE_EPS));
    mean += out[k]! / nClasses;
  }
  for (let k = 0; k < nClasses; k++) out[k]! -= mean;
  return out;
}

/** sklearn's _should_stop: none of the last n scores beats the score n rounds before by more than tol. */
function shouldStop(losses: readonly number[], nIterNoChange: number, tol: number): boolean {
  const ref = nIterNoChange + 1;
  if (losses.length < ref) return false;
  const reference = -losses[losses.length - ref]! + tol;
  for (let t = losses.length - ref + 1; t < losses.length; t++) if (-losses[t]! > reference) return false;
  return true;
}

function takeRows<T extends Int32Array | Float64Array>(a: T, rows: Int32Array | null): T {
  if (rows === null) return a;
  const out = new (a.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = a[rows[k]!]!;
  return out;
}

export class GradientBoosting implements Estimator {
  readonly family = GRADIENT_BOOSTING;
  nFeatures = -1;
  nClasses = 0;
  /** Raw score before any tree, per output (1 for binary, nClasses otherwise). */
  baseline: Float64Array = new Float64Array(0);
  /** Tree t's nodes are treeStart[t] .. treeStart[t+1]; round r's tree for output k is t = r·nOut + k. */
  treeStart: Int32Array = Int32Array.of(0);
  /** Per node, across all trees: split feature (−1 at a leaf), threshold, children (absolute), leaf value. */
  nodeFeature: Int32Array = new Int32Array(0);
  nodeThreshold: Float64Array = new Float64Array(0);
  nodeLeft: Int32Array = new Int32Array(0);
  nodeRight: Int32Array = new Int32Array(0);
  nodeValue: Float64Array = new Float64Array(0);

  constructor(
    readonly params: GradientBoostingParams,
    private readonly seed: number,
    /** Binned-matrix layout override (tests and benchmarks); "auto" picks sparse for sparse input. */
    private readonly layout: "auto" | "dense" | "sparse" = "auto",
  ) {}

  private get nOut(): number {
    return this.nClasses === 2 ? 1 : this.nClasses;
  }

  /** Number of boosting rounds kept. */
  get rounds(): number {
    return (this.treeStart.length - 1) / Math.max(1, this.nOut);
  }

  fit(data: FitData): TrainingReport {
    const family = this.family;
    const p = this.params;
    const swAll = checkFitData(data, family);
    const { X, y: yAll, nClasses } = data;
    const dev = data.dev !== undefined && data.dev.X.rows > 0 ? data.dev : undefined;
    if (dev !== undefined) checkPredictX(dev.X, X.cols, `${family} (dev)`);
    const mult = classWeightMultipliers(p.class_weight, yAll, nClasses, family);
    for (let i = 0; i < swAll.length; i++) swAll[i]! *= mult[yAll[i]!]!;
    const nOut = nClasses === 2 ? 1 : nClasses;

    const earlyStopping =
      p.early_stopping === true ||
      (p.early_stopping === "auto" && (dev !== undefined || X.rows > AUTO_EARLY_STOPPING_ROWS));
    const holdout =
      earlyStopping && dev === undefined
        ? stratifiedHoldout(yAll, nClasses, swAll, p.validation_fraction, deriveSeed(this.seed, "validation"), family)
        : null;
    const trainRows = holdout?.train ?? null;
    const y = takeRows(yAll, trainRows);
    const sw = takeRows(swAll, trainRows);
    const n = y.length;
    for (let c = 0; c < nClasses; c++) {
      if (!y.includes(c)) {
        throw new ModelError(`${family}: class ${c} has no training rows left after holding out the validation rows`);
      }
    }

    let binRows = trainRows;
    if (n > BINNING_SUBSAMPLE) {
      const rng = createRng(deriveSeed(this.seed, "binning"));
      const pool = trainRows ?? Int32Array.from({ length: n }, (_, i) => i);
      const pick = Int32Array.from(pool);
      for (let k = 0; k < BINNING_SUBSAMPLE; k++) {
        const j = k + rng.int(pick.length - k);
        const t = pick[k]!;
        pick[k] = pick[j]!;
        pick[j] = t;
      }
      binRows = pick.slice(0, BINNING_SUBSAMPLE).sort();
    }
    const edges = fitBinEdges(X, p.max_bins, binRows);
    const binned = binMatrix(X, edges, trainRows, family, this.layout);
    const validation: { X: BinnedMatrix; y: Int32Array; w: Float64Array | null; isDev: boolean } | null =
      dev !== undefined
        ? { X: binMatrix(dev.X, edges, null, family, binned.layout), y: dev.y, w: null, isDev: true }
        : holdout !== null
          ? {
              X: binMatrix(X, edges, holdout.validation, family, binned.layout),
              y: takeRows(yAll, holdout.validation),
              w: takeRows(swAll, holdout.validation),
              isDev: false,
            }
          : null;
    if (validation?.isDev) {
      for (let i = 0; i < validation.y.length; i++) {
        const c = validation.y[i]!;
        if (!(c >= 0 && c < nClasses)) {
          throw new ModelError(`${family}: dev y[${i}] = ${c} is not a class index (allowed: 0 .. ${nClasses - 1})`);
        }
      }
    }

    this.nFeatures = X.cols;
    this.nClasses = nClasses;
    const baseline = baselineScores(y, sw, nClasses);
    const raw = new Float64Array(nOut * n);
    for (let k = 0; k < nOut; k++) raw.fill(baseline[k]!, k * n, (k + 1) * n);
    const nVal = validation?.y.length ?? 0;
    const rawVal = new Float64Array(nOut * nVal);
    for (let k = 0; k < nOut; k++) rawVal.fill(baseline[k]!, k * nVal, (k + 1) * nVal);

    const grower = treeGrower(binned, {
      maxLeafNodes: p.max_leaf_nodes,
      maxDepth: p.max_depth,
      minSamplesLeaf: p.min_samples_leaf,
      l2Regularization: p.l2_regularization,
      minHessianToSplit: MIN_HESSIAN_TO_SPLIT,
      shrinkage: p.learning_rate,
    });
    const G = new Float64Array(nOut * n);
    const Hs = new Float64Array(nOut * n);
    const prob = new Float64Array(nOut);
    const rows = new Int32Array(n);
    const nSub = p.subsample < 1 ? Math.max(1, Math.round(p.subsample * n)) : n;
    const sample = nSub < n ? new Int32Array(n) : null;
    const subRng = createRng(deriveSeed(this.seed, "subsample"));
    if (sample !== null) for (let i = 0; i < n; i++) sample[i] = i;

    // The training loss of round r comes out of round r + 1's gradient pass (and one last pass).
    const trainLosses: TrainLoss[] = [];
    const valLosses: number[] = [];
    const warnings: string[] = [];
    const recordValidation = (): void => {
      if (validation !== null) valLosses.push(logLoss(rawVal, validation.y, nOut, validation.w).weighted);
    };
    recordValidation();

    const trees: Tree[] = [];
    let stopped = false;
    // The scores before the latest round, to drop it if the loss after it is not finite.
    const rawBefore = new Float64Array(raw.length);
    const rawValBefore = new Float64Array(rawVal.length);
    /** Drops the last round when the loss after it is not finite; returns whether it did. */
    const rollBackIfNotFinite = (loss: TrainLoss): boolean => {
      const round = trainLosses.length - 1;
      if (Number.isFinite(loss.weighted)) return false;
      warnings.push(
        nonFiniteWarning(
          "loss",
          loss.weighted,
          "rounds",
          round,
          `stopped and kept the first ${round - 1} rounds; lower learning_rate or raise l2_regularization`,
        ),
      );
      trees.splice(trees.length - nOut, nOut);
      trainLosses.pop();
      valLosses.pop();
      raw.set(rawBefore);
      rawVal.set(rawValBefore);
      return true;
    };
    let rolledBack = false;
    for (let round = 1; round <= p.max_iter; round++) {
      trainLosses.push(gradients(raw, y, sw, nOut, G, Hs, prob));
      if (round > 1 && rollBackIfNotFinite(trainLosses.at(-1)!)) {
        rolledBack = true;
        break;
      }
      let nRows = n;
      if (sample !== null) {
        // A fresh seeded subsample each round (partial Fisher–Yates), sorted for locality.
        for (let k = 0; k < nSub; k++) {
          const j = k + subRng.int(n - k);
          const t = sample[k]!;
          sample[k] = sample[j]!;
          sample[j] = t;
        }
        nRows = nSub;
      }
      rawBefore.set(raw);
      rawValBefore.set(rawVal);
      for (let k = 0; k < nOut; k++) {
        if (sample !== null) rows.set(sample.subarray(0, nSub).sort());
        else for (let i = 0; i < n; i++) rows[i] = i;
        const grown = grower.grow(G.subarray(k * n, (k + 1) * n), Hs.subarray(k * n, (k + 1) * n), rows, nRows);
        trees.push(grown.tree);
        if (sample === null) {
          const { leafStart, leafEnd, leafValue } = grown;
          for (let l = 0; l < leafValue.length; l++) {
            const v = leafValue[l]!;
            for (let q = leafStart[l]!; q < leafEnd[l]!; q++) raw[k * n + rows[q]!]! += v;
          }
        } else addTreeBinned(grown.tree, binned, raw, k * n);
        if (validation !== null) addTreeBinned(grown.tree, validation.X, rawVal, k * nVal);
      }
      recordValidation();
      if (validation !== null && earlyStopping && shouldStop(valLosses, p.n_iter_no_change, p.tol)) {
        stopped = true;
        break;
      }
    }
    // The kernel's instance goes back to its pool (a fit that throws leaves it to the collector).
    grower.close();
    if (!rolledBack) {
      const last = logLoss(raw, y, nOut, sw);
      trainLosses.push(last);
      if (trainLosses.length > 1 && rollBackIfNotFinite(last)) stopped = false;
    }
    const curve: CurvePoint[] = trainLosses.map((t, step) =>
      validation?.isDev
        ? { step, loss: t.weighted, trainLoss: t.plain, devLoss: valLosses[step]! }
        : { step, loss: t.weighted, trainLoss: t.plain },
    );

    this.baseline = baseline;
    this.storeTrees(trees, edges);
    const rounds = trees.length / nOut;
    const diverging = divergenceWarning(
      curve.map((c) => c.loss),
      curve.map((c) => c.step),
      "rounds",
      "lower learning_rate or raise l2_regularization",
    );
    if (diverging !== null) warnings.push(diverging);
    const reachedMax = rounds === p.max_iter;
    if (earlyStopping && !stopped && reachedMax) {
      warnings.push(
        notConvergedWarning(
          rounds,
          "rounds",
          `the ${validation?.isDev ? "dev" : "validation"} loss was still improving by more than tol ${p.tol}; max_iter ${p.max_iter}`,
          "raise max_iter or learning_rate",
        ),
      );
    }
    return {
      iterations: rounds,
      // Without early stopping there is no convergence test: running max_iter rounds is what was asked.
      converged: earlyStopping ? stopped : reachedMax,
      finalLoss: curve.at(-1)!.loss,
      curve,
      warnings,
    };
  }

  /** Flattens the grown trees, replacing bin thresholds with the real-valued edges. */
  private storeTrees(trees: readonly Tree[], edges: BinEdges): void {
    let total = 0;
    for (const t of trees) total += t.feature.length;
    this.treeStart = new Int32Array(trees.length + 1);
    this.nodeFeature = new Int32Array(total);
    this.nodeThreshold = new Float64Array(total);
    this.nodeLeft = new Int32Array(total).fill(-1);
    this.nodeRight = new Int32Array(total).fill(-1);
    this.nodeValue = new Float64Array(total);
    let at = 0;
    trees.forEach((t, ti) => {
      this.treeStart[ti] = at;
      for (let k = 0; k < t.feature.length; k++) {
        const f = t.feature[k]!;
        this.nodeFeature[at + k] = f;
        this.nodeValue[at + k] = t.value[k]!;
        if (f >= 0) {
          this.nodeThreshold[at + k] = edges.thresholds[edges.offset[f]! + t.bin[k]!]!;
          this.nodeLeft[at + k] = at + t.left[k]!;
          this.nodeRight[at + k] = at + t.right[k]!;
        }
      }
      at += t.feature.length;
    });
    this.treeStart[trees.length] = at;
  }

  /** Raw scores, row-major n × (1 for binary, nClasses otherwise): baseline + Σ trees. */
  decisionFunction(X: CsrMatrix): Float64Array {
    checkPredictX(X, this.nFeatures, this.family);
    const nOut = this.nOut;
    const out = new Float64Array(X.rows * nOut);
    const dense = new Float64Array(this.nFeatures);
    const { indptr, indices, data } = X;
    const { treeStart, nodeFeature, nodeThreshold, nodeLeft, nodeRight, nodeValue } = this;
    const nTrees = treeStart.length - 1;
    for (let i = 0; i < X.rows; i++) {
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) dense[indices[p]!] = data[p]!;
      const o = i * nOut;
      for (let k = 0; k < nOut; k++) out[o + k] = this.baseline[k]!;
      for (let t = 0; t < nTrees; t++) {
        let node = treeStart[t]!;
        for (let f = nodeFeature[node]!; f >= 0; f = nodeFeature[node]!) {
          node = dense[f]! <= nodeThreshold[node]! ? nodeLeft[node]! : nodeRight[node]!;
        }
        out[o + (t % nOut)]! += nodeValue[node]!;
      }
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) dense[indices[p]!] = 0;
    }
    return out;
  }

  predictProba(X: CsrMatrix): Float64Array {
    const raw = this.decisionFunction(X);
    const K = this.nClasses;
    if (K > 2) {
      softmaxRowsInPlace(raw, X.rows, K);
      return raw;
    }
    const out = new Float64Array(X.rows * 2);
    for (let i = 0; i < X.rows; i++) {
      const q = sigmoid(raw[i]!);
      out[2 * i] = 1 - q;
      out[2 * i + 1] = q;
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
        baseline: Array.from(this.baseline),
        treeStart: Array.from(this.treeStart),
        nodeFeature: Array.from(this.nodeFeature),
        nodeThreshold: Array.from(this.nodeThreshold),
        nodeLeft: Array.from(this.nodeLeft),
        nodeRight: Array.from(this.nodeRight),
        nodeValue: Array.from(this.nodeValue),
      },
    };
  }

  restore(s: SerializedModel): void {
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
    const nOut = this.nOut;
    this.baseline = numberArray(s, "baseline", nOut);
    const starts = s.state.treeStart;
    const nTrees = Array.isArray(starts) ? starts.length - 1 : -1;
    if (nTrees < 0 || nTrees % nOut !== 0) {
      throw new ModelError(
        `${s.family}: serialized state "treeStart" should list one start per tree plus the end (a multiple of ${nOut} trees), got ${Array.isArray(starts) ? `${starts.length} entries` : typeof starts}`,
      );
    }
    this.treeStart = Int32Array.from(numberArray(s, "treeStart", nTrees + 1));
    const nNodes = this.treeStart[nTrees]!;
    this.nodeFeature = Int32Array.from(numberArray(s, "nodeFeature", nNodes));
    this.nodeThreshold = numberArray(s, "nodeThreshold", nNodes);
    this.nodeLeft = Int32Array.from(numberArray(s, "nodeLeft", nNodes));
    this.nodeRight = Int32Array.from(numberArray(s, "nodeRight", nNodes));
    this.nodeValue = numberArray(s, "nodeValue", nNodes);
    for (let t = 0; t < nTrees; t++) {
      const lo = this.treeStart[t]!;
      const hi = this.treeStart[t + 1]!;
      if (!(hi > lo)) throw new ModelError(`${s.family}: serialized tree ${t} has no nodes`);
      for (let k = lo; k < hi; k++) {
        const f = this.nodeFeature[k]!;
        if (f < 0) continue;
        const l = this.nodeLeft[k]!;
        const r = this.nodeRight[k]!;
        // Children come after their parent inside the same tree: prediction always terminates.
        if (f >= s.nFeatures || !(l > k && l < hi) || !(r > k && r < hi)) {
          throw new ModelError(
            `${s.family}: serialized tree ${t} node ${k - lo} is invalid (feature ${f} of ${s.nFeatures}, children ${l - lo} and ${r - lo} of ${hi - lo} nodes)`,
          );
        }
      }
    }
  }
}
