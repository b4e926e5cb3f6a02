/**
 * The per-model table of `npm run bench`: each mlloop learner and its scikit-learn counterpart fit
 * the same training matrix (mlloop's features of examples/spam/baseline.yaml, written to disk and
 * read by scipy), with the same hyperparameters, alternating one fit each, and are scored on the
 * same test rows. A second scikit-learn row per text model runs scikit-learn's own pipeline
 * (Python email parsing + TfidfVectorizer/CountVectorizer) on the same train/test examples.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CsrMatrix } from "../src/features/csr.js";
import { binaryMetrics } from "../src/evaluate/metrics.js";
import { StageCache } from "../src/loop/cache.js";
import { prepareInputs, type RunInputs } from "../src/loop/cache-inputs.js";
import { warmKernels } from "../src/models/kernels/wasm-kernels.js";
import { dualCoordinateDescent } from "../src/models/linear-svm.js";
import { createModel, MODEL_FAMILIES } from "../src/models/registry.js";
import { modelSchema } from "../src/spec/models.js";
import { loadSpecFile } from "../src/spec/load.js";
import { createRng, deriveSeed } from "../src/util/random.js";
import type { SklearnWorker } from "./python.js";
import { median } from "./stats.js";

export interface Quality {
  readonly accuracy: number;
  readonly f1: number;
  readonly roc_auc: number;
}

export interface SideResult extends Quality {
  readonly wall_s: number[];
  readonly cpu_s: number[];
  readonly median_wall_s: number;
  readonly median_cpu_s: number;
  readonly note?: string;
}

export interface ModelRow {
  readonly key: string;
  readonly title: string;
  readonly data: string;
  readonly mlloop: SideResult | null;
  readonly sklearn: SideResult | null;
  /** scikit-learn's own text pipeline on the same examples (quality and its own fit time). */
  readonly sklearnOwnPipeline?: Quality & { wall_s: number; n_features: number };
  readonly available: boolean;
  readonly why?: string;
}

export interface Problem {
  readonly name: string;
  readonly train: { X: CsrMatrix; y: Int32Array };
  readonly test: { X: CsrMatrix; y: Int32Array };
}

const SPEC = join(import.meta.dirname, "..", "examples", "spam", "baseline.yaml");

function labelsOf(inputs: RunInputs, split: "train" | "test"): Int32Array {
  return Int32Array.from(inputs.idx[split], (i) => inputs.y[i]!);
}

export function writeProblem(dir: string, p: Problem): void {
  mkdirSync(dir, { recursive: true });
  const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const part of ["train", "test"] as const) {
    const { X, y } = p[part];
    writeFileSync(join(dir, `${part}.indptr.i32`), bytes(X.indptr));
    writeFileSync(join(dir, `${part}.indices.i32`), bytes(X.indices));
    writeFileSync(join(dir, `${part}.data.f64`), bytes(X.data));
    writeFileSync(join(dir, `${part}.y.i32`), bytes(y));
    writeFileSync(join(dir, `${part}.shape.json`), JSON.stringify({ rows: X.rows, cols: X.cols }));
  }
}

/** The spam split and features of examples/spam/baseline.yaml (TF-IDF), and its raw-count twin for naive Bayes. */
export async function spamProblems(tmp: string): Promise<{ tfidf: Problem; counts: Problem; split: string }> {
  const cache = new StageCache(join(tmp, "cache"));
  const make = async (overrides: string[]): Promise<RunInputs> => {
    const loaded = loadSpecFile(SPEC, overrides);
    return prepareInputs({
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      seeds: { data: deriveSeed(loaded.spec.seed, "data"), split: deriveSeed(loaded.spec.seed, "split") },
      cache,
      stage: async (_name, fn) => fn(),
    });
  };
  const tfidf = await make([]);
  const counts = await make(["features.words.weighting=counts", "features.words.sublinear_tf=false"]);
  const problem = (name: string, inputs: RunInputs): Problem => ({
    name,
    train: { X: inputs.X.train, y: labelsOf(inputs, "train") },
    test: { X: inputs.X.test, y: labelsOf(inputs, "test") },
  });
  const split = join(tmp, "split.json");
  writeFileSync(
    split,
    JSON.stringify({
      train: Array.from(tfidf.idx.train, (i) => tfidf.ids[i]),
      test: Array.from(tfidf.idx.test, (i) => tfidf.ids[i]),
    }),
  );
  return { tfidf: problem("spam-tfidf", tfidf), counts: problem("spam-counts", counts), split };
}

export function readCsr(dir: string, part: string): { X: CsrMatrix; y: Int32Array } {
  const shape = JSON.parse(readFileSync(join(dir, `${part}.shape.json`), "utf8")) as { rows: number; cols: number };
  const view = <T>(file: string, make: (b: ArrayBuffer) => T): T => {
    const b = readFileSync(join(dir, file));
    return make(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  };
  return {
    X: {
      rows: shape.rows,
      cols: shape.cols,
      indptr: view(`${part}.indptr.i32`, (b) => new Int32Array(b)),
      indices: view(`${part}.indices.i32`, (b) => new Int32Array(b)),
      data: view(`${part}.data.f64`, (b) => new Float64Array(b)),
    },
    y: view(`${part}.y.i32`, (b) => new Int32Array(b)),
  };
}

function quality(y: Int32Array, score: Float64Array, threshold: number): Quality {
  const m = binaryMetrics(Uint8Array.from(y), score, threshold);
  return { accuracy: m.accuracy, f1: m.f1, roc_auc: m.roc_auc };
}

/** One mlloop learner: `fit` is what is timed; `score` gives test scores and the decision threshold. */
export interface OurLearner {
  fit(train: Problem["train"]): void;
  score(test: Problem["test"]): { score: Float64Array; threshold: number };
}
export type OurFit = () => OurLearner;

export function estimatorFit(spec: Record<string, unknown>): OurFit {
  const parsed = modelSchema.parse(spec);
  return () => {
    const model = createModel(parsed, 0);
    return {
      fit: (train) => void model.fit({ X: train.X, y: train.y, nClasses: 2 }),
      score: (test) => {
        const proba = model.predictProba(test.X);
        return { score: Float64Array.from({ length: test.X.rows }, (_, i) => proba[2 * i + 1]!), threshold: 0.5 };
      },
    };
  };
}

/** mlloop's raw dual coordinate descent, without the Platt calibration folds: what LinearSVC fits. */
export const rawSvmFit: OurFit = () => {
  let w: Float64Array = new Float64Array(0);
  return {
    fit: (train) => {
      const ySign = Float64Array.from(train.y, (v) => (v === 1 ? 1 : -1));
      const c = new Float64Array(train.X.rows).fill(1);
      w = dualCoordinateDescent(train.X, ySign, c, "squared_hinge", 1, 1e-4, 1000, createRng(0)).w;
    },
    score: (test) => {
      const d = test.X.cols;
      const score = new Float64Array(test.X.rows);
      for (let i = 0; i < test.X.rows; i++) {
        let s = w[d]!;
        for (let p = test.X.indptr[i]!; p < test.X.indptr[i + 1]!; p++) s += test.X.data[p]! * w[test.X.indices[p]!]!;
        score[i] = s;
      }
      return { score, threshold: 0 };
    },
  };
};

interface Pair {
  readonly key: string;
  readonly title: string;
  readonly problem: Problem;
  readonly ours: OurFit;
  readonly sklearn: { model: string; params?: Record<string, unknown> };
  readonly ownPipeline?: string;
}

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

function side(q: Quality, wall: number[], cpu: number[], note?: string): SideResult {
  return {
    ...q,
    wall_s: wall,
    cpu_s: cpu,
    median_wall_s: median(wall),
    median_cpu_s: median(cpu),
    ...(note === undefined ? {} : { note }),
  };
}

/** Alternates one mlloop fit and one scikit-learn fit, `reps` times. */
async function runPair(py: SklearnWorker, pair: Pair, reps: number): Promise<ModelRow> {
  const ours = { wall: [] as number[], cpu: [] as number[], q: null as Quality | null };
  const theirs = { wall: [] as number[], cpu: [] as number[], q: null as Quality | null, note: "" };
  for (let r = 0; r < reps; r++) {
    const learner = pair.ours();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    learner.fit(pair.problem.train);
    ours.wall.push((performance.now() - t0) / 1000);
    ours.cpu.push(cpuSeconds(c0));
    const { score, threshold } = learner.score(pair.problem.test);
    ours.q = quality(pair.problem.test.y, score, threshold);
    const sk = await py.call<Quality & { wall_s: number; cpu_s: number; n_iter?: number }>({
      cmd: "fit",
      model: pair.sklearn.model,
      data: pair.problem.name,
      params: pair.sklearn.params ?? {},
    });
    theirs.wall.push(sk.wall_s);
    theirs.cpu.push(sk.cpu_s);
    theirs.q = { accuracy: sk.accuracy, f1: sk.f1, roc_auc: sk.roc_auc };
    if (sk.n_iter !== undefined) theirs.note = `${sk.n_iter} iterations`;
  }
  let own: ModelRow["sklearnOwnPipeline"];
  if (pair.ownPipeline !== undefined) {
    own = await py.call({ cmd: "own_pipeline", split: pair.ownPipeline, model: pair.sklearn.model });
  }
  return {
    key: pair.key,
    title: pair.title,
    data: pair.problem.name,
    mlloop: side(ours.q!, ours.wall, ours.cpu),
    sklearn: side(theirs.q!, theirs.wall, theirs.cpu, theirs.note || undefined),
    ...(own === undefined ? {} : { sklearnOwnPipeline: own }),
    available: true,
  };
}

export async function modelTable(
  py: SklearnWorker,
  tmp: string,
  reps: number,
  log: (line: string) => void,
): Promise<ModelRow[]> {
  log("preparing the spam features (examples/spam/baseline.yaml split and words features)…");
  const warm = warmKernels(); // as `mlloop run` does while it loads the data
  const { tfidf, counts, split } = await spamProblems(tmp);
  await warm;
  for (const p of [tfidf, counts]) {
    writeProblem(join(tmp, p.name), p);
    await py.call({ cmd: "load", name: p.name, dir: join(tmp, p.name) });
  }
  const pairs: Pair[] = [
    {
      key: "lr",
      title: "logistic regression C=1 vs LogisticRegression(liblinear)",
      problem: tfidf,
      ours: estimatorFit({ family: "logistic_regression", C: 1 }),
      sklearn: { model: "lr" },
      ownPipeline: split,
    },
    {
      key: "svm",
      title: "linear SVM C=1 (dual CD, no calibration) vs LinearSVC",
      problem: tfidf,
      ours: rawSvmFit,
      sklearn: { model: "svm" },
    },
    {
      key: "svm_calibrated",
      title: "linear_svm C=1 (with 5-fold Platt) vs CalibratedClassifierCV(LinearSVC, cv=5, ensemble=False)",
      problem: tfidf,
      ours: estimatorFit({ family: "linear_svm", C: 1 }),
      sklearn: { model: "svm_calibrated" },
    },
    {
      key: "sgd",
      title: "SGD log_loss vs SGDClassifier(log_loss)",
      problem: tfidf,
      ours: estimatorFit({ family: "sgd", loss: "log_loss" }),
      sklearn: { model: "sgd" },
    },
    {
      key: "nb",
      title: "multinomial naive Bayes alpha=1 vs MultinomialNB (counts)",
      problem: counts,
      ours: estimatorFit({ family: "naive_bayes" }),
      sklearn: { model: "nb" },
      ownPipeline: split,
    },
  ];
  const rows: ModelRow[] = [];
  for (const pair of pairs) {
    log(`  ${pair.title}…`);
    rows.push(await runPair(py, pair, reps));
  }
  rows.push(await gbdtRow(py, tmp, reps, log));
  return rows;
}

const GBDT_PARAMS = {
  learning_rate: 0.1,
  max_iter: 100,
  max_leaf_nodes: 31,
  min_samples_leaf: 20,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: false,
};

async function gbdtRow(py: SklearnWorker, tmp: string, reps: number, log: (line: string) => void): Promise<ModelRow> {
  const title = "gradient boosting vs HistGradientBoostingClassifier (tabular, 20,000 × 20)";
  if (!(MODEL_FAMILIES as readonly string[]).includes("gradient_boosting")) {
    return { key: "gbdt", title, data: "tabular", mlloop: null, sklearn: null, available: false, why: "not available" };
  }
  log(`  ${title}…`);
  const dir = join(tmp, "tabular");
  await py.call({ cmd: "tabular", dir, n: 20_000, d: 20, seed: 0 });
  await py.call({ cmd: "load", name: "tabular", dir });
  const problem: Problem = { name: "tabular", train: readCsr(dir, "train"), test: readCsr(dir, "test") };
  return runPair(
    py,
    {
      key: "gbdt",
      title,
      problem,
      ours: estimatorFit({ family: "gradient_boosting", ...GBDT_PARAMS }),
      sklearn: { model: "gbdt", params: GBDT_PARAMS },
    },
    reps,
  );
}
