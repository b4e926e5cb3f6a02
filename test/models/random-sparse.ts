/** Seeded random sparse classification data for scale tests and benchmarks. */
import type { CsrMatrix } from "../../src/features/csr.js";
import { createRng } from "../../src/util/random.js";

/**
 * rows × cols, about `nnzPerRow` nonzeros per row with Zipf-like column popularity (like word
 * counts), L2-normalised rows (like TF-IDF), and labels from a hidden sparse linear model plus noise.
 */
export function randomSparseProblem(
  rows: number,
  cols: number,
  nnzPerRow: number,
  nClasses: number,
  seed: number,
): { X: CsrMatrix; y: Int32Array } {
  const rng = createRng(seed);
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  const hidden = new Float64Array(cols * nClasses);
  for (let j = 0; j < hidden.length; j++) hidden[j] = rng.next() < 0.1 ? rng.normal() * 3 : 0;
  const y = new Int32Array(rows);
  const seen = new Set<number>();
  for (let i = 0; i < rows; i++) {
    seen.clear();
    const n = Math.max(1, Math.round(nnzPerRow * (0.5 + rng.next())));
    while (seen.size < n) seen.add(Math.min(cols - 1, Math.floor(cols * rng.next() ** 2)));
    const cs = [...seen].sort((a, b) => a - b);
    const vals = cs.map(() => 1 + Math.floor(rng.next() * 3));
    const norm = Math.sqrt(vals.reduce((s, v) => s + v * v, 0));
    const score = new Float64Array(nClasses);
    cs.forEach((c, k) => {
      indices.push(c);
      data.push(vals[k]! / norm);
      for (let q = 0; q < nClasses; q++) score[q]! += (vals[k]! / norm) * hidden[c * nClasses + q]!;
    });
    indptr[i + 1] = indices.length;
    let best = 0;
    for (let q = 0; q < nClasses; q++) {
      score[q]! += rng.normal() * 0.5;
      if (score[q]! > score[best]!) best = q;
    }
    y[i] = best;
  }
  return { X: { rows, cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) }, y };
}
