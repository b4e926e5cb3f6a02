/**
 * Content fingerprints: a dataset's changes when any example's id, content or label changes; a
 * split's identifies exactly which examples it holds, so two runs with equal dev fingerprints
 * were evaluated on the same examples.
 */
import { sha256Hex } from "../util/hash.js";
import type { Example } from "./example.js";

/** Code-unit order: locale-independent, so fingerprints agree across machines. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SHA-256 over the sorted (id, contentHash, label) triples. */
export function datasetFingerprint(examples: readonly Example[]): string {
  const lines = examples.map((e) => JSON.stringify([e.id, e.contentHash, e.label]));
  lines.sort(byCodeUnits);
  return sha256Hex(lines.join("\n"));
}

/** SHA-256 over the sorted (id, contentHash) pairs of the examples at `indices`. */
export function subsetFingerprint(examples: readonly Example[], indices: Iterable<number>): string {
  const lines: string[] = [];
  for (const i of indices) {
    const e = examples[i]!;
    lines.push(JSON.stringify([e.id, e.contentHash]));
  }
  lines.sort(byCodeUnits);
  return sha256Hex(lines.join("\n"));
}
