/**
 * Fit-time benchmark of gradient boosting and the MLP, side by side with scikit-learn on the same
 * matrices:
 *
 *   npx tsx test/reference/models_bench_gbdt_mlp.ts            # builds the data, times ours, writes it to disk
 *   /usr/bin/python3 test/reference/models_bench_gbdt_mlp.py   # times HistGradientBoostingClassifier and MLPClassifier on it
 *
 * Data: "tabular" — 10,000 × 20 dense (normal, uniform, skewed and small-integer columns; labels
 * from a nonlinear function of them plus noise; binary, and 3 classes), seeded; "spam" — real
 * TF-IDF (words family defaults) of a seeded 4,836-message sample of the SpamAssassin corpus.
 * Median of 5 fits, wall clock and process CPU time. Fixed work on both sides: gradient boosting
 * without early stopping (100 rounds), the MLP for a fixed number of epochs (its stopping rule off).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadDataset } from "../../src/data/load.js";
import { csrFromDense, type CsrMatrix } from "../../src/features/csr.js";
import { fitTransformFeatures } from "../../src/features/pipeline.js";
import { createModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { dataSchema, featuresSchema } from "../../src/spec/schema.js";
import { createRng } from "../../src/util/random.js";

const OUT = "/tmp/mlloop-gbdt-mlp-bench";
const only = process.argv[2];

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

function time(name: string, X: CsrMatrix, y: Int32Array, nClasses: number, spec: unknown, reps = 5): void {
  const times: number[] = [];
  const cpu: number[] = [];
  let info = "";
  for (let rep = 0; rep < reps; rep++) {
    const m = createModel(modelSchema.parse(spec), 0);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = m.fit({ X, y, nClasses });
    const c1 = process.cpuUsage(c0);
    times.push((performance.now() - t0) / 1000);
    cpu.push((c1.user + c1.system) / 1e6);
    const p = m.predictProba(X);
    let right = 0;
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let k = 1; k < nClasses; k++) if (p[i * nClasses + k]! > p[i * nClasses + best]!) best = k;
      if (best === y[i]) right++;
    }
    info = `${r.iterations} iterations, train accuracy ${(right / X.rows).toFixed(4)}`;
  }
  console.log(
    `${name.padEnd(9)} ${JSON.stringify(spec).padEnd(60)} median wall ${median(times).toFixed(3)} s, cpu ${median(cpu).toFixed(3)} s  (${info})`,
  );
}

/** 10,000 × 20 tabular problem: labels from a nonlinear function of the columns plus noise. */
function tabular(n: number, d: number, seed: number): { X: CsrMatrix; y2: Int32Array; y3: Int32Array } {
  const rng = createRng(seed);
  const dense = new Float64Array(n * d);
  const y2 = new Int32Array(n);
  const y3 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = dense.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) {
      const kind = j % 4;
      row[j] =
        kind === 0
          ? rng.normal()
          : kind === 1
            ? rng.next() * 10
            : kind === 2
              ? Math.exp(rng.normal())
              : Math.floor(rng.next() * 6);
    }
    const s =
      Math.sin(2 * row[0]!) +
      0.3 * row[1]! -
      1.5 +
      (row[2]! > 1.5 ? row[4]! : -row[4]!) +
      0.4 * row[3]! -
      1 +
      0.7 * rng.normal();
    const s2 = row[5]! * 0.2 - 1 + row[8]! * row[9]! * 0.1 - 0.4 + 0.7 * rng.normal();
    y2[i] = s > 0 ? 1 : 0;
    y3[i] = s > 0.8 ? 2 : s2 > 0 ? 1 : 0;
  }
  return { X: csrFromDense(dense, n, d), y2, y3 };
}

const tab = tabular(10_000, 20, 2024);
write("tabular2", tab.X, tab.y2);
write("tabular3", tab.X, tab.y3);
console.log(`tabular: ${tab.X.rows} × ${tab.X.cols} -> ${OUT}/tabular{2,3}`);
const gbdt = { family: "gradient_boosting", early_stopping: false };
const mlpTab = {
  family: "mlp",
  hidden_layer_sizes: [100],
  max_iter: 20,
  n_iter_no_change: 1000,
  early_stopping: false,
};
if (only === undefined || only === "gbdt") {
  time("tabular2", tab.X, tab.y2, 2, gbdt);
  time("tabular3", tab.X, tab.y3, 3, gbdt);
}
if (only === undefined || only === "mlp") {
  time("tabular2", tab.X, tab.y2, 2, mlpTab);
  time("tabular3", tab.X, tab.y3, 3, mlpTab);
  const spam = await loadDataset(dataSchema.parse({ source: "spamassassin", limit: 4836 }), { baseDir: ".", seed: 1 });
  const classIndex = new Map(spam.classes.map((c, i) => [c, i]));
  const { train: spamX } = fitTransformFeatures(featuresSchema.parse({ words: {} }), spam.examples);
  const spamY = Int32Array.from(spam.examples, (e) => classIndex.get(e.label)!);
  write("spam", spamX, spamY);
  console.log(`spam: ${spamX.rows} × ${spamX.cols}, ${(spamX.indptr[spamX.rows]! / spamX.rows).toFixed(1)} nnz/row`);
  time("spam", spamX, spamY, 2, { ...mlpTab, max_iter: 5 });
}
