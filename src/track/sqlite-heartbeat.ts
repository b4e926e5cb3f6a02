/**
 * Heartbeats for SQLite runs, written from a worker thread with its own connection so that a long
 * synchronous training loop on the main thread cannot starve them (a starved heartbeat would get
 * a live run marked crashed).
 *
 * One thread serves every running run of a store (SqliteHeartbeats). The worker is plain JavaScript evaluated from a string (`eval: true`) that loads better-sqlite3
 * by its resolved path: no entry file to locate, so it runs the same under vitest/tsx and from
 * the compiled dist/ (a `new Worker("x.ts")` fails under tsx and vitest).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Heartbeat, HeartbeatOptions } from "./store.js";
import { thisHost } from "./liveness.js";

/**
 * One beat: refresh the time, and revive the run if a reader marked it crashed while its owner
 * (same pid and host) was in fact alive. Parameters: now, run id, pid, host.
 */
export const HEARTBEAT_SQL = `
  UPDATE runs SET heartbeat_at = ?, status = 'running', ended_at = NULL, error = NULL
  WHERE id = ? AND (status = 'running' OR (status = 'crashed' AND pid = ? AND host = ?))`;

const WORKER_SOURCE = `
"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driverPath);
const db = new Database(workerData.dbPath, { fileMustExist: true });
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
const beat = db.prepare(workerData.sql);
const runs = new Set();
function tick() {
  for (const runId of runs) {
    try {
      beat.run(Date.now(), runId, workerData.pid, workerData.host);
    } catch (error) {
      parentPort.postMessage({ type: "error", runId, message: String((error && error.message) || error) });
    }
  }
}
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message.type === "add") runs.add(message.runId);
  else if (message.type === "remove") {
    runs.delete(message.runId);
    parentPort.postMessage({ type: "removed", seq: message.seq });
  } else if (message.type === "stop") {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: "ready" });
`;

const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");

export interface SqliteHeartbeatTarget {
  readonly dbPath: string;
  readonly busyTimeoutMs: number;
}

/**
 * One heartbeat thread for every running run of one store and interval. Starting a thread (a Node
 * instance and the driver) cost ≈ 75 ms per run on this machine, most of a sweep trial's overhead
 * over Optuna's; the thread now starts with the first run and beats each run until it is removed.
 * A run's `stop()` resolves once the thread has dropped it, so no beat for it lands afterwards.
 */
export class SqliteHeartbeats {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly onError = new Map<string, (message: string) => void>();
  private readonly removals = new Map<number, () => void>();
  private seq = 0;
  private started = false;
  private closing: Promise<void> | null = null;

  constructor(target: SqliteHeartbeatTarget, intervalMs: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driverPath,
        dbPath: target.dbPath,
        pid: process.pid,
        host: thisHost,
        sql: HEARTBEAT_SQL,
        busyTimeoutMs: target.busyTimeoutMs,
        intervalMs,
      },
    });
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.on("message", (m: { type: string; runId?: string; message?: string; seq?: number }) => {
      if (m.type === "ready") this.started = true;
      else if (m.type === "error") this.onError.get(m.runId ?? "")?.(m.message ?? "unknown error");
      else if (m.type === "removed") this.removals.get(m.seq ?? -1)?.();
    });
    // Not waited for: the store wrote each run's first beat on the caller's thread, and the
    // worker's start overlaps the run instead of delaying it. A worker that fails is reported to
    // every run it beats, like a beat that fails later.
    const failAll = (message: string): void => {
      for (const report of this.onError.values()) report(message);
    };
    this.worker.on("error", (error) => failAll(error.message));
    void this.exited.then(() => {
      if (!this.started && this.closing === null) failAll("the heartbeat worker exited before starting");
      for (const done of this.removals.values()) done();
    });
    // Runs a caller forgot to end must not keep the process alive (startRun then ends them when
    // the process does). Unreferenced after the listeners above: attaching a "message" listener
    // refs the worker's port again, which kept every tracking script from exiting.
    this.worker.unref();
  }

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

  /** Stop beating every run and end the thread. */
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
