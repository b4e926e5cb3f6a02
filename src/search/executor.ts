/**
 * One interface for "run these independent trials": the local worker pool implements it today; a
 * distributed queue (BullMQ workers on other machines) can implement it later without the
 * searchers or the screening knowing. Results come back in task order; `onDone` reports progress.
 */
import { createPool, type TaskPool } from "../util/pool.js";

export interface Executor<Task, Result> {
  /** How many tasks run at once (1 for inline execution). */
  readonly parallelism: number;
  map(tasks: readonly Task[], onDone?: (done: number, total: number) => void): Promise<Result[]>;
  close(): Promise<void>;
}

/** Runs each task on the calling thread, one after another (tests, tiny jobs, a busy machine). */
export function inlineExecutor<Task, Result>(run: (task: Task) => Result | Promise<Result>): Executor<Task, Result> {
  return {
    parallelism: 1,
    async map(tasks, onDone) {
      const out: Result[] = [];
      for (const t of tasks) {
        out.push(await run(t));
        onDone?.(out.length, tasks.length);
      }
      return out;
    },
    async close() {},
  };
}

/**
 * The local worker pool: `module` exports `init(shared)` and `run(state, task)` (see loop/pool.ts);
 * `size` 0 or 1 runs inline on the calling thread, which is faster than one worker.
 */
export function localPoolExecutor<Shared, Task, Result>(options: {
  readonly module: URL;
  readonly shared: Shared;
  readonly size: number;
}): Executor<Task, Result> {
  const pool: TaskPool<Task, Result> = createPool<Shared, Task, Result>({
    module: options.module,
    shared: options.shared,
    size: options.size <= 1 ? 0 : options.size,
  });
  return {
    parallelism: Math.max(1, pool.size),
    map: (tasks, onDone) => pool.runAll(tasks, onDone),
    close: () => pool.close(),
  };
}
