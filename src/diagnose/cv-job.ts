/**
 * Cross-validation tasks as queue jobs (`mlloop diagnose --queue`). A CvTask only names rows of the
 * session's feature source, which local pool threads hold as shared state; a worker on another
 * machine holds nothing, so each job carries the source itself: the words family's raw term counts,
 * the block of the other families, and the labels. The worker rebuilds the fold's matrices from them
 * with the local pool's own code (fold-features.ts, cv-worker.ts), so the counts, errors and
 * probabilities are the same, bit for bit, and it needs neither the data nor the spec.
 *
 * BullMQ stores job data as JSON, where a typed array would become an object with one key per
 * element: the arrays travel as deflated, base64-encoded bytes (as screening jobs do). The source is
 * encoded once per session and shared by all its jobs (the spam baseline's 3,647 training messages:
 * 6.7 MB of arrays → 1.8 MB of base64 per job); a job's own part is its rows, a few KB. The job id
 * is the payload's hash: a task sent twice (a diagnosis restarted) is one job, and an identical task
 * already finished answers at once.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { EnvironmentError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import type { Executor } from "../search/executor.js";
import type { ModelSpec } from "../spec/models.js";
import type { WordsParams } from "../spec/schema.js";
import type { CvExecutorFactory } from "./cv.js";
import { run as runCvTask, type CvResult, type CvShared, type CvTask, type SplitCounts } from "./cv-worker.js";

interface CsrShape {
  readonly cols: number;
  readonly nnz: number;
}

/** A session's shared state, encoded once and copied into each of its jobs. */
export interface CvJobSource {
  readonly rows: number;
  readonly words: (CsrShape & { readonly params: WordsParams }) | null;
  readonly fixed: CsrShape | null;
  readonly nClasses: number;
  readonly positive: number | null;
  /** words indptr, indices, data; fixed indptr, indices, data; y — deflated, base64. */
  readonly arrays: string;
  readonly hash: string;
}

export interface CvJob {
  readonly kind: "cv";
  readonly key: string;
  readonly source: CvJobSource;
  readonly nTrain: number;
  readonly nVal: number;
  /** trainRows then valRows, deflated, base64. */
  readonly rows: string;
  readonly model: ModelSpec;
  readonly seed: number;
  readonly wantProba: boolean;
  readonly hash: string;
}

export interface CvJobResult {
  readonly key: string;
  readonly train: SplitCounts | null;
  readonly val: SplitCounts | null;
  readonly fitMs: number;
  readonly converged: boolean;
  /** The validation rows' probabilities' bytes, base64 (when asked for). */
  readonly valProba: string | null;
  /** The task's own error on the worker (not retried: it would fail again). */
  readonly error: { readonly name: string; readonly message: string } | null;
}

type Arrays = Int32Array | Float64Array;

function bytes(a: Arrays): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function pack(arrays: readonly Arrays[]): string {
  return deflateRawSync(Buffer.concat(arrays.map(bytes)), { level: 1 }).toString("base64");
}

/** Reads typed arrays back in order; copies, since typed arrays need aligned offsets. */
function reader(packed: string, what: string) {
  const raw = inflateRawSync(Buffer.from(packed, "base64"));
  let at = 0;
  const take = <T extends Arrays>(make: (n: number) => T, n: number): T => {
    const out = make(n);
    const len = n * out.BYTES_PER_ELEMENT;
    if (at + len > raw.length) throw new Error(`${what}: ${raw.length} bytes of arrays, more expected`);
    Buffer.from(out.buffer).set(raw.subarray(at, at + len));
    at += len;
    return out;
  };
  const int32 = (n: number) => take((k) => new Int32Array(k), n);
  const float64 = (n: number) => take((k) => new Float64Array(k), n);
  const end = () => {
    if (at !== raw.length) throw new Error(`${what}: ${raw.length} bytes of arrays, ${at} expected`);
  };
  return { int32, float64, end };
}

function csrArrays(m: CsrMatrix): Arrays[] {
  const nnz = m.indptr[m.rows]!;
  return [m.indptr.subarray(0, m.rows + 1), m.indices.subarray(0, nnz), m.data.subarray(0, nnz)];
}

function shapeOf(m: CsrMatrix): CsrShape {
  return { cols: m.cols, nnz: m.indptr[m.rows]! };
}

function sha(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\u0000");
  return h.digest("hex").slice(0, 32);
}

export function packCvSource(shared: CvShared): CvJobSource {
  const { words, fixed, rows } = shared.features;
  const arrays = pack([
    ...(words ? csrArrays(words.counts) : []),
    ...(fixed ? csrArrays(fixed) : []),
    shared.y.subarray(0, rows),
  ]);
  const head = {
    rows,
    words: words ? { ...shapeOf(words.counts), params: words.params } : null,
    fixed: fixed ? shapeOf(fixed) : null,
    nClasses: shared.nClasses,
    positive: shared.positive,
  };
  return { ...head, arrays, hash: sha(JSON.stringify(head), arrays) };
}

export function unpackCvSource(s: CvJobSource): CvShared {
  const read = reader(s.arrays, `cv job source ${s.hash}`);
  const csr = (shape: CsrShape): CsrMatrix => ({
    rows: s.rows,
    cols: shape.cols,
    indptr: read.int32(s.rows + 1),
    indices: read.int32(shape.nnz),
    data: read.float64(shape.nnz),
  });
  const counts = s.words ? csr(s.words) : null;
  const fixed = s.fixed ? csr(s.fixed) : null;
  const y = read.int32(s.rows);
  read.end();
  return {
    features: { rows: s.rows, words: counts && s.words ? { counts, params: s.words.params } : null, fixed },
    y,
    nClasses: s.nClasses,
    positive: s.positive,
  };
}

export function packCvTask(source: CvJobSource, t: CvTask): CvJob {
  const rows = pack([t.trainRows, t.valRows]);
  const head = {
    key: t.key,
    nTrain: t.trainRows.length,
    nVal: t.valRows.length,
    model: t.model,
    seed: t.seed,
    wantProba: t.wantProba === true,
  };
  return { kind: "cv", ...head, source, rows, hash: sha(source.hash, JSON.stringify(head), rows) };
}

/**
 * The last source this thread decoded: a session's jobs all carry the same source, and a worker
 * thread usually takes several in a row (decoding the spam baseline's takes ~30 ms).
 */
let lastSource: { readonly hash: string; readonly shared: CvShared } | null = null;

export function unpackCvJob(j: CvJob): { shared: CvShared; task: CvTask } {
  const read = reader(j.rows, `cv job ${j.hash}`);
  const trainRows = read.int32(j.nTrain);
  const valRows = read.int32(j.nVal);
  read.end();
  if (lastSource?.hash !== j.source.hash) lastSource = { hash: j.source.hash, shared: unpackCvSource(j.source) };
  return {
    shared: lastSource.shared,
    task: { key: j.key, trainRows, valRows, model: j.model, seed: j.seed, wantProba: j.wantProba },
  };
}

/** A queue worker's side: the task on the source it carries, with the result encoded for JSON. */
export function runCvJob(j: CvJob): CvJobResult {
  try {
    const { shared, task } = unpackCvJob(j);
    return packCvResult(runCvTask(shared, task));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const error = { name: err.name, message: err.message };
    return { key: j.key, train: null, val: null, fitMs: 0, converged: false, valProba: null, error };
  }
}

export function packCvResult(r: CvResult): CvJobResult {
  return {
    key: r.key,
    train: r.train,
    val: r.val,
    fitMs: r.fitMs,
    converged: r.converged,
    valProba: r.valProba === undefined ? null : bytes(r.valProba).toString("base64"),
    error: null,
  };
}

/** The result as the local pool gives it; a task that failed on the worker throws, as it does there. */
export function unpackCvResult(r: CvJobResult): CvResult {
  if (r.error !== null || r.train === null || r.val === null) {
    const err = new Error(
      `cross-validation task ${r.key} failed on a queue worker: ${r.error?.message ?? "no result"}`,
    );
    err.name = r.error?.name ?? "Error";
    throw err;
  }
  let valProba: Float64Array | undefined;
  if (r.valProba !== null) {
    const b = Buffer.from(r.valProba, "base64");
    valProba = new Float64Array(b.length / 8);
    Buffer.from(valProba.buffer).set(b);
  }
  return {
    key: r.key,
    train: r.train,
    val: r.val,
    fitMs: r.fitMs,
    converged: r.converged,
    ...(valProba === undefined ? {} : { valProba }),
  };
}

/**
 * Cross-validation sessions on BullMQ jobs for `mlloop worker` processes (the same Executor as the
 * local pool). Redis is checked here, before any data is loaded; each session's queue connection
 * opens with its first tasks.
 */
export async function cvQueueExecutor(o: {
  readonly url: string;
  readonly queueName?: string;
}): Promise<CvExecutorFactory> {
  const { checkRedis, queueExecutor, DEFAULT_QUEUE_NAME } = await import("../search/queue-executor.js");
  await checkRedis(o.url);
  const queueName = o.queueName ?? DEFAULT_QUEUE_NAME;
  return (shared) => {
    const source = packCvSource(shared);
    let inner: Promise<Executor<CvJob, CvJobResult>> | null = null;
    const open = () =>
      (inner ??= queueExecutor<CvJob, CvJobResult>({
        url: o.url,
        queueName,
        jobName: "cv",
        jobId: (j) => `cv-${j.hash}`,
        retryFailed: true,
        // every task goes out at once: how many run together is the workers' business
        parallelism: 1,
        onFailure: (j, message) => {
          // a job the queue gave up on (no worker could run it, or it stalled twice): nothing to compute a curve from
          throw new EnvironmentError(
            `cross-validation task ${j.key} failed on queue ${queueName}: ${message}` +
              (/no handler/.test(message) ? " (run the same mlloop version on every worker of this queue)" : ""),
          );
        },
      }));
    return {
      parallelism: 1,
      async map(tasks, onDone) {
        const queue = await open();
        const results = await queue.map(
          tasks.map((t) => packCvTask(source, t)),
          onDone,
        );
        return results.map(unpackCvResult);
      },
      async close() {
        // a connection that never opened has its error reported by map already
        const queue = await inner?.catch(() => null);
        await queue?.close();
      },
    };
  };
}
