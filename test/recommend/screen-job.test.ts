/**
 * Screening trials as queue jobs (src/recommend/screen-job.ts): a task packed for BullMQ (JSON with
 * its arrays deflated and base64-encoded) unpacks to the same matrix, labels and folds, bit for
 * bit, and cross-validates to the same out-of-fold probabilities; equal tasks get one job id,
 * different ones different ids.
 */
import { describe, expect, it } from "vitest";
import type { CsrMatrix } from "../../src/features/csr.js";
import {
  packScreenResult,
  packScreenTask,
  unpackScreenJob,
  unpackScreenResult,
} from "../../src/recommend/screen-job.js";
import { crossValidate, type ScreenTask } from "../../src/recommend/screen-worker.js";
import { modelSchema } from "../../src/spec/models.js";
import { createRng } from "../../src/util/random.js";

/** A random sparse binary problem whose label depends on the first columns. */
function problem(rows: number, cols: number, seed: number): { X: CsrMatrix; y: Int32Array } {
  const r = createRng(seed);
  const rng = (): number => r.next();
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let signal = 0;
    for (let j = 0; j < cols; j++) {
      if (rng() < 0.2) {
        const v = rng() * 3 + 1e-7 * i; // values that do not round-trip through decimal text
        indices.push(j);
        data.push(v);
        if (j < 3) signal += v;
      }
    }
    indptr[i + 1] = indices.length;
    y[i] = signal + rng() > 2.5 ? 1 : 0;
  }
  return { X: { rows, cols, indptr, indices: Int32Array.from(indices), data: Float64Array.from(data) }, y };
}

describe("screening jobs", () => {
  const { X, y } = problem(120, 30, 7);
  const task: ScreenTask = {
    X,
    y,
    nClasses: 2,
    folds: Int32Array.from({ length: 120 }, (_, i) => i % 3),
    k: 3,
    model: modelSchema.parse({ family: "logistic_regression", C: 1 }),
    seed: 11,
  };

  it("round-trips through JSON to the same arrays, bit for bit", () => {
    const job = JSON.parse(JSON.stringify(packScreenTask(task))) as ReturnType<typeof packScreenTask>;
    const back = unpackScreenJob(job);
    expect(back.X.rows).toBe(X.rows);
    expect(back.X.cols).toBe(X.cols);
    expect(Array.from(back.X.indptr)).toEqual(Array.from(X.indptr));
    expect(Array.from(back.X.indices)).toEqual(Array.from(X.indices));
    expect(Array.from(back.X.data)).toEqual(Array.from(X.data));
    expect(Array.from(back.y)).toEqual(Array.from(y));
    expect(Array.from(back.folds)).toEqual(Array.from(task.folds));
    expect(back.model).toEqual(task.model);
    expect(back.seed).toBe(11);
  });

  it("cross-validates to the same out-of-fold probabilities on the worker's side", () => {
    const here = crossValidate(task);
    const there = unpackScreenResult(
      JSON.parse(JSON.stringify(packScreenResult(crossValidate(unpackScreenJob(packScreenTask(task)))))) as ReturnType<
        typeof packScreenResult
      >,
    );
    expect(there.error).toBeNull();
    expect(Array.from(there.proba)).toEqual(Array.from(here.proba));
  });

  it("packs a matrix that is a view into a larger buffer (only its own rows)", () => {
    const rows = { ...X, rows: 60, indptr: X.indptr.subarray(0, 61) };
    const small: ScreenTask = { ...task, X: rows, y: y.subarray(0, 60), folds: task.folds.subarray(0, 60) };
    const back = unpackScreenJob(packScreenTask(small));
    expect(back.X.indices.length).toBe(X.indptr[60]);
    expect(Array.from(back.y)).toEqual(Array.from(y.subarray(0, 60)));
  });

  it("gives equal tasks one job id and different tasks different ids", () => {
    expect(packScreenTask(task).hash).toBe(packScreenTask({ ...task }).hash);
    expect(packScreenTask({ ...task, seed: 12 }).hash).not.toBe(packScreenTask(task).hash);
    expect(
      packScreenTask({ ...task, model: modelSchema.parse({ family: "logistic_regression", C: 2 }) }).hash,
    ).not.toBe(packScreenTask(task).hash);
  });
});
