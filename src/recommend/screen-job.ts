/**
 * Screening trials as queue jobs (`mlloop loop --queue`): a ScreenTask carries its training matrix,
 * so a worker on another machine needs neither the data nor the spec — only this payload. BullMQ
 * stores job data as JSON, where a typed array would become an object with one key per element;
 * the arrays travel as one deflated, base64-encoded buffer instead (a rung-1 spam task: ~8 MB of
 * CSR arrays → ~2 MB). The job id is the payload's hash: a task sent twice (a restarted loop) is one
 * job, and an identical trial already finished answers at once.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Executor } from "../search/executor.js";
import type { ModelSpec } from "../spec/models.js";
import type { ScreenResult, ScreenTask } from "./screen-worker.js";

export interface ScreenJob {
  readonly kind: "screen";
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  readonly nClasses: number;
  readonly k: number;
  readonly model: ModelSpec;
  readonly seed: number;
  /** indptr, indices, data, y, folds, concatenated, deflated, base64. */
  readonly arrays: string;
  readonly hash: string;
}

export interface ScreenJobResult {
  /** The out-of-fold probabilities' bytes, base64. */
  readonly proba: string;
  readonly fitMs: number;
  readonly error: string | null;
}

function bytes(a: Int32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function packScreenTask(t: ScreenTask): ScreenJob {
  const nnz = t.X.indptr[t.X.rows]!;
  const raw = Buffer.concat([
    bytes(t.X.indptr.subarray(0, t.X.rows + 1)),
    bytes(t.X.indices.subarray(0, nnz)),
    bytes(t.X.data.subarray(0, nnz)),
    bytes(t.y),
    bytes(t.folds),
  ]);
  const arrays = deflateRawSync(raw, { level: 1 }).toString("base64");
  const head = { rows: t.X.rows, cols: t.X.cols, nnz, nClasses: t.nClasses, k: t.k, model: t.model, seed: t.seed };
  const hash = createHash("sha256").update(JSON.stringify(head)).update(arrays).digest("hex").slice(0, 32);
  return { kind: "screen", ...head, arrays, hash };
}

/** Copies out of the inflated buffer: typed arrays need aligned offsets. */
export function unpackScreenJob(j: ScreenJob): ScreenTask {
  const raw = inflateRawSync(Buffer.from(j.arrays, "base64"));
  let at = 0;
  const take = <T extends Int32Array | Float64Array>(make: (n: number) => T, n: number): T => {
    const out = make(n);
    const len = n * out.BYTES_PER_ELEMENT;
    Buffer.from(out.buffer).set(raw.subarray(at, at + len));
    at += len;
    return out;
  };
  const indptr = take((n) => new Int32Array(n), j.rows + 1);
  const indices = take((n) => new Int32Array(n), j.nnz);
  const data = take((n) => new Float64Array(n), j.nnz);
  const y = take((n) => new Int32Array(n), j.rows);
  const folds = take((n) => new Int32Array(n), j.rows);
  if (at !== raw.length) throw new Error(`screen job ${j.hash}: ${raw.length} bytes of arrays, ${at} expected`);
  return {
    X: { rows: j.rows, cols: j.cols, indptr, indices, data },
    y,
    folds,
    nClasses: j.nClasses,
    k: j.k,
    model: j.model,
    seed: j.seed,
  };
}

export function packScreenResult(r: ScreenResult): ScreenJobResult {
  return { proba: bytes(r.proba).toString("base64"), fitMs: r.fitMs, error: r.error };
}

export function unpackScreenResult(r: ScreenJobResult): ScreenResult {
  const b = Buffer.from(r.proba, "base64");
  const proba = new Float64Array(b.length / 8);
  Buffer.from(proba.buffer).set(b);
  return { proba, fitMs: r.fitMs, error: r.error };
}

/** Screening trials as BullMQ jobs for `mlloop worker` processes (same interface as the local pool). */
export async function screenQueueExecutor(o: {
  readonly url: string;
  readonly queueName?: string;
  readonly parallelism: number;
}): Promise<Executor<ScreenTask, ScreenResult>> {
  const { queueExecutor } = await import("../search/queue-executor.js");
  const inner = await queueExecutor<ScreenJob, ScreenJobResult>({
    url: o.url,
    queueName: o.queueName,
    jobName: "screen",
    jobId: (j) => `screen-${j.hash}`,
    retryFailed: true,
    parallelism: o.parallelism,
    // a job lost twice is a failed candidate (screening shows it as such), not a failed loop
    onFailure: (_j, message) => ({ proba: "", fitMs: 0, error: `the queue lost this trial: ${message}` }),
  });
  return {
    parallelism: inner.parallelism,
    async map(tasks, onDone) {
      return (await inner.map(tasks.map(packScreenTask), onDone)).map(unpackScreenResult);
    },
    close: () => inner.close(),
  };
}
