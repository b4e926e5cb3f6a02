/**
 * `npm run bench:sweep`: sweeps against Optuna 3.1 (Debian python3-optuna) on this machine, in one
 * invocation, printed and saved under bench/results/:
 *
 * 1. Per-trial overhead: sweep wall time minus the sum of the trials' own fit + predict + evaluate
 *    time, over 50 TPE trials of the wine example (examples/wine/baseline.yaml × space.yaml), so
 *    provenance, spec and data loading, store writes with predictions, sampler and executor are
 *    all in it. Optuna: the same 50 trials with its RDB storage on SQLite and the same model
 *    (scikit-learn LogisticRegression on the same four columns); overhead = study.optimize wall
 *    time minus the objective's own time (bench/sweep_optuna.py). Target: mlloop ≤ 1.0× Optuna.
 * 2. Search quality: the best dev value after 10, 20, 30 and 50 trials of TPE, mlloop's sampler vs
 *    Optuna's TPESampler (ask/tell, its defaults), over 10 seeds, on one objective: an in-process
 *    mlloop run of examples/tickets/baseline.yaml with the point applied (each trial a recorded
 *    run; each sampler its own store). Two metrics: dev macro F1 (the issue's race:
 *    non-inferiority when the 95% interval of mean(mlloop − Optuna) lies above −0.002) and dev log
 *    loss (continuous, so it separates samplers that both reach the F1 plateau), the latter also
 *    with mlloop's TPE scoring candidates as Optuna 3.1 does (docs/sweeps.md).
 * 3. Throughput with 1, 2 and 4 `mlloop worker` processes on BullMQ (Redis) and PostgreSQL, both
 *    started by scripts/with-services.sh: trials per minute for 8 TPE trials of the tickets sweep.
 *
 *   npm run bench:sweep                          # everything (about 15 minutes here)
 *   npm run bench:sweep -- --only overhead,race --seeds 3
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { runExperiment } from "../src/loop/run-experiment.js";
import { lostTrial, runSweep } from "../src/loop/sweep.js";
import type { TrialResult, TrialTask } from "../src/loop/sweep-trial.js";
import { queueExecutor } from "../src/search/queue-executor.js";
import { parseSweepSpace, type SweepSpace } from "../src/search/space-file.js";
import { loadSpecFile } from "../src/spec/load.js";
import { openStore } from "../src/track/open.js";

const ROOT = join(import.meta.dirname, "..");
const PYTHON = "/usr/bin/python3";
const WINE = join(ROOT, "examples", "wine", "baseline.yaml");
const TICKETS = join(ROOT, "examples", "tickets", "baseline.yaml");
const TICKETS_SPACE =
  "model.C: { log: [0.001, 1000] }\nfeatures.words.min_df: { int: [1, 5] }\nfeatures.words.sublinear_tf: [true, false]\n";
const work = mkdtempSync(join(tmpdir(), "mlloop-bench-sweep-"));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const only = new Set(arg("only", "overhead,race,race-logloss,throughput").split(","));
const seeds = Number(arg("seeds", "10"));
const trials = Number(arg("trials", "50"));

async function overhead(): Promise<Record<string, unknown>> {
  const store = await openStore(join(work, "overhead"));
  const space = parseSweepSpace(
    "model.C: { log: [0.0001, 100] }\nfeatures.numeric.missing: [mean, median]\n",
    "space.yaml",
  );
  const out = await runSweep({
    store,
    name: "overhead",
    specFile: WINE,
    space,
    trials,
    sampler: { name: "tpe", seed: 0 },
    pruner: "none",
  });
  await store.close();
  const work_ = out.trials.reduce((s, t) => s + t.workMs, 0);
  const mlloopMs = (out.wallMs - work_) / trials;
  const py = spawnSync(
    PYTHON,
    [
      join(ROOT, "bench", "sweep_optuna.py"),
      "overhead",
      join(ROOT, "examples", "wine", "wine.csv"),
      String(trials),
      join(work, "optuna.db"),
    ],
    { encoding: "utf8" },
  );
  if (py.status !== 0) throw new Error(`optuna overhead: ${py.stderr}`);
  const o = JSON.parse(py.stdout) as { wall_s: number; objective_s: number };
  const optunaMs = ((o.wall_s - o.objective_s) * 1000) / trials;
  return {
    trials,
    mlloop: { wallMs: out.wallMs, workMs: work_, overheadMsPerTrial: mlloopMs, best: out.best?.value },
    optuna: { wallMs: o.wall_s * 1000, workMs: o.objective_s * 1000, overheadMsPerTrial: optunaMs },
    ratio: mlloopMs / optunaMs,
  };
}

interface RaceObjective {
  readonly metric: "macro_f1" | "log_loss";
  readonly direction: "maximize" | "minimize";
}

/** The tickets objective: a recorded in-process mlloop run with the point applied; a dev metric. */
async function ticketsObjective(storeDir: string, metric: RaceObjective["metric"]) {
  const store = await openStore(storeDir);
  return {
    store,
    run: async (point: Record<string, unknown>): Promise<number> => {
      const sets = Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const l = loadSpecFile(TICKETS, sets);
      const o = await runExperiment({ spec: l.spec, baseDir: l.baseDir, store, cache: join(work, "cache") });
      return o.metrics.dev?.[metric] ?? Number.NaN;
    },
  };
}

function startOptuna(space: SweepSpace, seed: number, direction: string) {
  const spaceFile = join(work, `space-${seed}.json`);
  writeFileSync(spaceFile, JSON.stringify(space.space));
  const py = spawn(PYTHON, [join(ROOT, "bench", "sweep_optuna.py"), "server", spaceFile, String(seed), direction], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const say = async (line: string): Promise<string> => {
    py.stdin.write(`${line}\n`);
    const r = await lines.next();
    return r.value as string;
  };
  return { py, say };
}

const CHECKPOINTS = [10, 20, 30, 50];

/** Best value after each checkpoint's number of trials, for values in trial order. */
function bestAt(values: readonly number[], direction: RaceObjective["direction"]): number[] {
  const sign = direction === "maximize" ? 1 : -1;
  return CHECKPOINTS.filter((c) => c <= values.length).map((c) =>
    values.slice(0, c).reduce((b, v) => (Number.isFinite(v) && sign * v > sign * b ? v : b), -sign * Infinity),
  );
}

async function optunaSide(space: SweepSpace, seed: number, o: RaceObjective): Promise<number[]> {
  const obj = await ticketsObjective(join(work, `race-optuna-${o.metric}-${seed}`), o.metric);
  const { py, say } = startOptuna(space, seed, o.direction);
  const values: number[] = [];
  for (let t = 0; t < trials; t++) {
    const point = JSON.parse(await say("ask")) as Record<string, unknown>;
    const v = await obj.run(point);
    values.push(v);
    await say(`tell ${v}`);
  }
  py.stdin.end("quit\n");
  await obj.store.close();
  return values;
}

async function mlloopSide(space: SweepSpace, seed: number, o: RaceObjective, optuna31: boolean): Promise<number[]> {
  const store = await openStore(join(work, `race-mlloop-${o.metric}-${seed}-${optuna31 ? "31" : "true"}`));
  const out = await runSweep({
    store,
    name: `race-${seed}`,
    specFile: TICKETS,
    space,
    trials,
    sampler: { name: "tpe", seed, tpe: { optuna31Density: optuna31 } },
    pruner: "none",
    objective: { split: "dev", metric: o.metric, direction: o.direction },
  });
  await store.close();
  return out.trials.map((t) => (t.state === "complete" && t.value !== null ? t.value : Number.NaN));
}

function meanCi(d: readonly number[]): { mean: number; ci95: [number, number] } {
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, d.length - 1));
  // t quantile 0.975 by degrees of freedom (10 seeds: 9)
  const T975: Record<number, number> = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
  };
  const half = (T975[d.length - 1] ?? 2.0) * (sd / Math.sqrt(d.length));
  return { mean, ci95: [mean - half, mean + half] };
}

const meanOf = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

async function race(o: RaceObjective, withOptuna31: boolean): Promise<Record<string, unknown>> {
  const space = parseSweepSpace(TICKETS_SPACE, "space.yaml");
  const rows: Array<{ seed: number; mlloop: number[]; optuna: number[]; mlloopOptuna31?: number[] }> = [];
  for (let seed = 0; seed < seeds; seed++) {
    const row = {
      seed,
      mlloop: bestAt(await mlloopSide(space, seed, o, false), o.direction),
      optuna: bestAt(await optunaSide(space, seed, o), o.direction),
      ...(withOptuna31 ? { mlloopOptuna31: bestAt(await mlloopSide(space, seed, o, true), o.direction) } : {}),
    };
    rows.push(row);
    console.log(`race ${o.metric} seed ${seed}: ${JSON.stringify(row)}`);
  }
  const sign = o.direction === "maximize" ? 1 : -1;
  const byCheckpoint = CHECKPOINTS.filter((c) => c <= trials).map((c, k) => {
    // positive = mlloop better, whatever the direction
    const diff = meanCi(rows.map((r) => sign * (r.mlloop[k]! - r.optuna[k]!)));
    return {
      trials: c,
      mlloop: meanOf(rows.map((r) => r.mlloop[k]!)),
      optuna: meanOf(rows.map((r) => r.optuna[k]!)),
      ...(withOptuna31 ? { mlloopOptuna31: meanOf(rows.map((r) => r.mlloopOptuna31![k]!)) } : {}),
      mlloopBetterBy: diff.mean,
      ci95: diff.ci95,
    };
  });
  const last = byCheckpoint.at(-1)!;
  return {
    metric: o.metric,
    direction: o.direction,
    trials,
    seeds: rows,
    byCheckpoint,
    nonInferior: last.ci95[0] > -0.002,
  };
}

function startWorker(store: string, queue: string, name: string): ChildProcess {
  return spawn(
    process.execPath,
    [join(ROOT, "bin", "mlloop.js"), "--store", store, "worker", "--queue", queue, "--queue-name", name, "--quiet"],
    {
      cwd: work,
      stdio: "ignore",
      env: { ...process.env, MLLOOP_ARTIFACTS: join(work, "artifacts") },
    },
  );
}

async function throughput(): Promise<Record<string, unknown>> {
  const pg = process.env["MLLOOP_TEST_PG_URL"];
  const redis = process.env["MLLOOP_TEST_REDIS_URL"];
  if (!pg || !redis) throw new Error("throughput needs scripts/with-services.sh (npm run bench:sweep starts it)");
  mkdirSync(join(work, "artifacts"), { recursive: true });
  process.env["MLLOOP_ARTIFACTS"] = join(work, "artifacts");
  const space = parseSweepSpace(TICKETS_SPACE, "space.yaml");
  const out: Array<{ workers: number; trials: number; wallMs: number; perMinute: number }> = [];
  for (const n of [1, 2, 4]) {
    const q = `bench-${n}-${Date.now()}`;
    const procs = Array.from({ length: n }, () => startWorker(pg, redis, q));
    const store = await openStore(pg);
    const ex = await queueExecutor<TrialTask, TrialResult>({
      url: redis,
      queueName: q,
      jobName: "sweep-trial",
      jobId: (t) => `trial-${t.runId}`,
      parallelism: n,
      onFailure: lostTrial,
    });
    const r = await runSweep({
      store,
      name: q,
      specFile: TICKETS,
      space,
      trials: 8,
      sampler: { name: "tpe", seed: 0 },
      pruner: "none",
      executor: ex,
    });
    await ex.close();
    await store.close();
    for (const p of procs) p.kill("SIGTERM");
    out.push({
      workers: n,
      trials: r.trials.length,
      wallMs: r.wallMs,
      perMinute: (r.trials.length / r.wallMs) * 60_000,
    });
    console.log(`throughput ${n} worker(s): ${((r.trials.length / r.wallMs) * 60_000).toFixed(1)} trials/min`);
  }
  return { runs: out };
}

function loadAverage(): number {
  const r = spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" });
  return Number(r.stdout.split(" ")[0]);
}

const result: Record<string, unknown> = { date: new Date().toISOString(), loadBefore: loadAverage(), cores: 2 };
if (only.has("overhead")) {
  result.overhead = await overhead();
  console.log("overhead", JSON.stringify(result.overhead));
}
if (only.has("race")) result.race = await race({ metric: "macro_f1", direction: "maximize" }, false);
if (only.has("race-logloss")) result.raceLogLoss = await race({ metric: "log_loss", direction: "minimize" }, true);
if (only.has("throughput")) result.throughput = await throughput();
result.loadAfter = loadAverage();
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const file = join(ROOT, "bench", "results", `${result.date as string}-sweep.json`.replace(/:/g, "-"));
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`saved ${file}`);
process.exit(0);
