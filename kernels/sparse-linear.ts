// AssemblyScript, compiled ahead of time by `npm run build` (scripts/build.sh) to
// dist/kernels/sparse-linear.wasm. The hot loops of the sparse linear learners: the same
// arithmetic, in the same order, as their JavaScript references in src/models/sparse-linear.ts
// and src/models/logistic-objectives.ts, so the results are bit-identical (WebAssembly f64 is
// IEEE-754 with no fused multiply-add). Arguments are byte offsets into this module's memory,
// laid out by src/models/kernels/wasm-kernels.ts.

// @ts-nocheck: AssemblyScript types (i32, f64, usize) and builtins (load, store)

/** out[i] = bias + Σ_k data[k] · w[indices[k]] over row i (csrTimesVector). */
export function csrTimesVector(rows: i32, indptr: usize, indices: usize, data: usize, w: usize, bias: f64, out: usize): void {
  let start = load<i32>(indptr);
  for (let i = 0; i < rows; i++) {
    const end = load<i32>(indptr + ((<usize>(i + 1)) << 2));
    let s = bias;
    for (let k = start; k < end; k++) {
      const j = load<i32>(indices + ((<usize>k) << 2));
      s += load<f64>(data + ((<usize>k) << 3)) * load<f64>(w + ((<usize>j) << 3));
    }
    store<f64>(out + ((<usize>i) << 3), s);
    start = end;
  }
}

/** out[j] = l2 · v[j] + Σ_q t[rowind[q]] · data[q] down column j (Xᵀ·t of hessVec). */
export function cscTimesVector(cols: i32, colptr: usize, rowind: usize, data: usize, t: usize, v: usize, l2: f64, out: usize): void {
  let start = load<i32>(colptr);
  for (let j = 0; j < cols; j++) {
    const end = load<i32>(colptr + ((<usize>(j + 1)) << 2));
    let o = l2 * load<f64>(v + ((<usize>j) << 3));
    for (let q = start; q < end; q++) {
      const i = load<i32>(rowind + ((<usize>q) << 2));
      o += load<f64>(t + ((<usize>i) << 3)) * load<f64>(data + ((<usize>q) << 3));
    }
    store<f64>(out + ((<usize>j) << 3), o);
    start = end;
  }
}

/**
 * The gradient's Xᵀ·R and the Hessian diagonal Σ D_i x_ij² in one pass down the columns
 * (BinaryLogisticObjective.gradient).
 */
export function cscGradientAndDiagonal(
  cols: i32,
  colptr: usize,
  rowind: usize,
  data: usize,
  R: usize,
  D: usize,
  w: usize,
  l2: f64,
  g: usize,
  diag: usize,
): void {
  let start = load<i32>(colptr);
  for (let j = 0; j < cols; j++) {
    const end = load<i32>(colptr + ((<usize>(j + 1)) << 2));
    let gj = l2 * load<f64>(w + ((<usize>j) << 3));
    let hj = l2;
    for (let q = start; q < end; q++) {
      const i = (<usize>load<i32>(rowind + ((<usize>q) << 2))) << 3;
      const x = load<f64>(data + ((<usize>q) << 3));
      gj += load<f64>(R + i) * x;
      hj += load<f64>(D + i) * x * x;
    }
    store<f64>(g + ((<usize>j) << 3), gj);
    store<f64>(diag + ((<usize>j) << 3), hj);
    start = end;
  }
}

/**
 * The transpose of a CSR matrix as compressed sparse columns (csrToCsc): `colptr` (cols + 1) and
 * `next` (cols) must be zero on entry; rows stay ascending within each column.
 */
export function csrToCsc(rows: i32, cols: i32, indptr: usize, indices: usize, data: usize, colptr: usize, next: usize, rowind: usize, cdata: usize): void {
  const nnz = load<i32>(indptr + ((<usize>rows) << 2));
  for (let p = 0; p < nnz; p++) {
    const at = colptr + ((<usize>(load<i32>(indices + ((<usize>p) << 2)) + 1)) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let j = 0; j < cols; j++) {
    const at = colptr + ((<usize>(j + 1)) << 2);
    const v = load<i32>(at) + load<i32>(at - 4);
    store<i32>(at, v);
    store<i32>(next + ((<usize>j) << 2), load<i32>(at - 4));
  }
  let start = load<i32>(indptr);
  for (let i = 0; i < rows; i++) {
    const end = load<i32>(indptr + ((<usize>(i + 1)) << 2));
    for (let p = start; p < end; p++) {
      const at = next + ((<usize>load<i32>(indices + ((<usize>p) << 2))) << 2);
      const q = load<i32>(at);
      store<i32>(at, q + 1);
      store<i32>(rowind + ((<usize>q) << 2), i);
      store<f64>(cdata + ((<usize>q) << 3), load<f64>(data + ((<usize>p) << 3)));
    }
    start = end;
  }
}
