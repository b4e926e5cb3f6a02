/** Seeded subsampling for `data.limit`: a fixed seed picks the same examples on every run. */
import { createRng, deriveSeed, shuffleInPlace } from "../util/random.js";

/**
 * Indices of `limit` of `n` items chosen by a seeded shuffle, returned in ascending order so that
 * the data keeps its source order. `limit >= n` returns all indices.
 */
export function seededSubsample(n: number, limit: number | undefined, seed: number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (limit === undefined || limit >= n) return all;
  shuffleInPlace(all, createRng(deriveSeed(seed, "data.limit")));
  return all.subarray(0, limit).sort();
}
