/**
 * Heartbeats for PostgreSQL runs, written from a worker thread with its own connection (like the
 * SQLite store's): a long synchronous training loop on the main thread cannot starve them, and a
 * lost connection is reopened at the next beat instead of ending the beats.
 *
 * The worker is plain JavaScript evaluated from a string that loads `pg` by its resolved path, so
 * it runs the same under vitest/tsx and from the compiled dist/.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Heartbeat, HeartbeatOptions } from "./store.js";
import { DEFAULT_HEARTBEAT_INTERVAL_MS, thisHost } from "./liveness.js";

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
async function connect() {
  const c = new Client({ connectionString: workerData.url, application_name: "mlloop-heartbeat" });
  c.on("error", () => {});
  await c.connect();
  return c;
}
async function tick() {
  if (busy || stopped) return;
  busy = true;
  try {
    if (client === null) client = await connect();
    await client.query(workerData.sql, [Date.now(), workerData.runId, workerData.pid, workerData.host]);
  } catch (error) {
    parentPort.postMessage({ type: "error", message: String((error && error.message) || error) });
    const old = client;
    client = null;
    if (old !== null) old.end().catch(() => {});
  } finally {
    busy = false;
  }
}
const timer = setInterval(() => void tick(), workerData.intervalMs);
parentPort.on("message", async (message) => {
  if (message === "stop") {
    stopped = true;
    clearInterval(timer);
    while (busy) await new Promise((r) => setTimeout(r, 5));
    if (client !== null) await client.end().catch(() => {});
    parentPort.close();
  }
});
parentPort.postMessage({ type: "ready" });
`;

const driverPath = createRequire(import.meta.url).resolve("pg");

export interface PostgresHeartbeatTarget {
  readonly url: string;
  readonly runId: string;
}

export async function startPostgresHeartbeat(
  target: PostgresHeartbeatTarget,
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
      url: target.url,
      runId: target.runId,
      pid: process.pid,
      host: thisHost,
      sql: POSTGRES_HEARTBEAT_SQL,
      intervalMs: options?.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    },
  });
  // A run the caller forgot to end must not keep the process alive: readers will mark it crashed.
  worker.unref();
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
