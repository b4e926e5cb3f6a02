/**
 * Learning-curve benchmark: mlloop's learning curve (5 folds × 8 sizes on the worker pool) against
 * scikit-learn's `learning_curve(n_jobs=2)` with the same model and features — TF-IDF (min_df=2,
 * sublinear tf) on the message body, logistic regression C=1 — on the same 4,836 training messages
 * (the reference's random_80_20 train part, /work/shared/reference/sklearn_spam_splits.json, in
 * its order), folds StratifiedKFold(5) without shuffle and first-n subsets on both sides.
 *
 * Timed on both sides: featurizing inside the curve (sklearn's Pipeline refits the vectorizer per
 * fit; mlloop tokenizes once and refits vocabulary and idf per fit) plus the 40 fits and scoring.
 * Not timed: reading and parsing the corpus. Medians over 3 repetitions.
 *
 *   npx tsx bench/learning-curve.ts [--repeat 3] [--workers 2]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../src/data/load.js";
import { openCvSession } from "../src/diagnose/cv.js";
import { learningCurve } from "../src/diagnose/curves.js";
import { modelSchema } from "../src/spec/models.js";
import { dataSchema, featuresSchema } from "../src/spec/schema.js";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env["MLLOOP_PYTHON"] ?? "/usr/bin/python3";
const SPLITS = [
  join(here, "..", "..", "shared", "reference", "sklearn_spam_splits.json"),
  "/work/shared/reference/sklearn_spam_splits.json",
].find((p) => existsSync(p));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const repeat = arg("--repeat", 3);
  const workers = arg("--workers", 2);
  if (!SPLITS) throw new Error("sklearn_spam_splits.json not found (shared/reference)");
  const splits = JSON.parse(readFileSync(SPLITS, "utf8")) as { random_80_20: { train: number[] } };
  const dataset = await loadDataset(dataSchema.parse({ source: "spamassassin" }), { baseDir: ".", seed: 0 });
  const examples = splits.random_80_20.train.map((i) => dataset.examples[i]!);
  const classes = dataset.classes;
  const y = Int32Array.from(examples, (e) => classes.indexOf(e.label));
  const dir = mkdtempSync(join(tmpdir(), "mlloop-lc-bench-"));
  const splitFile = join(dir, "split.json");
  writeFileSync(splitFile, JSON.stringify({ train: examples.map((e) => e.id) }));

  const features = featuresSchema.parse({
    words: { fields: ["body"], min_df: 2, weighting: "tfidf", sublinear_tf: true },
  });
  const model = modelSchema.parse({ family: "logistic_regression", C: 1 });
  const walls: number[] = [];
  let last: Awaited<ReturnType<typeof learningCurve>> | null = null;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const session = openCvSession(
      { examples, y, classes, positive: classes.indexOf("spam"), features, model, seed: 0 },
      { folds: 5, shuffle: false, workers },
    );
    try {
      last = await learningCurve(session, { sizes: 8, subset: "prefix" });
    } finally {
      await session.close();
    }
    walls.push((performance.now() - t0) / 1000);
    process.stderr.write(`mlloop repetition ${r + 1}: ${walls[r]!.toFixed(2)} s\n`);
  }
  const loadBefore = loadavg();
  const sk = JSON.parse(
    execFileSync(PYTHON, [join(here, "sklearn_learning_curve.py"), "--split", splitFile, "--repeat", String(repeat)], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as {
    walls: number[];
    median: number;
    sizes: number[];
    val_error: number[];
    train_error: number[];
    sklearn: string;
  };
  const ours = median(walls);
  const rows = last!.points.map((p, s) => ({
    size: p.x,
    sklearnSize: sk.sizes[s],
    mlloopTrain: +p.trainError.mean.toFixed(4),
    sklearnTrain: +sk.train_error[s]!.toFixed(4),
    mlloopVal: +p.valError.mean.toFixed(4),
    sklearnVal: +sk.val_error[s]!.toFixed(4),
  }));
  console.table(rows);
  console.log(
    JSON.stringify(
      {
        messages: examples.length,
        workers,
        mlloop: { walls: walls.map((w) => +w.toFixed(3)), median: +ours.toFixed(3) },
        sklearn: {
          version: sk.sklearn,
          n_jobs: 2,
          walls: sk.walls.map((w) => +w.toFixed(3)),
          median: +sk.median.toFixed(3),
        },
        ratio: +(ours / sk.median).toFixed(3),
        target: 0.5,
        loadavg: loadBefore.map((l) => +l.toFixed(2)),
      },
      null,
      2,
    ),
  );
}

await main();
