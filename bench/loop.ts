/**
 * `npm run bench:loop`: how well `mlloop loop` chooses, against three other ways of spending the same
 * budget of full runs, on the spam corpus from examples/spam/demo-baseline.yaml (subject words +
 * naive Bayes), for three split seeds, on this machine, in one invocation:
 *
 *   (a) mlloop loop --budget 8 (screening on the training split included in its wall time)
 *   (b) the spam team's ideas tried blind, one per run, in a fixed order (body text, routing, URLs,
 *       spelling, HTML; "more data" has nothing to add on the full corpus and is skipped), each kept
 *       when it raised dev F1
 *   (c) random search over the catalogue's space (bench/loop-space.ts), 8 runs
 *   (d) Optuna TPE (Debian python3-optuna, TPESampler(n_startup_trials=3, seed)) over the same space,
 *       8 trials, each trial a `mlloop run --json` process
 *
 * Per contender and seed: the incumbent's dev F1 after each full run (for b–d the best dev F1 so
 * far), runs and wall time to reach dev F1 0.970, and the test F1 of the final choice. Every
 * contender has its own store and feature cache; the parsed corpus is shared (copied in), so no one
 * pays for parsing and everyone featurises cold.
 *
 *   npm run bench:loop                      # seeds 0 1 2
 *   npm run bench:loop -- --seeds 0 --only a,d
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { runLoop } from "../src/loop/loop.js";
import { runExperiment } from "../src/loop/run-experiment.js";
import { loadSpecFile } from "../src/spec/load.js";
import { openStore } from "../src/track/open.js";
import { randomPoints } from "../src/search/random.js";
import { LOOP_SPACE, overridesOf, resolvePoint } from "./loop-space.js";
import { loadAverage, machine } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const SPEC = join(ROOT, "examples", "spam", "demo-baseline.yaml");
const TARGET = 0.97;
const BUDGET = 8;
const PYTHON = "/usr/bin/python3";

interface Trace {
  contender: string;
  seed: number;
  /** Incumbent dev F1 after each full run. */
  incumbent: number[];
  /** Wall seconds from the contender's start when each full run finished. */
  wall: number[];
  runsToTarget: number | null;
  wallToTarget: number | null;
  finalTestF1: number;
  finalRun: string;
  notes: string;
}

function finishTrace(t: Omit<Trace, "runsToTarget" | "wallToTarget">): Trace {
  const i = t.incumbent.findIndex((v) => v >= TARGET);
  return { ...t, runsToTarget: i < 0 ? null : i + 1, wallToTarget: i < 0 ? null : t.wall[i]! };
}

function freshStore(root: string, name: string, warm: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "cache"), { recursive: true });
  if (existsSync(join(warm, "cache", "dataset")))
    cpSync(join(warm, "cache", "dataset"), join(dir, "cache", "dataset"), { recursive: true });
  return join(dir, "mlloop.db");
}

/** Runs each override list in turn as a full run; the incumbent is the best dev F1 so far. */
async function sequence(
  contender: string,
  seed: number,
  storePath: string,
  next: (i: number, last: number) => Promise<string[] | null>,
  notes: string,
): Promise<Trace> {
  const store = await openStore(storePath);
  const t0 = performance.now();
  const incumbent: number[] = [];
  const wall: number[] = [];
  let best = -Infinity;
  let bestTest = Number.NaN;
  let bestRun = "";
  try {
    for (let i = 0; ; i++) {
      const sets = await next(i, best);
      if (sets === null) break;
      let dev = Number.NaN;
      let test = Number.NaN;
      let runId = "";
      try {
        const loaded = loadSpecFile(SPEC, [`seed=${seed}`, `experiment=${contender}`, ...sets]);
        const out = await runExperiment({
          spec: loaded.spec,
          baseDir: loaded.baseDir,
          store,
          name: `${contender} ${i + 1}`,
        });
        dev = out.metrics.dev?.f1 ?? Number.NaN;
        test = out.metrics.test?.f1 ?? Number.NaN;
        runId = out.runId;
      } catch (e) {
        process.stderr.write(`  ${contender} run ${i + 1} failed: ${(e as Error).message}\n`);
      }
      if (dev > best) {
        best = dev;
        bestTest = test;
        bestRun = runId;
      }
      incumbent.push(best);
      wall.push((performance.now() - t0) / 1000);
      process.stderr.write(
        `  ${contender} seed ${seed} run ${i + 1}: dev ${dev.toFixed(4)} (best ${best.toFixed(4)})\n`,
      );
    }
  } finally {
    await store.close();
  }
  return finishTrace({ contender, seed, incumbent, wall, finalTestF1: bestTest, finalRun: bestRun, notes });
}

const BLIND_IDEAS: ReadonlyArray<[string, string[]]> = [
  ["body text", ["features.words.fields=[subject,body]"]],
  ["routing", ["features.routing={}"]],
  ["URLs", ["features.urls={}"]],
  ["spelling", ["features.spelling={}"]],
  ["HTML", ["features.html={}"]],
];

async function contenderA(seed: number, storePath: string): Promise<Trace> {
  const store = await openStore(storePath);
  try {
    const loaded = loadSpecFile(SPEC, [`seed=${seed}`, "experiment=a-loop"]);
    const r = await runLoop({
      store,
      spec: loaded.spec,
      baseDir: loaded.baseDir,
      budget: BUDGET,
      log: (line) => process.stderr.write(`  a seed ${seed} | ${line}\n`),
    });
    return finishTrace({
      contender: "a",
      seed,
      incumbent: [...r.trajectory],
      wall: r.trajectoryMs.map((ms) => ms / 1000),
      finalTestF1: r.test?.value ?? Number.NaN,
      finalRun: r.incumbentRunId,
      notes: `${r.runsUsed} runs; stopped: ${r.stopReason}; screening ${(r.screeningMs / 1000).toFixed(0)} s`,
    });
  } finally {
    await store.close();
  }
}

async function contenderB(seed: number, storePath: string): Promise<Trace> {
  let kept: string[] = [];
  let lastBest = -Infinity;
  let pending: string[] = [];
  return sequence(
    "b",
    seed,
    storePath,
    async (i, best) => {
      // keep the previous idea when it raised the best dev F1
      if (i >= 2 && best > lastBest) kept = pending;
      lastBest = best;
      if (i === 0) return [];
      const idea = BLIND_IDEAS[i - 1];
      if (idea === undefined) return null;
      pending = [...kept, ...idea[1]];
      return pending;
    },
    "baseline, then body text, routing, URLs, spelling, HTML (more data: nothing to add on the full corpus)",
  );
}

async function contenderC(seed: number, storePath: string): Promise<Trace> {
  const points = randomPoints(LOOP_SPACE, BUDGET, 1000 + seed);
  return sequence(
    "c",
    seed,
    storePath,
    async (i) => (i < BUDGET ? overridesOf(resolvePoint(points[i]!, false)) : null),
    "8 random points of the space",
  );
}

async function contenderD(seed: number, storePath: string, root: string): Promise<Trace> {
  const spaceFile = join(root, "space.json");
  writeFileSync(spaceFile, JSON.stringify(LOOP_SPACE));
  const py = spawn(PYTHON, [join(ROOT, "bench", "loop_optuna.py"), spaceFile, String(seed)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  const ask = async (cmd: string): Promise<string> => {
    py.stdin!.write(`${cmd}\n`);
    const r = await lines.next();
    if (r.done === true) throw new Error("the Optuna process ended early");
    return r.value;
  };
  const t0 = performance.now();
  const incumbent: number[] = [];
  const wall: number[] = [];
  let best = -Infinity;
  let bestTest = Number.NaN;
  let bestRun = "";
  try {
    for (let i = 0; i < BUDGET; i++) {
      const point = JSON.parse(await ask("ask")) as Record<string, unknown>;
      const sets = overridesOf(resolvePoint(point, true));
      const args = [
        join(ROOT, "bin", "mlloop.js"),
        "run",
        SPEC,
        "--store",
        storePath,
        "--json",
        "--set",
        `seed=${seed}`,
        "--set",
        "experiment=d-tpe",
        ...sets.flatMap((s) => ["--set", s]),
      ];
      const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      let dev = Number.NaN;
      let test = Number.NaN;
      let runId = "";
      if (r.status === 0) {
        const out = JSON.parse(r.stdout) as {
          runId: string;
          metrics: { dev?: { f1?: number }; test?: { f1?: number } };
        };
        dev = out.metrics.dev?.f1 ?? Number.NaN;
        test = out.metrics.test?.f1 ?? Number.NaN;
        runId = out.runId;
      } else {
        process.stderr.write(`  d trial ${i + 1} failed: ${r.stderr.trim().split("\n")[0]}\n`);
      }
      await ask(`tell ${Number.isFinite(dev) ? dev : "nan"}`);
      if (dev > best) {
        best = dev;
        bestTest = test;
        bestRun = runId;
      }
      incumbent.push(best);
      wall.push((performance.now() - t0) / 1000);
      process.stderr.write(`  d seed ${seed} trial ${i + 1}: dev ${dev.toFixed(4)} (best ${best.toFixed(4)})\n`);
    }
  } finally {
    py.stdin!.write("quit\n");
    py.stdin!.end();
  }
  return finishTrace({
    contender: "d",
    seed,
    incumbent,
    wall,
    finalTestF1: bestTest,
    finalRun: bestRun,
    notes: "Optuna 3.1 TPESampler(n_startup_trials=3, seed)",
  });
}

function parseArgs(argv: string[]): { seeds: number[]; only: Set<string>; build: boolean } {
  let seeds = [0, 1, 2];
  let only = new Set(["a", "b", "c", "d"]);
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seeds") {
      seeds = [];
      while (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]!)) seeds.push(Number(argv[++i]));
    } else if (argv[i] === "--only") only = new Set(argv[++i]!.split(","));
    else if (argv[i] === "--no-build") build = false;
  }
  return { seeds, only, build };
}

const fmt = (v: number | null | undefined, d = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d);

function table(traces: Trace[]): string {
  const names: Record<string, string> = {
    a: "(a) mlloop loop --budget 8",
    b: "(b) blind ideas, fixed order",
    c: "(c) random search, 8 runs",
    d: "(d) Optuna TPE, 8 trials",
  };
  const lines = [
    "| contender | seed | incumbent dev F1 after each full run | runs to 0.970 | wall to 0.970 | final test F1 |",
    "|---|---|---|---|---|---|",
  ];
  for (const t of traces) {
    lines.push(
      `| ${names[t.contender]} | ${t.seed} | ${t.incumbent.map((v) => fmt(v, 3)).join(" ")} | ${t.runsToTarget ?? "not reached"} | ${t.wallToTarget === null ? "—" : `${t.wallToTarget.toFixed(0)} s`} | ${fmt(t.finalTestF1)} |`,
    );
  }
  return lines.join("\n");
}

function verdicts(traces: Trace[], seeds: number[]): string[] {
  const get = (c: string, s: number): Trace | undefined => traces.find((t) => t.contender === c && t.seed === s);
  const out: string[] = [];
  const runs = (t: Trace | undefined): number => t?.runsToTarget ?? Infinity;
  for (const s of seeds) {
    const a = get("a", s);
    if (!a) continue;
    out.push(
      `seed ${s}: (a) reaches 0.970 within ${BUDGET} runs: ${a.runsToTarget !== null ? `yes (run ${a.runsToTarget})` : "NO"}`,
    );
    for (const c of ["b", "c", "d"]) {
      const o = get(c, s);
      if (!o) continue;
      out.push(
        `seed ${s}: fewer runs than (${c}): ${runs(a) < runs(o) ? "yes" : "NO"} (${a.runsToTarget ?? "—"} vs ${o.runsToTarget ?? "not reached"})`,
      );
    }
    const d = get("d", s);
    if (d)
      out.push(
        `seed ${s}: less wall time than (d): ${(a.wallToTarget ?? Infinity) < (d.wallToTarget ?? Infinity) ? "yes" : "NO"} (${fmt(a.wallToTarget, 0)} s vs ${fmt(d.wallToTarget, 0)} s)`,
      );
  }
  const mean = (c: string): number => {
    const xs = traces.filter((t) => t.contender === c).map((t) => t.finalTestF1);
    return xs.reduce((p, v) => p + v, 0) / xs.length;
  };
  if (traces.some((t) => t.contender === "a")) {
    const ma = mean("a");
    out.push(`mean test F1 of (a)'s final choices: ${fmt(ma)} (≥ 0.970: ${ma >= 0.97 ? "yes" : "NO"})`);
    for (const c of ["c", "d"]) {
      if (traces.some((t) => t.contender === c))
        out.push(`not below (${c})'s ${fmt(mean(c))}: ${ma >= mean(c) ? "yes" : "NO"}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // (d) needs Debian's python3-optuna: say so before spending a quarter of an hour on (a)–(c)
  if (args.only.has("d") && spawnSync(PYTHON, ["-c", "import optuna"]).status !== 0) {
    process.stderr.write("bench:loop: contender (d) needs Optuna: apt-get install python3-optuna (or --only a,b,c)\n");
    process.exit(2);
  }
  if (args.build) spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  const root = join(ROOT, ".bench-loop");
  mkdirSync(root, { recursive: true });
  const started = new Date().toISOString();
  const loadBefore = loadAverage();
  const traces: Trace[] = [];
  for (const seed of args.seeds) {
    // parse the corpus once per seed (shared by the contenders, so none of them pays for it)
    const warm = join(root, `seed${seed}`, "warm");
    mkdirSync(warm, { recursive: true });
    if (!existsSync(join(warm, "cache", "dataset"))) {
      const store = await openStore(join(warm, "mlloop.db"));
      const loaded = loadSpecFile(SPEC, [`seed=${seed}`, "experiment=warm"]);
      await runExperiment({ spec: loaded.spec, baseDir: loaded.baseDir, store });
      await store.close();
    }
    const base = join(root, `seed${seed}`);
    if (args.only.has("a")) traces.push(await contenderA(seed, freshStore(base, "a", warm)));
    if (args.only.has("b")) traces.push(await contenderB(seed, freshStore(base, "b", warm)));
    if (args.only.has("c")) traces.push(await contenderC(seed, freshStore(base, "c", warm)));
    if (args.only.has("d")) traces.push(await contenderD(seed, freshStore(base, "d", warm), base));
    process.stderr.write(`${table(traces)}\n`);
  }
  const loadAfter = loadAverage();
  const md = [
    `bench:loop — ${started}, ${machine().cpus} cores (${machine().model}), Node ${machine().node}, load average ${loadBefore[0]} → ${loadAfter[0]}`,
    "",
    table(traces),
    "",
    ...verdicts(traces, args.seeds).map((l) => `- ${l}`),
  ].join("\n");
  process.stdout.write(`${md}\n`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = started.replace(/[:.]/g, "-");
  writeFileSync(
    join(dir, `loop-${stamp}.json`),
    JSON.stringify({ started, loadBefore, loadAfter, machine: machine(), traces }, null, 2),
  );
  writeFileSync(join(dir, "loop-latest.md"), `${md}\n`);
}

await main();
