/**
 * A small local worker pool on node:worker_threads for independent CPU-bound tasks (learning-curve
 * folds, validation-curve points, cross-validated probabilities). The work itself lives in a task
 * module with two exports, `init(shared)` (once per worker) and `run(state, task)`; the pool starts
 * `size` workers, hands them the shared data once, and feeds tasks as workers free up.
 *
 * Workers run the compiled `.js` module next to this file; when mlloop runs from its TypeScript
 * sources (tsx, vitest) a plain `.mjs` bootstrap registers tsx first, since `new Worker("x.ts")`
 * cannot load TypeScript. `size: 0` runs every task inline on the calling thread (tests, tiny jobs).
 */
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export interface PoolTaskModule<Shared, Task, Result, State = unknown> {
  init(shared: Shared): State | Promise<State>;
  run(state: State, task: Task): Result | Promise<Result>;
  /** Optional: the buffers of a result to move to the caller rather than copy (they become unusable in the worker). */
  transfer?(result: Result): ArrayBuffer[];
}

export interface WorkerRequest<Task> {
  readonly id: number;
  readonly task: Task;
}

export type WorkerResponse<Result> =
  | { readonly id: number; readonly ok: true; readonly result: Result }
  | { readonly id: number; readonly ok: false; readonly error: { name: string; message: string } };

export interface PoolOptions<Shared> {
  /** URL of the task module (pass `new URL("./x.js", import.meta.url)`; a `.ts` sibling is used under tsx). */
  readonly module: URL;
  readonly shared: Shared;
  /** Number of worker threads (default: available parallelism, at most 8); 0 runs tasks inline. */
  readonly size?: number;
}

export interface TaskPool<Task, Result> {
  readonly size: number;
  run(task: Task): Promise<Result>;
  /** Runs every task, calling `onDone` as each finishes; results in task order. */
  runAll(tasks: readonly Task[], onDone?: (done: number, total: number) => void): Promise<Result[]>;
  close(): Promise<void>;
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

const runningFromSource = import.meta.url.endsWith(".ts");

/** The module URL as it exists on disk: `x.js` next to compiled code, `x.ts` next to the sources. */
function resolveModule(url: URL): URL {
  if (runningFromSource && url.pathname.endsWith(".js")) return new URL(url.href.replace(/\.js$/, ".ts"));
  return url;
}

function spawnWorker(moduleUrl: URL, shared: unknown): Worker {
  const entry = new URL(runningFromSource ? "./pool-worker.ts" : "./pool-worker.js", import.meta.url);
  const workerData = { module: moduleUrl.href, init: shared, entry: entry.href };
  if (runningFromSource) {
    return new Worker(fileURLToPath(new URL("./pool-bootstrap.mjs", import.meta.url)), { workerData });
  }
  return new Worker(fileURLToPath(entry), { workerData });
}

class InlinePool<Shared, Task, Result> implements TaskPool<Task, Result> {
  readonly size = 0;
  private state: Promise<{ mod: PoolTaskModule<Shared, Task, Result>; state: unknown }>;

  constructor(moduleUrl: URL, shared: Shared) {
    this.state = (async () => {
      const mod = (await import(moduleUrl.href)) as PoolTaskModule<Shared, Task, Result>;
      return { mod, state: await mod.init(shared) };
    })();
  }

  async run(task: Task): Promise<Result> {
    const { mod, state } = await this.state;
    return mod.run(state, task);
  }

  async runAll(tasks: readonly Task[], onDone?: (done: number, total: number) => void): Promise<Result[]> {
    const out: Result[] = [];
    for (const t of tasks) {
      out.push(await this.run(t));
      onDone?.(out.length, tasks.length);
      // let progress bars and heartbeats breathe between tasks
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  async close(): Promise<void> {}
}

interface Slot {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
}

class ThreadPool<Shared, Task, Result> implements TaskPool<Task, Result> {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ id: number; task: Task }> = [];
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    readonly size: number,
    moduleUrl: URL,
    shared: Shared,
  ) {
    for (let i = 0; i < size; i++) {
      const worker = spawnWorker(moduleUrl, shared);
      const ready = new Promise<void>((resolve, reject) => {
        const onMessage = (msg: { ready?: boolean }): void => {
          if (msg?.ready) {
            worker.off("message", onMessage);
            resolve();
          }
        };
        worker.on("message", onMessage);
        worker.once("error", reject);
      });
      // a worker that fails to start is reported through fail() below; a pool started ahead of
      // its first task must not also leave this promise rejected with nobody waiting
      ready.catch(() => undefined);
      const slot: Slot = { worker, ready, busy: false };
      worker.on("message", (msg: WorkerResponse<Result> | { ready: true }) => {
        if ("ready" in msg) return;
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        slot.busy = false;
        if (msg.ok) p.resolve(msg.result);
        else {
          const err = new Error(msg.error.message);
          err.name = msg.error.name;
          p.reject(err);
        }
        this.dispatch();
      });
      worker.on("error", (e: Error) => this.fail(e));
      worker.on("exit", (code) => {
        if (!this.closed && code !== 0) this.fail(new Error(`a pool worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.queue.length = 0;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const next = this.queue.shift()!;
      slot.busy = true;
      void slot.ready.then(
        () => slot.worker.postMessage({ id: next.id, task: next.task } satisfies WorkerRequest<Task>),
        (e: Error) => this.fail(e),
      );
    }
  }

  run(task: Task): Promise<Result> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the pool is closed"));
    const id = this.nextId++;
    const promise = new Promise<Result>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.queue.push({ id, task });
    this.dispatch();
    return promise;
  }

  async runAll(tasks: readonly Task[], onDone?: (done: number, total: number) => void): Promise<Result[]> {
    let done = 0;
    return Promise.all(
      tasks.map((t) =>
        this.run(t).then((r) => {
          onDone?.(++done, tasks.length);
          return r;
        }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

export function createPool<Shared, Task, Result>(options: PoolOptions<Shared>): TaskPool<Task, Result> {
  const size = options.size ?? defaultPoolSize();
  const moduleUrl = resolveModule(options.module);
  if (size <= 0) return new InlinePool<Shared, Task, Result>(moduleUrl, options.shared);
  return new ThreadPool<Shared, Task, Result>(size, moduleUrl, options.shared);
}

/** For callers that hold a file path rather than a URL. */
export function moduleUrlOf(path: string): URL {
  return pathToFileURL(path);
}
