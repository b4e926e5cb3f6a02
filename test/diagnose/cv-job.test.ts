/**
 * Cross-validation folds as queue jobs (src/diagnose/cv-job.ts), against the real Redis that
 * scripts/with-services.sh starts (these tests fail, never skip, without it): a job packed for
 * BullMQ (JSON, arrays deflated and base64-encoded) unpacks to the same feature source, labels and
 * rows, bit for bit; the learning curve and the out-of-fold probabilities computed by a queue worker
 * equal the local pool's; a worker that cannot run cv jobs gives a clear error, not a hang.
 */
import { afterAll, describe, expect, it } from "vitest";
import { EnvironmentError } from "../../src/errors.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { openCvSession, type CvData, type CvExecutorFactory } from "../../src/diagnose/cv.js";
import {
  cvQueueExecutor,
  packCvResult,
  packCvSource,
  packCvTask,
  runCvJob,
  unpackCvJob,
  unpackCvResult,
  unpackCvSource,
  type CvJob,
} from "../../src/diagnose/cv-job.js";
import { run as runLocally, type CvShared, type CvTask } from "../../src/diagnose/cv-worker.js";
import { learningCurve, validationCurve } from "../../src/diagnose/curves.js";
import { capacityKnob } from "../../src/diagnose/capacity.js";
import { prepareFoldFeatures } from "../../src/diagnose/fold-features.js";
import { startQueueWorker, type QueueWorker } from "../../src/search/queue-executor.js";
import { modelSchema } from "../../src/spec/models.js";
import { featuresSchema } from "../../src/spec/schema.js";
import { labelsOf, syntheticCorpus } from "./helpers.js";

function redisUrl(): string {
  const url = process.env["MLLOOP_TEST_REDIS_URL"];
  if (!url) throw new Error("MLLOOP_TEST_REDIS_URL is not set: run through scripts/with-services.sh (npm test does)");
  return url;
}

// words (refitted per fold from raw counts) and a numeric column (the fixed block): both halves of a source
const examples = syntheticCorpus({
  n: 240,
  seed: 5,
  mix: 0.2,
  extra: (i, spam, rng) => ({ numeric: { score: (spam ? 1 : 0) + rng() * 2 + 1e-9 * i } }),
});
const classes = ["ham", "spam"];
const data: CvData = {
  examples,
  y: labelsOf(examples, classes),
  classes,
  positive: 1,
  features: featuresSchema.parse({
    words: { fields: ["body"], min_df: 2, max_features: 150, sublinear_tf: true },
    numeric: { columns: ["score"] },
  }),
  model: modelSchema.parse({ family: "logistic_regression", C: 3 }),
  seed: 9,
};
const shared: CvShared = {
  features: prepareFoldFeatures(data.features, data.examples),
  y: data.y,
  nClasses: 2,
  positive: 1,
};
const task: CvTask = {
  key: "t",
  trainRows: Int32Array.from({ length: 150 }, (_, i) => (i * 7) % 240).sort(),
  valRows: Int32Array.from({ length: 60 }, (_, i) => 180 + i),
  model: data.model,
  seed: 4,
  wantProba: true,
};

const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function expectSameCsr(a: CsrMatrix | null | undefined, b: CsrMatrix | null | undefined): void {
  expect(a).not.toBeNull();
  expect([a!.rows, a!.cols]).toEqual([b!.rows, b!.cols]);
  expect(Array.from(a!.indptr)).toEqual(Array.from(b!.indptr));
  expect(Array.from(a!.indices)).toEqual(Array.from(b!.indices));
  expect(Buffer.from(a!.data.buffer).equals(Buffer.from(b!.data.buffer))).toBe(true);
}

/** The jobs' path without Redis: pack, JSON, the worker's side, JSON, unpack. */
const throughJson: CvExecutorFactory = (s) => {
  const source = packCvSource(s);
  return {
    parallelism: 1,
    async map(tasks) {
      return tasks.map((t) => unpackCvResult(viaJson(runCvJob(viaJson(packCvTask(source, t))))));
    },
    async close() {},
  };
};

const workers: QueueWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.close();
});

/** An in-process `mlloop worker` on the test Redis: the cv handler the CLI registers (or none). */
async function worker(queueName: string, withCv: boolean): Promise<void> {
  workers.push(
    await startQueueWorker({
      url: redisUrl(),
      queueName,
      lockMs: 5000,
      handlers: withCv ? { cv: async (d) => runCvJob(d as CvJob) } : { screen: async () => null },
    }),
  );
}

describe("cv jobs", () => {
  it("round-trip through JSON to the same source, labels and rows, bit for bit", () => {
    const job = viaJson(packCvTask(packCvSource(shared), task));
    expect(job.kind).toBe("cv");
    const back = unpackCvJob(job);
    // decoded here, not taken from the worker thread's memo of the last source
    const source = unpackCvSource(job.source);
    expect(source.features.rows).toBe(240);
    expectSameCsr(source.features.words?.counts, shared.features.words!.counts);
    expect(source.features.words!.params).toEqual(shared.features.words!.params);
    expectSameCsr(source.features.fixed, shared.features.fixed);
    expect(Array.from(source.y)).toEqual(Array.from(shared.y));
    expect([source.nClasses, source.positive]).toEqual([2, 1]);
    expect(Array.from(back.shared.y)).toEqual(Array.from(shared.y));
    expect(Array.from(back.task.trainRows)).toEqual(Array.from(task.trainRows));
    expect(Array.from(back.task.valRows)).toEqual(Array.from(task.valRows));
    expect(back.task.model).toEqual(task.model);
    expect([back.task.key, back.task.seed, back.task.wantProba]).toEqual(["t", 4, true]);
  });

  it("give the worker's result the local one's counts and probabilities, bit for bit", () => {
    const here = runLocally(shared, task);
    const there = unpackCvResult(viaJson(runCvJob(viaJson(packCvTask(packCvSource(shared), task)))));
    expect(there.train).toEqual(here.train);
    expect(there.val).toEqual(here.val);
    expect(there.converged).toBe(here.converged);
    expect(Buffer.from(there.valProba!.buffer).equals(Buffer.from(here.valProba!.buffer))).toBe(true);
    expect(unpackCvResult(packCvResult(here)).valProba).toEqual(here.valProba);
  });

  it("a job with another source is decoded anew, not served from the last one", () => {
    const otherY = { ...shared, y: Int32Array.from(shared.y, (v) => 1 - v) };
    unpackCvJob(packCvTask(packCvSource(shared), task));
    const back = unpackCvJob(viaJson(packCvTask(packCvSource(otherY), task)));
    expect(Array.from(back.shared.y)).toEqual(Array.from(otherY.y));
  });

  it("give equal tasks one job id and different tasks different ids", () => {
    const source = packCvSource(shared);
    expect(packCvTask(source, task).hash).toBe(packCvTask(packCvSource(shared), { ...task }).hash);
    expect(packCvTask(source, { ...task, seed: 5 }).hash).not.toBe(packCvTask(source, task).hash);
    expect(packCvTask(source, { ...task, valRows: task.valRows.subarray(1) }).hash).not.toBe(
      packCvTask(source, task).hash,
    );
    const otherY = { ...shared, y: Int32Array.from(shared.y, (v, i) => (i === 0 ? 1 - v : v)) };
    expect(packCvTask(packCvSource(otherY), task).hash).not.toBe(packCvTask(source, task).hash);
  });

  it("a task's own error on the worker comes back as that error, named", () => {
    const bad = { ...task, model: { ...task.model, family: "no_such_family" } } as unknown as CvTask;
    const r = viaJson(runCvJob(packCvTask(packCvSource(shared), bad)));
    expect(r.error?.message).toMatch(/no_such_family/);
    expect(() => unpackCvResult(r)).toThrow(/cross-validation task t failed on a queue worker: .*no_such_family/);
  });
});

describe("a cross-validation session on the queue (real Redis)", () => {
  it("the learning curve, validation curve and out-of-fold probabilities equal the local pool's", async () => {
    const local = openCvSession(data, { folds: 4, workers: 0 });
    const json = openCvSession(data, { folds: 4, executor: throughJson });
    const q = `cv-${process.pid}-${Date.now()}`;
    await worker(q, true);
    const seen: number[] = [];
    const queued = openCvSession(data, {
      folds: 4,
      executor: await cvQueueExecutor({ url: redisUrl(), queueName: q }),
    });
    const knob = capacityKnob(data.model, [0.3, 3, 30])!;
    try {
      const lc = await learningCurve(local, { sizes: 4 });
      const withoutMs = (c: typeof lc) => c.points.map(({ fitMs: _, ...p }) => p);
      const lcQueued = await learningCurve(queued, { sizes: 4, onProgress: (d) => seen.push(d) });
      expect(withoutMs(lcQueued)).toEqual(withoutMs(lc));
      expect(lcQueued.extrapolation).toEqual(lc.extrapolation);
      expect(withoutMs(await learningCurve(json, { sizes: 4 }))).toEqual(withoutMs(lc));
      expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const vc = await validationCurve(local, knob);
      const vcQueued = await validationCurve(queued, knob);
      expect(vcQueued.points.map(({ fitMs: _, ...p }) => p)).toEqual(vc.points.map(({ fitMs: _, ...p }) => p));
      const oof = await local.outOfFold();
      const oofQueued = await queued.outOfFold();
      expect(Buffer.from(oofQueued.buffer).equals(Buffer.from(oof.buffer))).toBe(true);
    } finally {
      await Promise.all([local.close(), json.close(), queued.close()]);
    }
  }, 120_000);

  it("a worker with no cv handler (another mlloop version): a clear error naming the task, not a hang; sent again once a worker can run them", async () => {
    const q = `cv-old-${process.pid}-${Date.now()}`;
    await worker(q, false);
    const queued = openCvSession(data, {
      folds: 3,
      executor: await cvQueueExecutor({ url: redisUrl(), queueName: q }),
    });
    try {
      const oof = queued.outOfFold();
      await expect(oof).rejects.toBeInstanceOf(EnvironmentError);
      await expect(oof).rejects.toThrow(
        /cross-validation task oof:\d failed on queue cv-old-.*: this worker has no handler for cv jobs .* same mlloop version/,
      );
    } finally {
      await queued.close();
    }
    // the same tasks again once a worker with the handler serves the queue: the failed jobs (kept
    // by the queue for an hour) are sent again, not answered with the old failure
    await workers.pop()!.close();
    await worker(q, true);
    const again = openCvSession(data, {
      folds: 3,
      executor: await cvQueueExecutor({ url: redisUrl(), queueName: q }),
    });
    const local = openCvSession(data, { folds: 3 });
    try {
      const [a, b] = await Promise.all([again.outOfFold(), local.outOfFold()]);
      expect(a).toEqual(b);
    } finally {
      await Promise.all([again.close(), local.close()]);
    }
  }, 60_000);

  it("an unreachable Redis is a usage error at once", async () => {
    await expect(cvQueueExecutor({ url: "redis://127.0.0.1:1" })).rejects.toThrow(/cannot reach Redis/);
  });
});
