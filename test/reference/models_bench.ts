/**
 * Fit-time benchmark of logistic regression (C = 1) and multinomial naive Bayes, side by side with
 * scikit-learn on the same matrices:
 *
 *   npx tsx test/reference/models_bench.ts          # builds the matrices, times ours, writes them to disk
 *   /usr/bin/python3 test/reference/models_bench.py # times sklearn's liblinear LR and MultinomialNB on them
 *
 * Matrices: "random" — 4,836 × 27,859, ~145 nonzeros per row, L2-normalised rows with Zipf-like
 * column popularity (TF-IDF-like), labels from a hidden linear model; "spam" — real TF-IDF (words
 * family defaults) of a seeded 4,836-message sample of the SpamAssassin corpus. Median of 5 fits,
 * wall clock and process CPU time (the CPU figure is the steadier one on a shared machine).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadDataset } from "../../src/data/load.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { fitTransformFeatures } from "../../src/features/pipeline.js";
import { createModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { dataSchema, featuresSchema } from "../../src/spec/schema.js";
import { randomSparseProblem } from "../models/random-sparse.js";

const OUT = "/tmp/mlloop-models-bench";

function write(name: string, X: CsrMatrix, y: Int32Array): void {
  const dir = `${OUT}/${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/indptr.i32`, new Uint8Array(X.indptr.buffer, X.indptr.byteOffset, X.indptr.byteLength));
  writeFileSync(`${dir}/indices.i32`, new Uint8Array(X.indices.buffer, X.indices.byteOffset, X.indices.byteLength));
  writeFileSync(`${dir}/data.f64`, new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  writeFileSync(`${dir}/y.i32`, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  writeFileSync(`${dir}/shape.json`, JSON.stringify({ rows: X.rows, cols: X.cols, nnz: X.indptr[X.rows] }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(name: string, X: CsrMatrix, y: Int32Array, spec: unknown): void {
  const times: number[] = [];
  const cpu: number[] = [];
  let info = "";
  for (let rep = 0; rep < 5; rep++) {
    const m = createModel(modelSchema.parse(spec), 0);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = m.fit({ X, y, nClasses: 2 });
    const c1 = process.cpuUsage(c0);
    times.push((performance.now() - t0) / 1000);
    cpu.push((c1.user + c1.system) / 1e6);
    const p = m.predictProba(X);
    let right = 0;
    for (let i = 0; i < X.rows; i++) if ((p[2 * i + 1]! > 0.5 ? 1 : 0) === y[i]) right++;
    info = `${r.iterations} iterations, train accuracy ${(right / X.rows).toFixed(4)}`;
  }
  console.log(
    `${name.padEnd(7)} ${JSON.stringify(spec).padEnd(40)} median wall ${median(times).toFixed(3)} s, cpu ${median(cpu).toFixed(3)} s  (${info})`,
  );
}

const random = randomSparseProblem(4836, 27859, 145, 2, 2024);
const datasets: [string, CsrMatrix, Int32Array][] = [["random", random.X, random.y]];
const spam = await loadDataset(dataSchema.parse({ source: "spamassassin", limit: 4836 }), { baseDir: ".", seed: 1 });
const classIndex = new Map(spam.classes.map((c, i) => [c, i]));
const { train: spamX } = fitTransformFeatures(featuresSchema.parse({ words: {} }), spam.examples);
datasets.push(["spam", spamX, Int32Array.from(spam.examples, (e) => classIndex.get(e.label)!)]);

for (const [name, X, y] of datasets) {
  write(name, X, y);
  console.log(`${name}: ${X.rows} × ${X.cols}, ${(X.indptr[X.rows]! / X.rows).toFixed(1)} nnz/row -> ${OUT}/${name}`);
  time(name, X, y, { family: "logistic_regression", C: 1 });
  time(name, X, y, { family: "naive_bayes" });
}
