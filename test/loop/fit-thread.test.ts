/**
 * The train stage on a worker thread (src/loop/fit-worker.ts, what the CLI does so that Ctrl-C is
 * handled mid-fit) gives exactly what the same fit on the calling thread gives: predictions,
 * metrics, training report and the stored model, for every family and the wrapping options; a
 * model error raised on the worker keeps its type (and so its message and exit code).
 *
 * Which fits go to the thread (fitsOnThread: those whose estimated work may take more than about
 * a second), and a signal during a fit on the calling thread: handled as the fit returns, the run
 * recorded interrupted and nothing after the fit done.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { fitWorkEstimate, INLINE_FIT_WORK } from "../../src/loop/fit-model.js";
import { runExperiment, type RunOutcome } from "../../src/loop/run-experiment.js";
import { loadSpecFile } from "../../src/spec/load.js";
import type { ModelSpec } from "../../src/spec/models.js";
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

/** A CSR matrix of the given shape with `nnz` stored values (only the counts matter to the estimate). */
function shaped(rows: number, cols: number, nnz: number): CsrMatrix {
  const indptr = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) indptr[i] = Math.round((nnz * i) / rows);
  return { rows, cols, indptr, indices: new Int32Array(nnz), data: new Float64Array(nnz) };
}

describe("where the holdout fit runs", () => {
  const model = (text: string): ModelSpec => loadSpecFile(SPAM, [`model=${text}`]).spec.model;
  // the spam baseline's matrices: train 3,615 × 22,943 with 530,834 stored values, dev 1,217 rows with 166,092
  const spamTrain = shaped(3615, 22943, 530_834);
  const spamDev = shaped(1217, 22943, 166_092);
  const onThread = (m: ModelSpec, train = spamTrain, dev: CsrMatrix | null = spamDev, k = 2) =>
    fitWorkEstimate(m, train, dev, k) > INLINE_FIT_WORK;

  it("short fits stay on the calling thread: the spam baseline's logistic regression, naive Bayes", () => {
    // (530,834 + 166,092) × 100 iterations × 8 passes
    expect(fitWorkEstimate(model("{family: logistic_regression}"), spamTrain, spamDev, 2)).toBe(696_926 * 800);
    expect(onThread(model("{family: logistic_regression, C: 0.5}"))).toBe(false);
    expect(onThread(model("{family: naive_bayes}"))).toBe(false);
  });

  it("fits that may run for seconds go to the thread", () => {
    // every epoch the spec allows, times the Platt folds
    expect(onThread(model("{family: linear_svm}"))).toBe(true);
    expect(onThread(model("{family: sgd}"))).toBe(true);
    // 10 classes: one-vs-rest multiplies the work by 10
    expect(onThread(model("{family: logistic_regression}"), spamTrain, spamDev, 10)).toBe(true);
    // calibration refits the family on 5 folds
    expect(onThread(model("{family: logistic_regression, calibration: sigmoid}"))).toBe(true);
    // the interruption test's network: 512 × 512 units for 100,000 epochs on wine's 107 rows
    const wine = shaped(107, 13, 107 * 13);
    const endless = model("{family: mlp, hidden_layer_sizes: [512, 512], max_iter: 100000}");
    expect(onThread(endless, wine, null, 3)).toBe(true);
    expect(onThread(model("{family: mlp, hidden_layer_sizes: [16], max_iter: 30}"), wine, null, 3)).toBe(false);
  });

  it(
    "a signal during a fit on the calling thread is handled as the fit returns: the run is recorded interrupted and nothing after the fit runs",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "mlloop-inline-signal-"));
      try {
        const db = join(dir, "mlloop.db");
        // a few seconds of fitting on wine, on the calling thread
        const slow =
          "model={family: mlp, hidden_layer_sizes: [256, 256], max_iter: 200, tol: 0, n_iter_no_change: 100000}";
        const child = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            fileURLToPath(new URL("./fixtures/inline-fit-child.ts", import.meta.url)),
            WINE,
            db,
            slow,
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        let signalled = false;
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
          if (!signalled && stdout.includes("train started\n")) {
            signalled = true;
            // the fit has begun (it starts right after this line, on the same thread)
            setTimeout(() => child.kill("SIGINT"), 300);
          }
        });
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on("close", (code, signal) => resolve({ code, signal })),
        );
        expect(signalled, `the train stage never started:\n${stdout}\n${stderr}`).toBe(true);
        expect(
          exit.signal === "SIGINT" || exit.code === 130,
          `code ${exit.code}, signal ${exit.signal}\n${stderr}`,
        ).toBe(true);
        expect(stdout).not.toContain("train finished");
        expect(stdout).not.toContain("run finished");
        const store = await openSqliteStore(db);
        try {
          const [run] = await store.listRuns({ experiment: "wine" });
          expect([run!.status, run!.error]).toEqual(["failed", "interrupted by SIGINT"]);
          expect(await store.getPredictions(run!.id)).toEqual([]);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
