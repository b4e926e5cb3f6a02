/**
 * The one sparse matrix type of mlloop: compressed sparse rows on typed arrays, the same layout
 * as scipy.sparse.csr_matrix. Rows are examples, columns are named features. Column indices
 * within a row are sorted ascending and unique (every producer guarantees it; learners rely on it).
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** length rows + 1; row i's entries are indptr[i] .. indptr[i+1]-1 */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float64Array;
}

export function csrEmpty(rows: number, cols: number): CsrMatrix {
  return { rows, cols, indptr: new Int32Array(rows + 1), indices: new Int32Array(0), data: new Float64Array(0) };
}

/** Number of stored entries. */
export function csrNnz(m: CsrMatrix): number {
  return m.indptr[m.rows] ?? 0;
}

/** Rows `rowIds` of `m`, in that order (used for splits and CV folds). */
export function csrSelectRows(m: CsrMatrix, rowIds: ArrayLike<number>): CsrMatrix {
  const n = rowIds.length;
  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let k = 0; k < n; k++) {
    const r = rowIds[k]!;
    nnz += m.indptr[r + 1]! - m.indptr[r]!;
    indptr[k + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  for (let k = 0; k < n; k++) {
    const r = rowIds[k]!;
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    indices.set(m.indices.subarray(start, end), indptr[k]!);
    data.set(m.data.subarray(start, end), indptr[k]!);
  }
  return { rows: n, cols: m.cols, indptr, indices, data };
}

/** Columns side by side: [a | b]. Both must have the same number of rows. */
export function csrHstack(parts: readonly CsrMatrix[]): CsrMatrix {
  if (parts.length === 0) throw new Error("csrHstack needs at least one matrix");
  const rows = parts[0]!.rows;
  let cols = 0;
  let nnz = 0;
  for (const p of parts) {
    if (p.rows !== rows) throw new Error(`csrHstack: row counts differ (${rows} vs ${p.rows})`);
    cols += p.cols;
    nnz += csrNnz(p);
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (const p of parts) {
      const start = p.indptr[r]!;
      const end = p.indptr[r + 1]!;
      for (let k = start; k < end; k++) {
        indices[pos] = p.indices[k]! + offset;
        data[pos] = p.data[k]!;
        pos++;
      }
      offset += p.cols;
    }
    indptr[r + 1] = pos;
  }
  return { rows, cols, indptr, indices, data };
}

/** Build a CSR matrix from a dense row-major array (tests and small tabular data). */
export function csrFromDense(dense: ArrayLike<number>, rows: number, cols: number): CsrMatrix {
  const indptr = new Int32Array(rows + 1);
  const idx: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = dense[r * cols + c]!;
      if (v !== 0) {
        idx.push(c);
        vals.push(v);
      }
    }
    indptr[r + 1] = idx.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(idx), data: Float64Array.from(vals) };
}

/** Dense row-major copy (tests, tiny matrices only). */
export function csrToDense(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) out[r * m.cols + m.indices[k]!] = m.data[k]!;
  }
  return out;
}
