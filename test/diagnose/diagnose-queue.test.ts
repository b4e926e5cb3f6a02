/**
 * `mlloop diagnose --queue` end to end through the built CLI, against the real Redis that
 * scripts/with-services.sh starts (fails, never skips, without it): one `mlloop worker` process
 * takes the cross-validation folds, and the diagnosis printed with --json is the one computed on
 * this machine's threads, number for number (fit times and timings aside). The tickets example
 * (words + numeric columns, three classes) exercises both halves of a job's feature source; wine
 * (numeric columns only) the block without words.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, json, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

function redisUrl(): string {
  const url = process.env["MLLOOP_TEST_REDIS_URL"];
  if (!url) throw new Error("MLLOOP_TEST_REDIS_URL is not set: run through scripts/with-services.sh (npm test does)");
  return url;
}

const dir = tempDir("mlloop-diagnose-queue-");
const env = { MLLOOP_ARTIFACTS: join(dir, "artifacts") };
const workers: ChildProcess[] = [];
afterAll(() => {
  for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
});

/** A worker process with its own SQLite store: cv jobs read nothing from the store. */
function startWorker(queueName: string): { log: () => string } {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--store",
      join(tempDir("mlloop-cv-worker-"), "store"),
      "worker",
      "--queue",
      redisUrl(),
      "--queue-name",
      queueName,
    ],
    { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  workers.push(child);
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (log += d));
  return { log: () => log };
}

/** The diagnosis without what differs from one computation to the next: fit times, timings, dates. */
function numbersOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(numbersOf);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!["fitMs", "timings", "createdAt"].includes(k)) out[k] = numbersOf(v);
  }
  return out;
}

interface Diagnosis {
  learningCurve: { folds: number; points: Array<{ x: number; valError: { values: number[] } }> };
  validationCurve: { points: unknown[] } | null;
  cached: boolean;
}

describe("mlloop diagnose --queue (real Redis, one mlloop worker process)", () => {
  it.each([
    ["tickets", ["--set", "features.numeric={missing: mean}"]],
    ["wine", []],
  ])(
    "%s: the worker cross-validates the folds; the diagnosis equals the one computed here",
    async (example, set) => {
      const store = join(dir, `${example}-store`);
      const run = await runCli(
        ["--store", store, "run", join(ROOT, "examples", example, "baseline.yaml"), ...set, "--json"],
        { cwd: dir, env },
      );
      expect(run.code).toBe(0);
      const runId = json<{ runId: string }>(run).runId;
      const diagnose = async (extra: string[]): Promise<Diagnosis> => {
        const r = await runCli(["--store", store, "diagnose", runId, "--json", "--no-cache", ...extra], {
          cwd: dir,
          env,
        });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        return json<Diagnosis>(r);
      };
      const local = await diagnose(["--workers", "0"]);
      const q = `q-diagnose-${example}-${Date.now()}`;
      const w = startWorker(q);
      const queued = await diagnose(["--queue", redisUrl(), "--queue-name", q]);
      const cvJobs = w.log().match(/ start cv /g)?.length ?? 0;
      expect(cvJobs).toBeGreaterThanOrEqual(local.learningCurve.points.length * local.learningCurve.folds);
      expect(queued.learningCurve.points.length).toBeGreaterThan(2);
      expect(numbersOf(queued.learningCurve)).toEqual(numbersOf(local.learningCurve));
      expect(numbersOf(queued)).toEqual(numbersOf(local));
    },
    180_000,
  );
});
