/**
 * The train stage on a worker thread (src/loop/fit-worker.ts, what the CLI does so that Ctrl-C is
 * handled mid-fit) gives exactly what the same fit on the calling thread gives: predictions,
 * metrics, training report and the stored model, for every family and the wrapping options; a
 * model error raised on the worker keeps its type (and so its message and exit code).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import { runExperiment, type RunOutcome } from "../../src/loop/run-experiment.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";

const SPAM = join(import.meta.dirname, "../../examples/spam/baseline.yaml");
const WINE = join(import.meta.dirname, "../../examples/wine/baseline.yaml");

describe("the holdout fit on a worker thread", () => {
  let dir: string;
  let store: SqliteStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-fit-thread-"));
    store = await openSqliteStore(join(dir, "mlloop.db"));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (spec: string, overrides: string[], fitOnThread: boolean): Promise<RunOutcome> => {
    const loaded = loadSpecFile(spec, overrides);
    return runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store, cache: join(dir, "cache"), fitOnThread });
  };
  const recorded = async (o: RunOutcome) => ({
    predictions: (await store.getPredictions(o.runId)).map((p) => [p.exampleId, p.split, p.score, p.decision]),
    model: Buffer.from((await store.getArtifact(o.runId, "model.json")).bytes).toString("utf8"),
  });

  const cases: Array<[string, string, string[]]> = [
    ["logistic regression", SPAM, ["data.limit=500"]],
    ["complement naive Bayes", SPAM, ["data.limit=500", "model={family: naive_bayes, variant: complement}"]],
    [
      "linear SVM, sigmoid-calibrated",
      SPAM,
      ["data.limit=500", "model={family: linear_svm, C: 1, calibration: sigmoid}"],
    ],
    ["SGD, label issues dropped", SPAM, ["data.limit=500", "model={family: sgd, label_issues: drop}"]],
    ["gradient boosting", WINE, ["model={family: gradient_boosting, max_iter: 20}"]],
    ["MLP", WINE, ["model={family: mlp, hidden_layer_sizes: [16], max_iter: 30}"]],
    ["Gaussian naive Bayes", WINE, ["model={family: gaussian_nb}"]],
  ];
  for (const [name, spec, overrides] of cases) {
    it(`${name}: identical on either thread`, { timeout: 60_000 }, async () => {
      const inline = await run(spec, overrides, false);
      const threaded = await run(spec, overrides, true);
      expect(threaded.metrics).toEqual(inline.metrics);
      expect(threaded.training).toEqual(inline.training);
      expect(await recorded(threaded)).toEqual(await recorded(inline));
    });
  }

  it("a model error on the worker is still a ModelError, and the run is recorded failed with its message", async () => {
    // multinomial naive Bayes on standardised measurements: negative feature values
    const overrides = ["model={family: naive_bayes}"];
    let inline: unknown;
    try {
      await run(WINE, overrides, false);
    } catch (e) {
      inline = e;
    }
    let threaded: unknown;
    try {
      await run(WINE, overrides, true);
    } catch (e) {
      threaded = e;
    }
    expect(inline).toBeInstanceOf(ModelError);
    expect(threaded).toBeInstanceOf(ModelError);
    expect((threaded as Error).message).toBe((inline as Error).message);
    const failed = (await store.listRuns({ experiment: "wine" })).filter((r) => r.status === "failed");
    expect(failed.map((r) => r.error)).toEqual([(inline as Error).message, (inline as Error).message]);
  });
});
