// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/gbdt-tree.wasm.
// One regression tree of histogram gradient boosting, grown leaf-wise exactly as TreeGrower in
// src/models/tree.ts (the JavaScript reference) grows it: the same nodes, the same max-heap of
// gains (same sift order, so equal gains pop in the same order), the same limits, and the passes
// over a node's rows — its histogram (Σg, Σh, count per bin of every splittable feature), the best
// split from a histogram (with the subtraction trick: parent − sibling, feature by feature, just
// before that feature's scan) and the stable partition of its rows. Every sum is taken in the
// reference's order and every gain and value with the reference's operations (IEEE-754 doubles,
// no fused multiply-add, no exp/log), so the trees are bit-identical.
//
// Memory layout is set by the caller (src/models/kernels/gbdt-tree-wasm.ts): `setup` and
// `setupGrower` receive byte offsets. A histogram is 3 doubles a bin (Σg, Σh, count), feature fi's
// bins from byte histBase[fi]; Σg and Σh are next to each other, so one f64x2 adds both.
// Histogram buffers are handed out by the caller on demand (`moreHistograms`, an import that
// calls `addHistogram`), as the reference allocates them lazily.

// @ts-nocheck: AssemblyScript types (i32, f64, usize, v128) and builtins (load, store)

/** TIE_TOLERANCE of src/models/tree.ts: gains that differ by less than this (relative) are a tie. */
const TIE_TOLERANCE: f64 = 1e-10;

let nCols: i32 = 0;
/** Number of splittable features, and their columns (i32) and histogram byte offsets (i32). */
let nf: i32 = 0;
let features: usize = 0;
let histBase: usize = 0;
/** Bins per column (i32), zero bin per column (u8), position of a column among the splittable ones (i32, −1 if none). */
let nBins: usize = 0;
let zeroBin: usize = 0;
let position: usize = 0;
/** Bytes of one histogram (zeroed before it is built). */
let histBytes: i32 = 0;
/** Dense layout: u8 bins, row-major (row i's at bins + i·nCols). */
let sparse: bool = false;
let bins: usize = 0;
/** Sparse layout: per row, the features (i32) and bins (u8) stored outside their zero bin. */
let indptr: usize = 0;
let sFeature: usize = 0;
let sBin: usize = 0;
/** The tree's rows (i32, partitioned in place), a scratch of the same length, g and h by row (f64). */
let rows: usize = 0;
let scratch: usize = 0;
let g: usize = 0;
let h: usize = 0;

// findSplit's result besides the gain.
let splitFeature: i32 = -1;
let splitBin: i32 = -1;
let splitGLeft: f64 = 0;
let splitHLeft: f64 = 0;

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}

export function setup(
  cols: i32,
  nFeatures: i32,
  pFeatures: usize,
  pHistBase: usize,
  pNBins: usize,
  pZeroBin: usize,
  pPosition: usize,
  bytesPerHistogram: i32,
  isSparse: bool,
  pBins: usize,
  pIndptr: usize,
  pFeature: usize,
  pBin: usize,
  pRows: usize,
  pScratch: usize,
  pG: usize,
  pH: usize,
): void {
  nCols = cols;
  nf = nFeatures;
  features = pFeatures;
  histBase = pHistBase;
  nBins = pNBins;
  zeroBin = pZeroBin;
  position = pPosition;
  histBytes = bytesPerHistogram;
  sparse = isSparse;
  bins = pBins;
  indptr = pIndptr;
  sFeature = pFeature;
  sBin = pBin;
  rows = pRows;
  scratch = pScratch;
  g = pG;
  h = pH;
}

/** One row's (g, h) added to a bin at byte address p, and its count. */
@inline function addToBin(p: usize, gh: v128): void {
  v128.store(p, f64x2.add(v128.load(p), gh));
  store<f64>(p, load<f64>(p, 16) + 1.0, 16);
}

/**
 * (Σg, Σh, count) per bin over rows[start .. end), into the histogram at `hist`. Each bin's sums
 * are taken in row order, as the reference takes them (its blocks of four features change which
 * bins a pass touches, not the order of the additions into one bin). One pass over the rows, all
 * features of a row at once, four features an iteration: measured ~10 % faster here than the
 * reference's blocks of four features a pass, or one feature an iteration.
 */
function histogram(hist: usize, start: i32, end: i32, sumG: f64, sumH: f64): void {
  memory.fill(hist, 0, <usize>histBytes);
  if (sparse) {
    sparseHistogram(hist, start, end, sumG, sumH);
    return;
  }
  const d = <usize>nCols;
  const nf4 = nf & ~3;
  for (let k = start; k < end; k++) {
    const i = <usize>idx(rows, k);
    const gh = f64x2.replace_lane(f64x2.splat(load<f64>(g + (i << 3))), 1, load<f64>(h + (i << 3)));
    const row = bins + i * d;
    let fi = 0;
    for (; fi < nf4; fi += 4) {
      const pf = features + ((<usize>fi) << 2);
      const pb = histBase + ((<usize>fi) << 2);
      const a0 = hist + <usize>load<i32>(pb) + (<usize>load<u8>(row + <usize>load<i32>(pf))) * 24;
      const a1 = hist + <usize>load<i32>(pb, 4) + (<usize>load<u8>(row + <usize>load<i32>(pf, 4))) * 24;
      const a2 = hist + <usize>load<i32>(pb, 8) + (<usize>load<u8>(row + <usize>load<i32>(pf, 8))) * 24;
      const a3 = hist + <usize>load<i32>(pb, 12) + (<usize>load<u8>(row + <usize>load<i32>(pf, 12))) * 24;
      addToBin(a0, gh);
      addToBin(a1, gh);
      addToBin(a2, gh);
      addToBin(a3, gh);
    }
    for (; fi < nf; fi++) {
      addToBin(hist + <usize>idx(histBase, fi) + (<usize>load<u8>(row + <usize>idx(features, fi))) * 24, gh);
    }
  }
}

/** The sparse layout: the stored entries, then each zero bin as the node's totals minus the other bins. */
function sparseHistogram(hist: usize, start: i32, end: i32, sumG: f64, sumH: f64): void {
  for (let k = start; k < end; k++) {
    const i = idx(rows, k);
    const gh = f64x2.replace_lane(f64x2.splat(at(g, i)), 1, at(h, i));
    const stop = idx(indptr, i + 1);
    for (let p = idx(indptr, i); p < stop; p++) {
      const pos = idx(position, idx(sFeature, p));
      if (pos < 0) continue;
      addToBin(hist + <usize>idx(histBase, pos) + (<usize>load<u8>(sBin + <usize>p)) * 24, gh);
    }
  }
  const count = <f64>(end - start);
  for (let fi = 0; fi < nf; fi++) {
    const f = idx(features, fi);
    const b0 = hist + <usize>idx(histBase, fi);
    const stop = b0 + <usize>idx(nBins, f) * 24;
    let sg: f64 = 0;
    let sh: f64 = 0;
    let sc: f64 = 0;
    for (let o = b0; o < stop; o += 24) {
      sg += load<f64>(o);
      sh += load<f64>(o, 8);
      sc += load<f64>(o, 16);
    }
    const z = b0 + (<usize>load<u8>(zeroBin + <usize>f)) * 24;
    store<f64>(z, sumG - sg);
    store<f64>(z, sumH - sh, 8);
    store<f64>(z, count - sc, 16);
  }
}

/**
 * The best split of a node of n rows from its histogram: returns the gain (−1 when no split
 * satisfies the constraints) and sets splitFeature, splitBin, splitGLeft, splitHLeft. With
 * minus ≠ 0, `hist` holds the parent's histogram and becomes the node's by subtracting the
 * sibling's at `minus`, feature by feature as the scan goes.
 */
function findSplit(
  hist: usize,
  minus: usize,
  n: i32,
  sumG: f64,
  sumH: f64,
  value: f64,
  msl: f64,
  minH: f64,
  l2: f64,
): f64 {
  const lossCurrent = sumG * value;
  const absLoss = Math.abs(lossCurrent);
  const l2v = f64x2.splat(l2 + 1e-15);
  const sums = f64x2.replace_lane(f64x2.splat(sumG), 1, sumH);
  const nRows = <f64>n;
  let bestGain: f64 = -1;
  for (let fi = 0; fi < nf; fi++) {
    const f = idx(features, fi);
    const base = hist + <usize>idx(histBase, fi);
    const last = idx(nBins, f) - 1;
    if (minus != 0) {
      // Σg, Σh and count are subtracted lane by lane: the same roundings as one at a time.
      const m = minus + <usize>idx(histBase, fi);
      const bytes = <usize>(last + 1) * 24;
      let o: usize = 0;
      for (; o + 16 <= bytes; o += 16) v128.store(base + o, f64x2.sub(v128.load(base + o), v128.load(m + o)));
      if (o < bytes) store<f64>(base + o, load<f64>(base + o) - load<f64>(m + o));
    }
    // (gL, hL) and (gR, hR) are pairs of lanes, so that both terms of the gain take one
    // division instruction: lane by lane, the same roundings as the reference's two.
    let left = f64x2.splat(0);
    let nL: f64 = 0;
    for (let b = 0; b < last; b++) {
      const o = base + <usize>b * 24;
      const c = load<f64>(o, 16);
      // An empty bin repeats the previous candidate's gain, which ">" would never prefer.
      if (c == 0) continue;
      nL += c;
      left = f64x2.add(left, v128.load(o));
      if (nL < msl) continue;
      if (nRows - nL < msl) break;
      const right = f64x2.sub(sums, left);
      const hL = f64x2.extract_lane(left, 1);
      if (hL < minH) continue;
      if (f64x2.extract_lane(right, 1) < minH) break;
      const gs = v128.shuffle<f64>(left, right, 0, 2);
      const hs = v128.shuffle<f64>(left, right, 1, 3);
      const terms = f64x2.div(f64x2.mul(f64x2.neg(gs), gs), f64x2.add(hs, l2v));
      const termL = f64x2.extract_lane(terms, 0);
      const termR = f64x2.extract_lane(terms, 1);
      const gain = lossCurrent - termL - termR;
      // slack ≥ 0 (both terms are ≤ 0), so a gain that is not above bestGain cannot pass the
      // reference's test below: skipping the slack then decides the same, ~25 % faster.
      if (!(gain > bestGain)) continue;
      const slack = TIE_TOLERANCE * (absLoss - termL - termR);
      if (gain > bestGain + slack && gain > 0) {
        bestGain = gain;
        splitFeature = f;
        splitBin = b;
        splitGLeft = f64x2.extract_lane(left, 0);
        splitHLeft = hL;
      }
    }
  }
  return bestGain;
}

/** Bin of column f in row i of the sparse layout (a binary search over the row's entries). */
@inline function sparseBinAt(i: i32, f: i32): i32 {
  let lo = idx(indptr, i);
  let hi = idx(indptr, i + 1);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = idx(sFeature, mid);
    if (c == f) return <i32>load<u8>(sBin + <usize>mid);
    if (c < f) lo = mid + 1;
    else hi = mid;
  }
  return <i32>load<u8>(zeroBin + <usize>f);
}

/** Stable in-place partition of rows[start .. end): bin ≤ threshold first. Returns the boundary. */
function partition(start: i32, end: i32, f: i32, threshold: i32): i32 {
  let l = start;
  let r = 0;
  const d = <usize>nCols;
  for (let k = start; k < end; k++) {
    const i = idx(rows, k);
    const b = sparse ? sparseBinAt(i, f) : <i32>load<u8>(bins + <usize>i * d + <usize>f);
    // Both stores, one of them kept: no branch to mispredict (l ≤ k, so rows[l] was read already).
    const goesLeft = <i32>(b <= threshold);
    store<i32>(rows + ((<usize>l) << 2), i);
    store<i32>(scratch + ((<usize>r) << 2), i);
    l += goesLeft;
    r += 1 - goesLeft;
  }
  memory.copy(rows + ((<usize>l) << 2), scratch, (<usize>r) << 2);
  return l;
}

// ---- The grower: nodes in parallel arrays (by node id), a max-heap of node ids by gain, the
// leaves in the order they were finalised, free histogram buffers.

@external("env", "moreHistograms")
declare function moreHistograms(): void;

let maxLeafNodes: i32 = -1;
let maxDepth: i32 = -1;
let minSamplesLeaf: i32 = 1;
let l2Regularization: f64 = 0;
let minHessianToSplit: f64 = 0;
let shrinkage: f64 = 1;
// Node fields (capacity nodes each).
let nStart: usize = 0;
let nEnd: usize = 0;
let nDepth: usize = 0;
let nSumG: usize = 0;
let nSumH: usize = 0;
let nValue: usize = 0;
let nHist: usize = 0;
let nLeaf: usize = 0;
let nGain: usize = 0;
let nFeature: usize = 0;
let nBin: usize = 0;
let nGLeft: usize = 0;
let nHLeft: usize = 0;
let nValueLeft: usize = 0;
let nValueRight: usize = 0;
let nLeft: usize = 0;
let nRight: usize = 0;
let heap: usize = 0;
let heapSize: i32 = 0;
let leaves: usize = 0;
let freeHists: usize = 0;
let freeCount: i32 = 0;
// The grown tree, read by the caller: nodeCount nodes and leafCount leaves.
export let nodeCount: i32 = 0;
export let leafCount: i32 = 0;
let outFeature: usize = 0;
let outBin: usize = 0;
let outLeft: usize = 0;
let outRight: usize = 0;
let outValue: usize = 0;
let outLeafStart: usize = 0;
let outLeafEnd: usize = 0;
let outLeafValue: usize = 0;

@inline function setIdx(p: usize, i: i32, v: i32): void {
  store<i32>(p + ((<usize>i) << 2), v);
}
@inline function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + ((<usize>i) << 3), v);
}

/** The grower's limits and the byte offsets of its arrays (node fields: `capacity` entries). */
export function setupGrower(
  maxLeaves: i32,
  depthLimit: i32,
  msl: i32,
  l2: f64,
  minH: f64,
  rate: f64,
  pNodes: usize,
  capacity: i32,
  pHeap: usize,
  pLeaves: usize,
  pFree: usize,
  pOut: usize,
): void {
  maxLeafNodes = maxLeaves;
  maxDepth = depthLimit;
  minSamplesLeaf = msl;
  l2Regularization = l2;
  minHessianToSplit = minH;
  shrinkage = rate;
  const c8 = (<usize>capacity) << 3;
  const c4 = (<usize>capacity) << 2;
  nSumG = pNodes;
  nSumH = nSumG + c8;
  nValue = nSumH + c8;
  nGain = nValue + c8;
  nGLeft = nGain + c8;
  nHLeft = nGLeft + c8;
  nValueLeft = nHLeft + c8;
  nValueRight = nValueLeft + c8;
  nStart = nValueRight + c8;
  nEnd = nStart + c4;
  nDepth = nEnd + c4;
  nHist = nDepth + c4;
  nLeaf = nHist + c4;
  nFeature = nLeaf + c4;
  nBin = nFeature + c4;
  nLeft = nBin + c4;
  nRight = nLeft + c4;
  heap = pHeap;
  leaves = pLeaves;
  freeHists = pFree;
  freeCount = 0;
  outValue = pOut;
  outLeafValue = outValue + c8;
  outFeature = outLeafValue + c8;
  outBin = outFeature + c4;
  outLeft = outBin + c4;
  outRight = outLeft + c4;
  outLeafStart = outRight + c4;
  outLeafEnd = outLeafStart + c4;
}

/** A histogram buffer given by the caller (in answer to moreHistograms). */
export function addHistogram(p: usize): void {
  setIdx(freeHists, freeCount++, <i32>p);
}

@inline function acquireHistogram(): i32 {
  if (freeCount == 0) moreHistograms();
  return idx(freeHists, --freeCount);
}

function releaseHistogram(node: i32): void {
  const hist = idx(nHist, node);
  if (hist != 0) {
    setIdx(freeHists, freeCount++, hist);
    setIdx(nHist, node, 0);
  }
}

/** −G / (H + l2 + 1e-15), as nodeValue in tree.ts. */
@inline function nodeValue(g: f64, h: f64): f64 {
  return -g / (h + l2Regularization + 1e-15);
}

function makeNode(start: i32, end: i32, depth: i32, sumG: f64, sumH: f64, value: f64): i32 {
  const id = nodeCount++;
  setIdx(nStart, id, start);
  setIdx(nEnd, id, end);
  setIdx(nDepth, id, depth);
  put(nSumG, id, sumG);
  put(nSumH, id, sumH);
  put(nValue, id, value);
  setIdx(nHist, id, 0);
  setIdx(nLeaf, id, 0);
  setIdx(nFeature, id, -1);
  setIdx(nBin, id, -1);
  return id;
}

function finalize(node: i32): void {
  setIdx(nLeaf, node, 1);
  setIdx(leaves, leafCount++, node);
  releaseHistogram(node);
}

/** The node's histogram, built from its rows into a free buffer. */
function buildHistogram(node: i32): void {
  const hist = acquireHistogram();
  setIdx(nHist, node, hist);
  histogram(<usize>hist, idx(nStart, node), idx(nEnd, node), at(nSumG, node), at(nSumH, node));
}

/** The node's best split (gain −1 when none); with minus ≠ 0 its buffer holds the parent's histogram. */
function splitOf(node: i32, minus: i32): void {
  const sumG = at(nSumG, node);
  const sumH = at(nSumH, node);
  const gain = findSplit(
    <usize>idx(nHist, node),
    <usize>minus,
    idx(nEnd, node) - idx(nStart, node),
    sumG,
    sumH,
    at(nValue, node),
    <f64>minSamplesLeaf,
    minHessianToSplit,
    l2Regularization,
  );
  put(nGain, node, gain);
  if (gain > 0) {
    setIdx(nFeature, node, splitFeature);
    setIdx(nBin, node, splitBin);
    put(nGLeft, node, splitGLeft);
    put(nHLeft, node, splitHLeft);
    put(nValueLeft, node, nodeValue(splitGLeft, splitHLeft));
    put(nValueRight, node, nodeValue(sumG - splitGLeft, sumH - splitHLeft));
  }
}

/** GainHeap.push of tree.ts, step for step. */
function heapPush(node: i32): void {
  const gain = at(nGain, node);
  let i = heapSize++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = idx(heap, parent);
    if (at(nGain, p) >= gain) break;
    setIdx(heap, i, p);
    i = parent;
  }
  setIdx(heap, i, node);
}

/** GainHeap.pop of tree.ts, step for step. */
function heapPop(): i32 {
  const top = idx(heap, 0);
  const last = idx(heap, --heapSize);
  if (heapSize > 0) {
    const lastGain = at(nGain, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heapSize) break;
      const r = l + 1;
      const c = r < heapSize && at(nGain, idx(heap, r)) > at(nGain, idx(heap, l)) ? r : l;
      if (at(nGain, idx(heap, c)) <= lastGain) break;
      setIdx(heap, i, idx(heap, c));
      i = c;
    }
    setIdx(heap, i, last);
  }
  return top;
}

function pushOrFinalize(node: i32): void {
  if (at(nGain, node) <= 0) finalize(node);
  else heapPush(node);
}

@inline function size(node: i32): i32 {
  return idx(nEnd, node) - idx(nStart, node);
}

/** TreeGrower.splitNext: splits the splittable node with the largest gain. */
function splitNext(): void {
  const node = heapPop();
  const start = idx(nStart, node);
  const end = idx(nEnd, node);
  const mid = partition(start, end, idx(nFeature, node), idx(nBin, node));
  const depth = idx(nDepth, node) + 1;
  const nLeaves = leafCount + heapSize + 2;
  const gLeft = at(nGLeft, node);
  const hLeft = at(nHLeft, node);
  const left = makeNode(start, mid, depth, gLeft, hLeft, at(nValueLeft, node));
  const right = makeNode(
    mid,
    end,
    depth,
    at(nSumG, node) - gLeft,
    at(nSumH, node) - hLeft,
    at(nValueRight, node),
  );
  setIdx(nLeft, node, left);
  setIdx(nRight, node, right);
  if (maxLeafNodes >= 0 && nLeaves == maxLeafNodes) {
    finalize(left);
    finalize(right);
    // heap.drain(): the rest in the heap array's order.
    for (let k = 0; k < heapSize; k++) finalize(idx(heap, k));
    heapSize = 0;
    releaseHistogram(node);
    return;
  }
  if (maxDepth >= 0 && depth == maxDepth) {
    finalize(left);
    finalize(right);
    releaseHistogram(node);
    return;
  }
  if (size(left) < 2 * minSamplesLeaf) finalize(left);
  if (size(right) < 2 * minSamplesLeaf) finalize(right);
  const leftLeaf = idx(nLeaf, left) != 0;
  const rightLeaf = idx(nLeaf, right) != 0;
  if (leftLeaf && rightLeaf) {
    releaseHistogram(node);
    return;
  }
  const small = size(left) < size(right) ? left : right;
  const large = small == left ? right : left;
  buildHistogram(small);
  if (idx(nLeaf, large) == 0) {
    setIdx(nHist, large, idx(nHist, node));
    setIdx(nHist, node, 0);
  } else releaseHistogram(node);
  if (!leftLeaf) {
    splitOf(left, left == large ? idx(nHist, small) : 0);
    pushOrFinalize(left);
  }
  if (!rightLeaf) {
    splitOf(right, right == large ? idx(nHist, small) : 0);
    pushOrFinalize(right);
  }
  if (idx(nLeaf, small) != 0) releaseHistogram(small);
}

/**
 * TreeGrower.grow: one tree on rows[0 .. nRows) (left partitioned by leaf), the result in the
 * output arrays (materialize's flat tree and leaf ranges); returns the number of nodes.
 */
export function growTree(nRows: i32): i32 {
  nodeCount = 0;
  leafCount = 0;
  heapSize = 0;
  let sumG: f64 = 0;
  let sumH: f64 = 0;
  for (let k = 0; k < nRows; k++) {
    const i = idx(rows, k);
    sumG += at(g, i);
    sumH += at(h, i);
  }
  const root = makeNode(0, nRows, 0, sumG, sumH, 0);
  if (nRows < 2 * minSamplesLeaf || sumH < minHessianToSplit) finalize(root);
  else {
    buildHistogram(root);
    splitOf(root, 0);
    pushOrFinalize(root);
  }
  while (heapSize > 0) splitNext();
  // materialize()
  for (let id = 0; id < nodeCount; id++) {
    const leaf = idx(nLeaf, id) != 0;
    setIdx(outFeature, id, leaf ? -1 : idx(nFeature, id));
    setIdx(outBin, id, leaf ? 0 : idx(nBin, id));
    setIdx(outLeft, id, leaf ? -1 : idx(nLeft, id));
    setIdx(outRight, id, leaf ? -1 : idx(nRight, id));
    put(outValue, id, 0);
  }
  for (let k = 0; k < leafCount; k++) {
    const leaf = idx(leaves, k);
    const v = at(nValue, leaf) * shrinkage;
    put(outValue, leaf, v);
    setIdx(outLeafStart, k, idx(nStart, leaf));
    setIdx(outLeafEnd, k, idx(nEnd, leaf));
    put(outLeafValue, k, v);
  }
  return nodeCount;
}
