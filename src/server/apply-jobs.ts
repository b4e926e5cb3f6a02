/**
 * Apply from the dashboard: `mlloop run --apply RUN:N` as a child process of the server, so the
 * child run is recorded exactly as the CLI records it (same code path, same tags, the
 * recommendation's outcome stored on the parent). Its stage lines and the run's status in the
 * store are collected as events for Server-Sent Events; the outcome is read back from the store.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inertLine } from "../util/inert.js";
import type { RunId, Store } from "../track/store.js";

export type JobEvent =
  | { readonly type: "started"; readonly ref: string; readonly at: number }
  | { readonly type: "progress"; readonly line: string; readonly at: number }
  | { readonly type: "run"; readonly runId: string; readonly status: string; readonly at: number }
  | {
      readonly type: "done";
      readonly ok: boolean;
      readonly exitCode: number | null;
      readonly childRunId: string | null;
      readonly error: string | null;
      readonly outcome: unknown;
      readonly at: number;
    };

export interface ApplyJob {
  readonly id: string;
  readonly ref: string;
  readonly events: JobEvent[];
  done: boolean;
  /** Resolves at the next event (or at once when the job is done). */
  changed(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** bin/mlloop.js of this package (src/server and dist/server are both two levels below the root). */
export function cliEntry(): string {
  const bin = resolve(here, "..", "..", "bin", "mlloop.js");
  if (!existsSync(bin)) throw new Error(`cannot find the mlloop CLI at ${bin}`);
  return bin;
}

export interface ApplyJobsOptions {
  readonly store: Store;
  /** What the child is given as --store (the server's store location). */
  readonly storeLocation: string;
  readonly cwd?: string;
  /** Milliseconds between looks at the child run's status (default 500). */
  readonly pollMs?: number;
}

export class ApplyJobs {
  private readonly jobs = new Map<string, ApplyJob>();
  private readonly children = new Set<import("node:child_process").ChildProcess>();
  private counter = 0;

  constructor(private readonly options: ApplyJobsOptions) {}

  get(id: string): ApplyJob | undefined {
    return this.jobs.get(id);
  }

  start(runId: RunId, n: number): ApplyJob {
    const ref = `${runId}:${n}`;
    let wake: (() => void)[] = [];
    const job: ApplyJob = {
      id: `${Date.now().toString(36)}-${++this.counter}`,
      ref,
      events: [],
      done: false,
      changed: () => (job.done ? Promise.resolve() : new Promise<void>((r) => wake.push(r))),
    };
    const emit = (e: JobEvent): void => {
      job.events.push(e);
      const w = wake;
      wake = [];
      for (const f of w) f();
    };
    this.jobs.set(job.id, job);
    const startedAt = Date.now();
    emit({ type: "started", ref, at: startedAt });

    const child = spawn(process.execPath, [cliEntry(), "--store", this.options.storeLocation, "run", "--apply", ref], {
      cwd: this.options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.add(child);
    let stderr = "";
    let pending = "";
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      pending += d;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines)
        if (line.trim() !== "") emit({ type: "progress", line: inertLine(line.trim()), at: Date.now() });
    });

    // the child run, as the store sees it (running → finished / failed)
    let childRunId: string | null = null;
    let lastStatus = "";
    const look = async (): Promise<void> => {
      const found = await this.options.store.queryRuns({
        where: {
          kind: "cmp",
          field: { kind: "tag", key: "recommendation" },
          op: "=",
          value: { type: "string", value: ref },
        },
        limit: 1,
      });
      const run = found[0];
      if (run === undefined || run.createdAt < startedAt - 1000) return;
      childRunId = run.id;
      if (run.status !== lastStatus) {
        lastStatus = run.status;
        emit({ type: "run", runId: run.id, status: run.status, at: Date.now() });
      }
    };
    const timer = setInterval(() => void look().catch(() => {}), this.options.pollMs ?? 500);

    child.on("close", (code) => {
      clearInterval(timer);
      this.children.delete(child);
      void (async () => {
        await look().catch(() => {});
        let outcome: unknown = null;
        if (code === 0) {
          const results = await this.options.store
            .getRunResult(runId, "recommendation-outcome", String(n))
            .catch(() => null);
          outcome = results?.result ?? null;
        }
        const errorLine = stderr
          .split("\n")
          .map((l) => l.trim())
          .find((l) => l.startsWith("error:") || l.startsWith("internal error:"));
        job.done = true;
        emit({
          type: "done",
          ok: code === 0,
          exitCode: code,
          childRunId,
          error:
            code === 0 ? null : inertLine(errorLine?.replace(/^error:\s*/, "") ?? `mlloop run exited with ${code}`),
          outcome,
          at: Date.now(),
        });
      })();
    });
    return job;
  }

  /** Stops running children (server shutdown): each is a run the store will then mark crashed or failed. */
  stopAll(): void {
    for (const child of this.children) child.kill("SIGTERM");
  }
}
