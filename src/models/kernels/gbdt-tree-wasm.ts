/**
 * Gradient boosting's trees grown in WebAssembly (kernels/gbdt-tree.ts), behind the same `Grower`
 * interface as the JavaScript reference (TreeGrower in tree.ts), bit for bit the same trees. The
 * binned matrix is copied into a pooled instance once per fit (when the grower is made), each
 * tree's gradients, hessians and row order once per tree; the nodes, the heap and the histograms
 * live in the module's memory.
 */
import type { BinnedMatrix } from "../histogram-binning.js";
import type { Grower, GrowerOptions, GrownTree } from "../tree.js";
import { WasmArena } from "./wasm-kernels.js";

type Fn = (...args: number[]) => number;

/** Module memory (bytes) beyond which trees are grown in JavaScript (a WebAssembly memory holds at most 4 GiB). */
const MAX_MODULE_BYTES = 2 ** 31;
/** Bytes a node takes in the module: its fields (8 doubles, 9 ints), the flat tree, heap and leaf lists. */
const NODE_BYTES = 8 * 8 + 9 * 4 + 2 * 8 + 6 * 4 + 3 * 4;

/** The most nodes a tree can have: every leaf holds ≥ min_samples_leaf rows, and the limits bound the leaves. */
function nodeCapacity(rows: number, opts: GrowerOptions): number {
  let leaves = Math.max(1, Math.floor(rows / Math.max(1, opts.minSamplesLeaf)));
  if (opts.maxLeafNodes !== null) leaves = Math.min(leaves, Math.max(1, opts.maxLeafNodes));
  if (opts.maxDepth !== null) leaves = Math.min(leaves, 2 ** Math.min(Math.max(0, opts.maxDepth), 30));
  return 2 * leaves;
}

/** Splittable features (≥ 2 bins) and the byte offset of each one's bins in a histogram. */
function histogramLayout(X: BinnedMatrix): { features: Int32Array; histBase: Int32Array; totalBins: number } {
  const features: number[] = [];
  const histBase: number[] = [];
  let bins = 0;
  for (let f = 0; f < X.cols; f++) {
    if (X.nBins[f]! < 2) continue;
    features.push(f);
    histBase.push(24 * bins);
    bins += X.nBins[f]!;
  }
  return { features: Int32Array.from(features), histBase: Int32Array.from(histBase), totalBins: bins };
}

/** Whether a fit's trees fit in a module: the binned matrix, four row arrays, the nodes and a tree's histograms. */
export function wasmGrowerFits(X: BinnedMatrix, opts: GrowerOptions): boolean {
  const matrix = X.layout === "dense" ? X.rows * X.cols : 4 * (X.rows + 1) + 5 * X.indptr[X.rows]!;
  const capacity = nodeCapacity(X.rows, opts);
  const histograms = Math.min(capacity, 64) * 24 * histogramLayout(X).totalBins;
  return matrix + 24 * X.rows + NODE_BYTES * capacity + histograms < MAX_MODULE_BYTES;
}

export class WasmTreeGrower implements Grower {
  private readonly arena: WasmArena;
  private readonly n: number;
  private readonly capacity: number;
  private readonly at: { rows: number; g: number; h: number; out: number };
  private readonly growTree: Fn;
  private readonly read: Record<"nodeCount" | "leafCount", { value: number }>;

  constructor(X: BinnedMatrix, opts: GrowerOptions) {
    const n = (this.n = X.rows);
    const d = X.cols;
    const { features, histBase, totalBins } = histogramLayout(X);
    const nf = features.length;
    const position = new Int32Array(d).fill(-1);
    features.forEach((f, k) => (position[f] = k));
    const capacity = (this.capacity = nodeCapacity(n, opts));
    const histDoubles = 3 * totalBins;
    const dense = X.layout === "dense";
    const nnz = dense ? 0 : X.indptr[n]!;
    const u8 = (length: number): ["i32", number] => ["i32", Math.ceil(length / 4)];
    // Histogram buffers are reserved when the module asks for one (its `moreHistograms` import).
    const arena: WasmArena = WasmArena.open("gbdt-tree", {
      moreHistograms: (): void => {
        (arena.exports["addHistogram"] as Fn)(arena.f64(histDoubles));
      },
    });
    this.arena = arena;
    const at = arena.layout([
      ["i32", nf],
      ["i32", nf],
      ["i32", d],
      u8(d),
      ["i32", d],
      u8(dense ? n * d : 0),
      ["i32", dense ? 0 : n + 1],
      ["i32", nnz],
      u8(nnz),
      ["i32", n],
      ["i32", n],
      ["f64", n],
      ["f64", n],
      ["f64", 8 * capacity + Math.ceil((9 * capacity) / 2)], // node fields
      ["i32", capacity], // heap
      ["i32", capacity], // leaves
      ["i32", capacity + 2], // free histogram buffers
      ["f64", 2 * capacity + 3 * capacity], // the flat tree and leaf ranges
    ]);
    const [featuresAt, histBaseAt, nBins, zeroBin, positionAt, bins, indptr, feature, bin, rows, scratch, g, h] = at as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const [nodes, heap, leaves, free, out] = at.slice(13) as [number, number, number, number, number];
    arena.viewI32(featuresAt, nf).set(features);
    arena.viewI32(histBaseAt, nf).set(histBase);
    arena.viewI32(nBins, d).set(X.nBins);
    arena.viewU8(zeroBin, d).set(X.zeroBin);
    arena.viewI32(positionAt, d).set(position);
    if (X.layout === "dense") arena.viewU8(bins, n * d).set(X.bins);
    else {
      arena.viewI32(indptr, n + 1).set(X.indptr);
      arena.viewI32(feature, nnz).set(X.feature.subarray(0, nnz));
      arena.viewU8(bin, nnz).set(X.bin.subarray(0, nnz));
    }
    const e = arena.exports;
    (e["setup"] as Fn)(
      d,
      nf,
      featuresAt,
      histBaseAt,
      nBins,
      zeroBin,
      positionAt,
      8 * histDoubles,
      dense ? 0 : 1,
      bins,
      indptr,
      feature,
      bin,
      rows,
      scratch,
      g,
      h,
    );
    (e["setupGrower"] as Fn)(
      opts.maxLeafNodes ?? -1,
      opts.maxDepth ?? -1,
      opts.minSamplesLeaf,
      opts.l2Regularization,
      opts.minHessianToSplit,
      opts.shrinkage,
      nodes,
      capacity,
      heap,
      leaves,
      free,
      out,
    );
    this.at = { rows, g, h, out };
    this.growTree = e["growTree"] as Fn;
    this.read = e as unknown as WasmTreeGrower["read"];
  }

  grow(g: Float64Array, h: Float64Array, rows: Int32Array, nRows: number): GrownTree {
    const a = this.arena;
    const { n, capacity } = this;
    a.viewF64(this.at.g, n).set(g.subarray(0, n));
    a.viewF64(this.at.h, n).set(h.subarray(0, n));
    a.viewI32(this.at.rows, nRows).set(rows.subarray(0, nRows));
    const count = this.growTree(nRows);
    const nLeaves = this.read.leafCount.value;
    // The output arrays, as setupGrower lays them out: value, leafValue (f64), then feature, bin,
    // left, right, leafStart, leafEnd (i32), `capacity` entries each.
    const f64 = (k: number, length: number): Float64Array => a.viewF64(this.at.out + 8 * k * capacity, length).slice();
    const i32 = (k: number, length: number): Int32Array =>
      a.viewI32(this.at.out + 16 * capacity + 4 * k * capacity, length).slice();
    rows.set(a.viewI32(this.at.rows, nRows));
    return {
      tree: { feature: i32(0, count), bin: i32(1, count), left: i32(2, count), right: i32(3, count), value: f64(0, count) },
      leafStart: i32(4, nLeaves),
      leafEnd: i32(5, nLeaves),
      leafValue: f64(1, nLeaves),
    };
  }

  close(): void {
    this.arena.close();
  }
}
