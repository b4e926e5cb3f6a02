/**
 * The distributed Executor: tasks become BullMQ jobs on Redis, and `mlloop worker` processes on
 * any number of machines take them (no home-made queue). Same interface as the local pool:
 * `map(tasks)` resolves with one result per task, in task order.
 *
 * Jobs and faults, as BullMQ handles them:
 * - job id = `jobId(task)` (a sweep trial: its run id), so a task sent twice while its job exists
 *   (a coordinator restarted mid-sweep) is one job, and a finished job answers at once;
 * - a worker that dies mid-job (kill -9, machine lost) stops renewing the job's lock; after
 *   `lockMs` another worker's stalled-job check moves the job back to the queue and another worker
 *   runs it (a job stalled twice fails);
 * - a job whose processor throws is tried `attempts` times (2) in all, then `onFailure` turns the
 *   error into that task's result: the map goes on; with `retryFailed`, a later invocation sends
 *   such a job again instead of getting the kept failure back;
 * - Redis restarted: ioredis reconnects and BullMQ resumes; with AOF and `appendfsync always`
 *   (README, workers) no acknowledged job is lost.
 */
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from "bullmq";
import { Redis } from "ioredis";
import { UsageError } from "../errors.js";
import type { Executor } from "./executor.js";

export const DEFAULT_QUEUE_NAME = "mlloop";
/** How long a job stays locked to a silent worker before it is given to another (ms). */
export const DEFAULT_LOCK_MS = 30_000;

function redactRedis(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

/** ioredis options from a redis:// URL (BullMQ workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue ${redactRedis(url)}: not a URL; expected redis://host:port (or rediss:// for TLS)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new UsageError(
      `--queue ${redactRedis(url)}: expected a redis:// or rediss:// URL (got ${u.protocol.replace(":", "")})`,
    );
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port === "" ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    // keep trying through a Redis restart instead of failing the sweep
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}

/** Fails fast with a clear error when Redis cannot be reached at start (later outages are waited out). */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const options = redisConnection(url) as Record<string, unknown>;
  const client = new Redis({ ...options, retryStrategy: () => null, lazyConnect: true, connectTimeout: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new UsageError(
      `--queue ${redactRedis(url)}: cannot reach Redis (${err instanceof Error ? err.message : String(err)}); is redis-server running there?`,
    );
  } finally {
    client.disconnect();
  }
}

export interface QueueExecutorOptions<Task, Result> {
  readonly url: string;
  readonly queueName?: string;
  /** The job name (workers pick their handler by it). */
  readonly jobName: string;
  readonly jobId: (task: Task) => string;
  /** Tasks sent at once (a sweep's round size). */
  readonly parallelism: number;
  /** Tries of a job that throws (default 2). */
  readonly attempts?: number;
  /** The result of a task whose job failed for good. */
  readonly onFailure: (task: Task, message: string) => Result;
  /**
   * A job left failed by an earlier invocation is removed and sent again (default false). For jobs
   * that are pure computations on their payload (screening, cross-validation folds, coalition
   * runs): the queue keeps a failed job for an hour, and without this a rerun after a fixed worker
   * got the old failure back at once. Sweeps keep false: a failed trial is recorded and stays so.
   */
  readonly retryFailed?: boolean;
}

export async function queueExecutor<Task, Result>(
  o: QueueExecutorOptions<Task, Result>,
): Promise<Executor<Task, Result>> {
  const connection = redisConnection(o.url);
  await checkRedis(o.url);
  const name = o.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  // connection errors (Redis restarting) are retried by ioredis; without a listener they would be printed
  queue.on("error", () => {});
  events.on("error", () => {});
  // every job in flight holds a listener until it is added and finished (a loop keeps dozens of
  // screening trials in flight): many listeners are the design here, not a leak
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // jobs this executor sent: a failure of one of them is this invocation's answer, not stale
  const sent = new Set<string>();
  const one = async (task: Task): Promise<Result> => {
    const jobId = o.jobId(task);
    if (o.retryFailed === true && !sent.has(jobId)) {
      const old = await queue.getJob(jobId);
      // removal fails only if a worker took the job meanwhile: then it is not stale, wait for it
      if (old !== undefined && (await old.isFailed())) await old.remove().catch(() => undefined);
    }
    sent.add(jobId);
    const job = await queue.add(o.jobName, task, {
      jobId,
      attempts: o.attempts ?? 2,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 3600 },
    });
    try {
      return (await job.waitUntilFinished(events)) as Result;
    } catch (err) {
      return o.onFailure(task, err instanceof Error ? err.message : String(err));
    }
  };
  return {
    parallelism: Math.max(1, o.parallelism),
    async map(tasks, onDone) {
      let done = 0;
      return Promise.all(
        tasks.map(async (t) => {
          const r = await one(t);
          onDone?.(++done, tasks.length);
          return r;
        }),
      );
    },
    async close() {
      await Promise.all([events.close(), queue.close()]);
    },
  };
}

export interface QueueWorkerOptions {
  readonly url: string;
  readonly queueName?: string;
  readonly concurrency?: number;
  readonly lockMs?: number;
  /** Job name → handler; a job with no handler fails with a message that names it. */
  readonly handlers: Readonly<Record<string, (data: unknown) => Promise<unknown>>>;
  readonly onEvent?: (event: "start" | "done" | "failed", job: Job, detail?: string) => void;
}

export interface QueueWorker {
  close(): Promise<void>;
  readonly worker: Worker;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  await checkRedis(o.url);
  const lockDuration = o.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker(
    o.queueName ?? DEFAULT_QUEUE_NAME,
    async (job: Job) => {
      const handler = o.handlers[job.name];
      if (handler === undefined) {
        throw new Error(
          `this worker has no handler for ${job.name} jobs (it knows: ${Object.keys(o.handlers).join(", ")})`,
        );
      }
      o.onEvent?.("start", job);
      return handler(job.data);
    },
    {
      connection: redisConnection(o.url),
      concurrency: o.concurrency ?? 1,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 1,
    },
  );
  worker.on("completed", (job) => o.onEvent?.("done", job));
  worker.on("failed", (job, err) => job && o.onEvent?.("failed", job, err.message));
  // errors of the connection (Redis restarting) are retried by ioredis; keep them off stderr noise
  worker.on("error", () => {});
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}
