/**
 * Quality parity with scikit-learn on the spam corpus: mlloop runs a spec, and scikit-learn
 * (bench/sklearn_spam.py, Debian's python3-sklearn) trains its reference model on exactly the same
 * train/test examples, read back from the run's per-example predictions.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpecFile } from "../src/spec/load.js";
import { runExperiment } from "../src/loop/run-experiment.js";
import { openStore } from "../src/track/open.js";

const here = dirname(fileURLToPath(import.meta.url));
export const PYTHON = process.env["MLLOOP_PYTHON"] ?? "/usr/bin/python3";

export interface ParityRow {
  readonly model: string;
  readonly spec: string;
  readonly mlloop: Record<string, number>;
  readonly sklearn: Record<string, number>;
  readonly nTrain: number;
  readonly nTest: number;
}

const PAIRS = [
  { model: "logistic_regression C=1", spec: "parity-lr.yaml", sklearn: "lr" },
  { model: "multinomial naive Bayes alpha=1", spec: "parity-nb.yaml", sklearn: "nb" },
] as const;

export async function runParity(): Promise<ParityRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "mlloop-parity-"));
  const store = await openStore(join(dir, "mlloop.db"));
  const rows: ParityRow[] = [];
  try {
    for (const pair of PAIRS) {
      const loaded = loadSpecFile(join(here, "specs", pair.spec));
      const outcome = await runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store });
      const predictions = await store.getPredictions(outcome.runId);
      const split = {
        train: predictions.filter((p) => p.split === "train").map((p) => p.exampleId),
        test: predictions.filter((p) => p.split === "test").map((p) => p.exampleId),
      };
      const splitFile = join(dir, `${pair.sklearn}-split.json`);
      writeFileSync(splitFile, JSON.stringify(split));
      const out = execFileSync(
        PYTHON,
        [join(here, "sklearn_spam.py"), "--split", splitFile, "--models", pair.sklearn],
        {
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const sk = (JSON.parse(out) as { models: Record<string, Record<string, number>> }).models[pair.sklearn]!;
      const test = outcome.metrics.test!;
      rows.push({
        model: pair.model,
        spec: `bench/specs/${pair.spec}`,
        mlloop: {
          accuracy: test["accuracy"]!,
          f1: test["f1"]!,
          roc_auc: test["roc_auc"]!,
          features: outcome.features.total,
        },
        sklearn: { accuracy: sk["accuracy"]!, f1: sk["f1"]!, roc_auc: sk["roc_auc"]!, features: sk["n_features"]! },
        nTrain: split.train.length,
        nTest: split.test.length,
      });
    }
  } finally {
    await store.close();
  }
  return rows;
}
