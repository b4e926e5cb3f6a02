/**
 * `npm run bench:predict`: messages per second for prediction on the whole SpamAssassin corpus
 * (6,046 messages), mlloop against scikit-learn, on this machine, side by side in one run.
 *
 *   npm run bench:predict                  # 5 repetitions
 *   npm run bench:predict -- --reps 3 --no-build
 *
 * 1. Train examples/spam/baseline.yaml (subject + body words, TF-IDF, logistic regression) into a
 *    fresh store (not timed) and write every corpus message to a new .eml file (new names).
 * 2. mlloop, in process, each repetition: loadPipeline (from the store's artifacts) + read and
 *    parse the 6,046 files, then featurise + score (`pipeline.predict`). Medians.
 * 3. scikit-learn: the same messages after the same parsing (mlloop's parsed subject + "\n" + body,
 *    the words family's pooled text) into Pipeline(TfidfVectorizer, LogisticRegression) fitted on
 *    the same training split with the same settings; Pipeline.predict_proba timed. Medians.
 * 4. `mlloop predict RUN folder --csv` as a fresh process (start-up, store, parse, featurise,
 *    score, print), measured from outside by bench/measure.py.
 * The two sides' P(spam) are compared (they are different solvers, so close but not equal).
 * Results: bench/results/predict-<timestamp>.json and bench/results/predict-latest.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSpamAssassinText, spamAssassinFiles } from "../src/data/sources/spamassassin.js";
import { SPAMASSASSIN_GROUPS } from "../src/spec/schema.js";
import { runExperiment } from "../src/loop/run-experiment.js";
import { loadPipeline } from "../src/predict/pipeline.js";
import { readInputs } from "../src/predict/inputs.js";
import { loadSpecFile } from "../src/spec/load.js";
import { openStore } from "../src/track/open.js";
import { ensureSklearn, PYTHON } from "./python.js";
import { loadAverage, machine, median, round } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function parseArgs(argv: string[]): { reps: number; build: boolean } {
  const args = { reps: 5, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--reps") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--reps: expected a positive integer, got ${argv[i]}`);
      args.reps = n;
    } else if (a === "--no-build") args.build = false;
    else throw new Error(`unknown option ${a} (allowed: --reps N, --no-build)`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  ensureSklearn(log);
  if (args.build) {
    const b = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    if (b.status !== 0) throw new Error("npm run build failed");
  }
  const loadBefore = loadAverage();
  const work = mkdtempSync(join(tmpdir(), "mlloop-bench-predict-"));
  try {
    const dbPath = join(work, "store", "mlloop.db");
    const store = await openStore(dbPath);
    const specFile = join(ROOT, "examples", "spam", "baseline.yaml");
    const { spec } = loadSpecFile(specFile);
    log("training examples/spam/baseline.yaml (not timed)…");
    const outcome = await runExperiment({ spec, baseDir: join(ROOT, "examples", "spam"), store, cache: false });
    const runId = outcome.runId;

    const { dir, files } = spamAssassinFiles([...SPAMASSASSIN_GROUPS]);
    const mail = join(work, "mail");
    mkdirSync(mail);
    const originalId: string[] = [];
    files.forEach((f, k) => {
      const slash = f.indexOf("/");
      const stem = f.slice(slash + 1).replace(/\.txt$/, "");
      writeFileSync(
        join(mail, `m${String(k).padStart(5, "0")}.eml`),
        readSpamAssassinText(dir, f.slice(0, slash), stem),
      );
      originalId.push(`${f.slice(0, slash)}/${stem}`);
    });
    const n = files.length;
    log(`${n} messages written as new .eml files; mlloop in process, ${args.reps} repetitions…`);

    const loadParse: number[] = [];
    const score: number[] = [];
    // CPU seconds too (user + system, all threads): on a shared, loaded machine wall time mostly
    // measures waiting for a core, CPU time what the work cost
    const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
    const loadParseCpu: number[] = [];
    const scoreCpu: number[] = [];
    let scores: number[] = [];
    let docs: string[] = [];
    for (let r = 0; r < args.reps; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const pipeline = await loadPipeline(store, runId);
      const { examples } = await readInputs([mail], pipeline.contract);
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const predictions = pipeline.predict(examples);
      const t2 = performance.now();
      const c2 = process.cpuUsage();
      loadParseCpu.push(cpuSeconds(c1) - cpuSeconds(c0));
      scoreCpu.push(cpuSeconds(c2) - cpuSeconds(c1));
      loadParse.push((t1 - t0) / 1000);
      score.push((t2 - t1) / 1000);
      scores = predictions.map((p) => p.score);
      if (r === 0) docs = examples.map((e) => `${e.text["subject"] ?? ""}\n${e.text["body"] ?? ""}`);
    }

    // the same training split for scikit-learn: the run's recorded train examples
    const trainIds = new Set((await store.getPredictions(runId, "train")).map((p) => p.exampleId));
    const train = originalId.flatMap((id, k) => (trainIds.has(id) ? [k] : []));
    const labels = originalId.map((id) => (id.startsWith("spam") ? "spam" : "ham"));
    const docsFile = join(work, "docs.json");
    writeFileSync(docsFile, JSON.stringify({ docs, train, labels }));
    const model = spec.model as { C?: number };
    const words = spec.features.words as { min_df?: number };
    log("scikit-learn Pipeline.predict_proba…");
    const py = spawnSync(
      PYTHON,
      [
        join(ROOT, "bench", "sklearn_predict.py"),
        docsFile,
        "--reps",
        String(args.reps),
        "--C",
        String(model.C ?? 1),
        "--min-df",
        String(words.min_df ?? 1),
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    if (py.status !== 0) throw new Error(`sklearn_predict.py failed: ${py.stderr}`);
    const sk = JSON.parse(py.stdout) as {
      seconds: number[];
      median_s: number;
      cpu_seconds: number[];
      median_cpu_s: number;
      n_features: number;
      p_spam: number[];
    };
    let maxDiff = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(scores[i]! - sk.p_spam[i]!));
      if (scores[i]! >= 0.5 === sk.p_spam[i]! >= 0.5) agree++;
    }

    log("mlloop predict as a fresh process…");
    const cli: Array<{ wall_s: number; cpu_s: number; max_rss_kb: number }> = [];
    // (cpu_s from measure.py: user + system of the process and its children)
    for (let r = 0; r < args.reps; r++) {
      const m = spawnSync(
        PYTHON,
        [
          join(ROOT, "bench", "measure.py"),
          "--cwd",
          ROOT,
          "--",
          process.execPath,
          join(ROOT, "bin", "mlloop.js"),
          "--store",
          dbPath,
          "predict",
          runId,
          mail,
          "--csv",
          "--no-drift",
        ],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      );
      if (m.status !== 0) throw new Error(`measure.py failed: ${m.stderr}`);
      const out = JSON.parse(m.stdout) as {
        wall_s: number;
        cpu_s: number;
        max_rss_kb: number;
        exit_code: number;
        stderr: string;
      };
      if (out.exit_code !== 0) throw new Error(`mlloop predict exited with ${out.exit_code}: ${out.stderr}`);
      cli.push(out);
    }
    await store.close();

    const mlScore = median(score);
    const mlTotal = median(loadParse.map((s, i) => s + score[i]!));
    const cliWall = median(cli.map((c) => c.wall_s));
    const rate = (s: number): number => Math.round(n / s);
    const result = {
      when: new Date().toISOString(),
      machine: machine(),
      load: { before: loadBefore, after: loadAverage() },
      reps: args.reps,
      messages: n,
      run: { id: runId, spec: "examples/spam/baseline.yaml", features: outcome.features.total },
      mlloop: {
        load_parse_s: loadParse,
        featurise_score_s: score,
        median_load_parse_s: round(median(loadParse), 4),
        median_featurise_score_s: round(mlScore, 4),
        median_total_s: round(mlTotal, 4),
        load_parse_cpu_s: loadParseCpu,
        featurise_score_cpu_s: scoreCpu,
        median_load_parse_cpu_s: round(median(loadParseCpu), 4),
        median_featurise_score_cpu_s: round(median(scoreCpu), 4),
        median_total_cpu_s: round(median(loadParseCpu.map((s, i) => s + scoreCpu[i]!)), 4),
        messages_per_s_total: rate(mlTotal),
        messages_per_s_featurise_score: rate(mlScore),
      },
      sklearn: {
        seconds: sk.seconds,
        median_s: round(sk.median_s, 4),
        messages_per_s: rate(sk.median_s),
        cpu_seconds: sk.cpu_seconds,
        median_cpu_s: round(sk.median_cpu_s, 4),
        n_features: sk.n_features,
      },
      cli: {
        runs: cli,
        median_wall_s: round(cliWall, 3),
        median_cpu_s: round(median(cli.map((c) => c.cpu_s)), 3),
        messages_per_s: rate(cliWall),
        median_max_rss_mb: round(median(cli.map((c) => c.max_rss_kb)) / 1024, 1),
      },
      agreement: { max_abs_diff_p_spam: maxDiff, same_decision_at_0_5: agree / n },
    };
    const dirOut = join(ROOT, "bench", "results");
    mkdirSync(dirOut, { recursive: true });
    const text = JSON.stringify(result, null, 2) + "\n";
    writeFileSync(join(dirOut, `predict-${result.when.replace(/[:.]/g, "-")}.json`), text);
    writeFileSync(join(dirOut, "predict-latest.json"), text);
    const m = result.mlloop;
    process.stdout.write(
      [
        `Prediction on the whole corpus (${n.toLocaleString("en-US")} messages), ${args.reps} repetitions, medians; ` +
          `${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}; load average ${loadBefore.join(" ")} → ${result.load.after.join(" ")}`,
        "",
        "| | wall s | messages/s (wall) | CPU s | messages/s (CPU) |",
        "|---|---:|---:|---:|---:|",
        `| mlloop: load pipeline + read + parse ${n} .eml files | ${m.median_load_parse_s} | ${rate(m.median_load_parse_s)} | ${m.median_load_parse_cpu_s} | ${rate(m.median_load_parse_cpu_s)} |`,
        `| mlloop: featurise + score (\`pipeline.predict\`) | ${m.median_featurise_score_s} | ${m.messages_per_s_featurise_score} | ${m.median_featurise_score_cpu_s} | ${rate(m.median_featurise_score_cpu_s)} |`,
        `| mlloop: all of it, in process | ${m.median_total_s} | ${m.messages_per_s_total} | ${m.median_total_cpu_s} | ${rate(m.median_total_cpu_s)} |`,
        `| scikit-learn: \`Pipeline.predict_proba\` on the parsed text (TF-IDF + LR) | ${result.sklearn.median_s} | ${result.sklearn.messages_per_s} | ${result.sklearn.median_cpu_s} | ${rate(result.sklearn.median_cpu_s)} |`,
        `| \`mlloop predict RUN folder --csv --no-drift\`, fresh process (start-up included) | ${result.cli.median_wall_s} | ${result.cli.messages_per_s} | ${result.cli.median_cpu_s} | ${rate(result.cli.median_cpu_s)} |`,
        "",
        `featurise + score, mlloop / scikit-learn: wall ${(mlScore / sk.median_s).toFixed(2)}×, CPU ${(median(scoreCpu) / sk.median_cpu_s).toFixed(2)}×; ` +
          `P(spam) max |Δ| ${maxDiff.toExponential(2)}, same decision at 0.5 for ${(100 * result.agreement.same_decision_at_0_5).toFixed(2)}% ` +
          `(mlloop ${outcome.features.total.toLocaleString("en-US")} features, scikit-learn ${sk.n_features.toLocaleString("en-US")})`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
