/**
 * mlloop side of the words-featurisation benchmark (the scikit-learn side is features_bench.py,
 * which also writes the body strings this reads). Times the words family's fitTransform with
 * min_df=2, sublinear_tf=true (= TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform) on all
 * 6,046 SpamAssassin bodies, and also fit followed by a separate transform (two passes over the text,
 * as the experiment runner does); 5 runs each after one warm-up, median printed.
 *
 * Run from the repo root:
 *   /usr/bin/python3 test/reference/features_bench.py /tmp/spam_bodies.json
 *   npx tsx test/reference/features_bench.ts /tmp/spam_bodies.json
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** fitTransform (= TfidfVectorizer.fit_transform), or fit then transform (what the runner does). */
function once(mode: "fitTransform" | "fit+transform"): {
  s: number;
  cpu: number;
  shape: [number, number];
  nnz: number;
} {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const family = createFamily("words", params);
  let X;
  if (mode === "fitTransform") X = family.fitTransform!(examples);
  else {
    family.fit(examples);
    X = family.transform(examples);
  }
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { s, cpu: (c.user + c.system) / 1e6, shape: [X.rows, X.cols], nnz: csrNnz(X) };
}

const result: Record<string, unknown> = {
  node: process.version,
  docs: examples.length,
  utf16_units: bodies.reduce((s, b) => s + b.length, 0),
};
for (const mode of ["fitTransform", "fit+transform"] as const) {
  once(mode); // warm-up: JIT and the lazily filled character tables
  const runs = Array.from({ length: 5 }, () => once(mode));
  result[mode] = {
    shape: runs[0]!.shape,
    nnz: runs[0]!.nnz,
    times_s: runs.map((r) => Math.round(r.s * 1e4) / 1e4),
    median_s: Math.round(median(runs.map((r) => r.s)) * 1e4) / 1e4,
    // all threads (V8 also collects garbage on a helper thread)
    cpu_median_s: Math.round(median(runs.map((r) => r.cpu)) * 1e4) / 1e4,
  };
}
result.load_avg = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(JSON.stringify(result));
