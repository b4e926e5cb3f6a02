/** `mlloop diagnose RUN`: verdict first, then the evidence, then the ranked next changes. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { learningCurveChart, validationCurveChart } from "../../diagnose/charts.js";
import { diagnoseRun, type Diagnosis } from "../../diagnose/diagnose.js";
import { terminalChart } from "../../diagnose/plots.js";
import { VERDICT_LABEL } from "../../diagnose/bias-variance.js";
import { listOutcomes, type RecommendationOutcome } from "../../recommend/outcome.js";
import { openStore } from "../../track/open.js";
import type { RunId } from "../../track/store.js";
import { createStageReporter } from "../progress.js";
import { bold, cyan, dim, fmtMs, green, printJson, red, table, yellow } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface DiagnoseCliOptions {
  json?: boolean;
  folds?: string;
  sizes?: string;
  sample?: string;
  trainDev?: string;
  errors?: string;
  cv: boolean;
  cache: boolean;
  workers?: string;
  baseDir?: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const pts = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pt`;

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} ${v}: expected a whole number ≥ ${min}`);
  return Number(v);
}

function section(title: string): string {
  return `\n${bold(cyan(title))}`;
}

export function renderDiagnosis(d: Diagnosis, outcomes: readonly RecommendationOutcome[], cached: boolean): string {
  const out: string[] = [];
  const bv = d.biasVariance;
  const total = Object.values(d.timings).reduce((a, b) => a + b, 0);
  out.push(
    `${bold("diagnosis")} of run ${d.runId}  experiment ${d.experiment}` +
      (d.devMetric !== null ? `  dev ${d.primaryMetric} ${d.devMetric.toFixed(4)}` : "") +
      dim(cached ? "  (cached)" : `  (${fmtMs(total)})`),
  );
  const verdictColor =
    d.verdict.kinds.includes("little_room") || d.verdict.kinds.includes("no_material_gap") ? green : yellow;
  out.push(`\n${bold("VERDICT")}  ${verdictColor(bold(d.verdict.text))}`);
  for (const n of d.verdict.notes) out.push(`  ${n}`);

  // errors and gaps
  const e = bv.input;
  out.push(
    `\n  errors: baseline ${pct(e.baseline)} · train ${pct(e.train.error)}` +
      (e.trainDev ? ` · train-dev ${pct(e.trainDev.error)}` : "") +
      ` · dev ${pct(e.dev.error)}` +
      (e.test ? ` · test ${pct(e.test.error)}` : ""),
  );
  out.push(
    table(
      ["gap", "value", "± SE", "share", "material"],
      bv.gaps.map((g) => [
        g.name.replace(/_/g, " "),
        pts(g.value),
        `${(g.se * 100).toFixed(2)} pt`,
        g.share === null ? "—" : `${Math.round(g.share * 100)}%`,
        g.material ? "yes" : "no",
      ]),
    ),
  );

  if (d.learningCurve) {
    out.push(section("LEARNING CURVE"));
    const chart = learningCurveChart(d);
    if (chart) out.push(terminalChart(chart));
    if (d.readings.learningCurve) out.push(`  ${d.readings.learningCurve.text}`);
  }
  if (d.validationCurve) {
    out.push(section("VALIDATION CURVE"));
    const chart = validationCurveChart(d);
    if (chart) out.push(terminalChart(chart));
    if (d.readings.validationCurve) out.push(`  ${d.readings.validationCurve.text}`);
  }

  const ea = d.errorAnalysis;
  if (ea) {
    out.push(
      section(`ERROR ANALYSIS`) +
        `  ${ea.split}: ${ea.errors} errors of ${ea.n} (${pct(ea.errorRate)})` +
        (ea.fp + ea.fn > 0 ? `: ${ea.fp} false positives, ${ea.fn} false negatives` : ""),
    );
    if (ea.tags.length > 0) {
      out.push(
        table(
          ["tag", "source", "errors", "fp", "fn", "share", "in correct", "ceiling (error if fixed)"],
          ea.tags
            .slice(0, 15)
            .map((t) => [
              t.tag,
              t.source,
              t.errors,
              t.fp,
              t.fn,
              `${Math.round(t.share * 100)}%`,
              `${(t.rateAmongCorrect * 100).toFixed(1)}%`,
              `${pct(t.ceilingError)} (${pts(-t.maxGain)})`,
            ]),
        ),
      );
      out.push(
        dim(
          `  ${ea.untagged} errors carry no tag; tag them by hand: mlloop tag ${d.runId.slice(0, 8)} <example> <tag>…`,
        ),
      );
    }
    const over = ea.overRepresented;
    for (const kind of ["fn", "fp", "wrong"] as const) {
      const list = over.filter((o) => o.kind === kind).slice(0, 8);
      if (list.length === 0) continue;
      const vs =
        kind === "fn"
          ? "false negatives vs true positives"
          : kind === "fp"
            ? "false positives vs true negatives"
            : "errors vs correct";
      out.push(
        `  over-represented in ${vs}: ${list.map((o) => `${o.feature} (${o.inErrors}/${o.errors} vs ${o.inCorrect}/${o.correct})`).join(", ")}`,
      );
    }
    const rows = [...ea.sample.fp.slice(0, 6), ...ea.sample.fn.slice(0, 6), ...ea.sample.other.slice(0, 6)];
    if (rows.length > 0) {
      out.push(dim(`  sample of ${ea.sample.size} errors (seed ${ea.sample.seed}); first of each kind:`));
      out.push(
        table(
          ["kind", "example", "score", "tags", "subject"],
          rows.map((s) => [
            s.kind.toUpperCase(),
            s.id,
            s.score === null ? "—" : s.score.toFixed(3),
            s.tags.join(" ") || "—",
            (d.previews[s.id]?.subject ?? "").slice(0, 50),
          ]),
          ["left", "left", "right", "left", "left"],
        ),
      );
    }
  }

  const sl = d.slices;
  if (sl) {
    out.push(
      section("SLICES") + `  ${sl.tested} tested on dev (size ≥ ${sl.minSize}), overall error ${pct(sl.errorRate)}`,
    );
    if (sl.worst.length === 0) out.push("  no slice is significantly worse than the rest (q < 0.05)");
    else {
      out.push(
        table(
          ["slice", "size", "errors", "error", "rest", "excess", "q"],
          sl.worst
            .slice(0, 8)
            .map((s) => [
              s.name,
              s.size,
              s.errors,
              pct(s.errorRate),
              pct(s.complementErrorRate),
              s.excessErrors.toFixed(1),
              s.q.toExponential(1),
            ]),
          ["left", "right", "right", "right", "right", "right", "right"],
        ),
      );
    }
  }

  const dc = d.dataChecks;
  if (dc) {
    out.push(section("DATA CHECKS"));
    out.push(
      `  exact duplicates: ${dc.exactDuplicates.clusters} clusters, ${dc.exactDuplicates.crossSplit.length} across splits, ${dc.exactDuplicates.labelConflicts.length} with conflicting labels`,
    );
    const leaked =
      Object.entries(dc.nearDuplicates.leakedBySplit)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ") || "none";
    out.push(
      `  near-duplicates (MinHash ≥ 0.8): ${dc.nearDuplicates.pairs} pairs, ${dc.nearDuplicates.crossSplit.length} across splits; with a near-copy in train: ${leaked}; label conflicts ${dc.nearDuplicates.labelConflicts.length}`,
    );
    out.push(
      `  label balance: ${dc.balance
        .map(
          (b) =>
            `${b.split} ${Object.entries(b.counts)
              .map(([c, n]) => `${c} ${n} (${b.n > 0 ? Math.round((n / b.n) * 100) : 0}%)`)
              .join(" / ")}`,
        )
        .join(" · ")}`,
    );
    for (const f of dc.drift) {
      out.push(
        `  drift train→dev, ${f.family}: Jensen–Shannon ${f.jensenShannon.toFixed(3)}${f.drifted ? red(" (drifted)") : ""}` +
          (f.topColumns.length > 0
            ? `; largest shifts: ${f.topColumns
                .slice(0, 4)
                .map((c) => `${c.name} ${c.shift >= 0 ? "+" : ""}${c.shift.toFixed(2)} sd`)
                .join(", ")}`
            : ""),
      );
    }
    if (dc.tiny.length > 0)
      out.push(
        `  empty or tiny examples: ${dc.tiny.length} (${dc.tiny
          .slice(0, 5)
          .map((t) => t.id)
          .join(", ")}…)`,
      );
  }
  if (d.labelIssues.length > 0) {
    out.push(section("LIKELY LABEL ERRORS") + dim("  confident learning on out-of-sample probabilities"));
    for (const l of d.labelIssues) {
      out.push(
        `  ${l.split}: ${l.issues.length} flagged (estimated ${l.estimatedErrors.toFixed(0)})` +
          (l.issues.length > 0
            ? ` — ${l.issues
                .slice(0, 5)
                .map((i) => `${i.id} (${i.given}→${i.suggested}, p=${i.selfConfidence.toFixed(2)})`)
                .join(", ")}`
            : ""),
      );
    }
  }

  out.push(section("TRAINING DYNAMICS"));
  const dy = d.dynamics;
  out.push(
    `  ${dy.iterations ?? "?"} iterations, ${dy.converged === null ? "convergence not reported" : dy.converged ? "converged" : red("not converged")}` +
      (dy.finalLoss !== null ? `, final loss ${dy.finalLoss.toPrecision(5)}` : ""),
  );
  for (const f of dy.findings) out.push(`  ${yellow("!")} ${f.message}`);

  const th = d.threshold;
  if (th) {
    out.push(
      section("THRESHOLD AND COST") +
        `  dev (${th.n} messages, ${th.positives} positive); costs fp=${th.costs.fp}, fn=${th.costs.fn}; per 10,000 messages:`,
    );
    out.push(
      table(
        ["policy", "threshold", "precision", "recall", "f1", "legit lost /10k", "spam delivered /10k", "cost /10k"],
        th.points.map((p) => [
          p.policy + (p.feasible ? "" : " (infeasible)"),
          p.threshold.toPrecision(4),
          p.precision.toFixed(4),
          p.recall.toFixed(4),
          p.f1.toFixed(4),
          p.per10k.negativesLost.toFixed(1),
          p.per10k.positivesMissed.toFixed(1),
          p.per10k.cost.toFixed(0),
        ]),
      ),
    );
    out.push(`  calibration: expected calibration error ${th.ece.toFixed(4)} (10 bins)`);
  }

  out.push(section("RECOMMENDATIONS") + dim("  ranked by expected gain (dev error; the threshold by cost saved)"));
  if (d.recommendations.length === 0) out.push("  none: no finding calls for a change");
  for (const r of d.recommendations) {
    const outcome = outcomes.find((o) => o.n === r.n && o.recommendationId === r.id);
    out.push(
      `  ${bold(`${r.n}.`)} ${bold(r.title)}  ${dim(`expected ${pts(r.expected.devErrorDelta)} dev error (${r.expected.basis})`)}`,
    );
    for (const l of r.patchText) out.push(`       ${green(l)}`);
    if (r.action) out.push(`       ${yellow("action:")} ${r.action}`);
    out.push(`       ${r.rationale}`);
    if (outcome)
      out.push(
        `       ${outcome.held ? green("outcome:") : red("outcome:")} run ${outcome.childRunId.slice(0, 12)}: ${outcome.summary}`,
      );
  }
  const firstPatch = d.recommendations.find((r) => r.patch !== null);
  if (firstPatch) out.push(dim(`\n  apply one: mlloop run --apply ${d.runId.slice(0, 12)}:${firstPatch.n}`));
  if (d.artifacts.length > 0)
    out.push(
      dim(`  plots saved on the run: ${d.artifacts.join(", ")}; full report: mlloop report ${d.runId.slice(0, 12)}`),
    );
  return out.join("\n");
}

export function registerDiagnose(program: Command): void {
  program
    .command("diagnose")
    .description(
      "diagnose a run: bias/variance verdict, curves, error analysis, slices, data checks, and ranked next changes",
    )
    .argument("<run>", "run id or unique prefix")
    .option("--json", "print the diagnosis as JSON (no progress output)")
    .option("--folds <k>", "cross-validation folds (default 5)")
    .option("--sizes <n>", "learning-curve sizes from 10% to 100% (default 8)")
    .option("--sample <n>", "errors sampled for reading (default 100)")
    .option("--train-dev <mode>", 'train-dev error: "cv" (default), a fraction of train held out (e.g. 0.1), or "none"')
    .option("--errors <split>", "split whose errors are analysed: dev (default) or train (high bias, MLY ch. 26)")
    .option("--no-cv", "skip the cross-validated steps (learning and validation curves, training-set label errors)")
    .option("--no-cache", "recompute even if a diagnosis with these options is stored")
    .option("--workers <n>", "worker threads for cross-validation (default: CPU count; 0 = none)")
    .option("--base-dir <dir>", "folder that relative data paths in the spec are resolved against")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop diagnose 01a21dc7
  $ mlloop diagnose 01a21dc7 --json > diagnosis.json
  $ mlloop diagnose 01a21dc7 --train-dev 0.1 --errors train
  $ mlloop run --apply 01a21dc7:1      # run recommendation 1 as a child run`,
    )
    .action(async (runArg: string, opts: DiagnoseCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & DiagnoseCliOptions>();
      let trainDev: "cv" | "none" | number | undefined;
      if (opts.trainDev !== undefined) {
        if (opts.trainDev === "cv" || opts.trainDev === "none") trainDev = opts.trainDev;
        else if (/^0?\.\d+$/.test(opts.trainDev) && Number(opts.trainDev) > 0 && Number(opts.trainDev) < 0.5)
          trainDev = Number(opts.trainDev);
        else
          throw new UsageError(
            `--train-dev ${opts.trainDev}: expected "cv", "none" or a fraction between 0 and 0.5 (e.g. 0.1)`,
          );
      }
      if (opts.errors !== undefined && !["dev", "train", "test"].includes(opts.errors)) {
        throw new UsageError(`--errors ${opts.errors}: expected dev, train or test`);
      }
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json });
      try {
        const { diagnosis, cached } = await diagnoseRun(store, runArg, {
          folds: intOption("folds", opts.folds, 2),
          sizes: intOption("sizes", opts.sizes, 2),
          sample: intOption("sample", opts.sample, 1),
          workers: intOption("workers", opts.workers, 0),
          trainDev,
          errorSplit: opts.errors as "dev" | "train" | "test" | undefined,
          noCv: !opts.cv,
          cache: opts.cache,
          baseDir: opts.baseDir,
          events: {
            start: (s, total) => reporter.start(s, total),
            progress: (d, t) => reporter.update(d, t),
            finish: (s, ms, detail) => reporter.finish(s, ms, detail),
          },
        });
        reporter.stop();
        const outcomes = await listOutcomes(store, diagnosis.runId as RunId);
        if (opts.json) printJson({ ...diagnosis, cached, outcomes, verdictLabels: VERDICT_LABEL });
        else process.stdout.write(`${renderDiagnosis(diagnosis, outcomes, cached)}\n`);
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}
