/**
 * mlloop side of the words-featurisation benchmark (the scikit-learn side is features_bench.py,
 * which also writes the body strings this reads). Times the words family's fitTransform with
 * min_df=2, sublinear_tf=true (= TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform) on all
 * 6,046 SpamAssassin bodies, 5 runs after one warm-up, and prints the median.
 *
 * Run from the repo root:
 *   /usr/bin/python3 test/reference/features_bench.py /tmp/spam_bodies.json
 *   npx tsx test/reference/features_bench.ts /tmp/spam_bodies.json
 */
import { readFileSync } from "node:fs";
import type { Example } from "../../src/data/example.js";
import { csrNnz } from "../../src/features/csr.js";
import { createFamily } from "../../src/features/registry.js";

const path = process.argv[2] ?? "/tmp/spam_bodies.json";
const bodies = JSON.parse(readFileSync(path, "utf8")) as string[];
const examples: Example[] = bodies.map((body, i) => ({
  id: String(i),
  label: "",
  group: null,
  text: { body },
  numeric: {},
  categorical: {},
  contentHash: "",
}));
const params = { fields: ["body"], min_df: 2, sublinear_tf: true, weighting: "tfidf" };

function once(): { ms: number; shape: [number, number]; nnz: number } {
  const t0 = performance.now();
  const family = createFamily("words", params);
  const X = family.fitTransform!(examples);
  const ms = performance.now() - t0;
  return { ms, shape: [X.rows, X.cols], nnz: csrNnz(X) };
}

once(); // warm-up: JIT and the lazily filled character tables
const runs = Array.from({ length: 5 }, once);
const times = runs.map((r) => r.ms / 1000).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    node: process.version,
    docs: examples.length,
    chars: bodies.reduce((s, b) => s + b.length, 0),
    shape: runs[0]!.shape,
    nnz: runs[0]!.nnz,
    times_s: runs.map((r) => Math.round(r.ms) / 1000),
    median_s: Math.round(times[2]! * 1e4) / 1e4,
  }),
);
