/**
 * The hashing variant of the words family (`vectorizer: hashing`): each term goes to column
 * |h| mod n_features of its signed 32-bit MurmurHash3 (seed 0, over the term's UTF-8 bytes), added
 * with the sign of h when alternate_sign is on — scikit-learn's HashingVectorizer, so the columns
 * are the same numbers. There is no vocabulary to learn or hold, and no term is unknown at transform
 * time: the answer for vocabularies that do not fit. With tfidf weighting, the idf of each column
 * is learned from the training documents as TfidfTransformer does (document frequency = documents
 * with a stored entry in the column, smooth idf).
 *
 * Terms are named as the vocabulary variant names them ("free", "free money", "subject:free" with
 * separate_fields), so that both variants hash and count the same terms. One deviation: with
 * sublinear_tf, a negative (sign-flipped) count v becomes −(1 + ln|v|) where scikit-learn would
 * take the log of a negative number (NaN).
 */
import { z } from "zod";
import type { Example } from "../data/example.js";
import { DataError, StoreError } from "../errors.js";
import type { WordsParams } from "../spec/schema.js";
import type { CsrMatrix } from "./csr.js";
import { notFitted, type FeatureFamily } from "./family.js";
import { FloatBuffer, IntBuffer } from "./int-buffer.js";
import { SequenceTable } from "./sequence-table.js";
import { TokenTable } from "./token-table.js";
import { DocumentScanner } from "./words.js";

export const DEFAULT_HASHING_FEATURES = 2 ** 18;
const PREFIX = "words";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();
let scratch = new Uint8Array(256);

/** MurmurHash3 (x86, 32-bit) of `bytes[0, len)`, as a signed int32: sklearn.utils.murmurhash3_32(…, seed). */
export function murmurhash3Bytes(bytes: Uint8Array, len: number, seed = 0): number {
  let h = seed | 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    case 3:
      k ^= bytes[blocks + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[blocks + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[blocks]!;
      k = Math.imul(k, C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, C2);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** MurmurHash3 of a string's UTF-8 encoding (lone surrogates become U+FFFD, as TextEncoder writes them). */
export function murmurhash3(s: string, seed = 0): number {
  if (scratch.length < 3 * s.length) scratch = new Uint8Array(Math.max(3 * s.length, 2 * scratch.length));
  const { written } = utf8.encodeInto(s, scratch);
  return murmurhash3Bytes(scratch, written, seed);
}

/** Column and sign of a term hash, as scikit-learn's _hashing_fast computes them. */
function column(h: number, nFeatures: number): number {
  // abs(-2^31) overflows int32; scikit-learn defines this case as below
  return h === -2147483648 ? (2147483647 - (nFeatures - 1)) % nFeatures : Math.abs(h) % nFeatures;
}

const hashingStateSchema = z.strictObject({
  hashing: z.literal(true),
  n_features: z.number().int().positive(),
  n_train_docs: z.number().int().positive(),
  /** tfidf only: [column, document frequency] for every column seen in train. */
  df: z.array(z.tuple([z.number().int().min(0), z.number().int().positive()])).nullable(),
});
export type HashingState = z.infer<typeof hashingStateSchema>;

interface Fitted {
  readonly nTrainDocs: number;
  readonly idf: Float64Array | null;
  readonly df: Int32Array | null;
}

function badState(detail: string): StoreError {
  return new StoreError(`saved ${PREFIX} (hashing) features are not usable: ${detail}`);
}

export class HashingWordsFamily implements FeatureFamily {
  readonly name = "words";
  readonly nFeatures: number;
  private readonly alternateSign: boolean;
  private fitted: Fitted | null = null;
  // Terms are interned once; each distinct token or n-gram is hashed once.
  private readonly tokens = new TokenTable(1 << 12);
  private readonly ngrams: SequenceTable;
  private tokenCol = new IntBuffer(1 << 12);
  private ngramCol = new IntBuffer(16);

  constructor(readonly params: WordsParams) {
    this.nFeatures = params.n_features ?? DEFAULT_HASHING_FEATURES;
    this.alternateSign = params.alternate_sign ?? true;
    this.ngrams = new SequenceTable(params.ngram_range[1] > 1 ? 1 << 12 : 16);
  }

  private fieldPrefix(field: number): string {
    return this.params.separate_fields ? `${this.params.fields[field]}:` : "";
  }

  /** Signed column of a term: column + 1, negated when the term is added with a minus sign. */
  private signedColumn(term: string): number {
    const h = murmurhash3(term);
    const col = column(h, this.nFeatures) + 1;
    return this.alternateSign && h < 0 ? -col : col;
  }

  private tokenColumn(tok: number): number {
    const cache = this.tokenCol;
    while (cache.length <= tok) cache.push(0);
    let c = cache.data[tok]!;
    if (c === 0) {
      c = this.signedColumn(this.fieldPrefix(this.tokens.field(tok)) + this.tokens.token(tok));
      cache.data[tok] = c;
    }
    return c;
  }

  private ngramColumn(seq: number): number {
    const cache = this.ngramCol;
    while (cache.length <= seq) cache.push(0);
    let c = cache.data[seq]!;
    if (c === 0) {
      const ids = this.ngrams.sequence(seq);
      let term = this.fieldPrefix(this.tokens.field(ids[0]!)) + this.tokens.token(ids[0]!);
      for (let k = 1; k < ids.length; k++) term += " " + this.tokens.token(ids[k]!);
      c = this.signedColumn(term);
      cache.data[seq] = c;
    }
    return c;
  }

  /** Signed counts per column, one CSR row per example (entries that cancel to 0 are kept, as scikit-learn keeps them). */
  private counts(examples: readonly Example[]): CsrMatrix {
    const [minN, maxN] = this.params.ngram_range;
    const scanner = new DocumentScanner(this.params);
    const acc = new Float64Array(this.nFeatures);
    const seen = new Uint8Array(this.nFeatures);
    const touched = new IntBuffer(1024);
    const indptr = new Int32Array(examples.length + 1);
    const indices = new IntBuffer(1 << 16);
    const values = new FloatBuffer(1 << 16);
    const add = (signed: number): void => {
      const col = signed > 0 ? signed - 1 : -signed - 1;
      if (seen[col] === 0) {
        seen[col] = 1;
        touched.push(col);
      }
      acc[col]! += signed > 0 ? 1 : -1;
    };
    examples.forEach((ex, d) => {
      const buf = scanner.scan(ex, this.tokens, true);
      const toks = buf.data;
      const m = buf.length;
      if (minN === 1) {
        for (let i = 0; i < m; i++) {
          const tok = toks[i]!;
          if (tok >= 0) add(this.tokenColumn(tok));
        }
      }
      for (let n = Math.max(minN, 2); n <= maxN; n++) {
        for (let i = 0; i + n <= m; i++) {
          let whole = true;
          for (let k = 0; k < n; k++) if (toks[i + k]! < 0) whole = false;
          if (!whole) continue;
          add(this.ngramColumn(this.ngrams.find(toks, i, n, true)));
        }
      }
      const cols = touched.data.subarray(0, touched.length).sort();
      for (const col of cols) {
        indices.push(col);
        values.push(acc[col]!);
        acc[col] = 0;
        seen[col] = 0;
      }
      touched.length = 0;
      indptr[d + 1] = indices.length;
    });
    return {
      rows: examples.length,
      cols: this.nFeatures,
      indptr,
      indices: indices.toArray(),
      data: values.toArray(),
    };
  }

  /** Weighting as the vocabulary variant applies it (binary, tfidf with sublinear tf, L2 rows). */
  private weight(X: CsrMatrix, idf: Float64Array | null): CsrMatrix {
    const { weighting, sublinear_tf, normalize } = this.params;
    const { data, indices, indptr } = X;
    if (weighting === "counts") return X;
    for (let i = 0; i < X.rows; i++) {
      let sumSq = 0;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
        let v = data[p]!;
        if (weighting === "binary") v = 1;
        else {
          if (sublinear_tf && v !== 0) v = v > 0 ? Math.log(v) + 1 : -(Math.log(-v) + 1);
          v *= idf![indices[p]!]!;
          sumSq += v * v;
        }
        data[p] = v;
      }
      if (weighting === "tfidf" && normalize && sumSq !== 0) {
        const norm = Math.sqrt(sumSq);
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) data[p]! /= norm;
      }
    }
    return X;
  }

  private static idfOf(df: Int32Array, nDocs: number): Float64Array {
    const idf = new Float64Array(df.length);
    // smooth idf, as scikit-learn: ln((1 + n) / (1 + df)) + 1
    for (let j = 0; j < df.length; j++) idf[j] = Math.log((nDocs + 1) / (df[j]! + 1)) + 1;
    return idf;
  }

  fitTransform(train: readonly Example[]): CsrMatrix {
    if (train.length === 0) {
      throw new DataError("features.words: there are no training examples to fit the features on");
    }
    const X = this.counts(train);
    let df: Int32Array | null = null;
    let idf: Float64Array | null = null;
    if (this.params.weighting === "tfidf") {
      df = new Int32Array(this.nFeatures);
      for (let p = 0; p < X.indices.length; p++) df[X.indices[p]!]!++;
      idf = HashingWordsFamily.idfOf(df, train.length);
    }
    this.fitted = { nTrainDocs: train.length, idf, df };
    return this.weight(X, idf);
  }

  fit(train: readonly Example[]): void {
    this.fitTransform(train);
  }

  transform(examples: readonly Example[]): CsrMatrix {
    if (this.fitted === null) throw notFitted(this.name);
    return this.weight(this.counts(examples), this.fitted.idf);
  }

  featureNames(): string[] {
    if (this.fitted === null) throw notFitted(this.name);
    const names = new Array<string>(this.nFeatures);
    for (let j = 0; j < this.nFeatures; j++) names[j] = `${PREFIX}:#${j}`;
    return names;
  }

  state(): HashingState {
    if (this.fitted === null) throw notFitted(this.name);
    const { df, nTrainDocs } = this.fitted;
    let pairs: Array<[number, number]> | null = null;
    if (df !== null) {
      pairs = [];
      for (let j = 0; j < df.length; j++) if (df[j]! > 0) pairs.push([j, df[j]!]);
    }
    return { hashing: true, n_features: this.nFeatures, n_train_docs: nTrainDocs, df: pairs };
  }

  static fromState(params: WordsParams, state: unknown): HashingWordsFamily {
    const parsed = hashingStateSchema.safeParse(state);
    if (!parsed.success) throw badState(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const s = parsed.data;
    const family = new HashingWordsFamily(params);
    if (s.n_features !== family.nFeatures) {
      throw badState(`${s.n_features} columns saved, but n_features is ${family.nFeatures}`);
    }
    if ((params.weighting === "tfidf") !== (s.df !== null)) {
      throw badState(
        `document frequencies are ${s.df === null ? "missing" : "present"} but weighting is "${params.weighting}"`,
      );
    }
    let df: Int32Array | null = null;
    if (s.df !== null) {
      df = new Int32Array(family.nFeatures);
      for (const [col, count] of s.df) {
        if (col >= family.nFeatures) throw badState(`column ${col} is outside n_features ${family.nFeatures}`);
        df[col] = count;
      }
    }
    family.fitted = {
      nTrainDocs: s.n_train_docs,
      df,
      idf: df === null ? null : HashingWordsFamily.idfOf(df, s.n_train_docs),
    };
    return family;
  }
}
