/**
 * End to end: a cold iteration of examples/spam/baseline.yaml (a fresh `mlloop run` process, empty
 * cache) against the equivalent scikit-learn script (bench/sklearn_iteration.py, a fresh Python
 * process), and a warm iteration (only model.C changed; fresh process, warm cache). Every process
 * is measured from outside by bench/measure.py: wall time, CPU time and peak RSS.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PYTHON } from "./python.js";
import { median } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const SPEC = join(ROOT, "examples", "spam", "baseline.yaml");

export interface Measured {
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly max_rss_kb: number;
  /** Stage timings the process reported (seconds). */
  readonly stages: Record<string, number>;
  readonly quality: { dev_f1: number; test_f1: number; test_accuracy: number };
  readonly cache?: unknown;
}

export interface Scenario {
  readonly runs: Measured[];
  readonly median_wall_s: number;
  readonly median_cpu_s: number;
  readonly median_max_rss_mb: number;
  readonly median_stages: Record<string, number>;
}

export interface EndToEnd {
  readonly mlloopCold: Scenario;
  readonly sklearnCold: Scenario;
  readonly mlloopWarm: Scenario;
}

interface MeasureOutput {
  wall_s: number;
  cpu_s: number;
  max_rss_kb: number;
  exit_code: number;
  stdout: string;
  stderr: string;
}

function measure(cmd: readonly string[]): MeasureOutput {
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "measure.py"), "--cwd", ROOT, "--", ...cmd], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", MLLOOP_STORE: "" },
  });
  if (r.status !== 0) throw new Error(`measure.py failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as MeasureOutput;
  if (out.exit_code !== 0) {
    throw new Error(`\`${cmd.join(" ")}\` exited with ${out.exit_code}:\n${out.stderr.slice(-3000)}`);
  }
  return out;
}

interface MlloopJson {
  timings: Record<string, number>;
  metrics: { dev?: Record<string, number>; test?: Record<string, number> };
  cache?: unknown;
}

function mlloopRun(store: string, extra: string[]): Measured {
  const out = measure([
    process.execPath,
    join(ROOT, "bin", "mlloop.js"),
    "run",
    SPEC,
    "--store",
    store,
    "--json",
    ...extra,
  ]);
  const j = JSON.parse(out.stdout) as MlloopJson;
  return {
    wall_s: out.wall_s,
    cpu_s: out.cpu_s,
    max_rss_kb: out.max_rss_kb,
    stages: Object.fromEntries(Object.entries(j.timings).map(([k, v]) => [k, v / 1000])),
    quality: {
      dev_f1: j.metrics.dev?.["f1"] ?? Number.NaN,
      test_f1: j.metrics.test?.["f1"] ?? Number.NaN,
      test_accuracy: j.metrics.test?.["accuracy"] ?? Number.NaN,
    },
    cache: j.cache,
  };
}

interface SklearnJson {
  times_s: Record<string, number>;
  dev: Record<string, number>;
  test: Record<string, number>;
}

function sklearnRun(out: string): Measured {
  const m = measure([PYTHON, join(ROOT, "bench", "sklearn_iteration.py"), "--out", out]);
  const j = JSON.parse(m.stdout) as SklearnJson;
  return {
    wall_s: m.wall_s,
    cpu_s: m.cpu_s,
    max_rss_kb: m.max_rss_kb,
    stages: j.times_s,
    quality: { dev_f1: j.dev["f1"]!, test_f1: j.test["f1"]!, test_accuracy: j.test["accuracy"]! },
  };
}

function summarize(runs: Measured[]): Scenario {
  const stageNames = [...new Set(runs.flatMap((r) => Object.keys(r.stages)))];
  return {
    runs,
    median_wall_s: median(runs.map((r) => r.wall_s)),
    median_cpu_s: median(runs.map((r) => r.cpu_s)),
    median_max_rss_mb: median(runs.map((r) => r.max_rss_kb / 1024)),
    median_stages: Object.fromEntries(stageNames.map((s) => [s, median(runs.map((r) => r.stages[s] ?? Number.NaN))])),
  };
}

/** `reps` rounds of: cold mlloop, cold scikit-learn, warm mlloop (on the cold run's cache). */
export function endToEnd(tmp: string, reps: number, log: (line: string) => void): EndToEnd {
  const cold: Measured[] = [];
  const sk: Measured[] = [];
  const warm: Measured[] = [];
  for (let r = 0; r < reps; r++) {
    const dir = join(tmp, `e2e-${r}`);
    mkdirSync(dir, { recursive: true });
    const store = join(dir, "store", "mlloop.db");
    cold.push(mlloopRun(store, []));
    sk.push(sklearnRun(join(dir, "sklearn")));
    warm.push(mlloopRun(store, ["--set", "model.C=0.5"]));
    const last = (xs: Measured[]): string => `${xs.at(-1)!.wall_s.toFixed(2)} s`;
    log(`  round ${r + 1}/${reps}: mlloop cold ${last(cold)}, scikit-learn ${last(sk)}, mlloop warm ${last(warm)}`);
  }
  return { mlloopCold: summarize(cold), sklearnCold: summarize(sk), mlloopWarm: summarize(warm) };
}
