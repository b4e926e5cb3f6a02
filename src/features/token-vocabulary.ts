/**
 * A vocabulary of string tokens learned from the training examples (a token kept if it occurs in
 * at least `minDf` training documents), for families whose tokens are not words of a text: the
 * headers family's "subject:free", "from_domain=yahoo.com", and the urls family's link domains.
 * Columns are in code point order of the token, so the same training data gives the same columns.
 */
import { z } from "zod";
import { StoreError } from "../errors.js";
import { compareCodePoints } from "../util/codepoint-order.js";
import type { CsrMatrix } from "./csr.js";
import { FloatBuffer, IntBuffer } from "./int-buffer.js";

export const vocabularyStateSchema = z.array(z.string().min(1));

export class TokenVocabulary {
  private readonly column = new Map<string, number>();

  private constructor(readonly terms: readonly string[]) {
    terms.forEach((t, i) => this.column.set(t, i));
  }

  /** Learn from the training documents' tokens (a document's repeated tokens count once for df). */
  static fit(docs: readonly (readonly string[])[], minDf: number): TokenVocabulary {
    const df = new Map<string, number>();
    for (const doc of docs) {
      for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const kept = [...df].filter(([, n]) => n >= minDf).map(([t]) => t);
    return new TokenVocabulary(kept.sort(compareCodePoints));
  }

  /** From saved terms (checked: distinct, in column order). */
  static restore(state: unknown, what: string): TokenVocabulary {
    const parsed = vocabularyStateSchema.safeParse(state);
    if (!parsed.success) throw new StoreError(`saved ${what} vocabulary is not a list of tokens`);
    const terms = parsed.data;
    for (let i = 1; i < terms.length; i++) {
      if (compareCodePoints(terms[i - 1]!, terms[i]!) >= 0) {
        throw new StoreError(`saved ${what} vocabulary is not sorted or repeats "${terms[i]}"`);
      }
    }
    return new TokenVocabulary(terms);
  }

  get size(): number {
    return this.terms.length;
  }

  /** One row per document: 1 per known token (binary) or its count. */
  transform(docs: readonly (readonly string[])[], weighting: "binary" | "counts"): CsrMatrix {
    const rows = docs.length;
    const indptr = new Int32Array(rows + 1);
    const indices = new IntBuffer(rows * 8 + 16);
    const data = new FloatBuffer(rows * 8 + 16);
    const counts = new Map<number, number>();
    for (let r = 0; r < rows; r++) {
      counts.clear();
      for (const t of docs[r]!) {
        const col = this.column.get(t);
        if (col !== undefined) counts.set(col, (counts.get(col) ?? 0) + 1);
      }
      const cols = Int32Array.from(counts.keys()).sort();
      for (const col of cols) {
        indices.push(col);
        data.push(weighting === "binary" ? 1 : counts.get(col)!);
      }
      indptr[r + 1] = indices.length;
    }
    return { rows, cols: this.terms.length, indptr, indices: indices.toArray(), data: data.toArray() };
  }
}
