/**
 * Parameter importance: which knobs of a sweep moved the objective. Method: permutation importance
 * on a random-forest surrogate (Breiman 2001) — fit 64 regression trees on bootstrap samples of
 * the complete trials (params → value), then, tree by tree, shuffle one parameter among the trial
 * rows that tree did not see (out of bag) and measure how much its squared error grows. The growth,
 * averaged over trees, floored at 0 and normalised to sum to 1, is the importance. This is the
 * idea of Optuna's `get_param_importances` (a forest surrogate) with permutation in place of its
 * fANOVA decomposition; both rank a parameter that alone drives the objective far first.
 *
 * Encoding: numbers as they are (logs on log scales), categoricals by choice index, a parameter a
 * trial did not have (a condition was off) as one below the lowest value.
 */
import { createRng, type Rng } from "../util/random.js";
import type { Point, Space } from "./space.js";
import { toInternal } from "./tpe.js";

interface Node {
  readonly feature: number;
  readonly threshold: number;
  readonly left: Node | null;
  readonly right: Node | null;
  readonly value: number;
}

const TREES = 64;
const MAX_DEPTH = 8;
const MIN_LEAF = 2;

function mean(ys: readonly number[], rows: readonly number[]): number {
  let s = 0;
  for (const r of rows) s += ys[r]!;
  return s / rows.length;
}

/** The split of `rows` on one feature that most reduces the squared error, or null. */
function bestSplit(X: readonly Float64Array[], ys: readonly number[], rows: number[], f: number) {
  const sorted = rows.slice().sort((a, b) => X[a]![f]! - X[b]![f]!);
  const total = sorted.reduce((s, r) => s + ys[r]!, 0);
  let leftSum = 0;
  let best: { gain: number; threshold: number } | null = null;
  for (let i = 0; i < sorted.length - 1; i++) {
    leftSum += ys[sorted[i]!]!;
    const a = X[sorted[i]!]![f]!;
    const b = X[sorted[i + 1]!]![f]!;
    if (a === b || i + 1 < MIN_LEAF || sorted.length - i - 1 < MIN_LEAF) continue;
    const nl = i + 1;
    const nr = sorted.length - nl;
    const gain = (leftSum * leftSum) / nl + ((total - leftSum) * (total - leftSum)) / nr;
    if (best === null || gain > best.gain) best = { gain, threshold: (a + b) / 2 };
  }
  return best;
}

function grow(X: readonly Float64Array[], ys: readonly number[], rows: number[], depth: number): Node {
  const value = mean(ys, rows);
  const leaf: Node = { feature: -1, threshold: 0, left: null, right: null, value };
  if (depth >= MAX_DEPTH || rows.length < 2 * MIN_LEAF) return leaf;
  let best: { gain: number; threshold: number; feature: number } | null = null;
  for (let f = 0; f < X[0]!.length; f++) {
    const s = bestSplit(X, ys, rows, f);
    if (s !== null && (best === null || s.gain > best.gain)) best = { ...s, feature: f };
  }
  const base = (value * value * rows.length) as number;
  if (best === null || best.gain <= base + 1e-12) return leaf;
  const left = rows.filter((r) => X[r]![best.feature]! <= best.threshold);
  const right = rows.filter((r) => X[r]![best.feature]! > best.threshold);
  return {
    feature: best.feature,
    threshold: best.threshold,
    value,
    left: grow(X, ys, left, depth + 1),
    right: grow(X, ys, right, depth + 1),
  };
}

function predict(node: Node, x: Float64Array): number {
  let n = node;
  while (n.left !== null && n.right !== null) n = x[n.feature]! <= n.threshold ? n.left : n.right;
  return n.value;
}

function encode(space: Space, points: readonly Point[]): { names: string[]; X: Float64Array[] } {
  const names = Object.keys(space);
  const X = points.map((p) => Float64Array.from(names, (n) => toInternal(space[n]!, p[n]) ?? Number.NaN));
  names.forEach((_, j) => {
    const present = X.map((x) => x[j]!).filter((v) => !Number.isNaN(v));
    const missing = present.length === 0 ? 0 : Math.min(...present) - 1;
    for (const x of X) if (Number.isNaN(x[j]!)) x[j] = missing;
  });
  return { names, X };
}

function oobIncrease(
  tree: Node,
  X: readonly Float64Array[],
  ys: readonly number[],
  oob: number[],
  j: number,
  rng: Rng,
) {
  const sq = (rows: readonly Float64Array[]) =>
    rows.reduce((s, x, k) => s + (predict(tree, x) - ys[oob[k]!]!) ** 2, 0) / rows.length;
  const rows = oob.map((r) => X[r]!);
  const base = sq(rows);
  const perm = oob.map((r) => X[r]![j]!);
  for (let i = perm.length - 1; i > 0; i--) {
    const k = rng.int(i + 1);
    [perm[i], perm[k]] = [perm[k]!, perm[i]!];
  }
  const shuffled = rows.map((x, k) => {
    const c = Float64Array.from(x);
    c[j] = perm[k]!;
    return c;
  });
  return sq(shuffled) - base;
}

/** Importance of each parameter of `space` for `values` (any direction), summing to 1; empty under 4 trials. */
export function paramImportance(
  space: Space,
  points: readonly Point[],
  values: readonly number[],
  seed = 0,
): Record<string, number> {
  const keep = values.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
  if (keep.length < 4) return {};
  const { names, X } = encode(
    space,
    keep.map(([, i]) => points[i]!),
  );
  const ys = keep.map(([v]) => v);
  const rng = createRng(seed);
  const sums = new Float64Array(names.length);
  for (let t = 0; t < TREES; t++) {
    const inBag = Array.from({ length: ys.length }, () => rng.int(ys.length));
    const seen = new Set(inBag);
    const oob = ys.map((_, i) => i).filter((i) => !seen.has(i));
    if (oob.length < 2) continue;
    const tree = grow(X, ys, inBag, 0);
    for (let j = 0; j < names.length; j++) sums[j] = sums[j]! + oobIncrease(tree, X, ys, oob, j, rng);
  }
  const floored = Array.from(sums, (s) => Math.max(0, s));
  const total = floored.reduce((a, b) => a + b, 0);
  return Object.fromEntries(names.map((n, j) => [n, total > 0 ? floored[j]! / total : 1 / names.length]));
}
