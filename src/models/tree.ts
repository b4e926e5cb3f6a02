/**
 * One regression tree of histogram gradient boosting, grown leaf-wise on binned features exactly as
 * scikit-learn's TreeGrower does it (so that a few rounds reproduce HistGradientBoostingClassifier):
 *
 * - a node's value is −G / (H + l2 + 1e-15) (G, H: sums of gradients and hessians of its rows);
 * - a split's gain is G·v − G_L·v_L − G_R·v_R (XGBoost's eq. 6 with the node's own value v; the
 *   root's v is 0), scanned over the bins of every feature left to right; ties keep the first
 *   (lowest feature, then lowest bin; gains equal up to rounding are ties); min_samples_leaf counts rows, min_hessian_to_split (1e-3)
 *   bounds each side's H;
 * - the splittable node with the largest gain is split next; growth stops at max_leaf_nodes
 *   leaves, at max_depth, or when no split has a positive gain; leaf values are multiplied by the
 *   learning rate at the end.
 *
 * Histograms hold (Σg, Σh, count) per bin of every splittable feature. Only the smaller child's
 * histogram is built from its rows; the larger one is the parent's minus the smaller's (the
 * subtraction trick), computed in the parent's buffer. Rows live in one index array that is
 * partitioned in place, so a node is a range of it and a leaf's rows are known without a search.
 *
 * TreeGrower below is the JavaScript reference; kernels/gbdt-tree.ts grows the same trees bit for
 * bit in WebAssembly (the same nodes, heap, limits and passes, the same sums in the same order).
 * `treeGrower` chooses between them as MLLOOP_KERNELS says (test/models/gbdt-wasm.test.ts).
 */
import { binAt, type BinnedMatrix } from "./histogram-binning.js";
import { wasmGrowerFits, WasmTreeGrower } from "./kernels/gbdt-tree-wasm.js";
import { kernelBackend } from "./kernels/wasm-kernels.js";

export interface GrowerOptions {
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  /** sklearn's min_hessian_to_split (not exposed by its estimators: 1e-3). */
  readonly minHessianToSplit: number;
  /** The learning rate, applied to the leaf values once the tree is grown. */
  readonly shrinkage: number;
}

/** A grown tree in flat arrays; node 0 is the root, a leaf has feature −1. */
export interface Tree {
  readonly feature: Int32Array;
  /** Rows with bin ≤ this go left. */
  readonly bin: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf values (after shrinkage); 0 at internal nodes. */
  readonly value: Float64Array;
}

/** A grown tree and where its training rows ended up: leaf k holds rows[leafStart[k] .. leafEnd[k]). */
export interface GrownTree {
  readonly tree: Tree;
  readonly leafStart: Int32Array;
  readonly leafEnd: Int32Array;
  readonly leafValue: Float64Array;
}

/**
 * A node while the tree grows. Number fields start as non-integer doubles so that V8 stores them as
 * doubles from the first node on (a field that starts as a small integer and later holds a double
 * changes the object's shape, and deoptimises the code that reads it).
 */
class Node {
  sumG = 0.5;
  sumH = 0.5;
  /** Value before shrinkage (the root's is 0, as in sklearn). */
  value = 0.5;
  hist: Float64Array | null = null;
  leaf = false;
  gain = -1.5;
  feature = -1;
  bin = -1;
  gLeft = 0.5;
  hLeft = 0.5;
  valueLeft = 0.5;
  valueRight = 0.5;
  left: Node | null = null;
  right: Node | null = null;
  constructor(
    readonly id: number,
    readonly start: number,
    readonly end: number,
    readonly depth: number,
    sumG: number,
    sumH: number,
    value: number,
  ) {
    this.sumG = sumG;
    this.sumH = sumH;
    this.value = value;
  }
}

/**
 * Two candidate splits whose gains differ by less than this (relative to the terms they are
 * computed from) are a tie, and the first one (lowest feature, then lowest bin) is kept. Exact ties
 * are common in the first round, when every row of a class has the same gradient: sklearn's
 * float32 gradients sum exactly there and its strict ">" keeps the first split, while float64 sums
 * in a different row order differ in the last bits and would pick a split at random among equals.
 */
const TIE_TOLERANCE = 1e-10;

function nodeValue(g: number, h: number, l2: number): number {
  return -g / (h + l2 + 1e-15);
}

/** Max-heap of nodes by gain. */
class GainHeap {
  private readonly items: Node[] = [];
  get size(): number {
    return this.items.length;
  }
  push(node: Node): void {
    const a = this.items;
    a.push(node);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.gain >= node.gain) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = node;
  }
  pop(): Node {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]!.gain > a[l]!.gain ? r : l;
        if (a[c]!.gain <= last.gain) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
  drain(): Node[] {
    return this.items.splice(0);
  }
}

/** Grows trees on one binned matrix; buffers are reused from tree to tree. */
export interface Grower {
  /**
   * Grows one tree on the rows rows[0 .. nRows) (their order is changed: it ends partitioned by
   * leaf) with gradients g and hessians h indexed by row.
   */
  grow(g: Float64Array, h: Float64Array, rows: Int32Array, nRows: number): GrownTree;
  /** Frees what the grower holds (a WebAssembly instance goes back to its pool). */
  close(): void;
}

/**
 * The grower for a fit: WebAssembly unless MLLOOP_KERNELS=js (or the module is not built, or the
 * problem would not fit in a module's memory), else the JavaScript reference.
 */
export function treeGrower(
  X: BinnedMatrix,
  opts: GrowerOptions,
  backend: "js" | "wasm" = kernelBackend("gbdt-tree"),
): Grower {
  return backend === "wasm" && wasmGrowerFits(X, opts) ? new WasmTreeGrower(X, opts) : new TreeGrower(X, opts);
}

/** The JavaScript reference grower. */
export class TreeGrower implements Grower {
  /** The features that have at least two bins (the others cannot be split). */
  private readonly features: Int32Array;
  /** Array offset of each splittable feature's bins in a histogram, by position in `features`. */
  private readonly histBase: Int32Array;
  private readonly histLength: number;
  /**
   * `features` and their histogram offsets padded to a multiple of four, the padding pointing at a
   * spare region after the real bins: the dense histogram pass then has no remainder loop (a loop
   * that never runs leaves V8 without type feedback and deoptimises the pass on every call).
   */
  private readonly blockFeatures: Int32Array;
  private readonly blockBase: Int32Array;
  /** Sparse layout: each feature's position in `features`, −1 when it cannot be split. */
  private readonly position: Int32Array;
  private readonly free: Float64Array[] = [];
  private readonly heap = new GainHeap();
  private nodes: Node[] = [];
  private leaves: Node[] = [];
  private readonly scratch: Int32Array;

  constructor(
    private readonly X: BinnedMatrix,
    private readonly opts: GrowerOptions,
  ) {
    const splittable: number[] = [];
    const base: number[] = [];
    let bins = 0;
    for (let f = 0; f < X.cols; f++) {
      if (X.nBins[f]! < 2) continue;
      splittable.push(f);
      base.push(3 * bins);
      bins += X.nBins[f]!;
    }
    this.features = Int32Array.from(splittable);
    this.histBase = Int32Array.from(base);
    this.position = new Int32Array(X.cols).fill(-1);
    splittable.forEach((f, k) => (this.position[f] = k));
    const padded = 4 * Math.ceil(splittable.length / 4);
    this.blockFeatures = new Int32Array(padded).fill(splittable[0] ?? 0);
    this.blockFeatures.set(splittable);
    this.blockBase = new Int32Array(padded).fill(3 * bins);
    this.blockBase.set(base);
    // The spare region receives the padding's sums (up to 256 bins), which nothing reads.
    this.histLength = 3 * (bins + 256);
    this.scratch = new Int32Array(X.rows);
  }

  /**
   * Grows one tree on the rows rows[0 .. nRows) (their order is changed: it ends partitioned by
   * leaf) with gradients g and hessians h indexed by row.
   */
  grow(g: Float64Array, h: Float64Array, rows: Int32Array, nRows: number): GrownTree {
    const o = this.opts;
    this.nodes = [];
    this.leaves = [];
    let sumG = 0;
    let sumH = 0;
    for (let k = 0; k < nRows; k++) {
      sumG += g[rows[k]!]!;
      sumH += h[rows[k]!]!;
    }
    const root = this.makeNode(0, nRows, 0, sumG, sumH, 0);
    if (nRows < 2 * o.minSamplesLeaf || sumH < o.minHessianToSplit) this.finalize(root);
    else {
      root.hist = this.histogram(g, h, rows, root);
      this.findSplit(root, null);
      this.pushOrFinalize(root);
    }
    // Each split is its own method call: small functions get optimised once and stay optimised.
    while (this.heap.size > 0) this.splitNext(g, h, rows);
    return this.materialize();
  }

  close(): void {}

  private makeNode(start: number, end: number, depth: number, sumG: number, sumH: number, value: number): Node {
    const node = new Node(this.nodes.length, start, end, depth, sumG, sumH, value);
    this.nodes.push(node);
    return node;
  }

  private finalize(node: Node): void {
    node.leaf = true;
    this.leaves.push(node);
    this.release(node);
  }

  private pushOrFinalize(node: Node): void {
    if (node.gain <= 0) this.finalize(node);
    else this.heap.push(node);
  }

  /** Splits the splittable node with the largest gain (sklearn's split_next). */
  private splitNext(g: Float64Array, h: Float64Array, rows: Int32Array): void {
    const o = this.opts;
    const heap = this.heap;
    const node = heap.pop();
    const mid = this.partition(rows, node);
    const depth = node.depth + 1;
    const nLeaves = this.leaves.length + heap.size + 2;
    const left = this.makeNode(node.start, mid, depth, node.gLeft, node.hLeft, node.valueLeft);
    const right = this.makeNode(mid, node.end, depth, node.sumG - node.gLeft, node.sumH - node.hLeft, node.valueRight);
    node.left = left;
    node.right = right;
    if (o.maxLeafNodes !== null && nLeaves === o.maxLeafNodes) {
      this.finalize(left);
      this.finalize(right);
      for (const rest of heap.drain()) this.finalize(rest);
      this.release(node);
      return;
    }
    if (o.maxDepth !== null && depth === o.maxDepth) {
      this.finalize(left);
      this.finalize(right);
      this.release(node);
      return;
    }
    if (left.end - left.start < 2 * o.minSamplesLeaf) this.finalize(left);
    if (right.end - right.start < 2 * o.minSamplesLeaf) this.finalize(right);
    if (left.leaf && right.leaf) {
      this.release(node);
      return;
    }
    // sklearn builds the left child's histogram when it is strictly smaller, else the right's.
    const small = left.end - left.start < right.end - right.start ? left : right;
    const large = small === left ? right : left;
    small.hist = this.histogram(g, h, rows, small);
    // The larger child's histogram is the parent's minus the smaller's, subtracted in the parent's
    // buffer during the larger child's split search, and not at all when the larger child is a leaf.
    if (!large.leaf) {
      large.hist = node.hist;
      node.hist = null;
    } else this.release(node);
    if (!left.leaf) {
      this.findSplit(left, left === large ? small.hist : null);
      this.pushOrFinalize(left);
    }
    if (!right.leaf) {
      this.findSplit(right, right === large ? small.hist : null);
      this.pushOrFinalize(right);
    }
    if (small.leaf) this.release(small);
  }

  /** The grown tree in flat arrays, leaf values shrunk by the learning rate. */
  private materialize(): GrownTree {
    const { nodes, leaves } = this;
    const count = nodes.length;
    const feature = new Int32Array(count).fill(-1);
    const bin = new Int32Array(count);
    const leftIds = new Int32Array(count).fill(-1);
    const rightIds = new Int32Array(count).fill(-1);
    const value = new Float64Array(count);
    for (const node of nodes) {
      if (node.leaf) continue;
      feature[node.id] = node.feature;
      bin[node.id] = node.bin;
      leftIds[node.id] = node.left!.id;
      rightIds[node.id] = node.right!.id;
    }
    const leafStart = new Int32Array(leaves.length);
    const leafEnd = new Int32Array(leaves.length);
    const leafValue = new Float64Array(leaves.length);
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k]!;
      const v = leaf.value * this.opts.shrinkage;
      value[leaf.id] = v;
      leafStart[k] = leaf.start;
      leafEnd[k] = leaf.end;
      leafValue[k] = v;
    }
    return { tree: { feature, bin, left: leftIds, right: rightIds, value }, leafStart, leafEnd, leafValue };
  }

  private release(node: Node): void {
    if (node.hist !== null) {
      this.free.push(node.hist);
      node.hist = null;
    }
  }

  /**
   * (Σg, Σh, count) per bin over rows[start .. end). Features are taken four at a time, each block
   * a pass over the rows: four features' bins (24 bytes each × 255) stay in L1 during a pass, where
   * all of them at once would not — measured about 15% faster than one pass over all features.
   */
  private histogram(g: Float64Array, h: Float64Array, rows: Int32Array, node: Node): Float64Array {
    const hist = this.free.pop() ?? new Float64Array(this.histLength);
    hist.fill(0);
    const { start, end } = node;
    const X = this.X;
    if (X.layout === "sparse") {
      this.sparseHistogram(hist, g, h, rows, node);
      return hist;
    }
    const d = X.cols;
    const bins = X.bins;
    const features = this.blockFeatures;
    const nf = features.length;
    const base = this.blockBase;
    for (let fi = 0; fi < nf; fi += 4) {
      const f0 = features[fi]!;
      const f1 = features[fi + 1]!;
      const f2 = features[fi + 2]!;
      const f3 = features[fi + 3]!;
      const b0 = base[fi]!;
      const b1 = base[fi + 1]!;
      const b2 = base[fi + 2]!;
      const b3 = base[fi + 3]!;
      for (let k = start; k < end; k++) {
        const i = rows[k]!;
        const gi = g[i]!;
        const hi = h[i]!;
        const o = i * d;
        let b = b0 + 3 * bins[o + f0]!;
        hist[b]! += gi;
        hist[b + 1]! += hi;
        hist[b + 2]!++;
        b = b1 + 3 * bins[o + f1]!;
        hist[b]! += gi;
        hist[b + 1]! += hi;
        hist[b + 2]!++;
        b = b2 + 3 * bins[o + f2]!;
        hist[b]! += gi;
        hist[b + 1]! += hi;
        hist[b + 2]!++;
        b = b3 + 3 * bins[o + f3]!;
        hist[b]! += gi;
        hist[b + 1]! += hi;
        hist[b + 2]!++;
      }
    }
    return hist;
  }

  /**
   * The sparse layout's histogram: the node's stored entries, then each feature's zero bin as the
   * node's totals minus the feature's other bins.
   */
  private sparseHistogram(hist: Float64Array, g: Float64Array, h: Float64Array, rows: Int32Array, node: Node): void {
    const X = this.X as Extract<BinnedMatrix, { layout: "sparse" }>;
    const { indptr, feature, bin, zeroBin, nBins } = X;
    const position = this.position;
    const base = this.histBase;
    for (let k = node.start; k < node.end; k++) {
      const i = rows[k]!;
      const gi = g[i]!;
      const hi = h[i]!;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        const pos = position[feature[p]!]!;
        if (pos < 0) continue;
        const b = base[pos]! + 3 * bin[p]!;
        hist[b]! += gi;
        hist[b + 1]! += hi;
        hist[b + 2]!++;
      }
    }
    const count = node.end - node.start;
    const features = this.features;
    for (let fi = 0; fi < features.length; fi++) {
      const f = features[fi]!;
      const b0 = base[fi]!;
      let sg = 0;
      let sh = 0;
      let sc = 0;
      for (let o = b0; o < b0 + 3 * nBins[f]!; o += 3) {
        sg += hist[o]!;
        sh += hist[o + 1]!;
        sc += hist[o + 2]!;
      }
      const z = b0 + 3 * zeroBin[f]!;
      hist[z] = node.sumG - sg;
      hist[z + 1] = node.sumH - sh;
      hist[z + 2] = count - sc;
    }
  }

  /**
   * The best split of a node from its histogram (gain −1 when no split satisfies the
   * constraints). With `minus`, node.hist holds the parent's histogram and becomes the node's by
   * subtracting `minus` (the sibling's) bin by bin as the scan goes.
   */
  private findSplit(node: Node, minus: Float64Array | null = null): void {
    const { minSamplesLeaf: msl, minHessianToSplit: minH, l2Regularization: l2 } = this.opts;
    const hist = node.hist!;
    const n = node.end - node.start;
    const { sumG, sumH } = node;
    const lossCurrent = sumG * node.value;
    const absLoss = Math.abs(lossCurrent);
    // nodeValue's denominator, so that g·v = −g² / (h + l2e) exactly as nodeValue computes it.
    const l2e = l2 + 1e-15;
    const nBins = this.X.nBins;
    let bestGain = -1;
    const features = this.features;
    for (let fi = 0; fi < features.length; fi++) {
      const f = features[fi]!;
      const base = this.histBase[fi]!;
      const last = nBins[f]! - 1;
      if (minus !== null) {
        // This feature's bins become the node's own (parent − sibling) while they are in L1.
        const end = base + 3 * (last + 1);
        for (let o = base; o < end; o++) hist[o]! -= minus[o]!;
      }
      let gL = 0;
      let hL = 0;
      let nL = 0;
      for (let b = 0; b < last; b++) {
        const o = base + 3 * b;
        // An empty bin repeats the previous candidate's gain, which ">" would never prefer.
        if (hist[o + 2] === 0) continue;
        nL += hist[o + 2]!;
        hL += hist[o + 1]!;
        gL += hist[o]!;
        if (nL < msl) continue;
        if (n - nL < msl) break;
        const hR = sumH - hL;
        if (hL < minH) continue;
        if (hR < minH) break;
        const gR = sumG - gL;
        const termL = (-gL * gL) / (hL + l2e);
        const termR = (-gR * gR) / (hR + l2e);
        const gain = lossCurrent - termL - termR;
        // Gains equal up to rounding are ties, kept by the first candidate (see TIE_TOLERANCE).
        const slack = TIE_TOLERANCE * (absLoss - termL - termR);
        if (gain > bestGain + slack && gain > 0) {
          bestGain = gain;
          node.feature = f;
          node.bin = b;
          node.gLeft = gL;
          node.hLeft = hL;
        }
      }
    }
    node.gain = bestGain;
    if (bestGain > 0) {
      node.valueLeft = nodeValue(node.gLeft, node.hLeft, l2);
      node.valueRight = nodeValue(sumG - node.gLeft, sumH - node.hLeft, l2);
    }
  }

  /** Stable in-place partition of the node's rows: bin ≤ split bin first. Returns the boundary. */
  private partition(rows: Int32Array, node: Node): number {
    const X = this.X;
    const f = node.feature;
    const threshold = node.bin;
    const scratch = this.scratch;
    let l = node.start;
    let r = 0;
    if (X.layout === "dense") {
      const d = X.cols;
      const bins = X.bins;
      for (let k = node.start; k < node.end; k++) {
        const i = rows[k]!;
        if (bins[i * d + f]! <= threshold) rows[l++] = i;
        else scratch[r++] = i;
      }
    } else {
      for (let k = node.start; k < node.end; k++) {
        const i = rows[k]!;
        if (binAt(X, i, f) <= threshold) rows[l++] = i;
        else scratch[r++] = i;
      }
    }
    rows.set(scratch.subarray(0, r), l);
    return l;
  }
}

/** out[offset + i] += tree(row i) for every row of a binned matrix. */
export function addTreeBinned(tree: Tree, X: BinnedMatrix, out: Float64Array, offset: number): void {
  const { feature, bin, left, right, value } = tree;
  const n = X.rows;
  if (X.layout === "dense") {
    const d = X.cols;
    const bins = X.bins;
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (feature[node]! >= 0) node = bins[i * d + feature[node]!]! <= bin[node]! ? left[node]! : right[node]!;
      out[offset + i]! += value[node]!;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let node = 0;
    while (feature[node]! >= 0) node = binAt(X, i, feature[node]!) <= bin[node]! ? left[node]! : right[node]!;
    out[offset + i]! += value[node]!;
  }
}
