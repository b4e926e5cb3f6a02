/**
 * The words family: bag of word n-grams, the same numbers as scikit-learn's CountVectorizer /
 * TfidfVectorizer with the default analyzer (lowercase, token_pattern `(?u)\b\w\w+\b`, word
 * n-grams, min_df/max_df, max_features, binary, smooth idf, sublinear tf, L2 rows) and the same
 * column order (vocabulary sorted by code point, like Python's `sorted`).
 *
 * Fitting reads the training examples once: tokens are scanned and interned straight from char codes
 * (token-table.ts), n-grams are interned as id sequences (sequence-table.ts), and document/term
 * frequencies are counted on typed arrays. The fitted family keeps only its vocabulary (and idf);
 * transform rebuilds small lookup tables from it, so a family restored from its state behaves
 * exactly like the one that was fitted.
 */
import { z } from "zod";
import type { Example } from "../data/example.js";
import { DataError, SpecError, StoreError } from "../errors.js";
import { wordsParamsSchema, type WordsParams } from "../spec/schema.js";
import { compareCodePoints } from "../util/codepoint-order.js";
import type { CsrMatrix } from "./csr.js";
import { textField } from "./example-fields.js";
import { notFitted, type FeatureFamily, type FeatureFamilyDefinition } from "./family.js";
import { HashingWordsFamily } from "./hashing.js";
import { IntBuffer, IntChunks } from "./int-buffer.js";
import { numpyArgsort } from "./numpy-argsort.js";
import { SequenceTable } from "./sequence-table.js";
import { TokenTable } from "./token-table.js";
import { wordsPreprocessor } from "./words-preprocess.js";

const PREFIX = "words";
const SPEC_KEY = "features.words";

/** Token id that never matches: unknown word at transform time, or a field boundary (separate_fields). */
const BREAK = -1;

export interface WordsState {
  /** Terms in column order, without the "words:" prefix ("free", "free money", "subject:free"). */
  readonly vocabulary: string[];
  /** tfidf only: idf per column. */
  readonly idf: number[] | null;
  readonly n_train_docs: number;
}

const wordsStateSchema = z.strictObject({
  vocabulary: z.array(z.string().min(1)).min(1),
  idf: z.array(z.number().positive()).nullable(),
  n_train_docs: z.number().int().positive(),
});

/** Reads an example's fields as one token-id sequence, with BREAKs where n-grams must not span. */
export class DocumentScanner {
  readonly tokens = new IntBuffer(4096);
  /** Optional stop words / stemming / normalisation / character n-grams (null: the text as it is). */
  private readonly rewrite: ((text: string) => string) | null;
  constructor(private readonly params: WordsParams) {
    this.rewrite = wordsPreprocessor(params);
  }

  scan(ex: Example, table: TokenTable, insert: boolean): IntBuffer {
    const { fields, lowercase, separate_fields } = this.params;
    const out = this.tokens;
    out.length = 0;
    for (let f = 0; f < fields.length; f++) {
      let text = textField(ex, fields[f]!, `${SPEC_KEY}.fields`);
      if (lowercase) text = text.toLowerCase();
      if (this.rewrite !== null) text = this.rewrite(text);
      // Pooled fields behave as if joined by "\n" (a non-word character: tokens never span it, n-grams do).
      if (separate_fields && f > 0) out.push(BREAK);
      table.scan(text, separate_fields ? f : 0, insert, out);
    }
    return out;
  }
}

/** Entries per chunk of a RowWriter that does not know its row count's total up front. */
const ROW_CHUNK = 1 << 16;

/**
 * Per-document term counts → weighted, sorted CSR rows. Rows are written to chunks and copied once into
 * arrays of the final size; with the number of entries given up front (the training matrix, counted
 * from its scan) they are written straight into those arrays. A buffer grown by doubling held up to
 * twice the matrix, the buffers it grew from and a final trimmed copy: ~20 MB of transient arrays for
 * the spam corpus's training matrix (docs/benchmarks.md, "Memory").
 */
class RowWriter {
  private readonly counts: Float64Array;
  private readonly touched = new IntBuffer(1024);
  private readonly indptr: Int32Array;
  /** Chunks already filled, with the number of entries each holds. */
  private readonly filled: Array<{ indices: Int32Array; values: Float64Array; length: number }> = [];
  private indices: Int32Array;
  private values: Float64Array;
  /** Entries in the current chunk, and before it. */
  private at = 0;
  private before = 0;
  private row = 0;

  constructor(
    private readonly rows: number,
    private readonly cols: number,
    private readonly params: WordsParams,
    private readonly idf: Float64Array | null,
    /** The exact number of entries the rows will hold, when known. */
    nnz?: number,
  ) {
    this.counts = new Float64Array(cols);
    this.indptr = new Int32Array(rows + 1);
    const size = nnz ?? ROW_CHUNK;
    this.indices = new Int32Array(size);
    this.values = new Float64Array(size);
  }

  add(col: number): void {
    if (this.counts[col] === 0) this.touched.push(col);
    this.counts[col]! += 1;
  }

  endRow(): void {
    const n = this.touched.length;
    const cols = this.touched.data.subarray(0, n).sort();
    if (this.at + n > this.indices.length) {
      this.filled.push({ indices: this.indices, values: this.values, length: this.at });
      this.before += this.at;
      this.at = 0;
      this.indices = new Int32Array(Math.max(ROW_CHUNK, n));
      this.values = new Float64Array(Math.max(ROW_CHUNK, n));
    }
    const start = this.at;
    const indices = this.indices;
    const values = this.values;
    const counts = this.counts;
    const { weighting, sublinear_tf, normalize } = this.params;
    const idf = this.idf;
    let sumSq = 0;
    for (let k = 0; k < n; k++) {
      const col = cols[k]!;
      let v = counts[col]!;
      counts[col] = 0;
      if (weighting === "binary") v = 1;
      else if (weighting === "tfidf") {
        if (sublinear_tf) v = Math.log(v) + 1;
        v *= idf![col]!;
        sumSq += v * v;
      }
      indices[start + k] = col;
      values[start + k] = v;
    }
    if (weighting === "tfidf" && normalize && sumSq !== 0) {
      const norm = Math.sqrt(sumSq);
      for (let k = start; k < start + n; k++) values[k]! /= norm;
    }
    this.at = start + n;
    this.touched.length = 0;
    this.indptr[++this.row] = this.before + this.at;
  }

  finish(): CsrMatrix {
    if (this.row !== this.rows) throw new Error(`RowWriter: ${this.row} rows written, ${this.rows} expected`);
    const nnz = this.before + this.at;
    let indices = this.indices;
    let values = this.values;
    if (this.filled.length > 0 || this.at !== indices.length) {
      indices = new Int32Array(nnz);
      values = new Float64Array(nnz);
      let pos = 0;
      for (const c of [...this.filled, { indices: this.indices, values: this.values, length: this.at }]) {
        indices.set(c.indices.subarray(0, c.length), pos);
        values.set(c.values.subarray(0, c.length), pos);
        pos += c.length;
      }
    }
    return { rows: this.rows, cols: this.cols, indptr: this.indptr, indices, data: values };
  }
}

/** Lookup tables for a fixed vocabulary (built after fit, and when restoring a saved state). */
class VocabularyLookup {
  readonly tokens: TokenTable;
  /** token id → column of the unigram, or -1 */
  readonly unigramCol: Int32Array;
  readonly ngrams: SequenceTable;
  readonly ngramCol: Int32Array;

  constructor(vocabulary: readonly string[], params: WordsParams) {
    const { fields, separate_fields, ngram_range } = params;
    const [minN, maxN] = ngram_range;
    this.tokens = new TokenTable(vocabulary.length);
    this.ngrams = new SequenceTable(maxN > 1 ? vocabulary.length : 16);
    const unigramCol = new IntBuffer(vocabulary.length);
    const ngramCol = new IntBuffer(16);
    const ids = new Int32Array(maxN);
    vocabulary.forEach((term, col) => {
      let field = 0;
      let body = term;
      if (separate_fields) {
        // tokens contain neither ":" nor " ", so the field name ends at the last ":"
        const colon = term.lastIndexOf(":");
        field = colon < 0 ? -1 : fields.indexOf(term.slice(0, colon));
        body = term.slice(colon + 1);
        if (field < 0) throw badState(`term "${term}" does not start with one of the fields ${fields.join(", ")}`);
      }
      const words = body.split(" ");
      if (words.length < minN || words.length > maxN || words.some((w) => w.length === 0)) {
        throw badState(`term "${term}" is not a ${minN === maxN ? minN : `${minN}..${maxN}`}-gram of words`);
      }
      words.forEach((w, k) => (ids[k] = this.tokens.add(w, field)));
      if (words.length === 1) {
        const tok = ids[0]!;
        while (unigramCol.length <= tok) unigramCol.push(-1);
        if (unigramCol.data[tok] !== -1) throw badState(`term "${term}" appears twice`);
        unigramCol.data[tok] = col;
      } else {
        const before = this.ngrams.size;
        const seq = this.ngrams.find(ids, 0, words.length, true);
        if (seq < before) throw badState(`term "${term}" appears twice`);
        ngramCol.push(col);
      }
    });
    while (unigramCol.length < this.tokens.size) unigramCol.push(-1);
    this.unigramCol = unigramCol.toArray();
    this.ngramCol = ngramCol.toArray();
  }
}

function badState(detail: string): StoreError {
  return new StoreError(`saved ${PREFIX} features are not usable: ${detail}`);
}

/**
 * Per-term counts while fitting, on typed arrays. A term is a unigram (ref = token id) or an n-gram
 * (ref = sequence id), numbered in order of first appearance.
 */
class TermStats {
  size = 0;
  df: Int32Array;
  /** corpus frequency (for max_features) */
  tf: Int32Array;
  /** last document that counted towards df */
  lastDoc: Int32Array;
  ref: Int32Array;
  isNgram: Uint8Array;

  constructor(capacity: number) {
    this.df = new Int32Array(capacity);
    this.tf = new Int32Array(capacity);
    this.lastDoc = new Int32Array(capacity).fill(-1);
    this.ref = new Int32Array(capacity);
    this.isNgram = new Uint8Array(capacity);
  }

  add(ref: number, isNgram: number): number {
    if (this.size === this.df.length) {
      const cap = this.size * 2;
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      this.df = grow(this.df, (n) => new Int32Array(n));
      this.tf = grow(this.tf, (n) => new Int32Array(n));
      this.lastDoc = grow(this.lastDoc, (n) => new Int32Array(n).fill(-1));
      this.ref = grow(this.ref, (n) => new Int32Array(n));
      this.isNgram = grow(this.isNgram, (n) => new Uint8Array(n));
    }
    this.ref[this.size] = ref;
    this.isNgram[this.size] = isNgram;
    return this.size++;
  }

  count(term: number, doc: number): void {
    if (this.lastDoc[term] !== doc) {
      this.lastDoc[term] = doc;
      this.df[term]!++;
    }
    this.tf[term]!++;
  }
}

/** True if window toks[i, i + n) holds no BREAK (and so may form an n-gram). */
function windowIsWhole(toks: Int32Array, i: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (toks[i + k]! < 0) return false;
  return true;
}

/** What one pass over the training text gives: tokens, n-grams, per-term counts, each document's terms. */
interface CorpusScan {
  readonly nDocs: number;
  readonly tokens: TokenTable;
  readonly ngrams: SequenceTable;
  readonly stats: TermStats;
  /** Term ids of every document (with `keepTrainRows`): document d's are docTerms.chunks[docChunk[d]] from docStarts[d] to docEnds[d]. */
  readonly docTerms: IntChunks | null;
  readonly docChunk: Int32Array;
  readonly docStarts: Int32Array;
  readonly docEnds: Int32Array;
}

/** The parameters a scan depends on: all but those that only filter or reweight its terms. */
function scanKey(params: WordsParams): string {
  const { min_df, max_df, max_features, weighting, sublinear_tf, normalize, ...tokenisation } = params;
  void [min_df, max_df, max_features, weighting, sublinear_tf, normalize];
  return JSON.stringify(tokenisation);
}

function scanCorpus(train: readonly Example[], params: WordsParams, keepTrainRows: boolean): CorpusScan {
  const nDocs = train.length;
  const [minN, maxN] = params.ngram_range;
  const tokens = new TokenTable(1 << 16);
  const ngrams = new SequenceTable(maxN > 1 ? 1 << 16 : 16);
  const scanner = new DocumentScanner(params);

  const stats = new TermStats(1 << 16);
  const unigramTerm = new IntBuffer(1 << 16);
  const ngramTerm = new IntBuffer(maxN > 1 ? 1 << 16 : 16);
  const docTerms = keepTrainRows ? new IntChunks(1 << 18) : null;
  const docChunk = new Int32Array(nDocs);
  const docStarts = new Int32Array(nDocs);
  const docEnds = new Int32Array(nDocs);
  // Plain unigrams (the common case): a term is its token, numbered alike, so no mapping is needed.
  const termIsToken = minN === 1 && maxN === 1;

  for (let d = 0; d < nDocs; d++) {
    const buf = scanner.scan(train[d]!, tokens, true);
    const toks = buf.data;
    const m = buf.length;
    // a document's terms: at most one per n-gram length per token
    const terms = docTerms?.reserve(m * (maxN - minN + 1));
    let at = docTerms?.at ?? 0;
    if (docTerms) {
      docChunk[d] = docTerms.current;
      docStarts[d] = at;
    }
    if (termIsToken) {
      while (stats.size < tokens.size) stats.add(stats.size, 0);
      const { df, tf, lastDoc } = stats;
      for (let i = 0; i < m; i++) {
        const tok = toks[i]!;
        if (tok < 0) continue;
        if (lastDoc[tok] !== d) {
          lastDoc[tok] = d;
          df[tok]!++;
        }
        tf[tok]!++;
        if (terms) terms[at++] = tok;
      }
    } else {
      if (minN === 1) {
        for (let i = 0; i < m; i++) {
          const tok = toks[i]!;
          if (tok < 0) continue;
          while (unigramTerm.length <= tok) unigramTerm.push(-1);
          let term = unigramTerm.data[tok]!;
          if (term < 0) unigramTerm.data[tok] = term = stats.add(tok, 0);
          stats.count(term, d);
          if (terms) terms[at++] = term;
        }
      }
      for (let n = Math.max(minN, 2); n <= maxN; n++) {
        for (let i = 0; i + n <= m; i++) {
          if (!windowIsWhole(toks, i, n)) continue;
          const seq = ngrams.find(toks, i, n, true);
          if (seq === ngramTerm.length) ngramTerm.push(stats.add(seq, 1));
          const term = ngramTerm.data[seq]!;
          stats.count(term, d);
          if (terms) terms[at++] = term;
        }
      }
    }
    if (docTerms) {
      docEnds[d] = at;
      docTerms.at = at;
    }
  }

  return { nDocs, tokens, ngrams, stats, docTerms, docChunk, docStarts, docEnds };
}

interface Fitted {
  readonly vocabulary: string[];
  readonly idf: Float64Array | null;
  readonly nTrainDocs: number;
  /** Built on the first transform: screening fits hundreds of vocabularies and transforms none. */
  lookup: VocabularyLookup | null;
}

export class WordsFamily implements FeatureFamily {
  readonly name = "words";
  private fitted: Fitted | null = null;

  constructor(readonly params: WordsParams) {}

  fit(train: readonly Example[]): void {
    this.learn(train, false);
  }

  fitTransform(train: readonly Example[], shared?: Map<string, unknown>): CsrMatrix {
    return this.learn(train, true, shared)!;
  }

  transform(examples: readonly Example[]): CsrMatrix {
    const fitted = this.fitted;
    if (!fitted) throw notFitted(this.name);
    const lookup = (fitted.lookup ??= new VocabularyLookup(fitted.vocabulary, this.params));
    const [minN, maxN] = this.params.ngram_range;
    const scanner = new DocumentScanner(this.params);
    const writer = new RowWriter(examples.length, fitted.vocabulary.length, this.params, fitted.idf);
    const unigramCol = lookup.unigramCol;
    for (const ex of examples) {
      const buf = scanner.scan(ex, lookup.tokens, false);
      const toks = buf.data;
      const m = buf.length;
      if (minN === 1) {
        for (let i = 0; i < m; i++) {
          const tok = toks[i]!;
          if (tok >= 0) {
            const col = unigramCol[tok]!;
            if (col >= 0) writer.add(col);
          }
        }
      }
      for (let n = Math.max(minN, 2); n <= maxN; n++) {
        for (let i = 0; i + n <= m; i++) {
          if (!windowIsWhole(toks, i, n)) continue;
          const seq = lookup.ngrams.find(toks, i, n, false);
          if (seq >= 0) writer.add(lookup.ngramCol[seq]!);
        }
      }
      writer.endRow();
    }
    return writer.finish();
  }

  featureNames(): string[] {
    if (!this.fitted) throw notFitted(this.name);
    return this.fitted.vocabulary.map((t) => `${PREFIX}:${t}`);
  }

  state(): WordsState {
    if (!this.fitted) throw notFitted(this.name);
    const { vocabulary, idf, nTrainDocs } = this.fitted;
    return { vocabulary: [...vocabulary], idf: idf ? Array.from(idf) : null, n_train_docs: nTrainDocs };
  }

  /** Restore from `state()` output. */
  static fromState(params: WordsParams, state: unknown): WordsFamily {
    const parsed = wordsStateSchema.safeParse(state);
    if (!parsed.success) throw badState(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const { vocabulary, idf, n_train_docs } = parsed.data;
    if ((params.weighting === "tfidf") !== (idf !== null)) {
      throw badState(`idf is ${idf === null ? "missing" : "present"} but weighting is "${params.weighting}"`);
    }
    if (idf !== null && idf.length !== vocabulary.length) {
      throw badState(`${idf.length} idf values for ${vocabulary.length} terms`);
    }
    const family = new WordsFamily(params);
    family.fitted = {
      vocabulary: [...vocabulary],
      idf: idf ? Float64Array.from(idf) : null,
      nTrainDocs: n_train_docs,
      lookup: new VocabularyLookup(vocabulary, params),
    };
    return family;
  }

  /**
   * Learn the vocabulary (and idf); with `keepTrainRows` also return the training matrix. With
   * `shared` (see FeatureFamily.fitTransform) the token scan is kept there by tokenisation and
   * reused by parameter sets that differ only in what is kept and how it is weighted.
   */
  private learn(train: readonly Example[], keepTrainRows: boolean, shared?: Map<string, unknown>): CsrMatrix | null {
    const params = this.params;
    const nDocs = train.length;
    if (nDocs === 0) throw new DataError(`${SPEC_KEY}: there are no training examples to learn a vocabulary from`);
    let scan: CorpusScan;
    if (keepTrainRows && shared !== undefined) {
      const key = `words-scan:${scanKey(params)}`;
      const known = shared.get(key) as CorpusScan | undefined;
      if (known !== undefined && known.nDocs === nDocs) scan = known;
      else shared.set(key, (scan = scanCorpus(train, params, true)));
    } else scan = scanCorpus(train, params, keepTrainRows);
    const { tokens, ngrams, stats, docTerms, docChunk, docStarts, docEnds } = scan;
    const { df, tf, ref: termRef, isNgram: termIsNgram } = stats;
    const nTerms = stats.size;
    if (nTerms === 0) {
      throw new DataError(
        `${SPEC_KEY}: the ${nDocs} training examples contain no words in fields ${params.fields.join(", ")} ` +
          `(a word is 2+ letters, digits or "_"); check features.words.fields`,
      );
    }

    const fieldPrefix = (field: number): string => (params.separate_fields ? `${params.fields[field]}:` : "");
    const termName = (term: number): string => {
      const ref = termRef[term]!;
      if (termIsNgram[term] === 0) return fieldPrefix(tokens.field(ref)) + tokens.token(ref);
      const seq = ngrams.sequence(ref);
      let s = fieldPrefix(tokens.field(seq[0]!)) + tokens.token(seq[0]!);
      for (let k = 1; k < seq.length; k++) s += " " + tokens.token(seq[k]!);
      return s;
    };

    // min_df / max_df: below 1 (max_df: up to 1) a fraction of the training documents, else a count
    const maxCount = params.max_df <= 1 ? params.max_df * nDocs : params.max_df;
    const minCount = params.min_df < 1 ? params.min_df * nDocs : params.min_df;
    if (maxCount < minCount) {
      throw new SpecError(
        `${SPEC_KEY}: max_df=${params.max_df} (${maxCount} of ${nDocs} training documents) is below ` +
          `min_df=${params.min_df} (${minCount} documents); no term could be kept`,
        { where: `${SPEC_KEY}.max_df` },
      );
    }
    const candidates: number[] = [];
    for (let t = 0; t < nTerms; t++) {
      const f = df[t]!;
      if (f <= maxCount && f >= minCount) candidates.push(t);
    }
    const names = candidates.map(termName);
    const order = sortByName(names);
    let kept: number[];
    if (params.max_features !== null && candidates.length > params.max_features) {
      // scikit-learn: stable alphabetical order first, then the top max_features by corpus frequency
      // (document frequency when binary) via numpy's unstable argsort, then alphabetical again.
      const negFreq = new Float64Array(order.length);
      const freq = params.weighting === "binary" ? df : tf;
      order.forEach((k, i) => (negFreq[i] = -freq[candidates[k]!]!));
      const top = numpyArgsort(negFreq).subarray(0, params.max_features).sort();
      kept = Array.from(top, (i) => order[i]!);
    } else kept = order;
    if (kept.length === 0) {
      throw new DataError(
        `${SPEC_KEY}: no term is left after min_df=${params.min_df} and max_df=${params.max_df} ` +
          `(${nTerms} terms in ${nDocs} training documents); lower min_df or raise max_df`,
      );
    }

    const vocabulary = kept.map((k) => names[k]!);
    const colOfTerm = new Int32Array(nTerms).fill(-1);
    kept.forEach((k, col) => (colOfTerm[candidates[k]!] = col));
    let idf: Float64Array | null = null;
    if (params.weighting === "tfidf") {
      idf = new Float64Array(kept.length);
      // smooth idf, as scikit-learn: ln((1 + n) / (1 + df)) + 1
      kept.forEach((k, col) => (idf![col] = Math.log((nDocs + 1) / (df[candidates[k]!]! + 1)) + 1));
    }
    this.fitted = { vocabulary, idf, nTrainDocs: nDocs, lookup: null };

    if (!docTerms) return null;
    // the training matrix's entries are counted first, so that its arrays are allocated at their size
    const lastDocOfCol = new Int32Array(vocabulary.length).fill(-1);
    let nnz = 0;
    for (let d = 0; d < nDocs; d++) {
      const terms = docTerms.chunks[docChunk[d]!]!;
      for (let pos = docStarts[d]!, end = docEnds[d]!; pos < end; pos++) {
        const col = colOfTerm[terms[pos]!]!;
        if (col >= 0 && lastDocOfCol[col] !== d) {
          lastDocOfCol[col] = d;
          nnz++;
        }
      }
    }
    const writer = new RowWriter(nDocs, vocabulary.length, params, idf, nnz);
    for (let d = 0; d < nDocs; d++) {
      const terms = docTerms.chunks[docChunk[d]!]!;
      for (let pos = docStarts[d]!, end = docEnds[d]!; pos < end; pos++) {
        const col = colOfTerm[terms[pos]!]!;
        if (col >= 0) writer.add(col);
      }
      writer.endRow();
    }
    return writer.finish();
  }
}

/** Indices of `names` (all distinct) in code point order (Python's `sorted`). */
function sortByName(names: readonly string[]): number[] {
  // Sorting the strings themselves is several times faster than sorting indices with a comparator.
  // UTF-16 order is code point order unless a surrogate meets a character >= U+E000.
  const simple = names.every((s) => !/[\ud800-\uffff]/.test(s));
  const sorted = simple ? [...names].sort() : [...names].sort(compareCodePoints);
  const index = new Map<string, number>();
  names.forEach((s, i) => index.set(s, i));
  return sorted.map((s) => index.get(s)!);
}

export const wordsFamily: FeatureFamilyDefinition<WordsParams> = {
  name: "words",
  prefix: PREFIX,
  paramsSchema: wordsParamsSchema,
  create: (params) => (params.vectorizer === "hashing" ? new HashingWordsFamily(params) : new WordsFamily(params)),
  restore: (params, state) =>
    params.vectorizer === "hashing"
      ? HashingWordsFamily.fromState(params, state)
      : WordsFamily.fromState(params, state),
};
