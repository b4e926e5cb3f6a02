/**
 * One heartbeat thread shared by every running run of a store (the SQLite and PostgreSQL stores
 * give it their worker source). Starting a thread per run (a Node instance and the driver, plus a
 * login on PostgreSQL) cost ≈ 75 ms of each sweep trial on this machine, most of its overhead over
 * Optuna's; the thread now starts with the first run and beats each run until it is removed.
 *
 * The worker protocol: `{type: "add", runId}`, `{type: "remove", runId, seq}` (answered by
 * `{type: "removed", seq}` once no beat for the run can land any more), `{type: "stop"}`; the worker
 * posts `{type: "ready"}` and `{type: "error", runId, message}`.
 */
import { Worker } from "node:worker_threads";
import type { Heartbeat, HeartbeatOptions } from "./store.js";

export class HeartbeatThread {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** Resolves when the worker has started; rejects when it failed to. */
  readonly ready: Promise<void>;
  private readonly onError = new Map<string, (message: string) => void>();
  private readonly removals = new Map<number, () => void>();
  private seq = 0;
  private closing: Promise<void> | null = null;

  constructor(source: string, workerData: Record<string, unknown>) {
    this.worker = new Worker(source, { eval: true, workerData });
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    // a worker that fails is reported to every run it beats, like a beat that fails later
    const failAll = (message: string): void => {
      for (const report of this.onError.values()) report(message);
    };
    let started = false;
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on("message", (m: { type: string; runId?: string; message?: string; seq?: number }) => {
        if (m.type === "ready") {
          started = true;
          resolve();
        } else if (m.type === "error") this.onError.get(m.runId ?? "")?.(m.message ?? "unknown error");
        else if (m.type === "removed") this.removals.get(m.seq ?? -1)?.();
      });
      this.worker.on("error", (error) => {
        failAll(error.message);
        reject(error);
      });
      void this.exited.then(() => {
        const why = started ? "the heartbeat worker exited" : "the heartbeat worker exited before starting";
        if (this.closing === null) failAll(why);
        reject(new Error(why));
        for (const done of this.removals.values()) done();
      });
    });
    this.ready.catch(() => undefined);
    // Runs a caller forgot to end must not keep the process alive (readers mark them crashed).
    // Unreferenced after the listeners above: attaching a "message" listener refs the worker's
    // port again, which kept every tracking script from exiting.
    this.worker.unref();
  }

  /** Beat `runId` until its handle is stopped (the worker's start is not waited for here). */
  add(runId: string, options?: HeartbeatOptions): Heartbeat {
    const reported = new Set<string>();
    this.onError.set(runId, (message) => {
      if (reported.has(message)) return;
      reported.add(message);
      options?.onError?.(`heartbeat for run ${runId}: ${message}`);
    });
    this.worker.postMessage({ type: "add", runId });
    let stopping: Promise<void> | null = null;
    return {
      stop: () => {
        stopping ??= this.remove(runId);
        return stopping;
      },
    };
  }

  private remove(runId: string): Promise<void> {
    this.onError.delete(runId);
    if (this.closing !== null) return this.closing;
    const seq = this.seq++;
    return new Promise<void>((resolve) => {
      // the timer keeps the process alive until the thread answers (the worker itself is unref'd)
      const timeout = setTimeout(() => finish(), 5_000);
      const finish = (): void => {
        clearTimeout(timeout);
        this.removals.delete(seq);
        resolve();
      };
      this.removals.set(seq, finish);
      this.worker.postMessage({ type: "remove", runId, seq });
    });
  }

  /** Stop beating every run and end the thread (and its connection). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.postMessage({ type: "stop" });
      const timeout = setTimeout(() => void this.worker.terminate(), 5_000);
      await this.exited;
      clearTimeout(timeout);
    })();
    return this.closing;
  }
}
