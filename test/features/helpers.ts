/** Hand-made examples and fixture loading for the features tests. */
import { readFileSync } from "node:fs";
import type { Example } from "../../src/data/example.js";
import { csrToDense, type CsrMatrix } from "../../src/features/csr.js";

export function example(
  id: string,
  parts: {
    text?: Record<string, string>;
    numeric?: Record<string, number | null>;
    categorical?: Record<string, string | null>;
  },
): Example {
  return {
    id,
    label: "x",
    group: null,
    text: parts.text ?? {},
    numeric: parts.numeric ?? {},
    categorical: parts.categorical ?? {},
    contentHash: id,
  };
}

/** Examples with one text field "text". */
export function docs(texts: readonly string[], prefix = "d"): Example[] {
  return texts.map((t, i) => example(`${prefix}${i}`, { text: { text: t } }));
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/features/${name}`, import.meta.url), "utf8")) as T;
}

export interface CsrJson {
  shape: [number, number];
  indptr: number[];
  indices: number[];
  data: number[];
}

/** Row i of a CSR matrix as a dense plain array. */
export function denseRows(m: CsrMatrix): number[][] {
  const d = csrToDense(m);
  return Array.from({ length: m.rows }, (_, r) => Array.from(d.subarray(r * m.cols, (r + 1) * m.cols)));
}

/** Every row has strictly increasing column indices within [0, cols). */
export function assertSortedRows(m: CsrMatrix): void {
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const c = m.indices[k]!;
      if (c < 0 || c >= m.cols) throw new Error(`row ${r}: column ${c} out of range`);
      if (k > m.indptr[r]! && c <= m.indices[k - 1]!) throw new Error(`row ${r}: columns not strictly increasing`);
    }
  }
}
