/**
 * `npm run bench`: mlloop against scikit-learn on this machine, side by side.
 *
 *   npm run bench                 # 5 repetitions of everything (a few minutes)
 *   npm run bench -- --quick      # 3 model repetitions, 2 end-to-end rounds
 *   npm run bench -- --reps 7 --skip-e2e
 *
 * 1. Per model: the same training matrix (mlloop's features of examples/spam/baseline.yaml, read by
 *    scipy from the bytes mlloop wrote), the same hyperparameters, one mlloop fit and one
 *    scikit-learn fit alternating; medians of the training time, and accuracy / F1 / ROC-AUC on the
 *    same test rows. Gradient boosting runs on a tabular problem (make_classification) once the
 *    gradient_boosting family exists.
 * 2. End to end: cold mlloop iteration vs the scikit-learn script vs warm mlloop iteration, each a
 *    fresh process measured from outside (wall, CPU, peak RSS).
 *
 * Results: bench/results/<timestamp>.json and bench/results/latest.json; the tables are printed as
 * markdown. Needs Debian's python3-sklearn (installed with apt-get when missing).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endToEnd, type EndToEnd } from "./e2e.js";
import { modelTable, type ModelRow } from "./models.js";
import { ensureSklearn, PYTHON, SklearnWorker } from "./python.js";
import { loadAverage, machine, num, ratio, round, secs } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");

interface Args {
  modelReps: number;
  e2eReps: number;
  models: boolean;
  e2e: boolean;
  build: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { modelReps: 5, e2eReps: 5, models: true, e2e: true, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") {
      args.modelReps = 3;
      args.e2eReps = 2;
    } else if (a === "--reps") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--reps: expected a positive integer, got ${argv[i]}`);
      args.modelReps = n;
      args.e2eReps = n;
    } else if (a === "--skip-e2e") args.e2e = false;
    else if (a === "--skip-models") args.models = false;
    else if (a === "--no-build") args.build = false;
    else throw new Error(`unknown option ${a} (allowed: --quick, --reps N, --skip-e2e, --skip-models, --no-build)`);
  }
  return args;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function modelMarkdown(rows: readonly ModelRow[]): string {
  const out = [
    "| model | side | accuracy | F1 | ROC-AUC | train time (median wall) | first fit | CPU (median) | mlloop / scikit-learn |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    if (!r.available || r.mlloop === null || r.sklearn === null) {
      out.push(`| ${r.title} | — | — | — | — | ${r.why ?? "not available"} | — | — | — |`);
      continue;
    }
    const m = r.mlloop;
    const s = r.sklearn;
    const q = (x: { accuracy: number; f1: number; roc_auc: number }): string =>
      `${num(x.accuracy)} | ${num(x.f1)} | ${num(x.roc_auc)}`;
    out.push(
      `| ${r.title} | mlloop | ${q(m)} | ${secs(m.median_wall_s)} | ${secs(m.wall_s[0]!)} | ${secs(m.median_cpu_s)} | **${ratio(m.median_wall_s, s.median_wall_s)}** |`,
    );
    out.push(
      `| | scikit-learn | ${q(s)} | ${secs(s.median_wall_s)} | ${secs(s.wall_s[0]!)} | ${secs(s.median_cpu_s)} | (CPU ${ratio(m.median_cpu_s, s.median_cpu_s)}) |`,
    );
    const own = r.sklearnOwnPipeline;
    if (own !== undefined) {
      out.push(
        `| | scikit-learn, own pipeline (${own.n_features.toLocaleString("en-US")} features) | ${q(own)} | ${secs(own.wall_s)} | | | |`,
      );
    }
  }
  return out.join("\n");
}

function e2eMarkdown(e: EndToEnd): string {
  const mb = (v: number): string => `${Math.round(v)} MB`;
  const out = [
    "| iteration | wall (median) | CPU (median) | peak RSS (median) | ratio | target |",
    "|---|---|---|---|---|---|",
    `| mlloop cold (fresh process, empty cache) | ${secs(e.mlloopCold.median_wall_s)} | ${secs(e.mlloopCold.median_cpu_s)} | ${mb(e.mlloopCold.median_max_rss_mb)} | **${ratio(e.mlloopCold.median_wall_s, e.sklearnCold.median_wall_s)}** of scikit-learn | ≤ 0.5× |`,
    `| scikit-learn script (bench/sklearn_iteration.py) | ${secs(e.sklearnCold.median_wall_s)} | ${secs(e.sklearnCold.median_cpu_s)} | ${mb(e.sklearnCold.median_max_rss_mb)} | | |`,
    `| mlloop warm (model.C changed, warm cache) | ${secs(e.mlloopWarm.median_wall_s)} | ${secs(e.mlloopWarm.median_cpu_s)} | ${mb(e.mlloopWarm.median_max_rss_mb)} | **${ratio(e.mlloopWarm.median_wall_s, e.mlloopCold.median_wall_s)}** of mlloop cold | ≤ 0.1× |`,
    "",
    "Stage medians (seconds, as each process reports them):",
    "",
  ];
  const fmt = (st: Record<string, number>): string =>
    Object.entries(st)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(" · ");
  out.push(`- mlloop cold: ${fmt(e.mlloopCold.median_stages)}`);
  out.push(`- scikit-learn: ${fmt(e.sklearnCold.median_stages)}`);
  out.push(`- mlloop warm: ${fmt(e.mlloopWarm.median_stages)}`);
  return out.join("\n");
}

interface Target {
  readonly what: string;
  readonly measured: number;
  readonly target: number;
  readonly met: boolean;
}

function targets(rows: readonly ModelRow[], e: EndToEnd | null): Target[] {
  const t: Target[] = [];
  for (const key of ["lr", "svm", "sgd", "nb", "gbdt"]) {
    const r = rows.find((x) => x.key === key);
    if (r?.mlloop == null || r.sklearn == null) continue;
    const v = r.mlloop.median_wall_s / r.sklearn.median_wall_s;
    t.push({ what: `train time ${key} (mlloop / scikit-learn)`, measured: round(v, 3), target: 1, met: v <= 1 });
    const dAcc = Math.abs(r.mlloop.accuracy - r.sklearn.accuracy) * 100;
    const dF1 = Math.abs(r.mlloop.f1 - r.sklearn.f1) * 100;
    t.push({ what: `quality ${key}: |Δ accuracy|, points`, measured: round(dAcc, 2), target: 0.5, met: dAcc <= 0.5 });
    t.push({ what: `quality ${key}: |Δ F1|, points`, measured: round(dF1, 2), target: 0.5, met: dF1 <= 0.5 });
  }
  if (e !== null) {
    const cold = e.mlloopCold.median_wall_s / e.sklearnCold.median_wall_s;
    const warm = e.mlloopWarm.median_wall_s / e.mlloopCold.median_wall_s;
    const rss = e.mlloopCold.median_max_rss_mb / e.sklearnCold.median_max_rss_mb;
    t.push({
      what: "cold iteration (mlloop / scikit-learn script)",
      measured: round(cold, 3),
      target: 0.5,
      met: cold <= 0.5,
    });
    t.push({
      what: "warm iteration (mlloop warm / mlloop cold)",
      measured: round(warm, 3),
      target: 0.1,
      met: warm <= 0.1,
    });
    t.push({
      what: "peak RSS, cold (mlloop / scikit-learn script)",
      measured: round(rss, 3),
      target: 1,
      met: rss <= 1,
    });
  }
  return t;
}

function targetsMarkdown(t: readonly Target[]): string {
  return [
    "| target | measured | goal | met |",
    "|---|---|---|---|",
    ...t.map((x) => `| ${x.what} | ${x.measured} | ≤ ${x.target} | ${x.met ? "yes" : "**no**"} |`),
  ].join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadStart = loadAverage();
  ensureSklearn(log);
  if (args.build && args.e2e) {
    log("building dist/ (the CLI the end-to-end runs use)…");
    const b = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error("npm run build failed");
  }
  const tmp = mkdtempSync(join(tmpdir(), "mlloop-bench-"));
  const py = new SklearnWorker(join(ROOT, "bench", "sklearn_worker.py"));
  try {
    const sklearnInfo = await py.call<Record<string, unknown>>({ cmd: "info" });
    let rows: ModelRow[] = [];
    if (args.models) {
      log(`per-model fits, ${args.modelReps} repetitions each, alternating mlloop and scikit-learn:`);
      rows = await modelTable(py, tmp, args.modelReps, log);
    }
    py.close();
    let e2e: EndToEnd | null = null;
    if (args.e2e) {
      log(`end to end, ${args.e2eReps} rounds (cold mlloop, scikit-learn script, warm mlloop):`);
      e2e = endToEnd(tmp, args.e2eReps, log);
    }
    const loadEnd = loadAverage();
    const t = targets(rows, e2e);
    const result = {
      date: started.toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      machine: machine(),
      python: PYTHON,
      sklearn: sklearnInfo,
      loadAverage: { start: loadStart, end: loadEnd },
      repetitions: { models: args.modelReps, endToEnd: args.e2eReps },
      seconds: round((Date.now() - started.getTime()) / 1000, 1),
      models: rows,
      endToEnd: e2e,
      targets: t,
    };
    const dir = join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, "-");
    writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 1) + "\n");
    writeFileSync(join(dir, "latest.json"), JSON.stringify(result, null, 1) + "\n");

    const m = result.machine;
    const md: string[] = [
      `## mlloop vs scikit-learn (${started.toISOString().slice(0, 16).replace("T", " ")} UTC)`,
      "",
      `${m.cpus} × ${m.model}, Node ${m.node}, Python ${String(sklearnInfo["python"])}, scikit-learn ${String(sklearnInfo["sklearn"])}; ` +
        `load average ${loadStart.join(" / ")} at the start, ${loadEnd.join(" / ")} at the end (1/5/15 min). ` +
        `Medians of ${args.modelReps} fits per model and ${args.e2eReps} end-to-end rounds; whole bench ${result.seconds} s.`,
      "",
    ];
    if (args.models) {
      md.push(
        "### Training time and quality, same matrix",
        "",
        "Both sides fit the same training rows of mlloop's features (examples/spam/baseline.yaml: subject + body words, " +
          "TF-IDF, min_df 2, sublinear tf; raw counts for naive Bayes) and are scored on the same test rows. " +
          'The "own pipeline" row is scikit-learn end to end on the same examples: Python `email` parsing ' +
          "(HTML tags replaced by a space) and TfidfVectorizer/CountVectorizer; mlloop converts HTML to text and decodes " +
          "more of MIME, so its vocabulary differs slightly. Tokens are the same on both sides: lower-cased `(?u)\\b\\w\\w+\\b`. " +
          '"first fit" is the first of the repetitions: mlloop\'s includes V8 compiling its kernels (a fresh `mlloop run` pays it once).',
        "",
        modelMarkdown(rows),
        "",
      );
    }
    if (e2e !== null) md.push("### One iteration, end to end", "", e2eMarkdown(e2e), "");
    md.push("### Targets", "", targetsMarkdown(t), "");
    md.push(`Saved to bench/results/${stamp}.json and bench/results/latest.json.`);
    process.stdout.write(md.join("\n") + "\n");
  } finally {
    py.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
