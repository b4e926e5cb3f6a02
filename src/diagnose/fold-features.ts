/**
 * Features for cross-validation without re-reading the text for every fold.
 *
 * A learning curve refits the whole pipeline on each (fold, size) training subset, as scikit-learn's
 * Pipeline does: the words vocabulary (min_df, max_df, max_features) and idf come from that subset
 * only. Tokenizing 40 times is what makes that slow, so the words family is scanned once, with every
 * term kept as raw counts (columns already in the family's code-point order), and each subset's
 * vocabulary, idf, sublinear tf and L2 rows are then computed from those counts — the same numbers
 * as refitting the family (test/diagnose/curves.test.ts checks them against scikit-learn).
 *
 * Other families (numeric, categorical, the email families, hashed words) are fitted once on the
 * whole pool: only their scaling statistics (and a hashed vocabulary's idf) see the validation fold,
 * which the curves' readings tolerate.
 */
import type { Example } from "../data/example.js";
import { csrHstack, type CsrMatrix } from "../features/csr.js";
import { numpyArgsort } from "../features/numpy-argsort.js";
import { fitFeatures } from "../features/pipeline.js";
import { createFamily } from "../features/registry.js";
import type { FeaturesSpec, WordsParams } from "../spec/schema.js";

export interface FoldFeatureSource {
  readonly rows: number;
  /** The words family's raw term counts over the pool (every term), and its real parameters. */
  readonly words: { readonly counts: CsrMatrix; readonly params: WordsParams } | null;
  /** All other families, fitted on the whole pool. */
  readonly fixed: CsrMatrix | null;
}

export function prepareFoldFeatures(spec: FeaturesSpec, pool: readonly Example[]): FoldFeatureSource {
  const all = spec as FeaturesSpec & Record<string, unknown>;
  // hashed words have fixed columns and nothing to refit but idf: they join the fixed block
  const hashed = (all.words as { vectorizer?: string } | undefined)?.vectorizer === "hashing";
  const { words, ...rest } = all;
  const others: Record<string, unknown> = hashed ? { ...rest, words } : rest;
  let wordsSource: FoldFeatureSource["words"] = null;
  if (words !== undefined && !hashed) {
    const params = words as WordsParams;
    const family = createFamily("words", {
      ...params,
      min_df: 1,
      max_df: 1.0,
      max_features: null,
      weighting: "counts",
      sublinear_tf: false,
    });
    const counts = family.fitTransform ? family.fitTransform(pool) : (family.fit(pool), family.transform(pool));
    wordsSource = { counts, params };
  }
  const hasOthers = Object.values(others).some((v) => v !== undefined);
  const fixed = hasOthers ? fitFeatures(others as FeaturesSpec, pool).transform(pool) : null;
  return { rows: pool.length, words: wordsSource, fixed };
}

/** Column selection and idf of the words family refitted on `trainRows`. */
function wordsVocabulary(
  counts: CsrMatrix,
  params: WordsParams,
  trainRows: ArrayLike<number>,
): { colMap: Int32Array; idf: Float64Array | null; nCols: number } {
  const nDocs = trainRows.length;
  const df = new Float64Array(counts.cols);
  const tf = params.max_features !== null ? new Float64Array(counts.cols) : null;
  const { indptr, indices, data } = counts;
  for (let k = 0; k < nDocs; k++) {
    const r = trainRows[k]!;
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
      df[indices[p]!]!++;
      if (tf) tf[indices[p]!]! += data[p]!;
    }
  }
  const maxCount = params.max_df <= 1 ? params.max_df * nDocs : params.max_df;
  const minCount = params.min_df < 1 ? params.min_df * nDocs : params.min_df;
  let kept: number[] = [];
  for (let c = 0; c < counts.cols; c++) {
    const f = df[c]!;
    // df 0: a term only the other rows have is not in this subset's vocabulary at all
    if (f > 0 && f <= maxCount && f >= minCount) kept.push(c);
  }
  if (params.max_features !== null && kept.length > params.max_features) {
    const freq = params.weighting === "binary" ? df : tf!;
    const negFreq = Float64Array.from(kept, (c) => -freq[c]!);
    const top = numpyArgsort(negFreq).subarray(0, params.max_features).sort();
    kept = Array.from(top, (i) => kept[i]!);
  }
  const colMap = new Int32Array(counts.cols).fill(-1);
  kept.forEach((c, j) => (colMap[c] = j));
  let idf: Float64Array | null = null;
  if (params.weighting === "tfidf") {
    idf = new Float64Array(kept.length);
    kept.forEach((c, j) => (idf![j] = Math.log((nDocs + 1) / (df[c]! + 1)) + 1));
  }
  return { colMap, idf, nCols: kept.length };
}

/** Rows of the counts matrix weighted as the words family would (same operations, same order). */
function weightRows(
  counts: CsrMatrix,
  params: WordsParams,
  vocab: { colMap: Int32Array; idf: Float64Array | null; nCols: number },
  rows: ArrayLike<number>,
): CsrMatrix {
  const n = rows.length;
  const { indptr, indices, data } = counts;
  let nnz = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) if (vocab.colMap[indices[p]!]! >= 0) nnz++;
  }
  const outPtr = new Int32Array(n + 1);
  const outIdx = new Int32Array(nnz);
  const outVal = new Float64Array(nnz);
  const { weighting, sublinear_tf, normalize } = params;
  const idf = vocab.idf;
  let at = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    const start = at;
    let sumSq = 0;
    // source columns are sorted and colMap is increasing, so output columns stay sorted
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
      const col = vocab.colMap[indices[p]!]!;
      if (col < 0) continue;
      let v = data[p]!;
      if (weighting === "binary") v = 1;
      else if (weighting === "tfidf") {
        if (sublinear_tf) v = Math.log(v) + 1;
        v *= idf![col]!;
        sumSq += v * v;
      }
      outIdx[at] = col;
      outVal[at] = v;
      at++;
    }
    if (weighting === "tfidf" && normalize && sumSq !== 0) {
      const norm = Math.sqrt(sumSq);
      for (let q = start; q < at; q++) outVal[q]! /= norm;
    }
    outPtr[k + 1] = at;
  }
  return { rows: n, cols: vocab.nCols, indptr: outPtr, indices: outIdx, data: outVal };
}

function selectRows(m: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  const n = rows.length;
  const indptr = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) indptr[k + 1] = indptr[k]! + m.indptr[rows[k]! + 1]! - m.indptr[rows[k]!]!;
  const indices = new Int32Array(indptr[n]!);
  const data = new Float64Array(indptr[n]!);
  for (let k = 0; k < n; k++) {
    const s = m.indptr[rows[k]!]!;
    const e = m.indptr[rows[k]! + 1]!;
    indices.set(m.indices.subarray(s, e), indptr[k]!);
    data.set(m.data.subarray(s, e), indptr[k]!);
  }
  return { rows: n, cols: m.cols, indptr, indices, data };
}

/**
 * The feature matrices of a pipeline refitted on `trainRows`: the training matrix and one matrix per
 * entry of `otherRows` (validation rows), all with the subset's columns.
 */
export function buildFoldMatrices(
  source: FoldFeatureSource,
  trainRows: ArrayLike<number>,
  otherRows: ReadonlyArray<ArrayLike<number>>,
): { train: CsrMatrix; others: CsrMatrix[] } {
  const sets = [trainRows, ...otherRows];
  const blocks: CsrMatrix[][] = sets.map(() => []);
  if (source.words) {
    const { counts, params } = source.words;
    const vocab = wordsVocabulary(counts, params, trainRows);
    sets.forEach((rows, i) => blocks[i]!.push(weightRows(counts, params, vocab, rows)));
  }
  if (source.fixed) sets.forEach((rows, i) => blocks[i]!.push(selectRows(source.fixed!, rows)));
  const out = blocks.map((b) => (b.length === 1 ? b[0]! : csrHstack(b)));
  return { train: out[0]!, others: out.slice(1) };
}
