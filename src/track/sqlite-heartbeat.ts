/**
 * Heartbeats for SQLite runs, written from a worker thread with its own connection so that a long
 * synchronous training loop on the main thread cannot starve them (a starved heartbeat would get
 * a live run marked crashed).
 *
 * The worker is plain JavaScript evaluated from a string (`eval: true`) that loads better-sqlite3
 * by its resolved path: no entry file to locate, so it runs the same under vitest/tsx and from
 * the compiled dist/ (a `new Worker("x.ts")` fails under tsx and vitest).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Heartbeat, HeartbeatOptions } from "./store.js";
import { DEFAULT_HEARTBEAT_INTERVAL_MS, thisHost } from "./liveness.js";

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
function tick() {
  try {
    beat.run(Date.now(), workerData.runId, workerData.pid, workerData.host);
  } catch (error) {
    parentPort.postMessage({ type: "error", message: String((error && error.message) || error) });
  }
}
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message === "stop") {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
tick();
parentPort.postMessage({ type: "ready" });
`;

const driverPath = createRequire(import.meta.url).resolve("better-sqlite3");

export interface SqliteHeartbeatTarget {
  readonly dbPath: string;
  readonly runId: string;
  readonly busyTimeoutMs: number;
}

export async function startSqliteHeartbeat(
  target: SqliteHeartbeatTarget,
  options?: HeartbeatOptions,
): Promise<Heartbeat> {
  const reported = new Set<string>();
  const report = (message: string): void => {
    if (reported.has(message)) return;
    reported.add(message);
    options?.onError?.(`heartbeat for run ${target.runId}: ${message}`);
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driverPath,
      dbPath: target.dbPath,
      runId: target.runId,
      pid: process.pid,
      host: thisHost,
      sql: HEARTBEAT_SQL,
      busyTimeoutMs: target.busyTimeoutMs,
      intervalMs: options?.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    },
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.on("message", (message: { type: string; message?: string }) => {
      if (message.type === "ready") resolve();
      else if (message.type === "error") report(message.message ?? "unknown error");
    });
    worker.on("error", (error) => {
      report(error.message);
      reject(error);
    });
    void exited.then(() => reject(new Error(`heartbeat worker for run ${target.runId} exited before starting`)));
  });
  // A run the caller forgot to end must not keep the process alive (startRun then ends it when the
  // process does). Unreferenced after the listeners above: attaching a "message" listener refs the
  // worker's port again, which kept every tracking script from exiting.
  worker.unref();
  let stopping: Promise<void> | null = null;
  return {
    stop(): Promise<void> {
      stopping ??= (async () => {
        worker.postMessage("stop");
        const timeout = setTimeout(() => void worker.terminate(), 5_000);
        await exited;
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}
