/**
 * Heartbeats for PostgreSQL runs, written from one worker thread per store with its own connection (like the
 * SQLite store's): a long synchronous training loop on the main thread cannot starve them, and a
 * lost connection is reopened at the next beat instead of ending the beats.
 *
 * The worker is plain JavaScript evaluated from a string that loads `pg` by its resolved path, so
 * it runs the same under vitest/tsx and from the compiled dist/.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Heartbeat, HeartbeatOptions } from "./store.js";
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

/**
 * One heartbeat thread and connection for every running run of one store and interval: a thread
 * and a connection per run cost a sweep trial on PostgreSQL a Node start and a login each. A run's
 * `stop()` resolves once the thread has dropped it and any beat in flight has landed.
 */
export class PostgresHeartbeats {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly ready: Promise<void>;
  private readonly onError = new Map<string, (message: string) => void>();
  private readonly removals = new Map<number, () => void>();
  private seq = 0;
  private closing: Promise<void> | null = null;

  constructor(url: string, intervalMs: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driverPath, url, pid: process.pid, host: thisHost, sql: POSTGRES_HEARTBEAT_SQL, intervalMs },
    });
    // Runs a caller forgot to end must not keep the process alive: readers will mark them crashed.
    this.worker.unref();
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on("message", (m: { type: string; runId?: string; message?: string; seq?: number }) => {
        if (m.type === "ready") resolve();
        else if (m.type === "error") this.onError.get(m.runId ?? "")?.(m.message ?? "unknown error");
        else if (m.type === "removed") this.removals.get(m.seq ?? -1)?.();
      });
      this.worker.on("error", (error) => {
        for (const report of this.onError.values()) report(error.message);
        reject(error);
      });
      void this.exited.then(() => {
        reject(new Error("the heartbeat worker exited before starting"));
        for (const done of this.removals.values()) done();
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Beat `runId` until its handle is stopped; rejects when the thread cannot start. */
  async add(runId: string, options?: HeartbeatOptions): Promise<Heartbeat> {
    await this.ready;
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
