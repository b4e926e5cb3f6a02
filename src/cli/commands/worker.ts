/** `mlloop worker --queue redis://… --store postgres://…`: take trials from BullMQ and record them in the shared store. */
import { hostname } from "node:os";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { TrialResult, TrialTask } from "../../loop/sweep-trial.js";
import type { PoolTask, SweepPoolShared } from "../../loop/sweep-pool.js";
import type { RunJobResult, RunJobTask } from "../../loop/run-job.js";
import type { ScreenJob, ScreenJobResult } from "../../recommend/screen-job.js";
import type { CvJob, CvJobResult } from "../../diagnose/cv-job.js";
import { createPool } from "../../util/pool.js";
import { startQueueWorker, DEFAULT_QUEUE_NAME, DEFAULT_LOCK_MS } from "../../search/queue-executor.js";
import { openStore } from "../../track/open.js";
import { err } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface WorkerOptions {
  queue: string;
  queueName: string;
  concurrency: string;
  lockMs: string;
  quiet?: boolean;
}

function parsePositive(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} ${value}: expected an integer >= ${min}`);
  return n;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "take sweep trials, runs (attribute --queue), screening trials (loop --queue) and cross-validation folds (diagnose --queue) from a BullMQ queue on Redis, until stopped",
    )
    .requiredOption("--queue <url>", "Redis URL of the queue, e.g. redis://queue-host:6379")
    .option("--queue-name <name>", "queue name (the same on the sweep and its workers)", DEFAULT_QUEUE_NAME)
    .option("--concurrency <n>", "trials this worker runs at once", "1")
    .option(
      "--lock-ms <ms>",
      "a job this worker stops renewing goes to another worker after this long",
      String(DEFAULT_LOCK_MS),
    )
    .option("--quiet", "print nothing per job")
    .addHelpText(
      "after",
      `
The store is --store (or $MLLOOP_STORE): a PostgreSQL URL shared by the sweep and every worker.
The spec's data must be at the same path on this machine; a worker whose data differ refuses the trial.

Examples:
  $ mlloop worker --queue redis://queue-host:6379 --store postgres://mlloop@db-host/mlloop
  $ MLLOOP_STORE=postgres://mlloop@db-host/mlloop mlloop worker --queue redis://queue-host:6379 --concurrency 2`,
    )
    .action(async (opts: WorkerOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & WorkerOptions>();
      const concurrency = parsePositive("--concurrency", opts.concurrency, 1);
      const lockMs = parsePositive("--lock-ms", opts.lockMs, 1000);
      const store = await openStore(globals.store);
      // Trials run on worker threads: this thread stays free to renew the jobs' locks while a fit
      // computes, so a long fit is not mistaken for a dead worker.
      const pool = createPool<SweepPoolShared, PoolTask, TrialResult | RunJobResult | ScreenJobResult | CvJobResult>({
        module: new URL("../../loop/sweep-pool.js", import.meta.url),
        shared: { store: globals.store ?? "" },
        size: concurrency,
      });
      const log = opts.quiet ? () => {} : (line: string) => err(`${new Date().toISOString()} ${line}\n`);
      const worker = await startQueueWorker({
        url: opts.queue,
        queueName: opts.queueName,
        concurrency,
        lockMs,
        handlers: {
          "sweep-trial": async (data) => {
            const r = await pool.run(data as TrialTask);
            return { ...r, host: `${hostname()}:${process.pid}` };
          },
          // a screening trial (loop --queue): cross-validation of one model on the matrix it carries
          screen: (data) => pool.run(data as ScreenJob),
          // a cross-validation fold (diagnose --queue): refit on the rows and feature source it carries
          cv: (data) => pool.run(data as CvJob),
          // a recorded run (attribute --queue: the coalition runs)
          run: async (data) => {
            const r = await pool.run(data as RunJobTask);
            return { ...r, host: `${hostname()}:${process.pid}` };
          },
        },
        onEvent: (event, job, detail) => {
          const t = job.data as Partial<TrialTask> & Partial<RunJobTask> & { kind?: string; key?: string };
          // a cross-validation fold names its task (learning-curve size and fold), not a trial number
          const what =
            t.kind === "run"
              ? `run ${t.runId ?? "?"} (${t.name ?? ""})`
              : t.kind === "cv"
                ? `cv ${t.key ?? "?"}`
                : `${t.sweep ?? job.name} #${t.trial ?? "?"}`;
          log(
            `${event} ${what} (attempt ${job.attemptsMade + (event === "start" ? 1 : 0)})${detail ? `: ${detail}` : ""}`,
          );
        },
      });
      log(
        `worker ${hostname()} pid ${process.pid}: queue ${opts.queueName}, store ${store.location}, concurrency ${concurrency}`,
      );
      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      log("stopping: finishing the jobs in hand");
      await worker.close();
      await pool.close();
      await store.close();
    });
}
