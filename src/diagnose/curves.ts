/**
 * Learning curve (MLY ch. 28–32) and validation curve (Ng's λ sweep), on a cross-validation session.
 *
 * Learning curve: for each fold and each training size, the pipeline is refitted on the first n rows
 * of the fold's training part (class-balanced order by default, row order with subset "prefix" as
 * scikit-learn) and scored on that subset (train error) and on the fold's validation rows. Sizes are
 * scikit-learn's floor(fraction × first fold's training size). Errors are 1 − accuracy of argmax
 * decisions; mean ± population std over folds, as numpy's std.
 *
 * Validation curve: the same on full fold training parts, over the model's capacity knob.
 */
import type { ModelSpec } from "../spec/models.js";
import { deriveSeed } from "../util/random.js";
import type { CapacityKnob } from "./capacity.js";
import type { CvSession } from "./cv.js";
import type { CvResult, CvTask } from "./cv-worker.js";
import { linspace, subsetOrder, trainSizes } from "./folds.js";
import { extrapolate, type Extrapolation } from "./power-law.js";

export interface Stat {
  readonly mean: number;
  readonly std: number;
  /** Per fold. */
  readonly values: readonly number[];
}

export interface CurvePoint {
  /** Training size (learning curve) or knob value (validation curve). */
  readonly x: number;
  readonly trainError: Stat;
  readonly valError: Stat;
  /** Binary: validation F1 of the positive class (mean over folds). */
  readonly valF1: number | null;
  readonly fitMs: number;
  readonly converged: boolean;
}

export interface LearningCurveOptions {
  /** Fractions of the first fold's training size (default linspace(0.1, 1, sizes)). */
  readonly fractions?: readonly number[];
  /** Number of sizes when fractions are not given (default 8). */
  readonly sizes?: number;
  readonly subset?: "stratified" | "prefix";
  readonly onProgress?: (done: number, total: number) => void;
}

export interface LearningCurve {
  readonly folds: number;
  readonly fractions: readonly number[];
  readonly points: readonly CurvePoint[];
  /** Size of the training data the run itself used (the CV pool). */
  readonly poolSize: number;
  readonly extrapolation: Extrapolation | null;
}

function stat(values: number[]): Stat {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, std, values };
}

function pointOf(x: number, results: readonly CvResult[], binary: boolean): CurvePoint {
  const f1s = results.map((r) => {
    const d = 2 * r.val.tp + r.val.fp + r.val.fn;
    return d === 0 ? 0 : (2 * r.val.tp) / d;
  });
  return {
    x,
    trainError: stat(results.map((r) => 1 - r.train.correct / r.train.n)),
    valError: stat(results.map((r) => 1 - r.val.correct / r.val.n)),
    valF1: binary ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null,
    fitMs: results.reduce((a, r) => a + r.fitMs, 0),
    converged: results.every((r) => r.converged),
  };
}

export async function learningCurve(session: CvSession, options: LearningCurveOptions = {}): Promise<LearningCurve> {
  const { data, foldRows, k } = session;
  const fractions = options.fractions ?? linspace(0.1, 1, options.sizes ?? 8);
  const sizes = trainSizes(fractions, foldRows[0]!.train.length);
  const mode = options.subset ?? "stratified";
  const orders = foldRows.map((r, f) => subsetOrder(r.train, data.y, mode, deriveSeed(data.seed, `lc-order-${f}`)));
  const tasks: CvTask[] = [];
  // largest sizes first: the longest tasks start early and the pool ends together
  for (let s = sizes.length - 1; s >= 0; s--) {
    for (let f = 0; f < k; f++) {
      const n = Math.min(sizes[s]!, orders[f]!.length);
      tasks.push({
        key: `${s}:${f}`,
        trainRows: orders[f]!.slice(0, n),
        valRows: foldRows[f]!.val,
        model: data.model,
        seed: deriveSeed(data.seed, `lc-${s}-${f}`),
      });
    }
  }
  const results = await session.run(tasks, options.onProgress);
  const byKey = new Map(results.map((r) => [r.key, r]));
  const binary = data.positive !== null;
  const points = sizes.map((n, s) =>
    pointOf(
      n,
      Array.from({ length: k }, (_, f) => byKey.get(`${s}:${f}`)!),
      binary,
    ),
  );
  const poolSize = data.y.length;
  let extrapolation: Extrapolation | null = null;
  if (points.length >= 3) {
    const perFold = Array.from({ length: k }, (_, f) => points.map((p) => p.valError.values[f]!));
    extrapolation = extrapolate(
      points.map((p) => p.x),
      perFold,
      2 * poolSize,
      poolSize,
      { seed: deriveSeed(data.seed, "lc-bootstrap") },
    );
  }
  return { folds: k, fractions, points, poolSize, extrapolation };
}

export interface ValidationCurve {
  readonly key: string;
  readonly direction: 1 | -1;
  readonly scale: "log" | "linear";
  readonly current: number;
  readonly points: readonly CurvePoint[];
  /** Knob value with the lowest mean validation error. */
  readonly best: number;
}

export async function validationCurve(
  session: CvSession,
  knob: CapacityKnob,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<ValidationCurve> {
  const { data, foldRows, k } = session;
  const tasks: CvTask[] = [];
  knob.grid.forEach((value, g) => {
    const model = { ...data.model, [knob.key]: value } as ModelSpec;
    for (let f = 0; f < k; f++) {
      tasks.push({
        key: `${g}:${f}`,
        trainRows: foldRows[f]!.train,
        valRows: foldRows[f]!.val,
        model,
        seed: deriveSeed(data.seed, `vc-${g}-${f}`),
      });
    }
  });
  const results = await session.run(tasks, options.onProgress);
  const byKey = new Map(results.map((r) => [r.key, r]));
  const binary = data.positive !== null;
  const points = knob.grid.map((value, g) =>
    pointOf(
      value,
      Array.from({ length: k }, (_, f) => byKey.get(`${g}:${f}`)!),
      binary,
    ),
  );
  let best = points[0]!;
  for (const p of points) if (p.valError.mean < best.valError.mean - 1e-12) best = p;
  return { key: knob.key, direction: knob.direction, scale: knob.scale, current: knob.current, points, best: best.x };
}
