/**
 * Heartbeats for SQLite runs, written from a worker thread with its own connection so that a long
 * synchronous training loop on the main thread cannot starve them (a starved heartbeat would get
 * a live run marked crashed).
 *
 * One thread serves every running run of a store (HeartbeatThread). The worker is plain JavaScript
 * evaluated from a string (`eval: true`) that loads better-sqlite3 by its resolved path: no entry file to locate, so it runs the same under vitest/tsx and from
 * the compiled dist/ (a `new Worker("x.ts")` fails under tsx and vitest).
 */
import { createRequire } from "node:module";
import { HeartbeatThread } from "./heartbeat-thread.js";
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

/** The shared heartbeat thread of one SQLite store and interval (src/track/heartbeat-thread.ts). */
export function sqliteHeartbeats(target: SqliteHeartbeatTarget, intervalMs: number): HeartbeatThread {
  return new HeartbeatThread(WORKER_SOURCE, {
    driverPath,
    dbPath: target.dbPath,
    pid: process.pid,
    host: thisHost,
    sql: HEARTBEAT_SQL,
    busyTimeoutMs: target.busyTimeoutMs,
    intervalMs,
  });
}
