/**
 * Heartbeats for PostgreSQL runs, written from one worker thread per store with its own connection (like the
 * SQLite store's): a long synchronous training loop on the main thread cannot starve them, and a
 * lost connection is reopened at the next beat instead of ending the beats.
 *
 * The worker is plain JavaScript evaluated from a string that loads `pg` by its resolved path, so
 * it runs the same under vitest/tsx and from the compiled dist/.
 */
import { createRequire } from "node:module";
import { HeartbeatThread } from "./heartbeat-thread.js";
import { thisHost } from "./liveness.js";

/** One beat (and the revival of a run wrongly marked crashed). Parameters: now, run id, pid, host. */
export const POSTGRES_HEARTBEAT_SQL = `
  UPDATE runs SET heartbeat_at = $1, status = 'running', ended_at = NULL, error = NULL
  WHERE id = $2 AND (status = 'running' OR (status = 'crashed' AND pid = $3 AND host = $4))`;

const WORKER_SOURCE = `
"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { Client } = require(workerData.driverPath);
let client = null;
let busy = false;
let stopped = false;
const runs = new Set();
async function connect() {
  const c = new Client({ connectionString: workerData.url, application_name: "mlloop-heartbeat" });
  c.on("error", () => {});
  await c.connect();
  return c;
}
async function tick() {
  if (busy || stopped || runs.size === 0) return;
  busy = true;
  try {
    for (const runId of [...runs]) {
      try {
        if (client === null) client = await connect();
        await client.query(workerData.sql, [Date.now(), runId, workerData.pid, workerData.host]);
      } catch (error) {
        parentPort.postMessage({ type: "error", runId, message: String((error && error.message) || error) });
        const old = client;
        client = null;
        if (old !== null) old.end().catch(() => {});
      }
    }
  } finally {
    busy = false;
  }
}
const idle = async () => {
  while (busy) await new Promise((r) => setTimeout(r, 5));
};
const timer = setInterval(() => void tick(), workerData.intervalMs);
parentPort.on("message", async (message) => {
  if (message.type === "add") runs.add(message.runId);
  else if (message.type === "remove") {
    runs.delete(message.runId);
    // a beat in flight may still name the run: answer once it has landed
    await idle();
    parentPort.postMessage({ type: "removed", seq: message.seq });
  } else if (message.type === "stop") {
    stopped = true;
    clearInterval(timer);
    await idle();
    if (client !== null) await client.end().catch(() => {});
    parentPort.close();
  }
});
parentPort.postMessage({ type: "ready" });
`;

const driverPath = createRequire(import.meta.url).resolve("pg");

/** The shared heartbeat thread (and connection) of one PostgreSQL store and interval (src/track/heartbeat-thread.ts). */
export function postgresHeartbeats(url: string, intervalMs: number): HeartbeatThread {
  return new HeartbeatThread(WORKER_SOURCE, {
    driverPath,
    url,
    pid: process.pid,
    host: thisHost,
    sql: POSTGRES_HEARTBEAT_SQL,
    intervalMs,
  });
}
