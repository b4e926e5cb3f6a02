/**
 * Parsing the spam corpus on worker threads: the message list is cut into shards, each worker
 * reads and parses its shards and sends them back encoded (parse-task.ts), and the main thread
 * decodes them as they arrive — and hands the very same bytes to the parse cache, so a cold run
 * does not encode the dataset a second time.
 *
 * Small selections, a busy or one-core machine, and `workers: 0` parse on the calling thread:
 * starting workers costs more than it saves below a few hundred messages or without idle cores.
 */
import { loadavg } from "node:os";
import { DataError, isMlloopError } from "../errors.js";
import { decodeExamples } from "../data/example-codec.js";
import type { Dataset, Example } from "../data/example.js";
import { finalizeDataset } from "../data/load.js";
import { duplicateKey, rememberDuplicateKey } from "../data/split.js";
import { yieldToEventLoop } from "../data/sources/files.js";
import {
  loadSpamAssassin,
  readSpamAssassinMessage,
  spamAssassinResult,
  spamAssassinSelection,
  type SpamAssassinSpec,
} from "../data/sources/spamassassin.js";
import type { DatasetEntryWriter } from "./cache-dataset.js";
import { releaseMemory } from "../util/collect-garbage.js";
import { createPool, defaultPoolSize } from "../util/pool.js";
import type { ParseResult, ParseShared, ParseTask } from "./parse-task.js";

/** Below this many messages the corpus is parsed on the calling thread. */
export const MIN_PARALLEL_MESSAGES = 800;
const SHARD_MESSAGES = 200;

export interface ParallelLoadOptions {
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Worker threads (default: MLLOOP_WORKERS, else the pool default); 0 parses on the calling thread. */
  readonly workers?: number;
  /** Receives each encoded shard (the parse cache entry being written). */
  readonly sink?: DatasetEntryWriter;
  /**
   * What the run keeps of each parsed message (keptOfExamples in cache-inputs.ts), applied as the
   * messages arrive — after the parse cache has the full message and its duplicate key is known —
   * so that the whole corpus is never in memory at once. Absent: the full examples.
   */
  readonly keep?: (ex: Example) => Example;
}

/**
 * Worker count from the option, else MLLOOP_WORKERS, else one per idle core when at least two cores
 * are idle (1-minute load average), else 0. Workers cost CPU of their own (start-up, module
 * loading, encoding and decoding the shards, three heaps to collect) that only pays back on free
 * cores — measured on this project's 2-core machine at load 5: 2 workers 3.5 s wall, 5.2 s CPU,
 * 370 MB peak; the calling thread alone 3.3 s, 4.1 s, 305 MB (median of 4 cold runs each).
 *
 * A run that keeps only part of each message (`keeping`: ParallelLoadOptions.keep) gets workers
 * only when they are asked for: each worker's heap grows with the whole messages it parses, and the
 * cold spam run's peak was ~400 MB with two of them against ~175 MB without (docs/benchmarks.md,
 * "Memory"), a run keeping part of each message being one that was asked to spare memory.
 */
export function parseWorkers(option?: number, load = loadavg()[0]!, keeping = false): number {
  if (option !== undefined) return option;
  const env = process.env["MLLOOP_WORKERS"];
  if (env !== undefined && /^\d+$/.test(env.trim())) return Number(env.trim());
  if (keeping) return 0;
  const idle = Math.floor(defaultPoolSize() - load + 0.5);
  return idle >= 2 ? idle : 0;
}

function rethrown(e: unknown): Error {
  if (isMlloopError(e)) return e;
  const err = e as Error;
  // errors cross the thread boundary as name + message; restore the user-facing kind
  if (err?.name === "DataError") return new DataError(err.message);
  return err;
}

/** Messages parsed between two handovers to the parse cache, the progress bar and the event loop. */
const BATCH_MESSAGES = 16;

/**
 * The calling thread's parse when the run keeps only part of each message: a batch at a time is
 * parsed, handed to the parse cache whole, and cut down to what the run keeps (its duplicate key,
 * which reads the full body text, remembered first, so the split is the one the full messages give).
 */
async function loadKeepingOnThisThread(
  data: SpamAssassinSpec,
  opts: ParallelLoadOptions,
  keep: (ex: Example) => Example,
): Promise<Dataset> {
  const { dir, files, of } = spamAssassinSelection(data, opts.seed);
  const total = files.length;
  const examples = new Array<Example>(total);
  for (let start = 0; start < total; start += BATCH_MESSAGES) {
    const batch = files.slice(start, start + BATCH_MESSAGES).map((f) => readSpamAssassinMessage(dir, f));
    await opts.sink?.encode(batch, start);
    for (let k = 0; k < batch.length; k++) {
      const full = batch[k]!;
      const kept = keep(full);
      if (kept !== full) rememberDuplicateKey(kept, duplicateKey(full));
      examples[start + k] = kept;
    }
    opts.onProgress?.(start + batch.length, total);
    await yieldToEventLoop();
  }
  // What is kept is a fraction of what parsing allocated: V8 has grown its young generation to two
  // 16 MB semi-spaces and left old-space pages sparsely used, and would keep both through the features
  // and the fit (docs/benchmarks.md, "Memory").
  await releaseMemory();
  return finalizeDataset(spamAssassinResult(data, examples, of));
}

export async function loadSpamAssassinParallel(data: SpamAssassinSpec, opts: ParallelLoadOptions): Promise<Dataset> {
  const { dir, files, of } = spamAssassinSelection(data, opts.seed);
  const workers = Math.min(
    parseWorkers(opts.workers, undefined, opts.keep !== undefined),
    Math.ceil(files.length / SHARD_MESSAGES),
  );
  if (workers <= 0 || files.length < MIN_PARALLEL_MESSAGES) {
    if (opts.keep !== undefined) return loadKeepingOnThisThread(data, opts, opts.keep);
    const dataset = finalizeDataset(await loadSpamAssassin(data, opts.seed, opts.onProgress));
    await opts.sink?.encode(dataset.examples);
    return dataset;
  }
  const tasks: ParseTask[] = [];
  for (let start = 0; start < files.length; start += SHARD_MESSAGES) {
    tasks.push({ start, files: files.slice(start, start + SHARD_MESSAGES) });
  }
  const examples = new Array<Example>(files.length);
  const pool = createPool<ParseShared, ParseTask, ParseResult>({
    module: new URL("./parse-task.js", import.meta.url),
    shared: { dir },
    size: workers,
  });
  let done = 0;
  try {
    await Promise.all(
      tasks.map(async (task) => {
        const shard = await pool.run(task);
        const decoded = decodeExamples(shard.bytes, shard.count);
        for (let k = 0; k < decoded.length; k++) {
          const ex = opts.keep === undefined ? decoded[k]! : opts.keep(decoded[k]!);
          examples[shard.start + k] = ex;
          rememberDuplicateKey(ex, shard.keys[k]!);
        }
        opts.sink?.shard(shard.start, shard.count, [shard.bytes]);
        done += shard.count;
        opts.onProgress?.(done, files.length);
      }),
    );
  } catch (e) {
    throw rethrown(e);
  } finally {
    await pool.close();
  }
  if (opts.keep !== undefined) await releaseMemory(); // as in loadKeepingOnThisThread
  return finalizeDataset(spamAssassinResult(data, examples, of));
}
