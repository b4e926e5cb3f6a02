/**
 * `mlloop demo`: the whole loop on the bundled corpus, every number computed — a simple first
 * model, its diagnosis, the top recommendation applied as a child run and compared with
 * significance (the next one tried when it did not help), a few iterations, the total improvement
 * attributed to the changes made, the ledger, and a self-contained HTML report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isAttributionRecord, type AttributionRecord } from "../compare/attribute.js";
import { attributeRuns } from "./attribute.js";
import { compareRuns, type MetricComparison } from "../compare/compare-runs.js";
import { buildLedger, type Ledger } from "../compare/lineage.js";
import { diagnoseRun, type Diagnosis } from "./diagnose-run.js";
import { resolveApply } from "../recommend/apply.js";
import { measureOutcome, recordOutcome, type RecommendationOutcome } from "../recommend/outcome.js";
import type { Recommendation } from "../recommend/recommend.js";
import { loadSpecFile } from "../spec/load.js";
import { canonicalJson } from "../spec/canonical.js";
import { reportsDirFor } from "../track/open.js";
import type { RunId, Store } from "../track/store.js";
import { runExperiment, type StageEvents } from "./run-experiment.js";
import { renderDemoReport } from "./demo-report.js";

export interface DemoOptions {
  readonly store: Store;
  /** Small sample and cheaper diagnostics: under a minute on two cores. */
  readonly fast?: boolean;
  /** Iterations of diagnose → change → compare (default 3). */
  readonly iterations?: number;
  /** Recommendations tried per iteration before giving up (default 2). */
  readonly attempts?: number;
  /** Experiment name (default "spam-demo-<time>", so that each demo has its own ledger). */
  readonly experiment?: string;
  /** Where the HTML report goes (default: <store folder>/reports/<experiment>.html). */
  readonly reportPath?: string;
  readonly log?: (line: string) => void;
  readonly stages?: StageEvents;
}

export interface DemoAttempt {
  readonly recommendation: Pick<Recommendation, "n" | "title" | "rationale" | "patchText" | "expected" | "finding">;
  readonly childRunId: RunId;
  readonly outcome: RecommendationOutcome;
  readonly primary: MetricComparison;
  readonly accepted: boolean;
}

export interface DemoIteration {
  readonly runId: RunId;
  readonly devMetric: number | null;
  readonly verdict: string;
  readonly learningCurve: string | null;
  readonly topTags: ReadonlyArray<{ tag: string; share: number; ceilingError: number }>;
  readonly attempts: readonly DemoAttempt[];
}

export interface DemoResult {
  readonly experiment: string;
  readonly primaryMetric: string;
  readonly firstRunId: RunId;
  readonly bestRunId: RunId;
  readonly iterations: readonly DemoIteration[];
  readonly stopReason: string;
  readonly attribution: AttributionRecord | null;
  readonly ledger: Ledger;
  readonly reportPath: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** examples/spam/demo-baseline.yaml, from src/loop (tsx) or dist/loop (built). */
export function demoSpecPath(): string {
  return resolve(here, "..", "..", "examples", "spam", "demo-baseline.yaml");
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;
}

/**
 * The default report file: `<store folder>/reports/<experiment>.html`, the experiment name made a
 * plain file name (an experiment name is any text: `--experiment ../../x` must not write outside).
 */
export function demoReportPath(storeLocation: string, experiment: string): string {
  const name =
    experiment
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .replace(/^\.+/, "_")
      .slice(0, 120) || "demo";
  return join(reportsDirFor(storeLocation), `${name}.html`);
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { store } = opts;
  const log = opts.log ?? (() => {});
  const fast = opts.fast === true;
  const maxIterations = opts.iterations ?? 3;
  const attempts = opts.attempts ?? 2;
  const experiment =
    opts.experiment ?? `spam-demo-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
  const overrides = [`experiment=${experiment}`, ...(fast ? ["data.split.train_limit=1000"] : [])];
  const loaded = loadSpecFile(demoSpecPath(), overrides);
  const baseDir = loaded.baseDir;
  // fast: 3 folds × 5 sizes; full: the defaults (5 × 8)
  const diagnoseOptions = fast ? { folds: 3, sizes: 5, baseDir } : { baseDir };
  const primaryMetric = loaded.spec.evaluate.primary_metric;

  log(
    `1. baseline: ${loaded.spec.notes ?? "first model"}${fast ? " (--fast: trained on a seeded 1,000-message sample of the training split)" : ""}`,
  );
  const first = await runExperiment({ spec: loaded.spec, baseDir, store, name: "baseline", events: opts.stages });
  log(`   run ${first.runId.slice(0, 12)}: dev ${primaryMetric} ${first.metrics.dev?.[primaryMetric]?.toFixed(4)}`);

  const iterations: DemoIteration[] = [];
  const tried = new Set<string>();
  let current: RunId = first.runId;
  let stopReason = `reached the iteration limit (${maxIterations})`;
  let diagnosis: Diagnosis | null = null;

  for (let it = 1; it <= maxIterations; it++) {
    log(`\n${it + 1}. diagnose ${current.slice(0, 12)}`);
    diagnosis = (await diagnoseRun(store, current, diagnoseOptions)).diagnosis;
    const d = diagnosis;
    const topTags = (d.errorAnalysis?.tags ?? [])
      .filter((t) => t.errors > 0)
      .slice(0, 3)
      .map((t) => ({ tag: t.tag, share: t.share, ceilingError: t.ceilingError }));
    log(`   verdict: ${d.verdict.text}`);
    if (d.readings.learningCurve) log(`   learning curve: ${d.readings.learningCurve.text}`);
    for (const t of topTags) {
      log(`   errors tagged ${t.tag}: ${pct(t.share)} of dev errors (ceiling: dev error ${pct(t.ceilingError)})`);
    }
    const iteration: { attempts: DemoAttempt[] } & Omit<DemoIteration, "attempts"> = {
      runId: current,
      devMetric: d.devMetric,
      verdict: d.verdict.text,
      learningCurve: d.readings.learningCurve?.text ?? null,
      topTags,
      attempts: [],
    };
    iterations.push(iteration);

    const baselineError = loaded.spec.evaluate.baseline_error;
    const devError = d.biasVariance.input.dev.error;
    if (baselineError !== undefined && devError <= baselineError) {
      stopReason = `dev error ${pct(devError)} reached the baseline error ${pct(baselineError)}`;
      break;
    }

    const candidates = d.recommendations.filter((r) => r.patch !== null && !tried.has(canonicalJson(r.patch)));
    if (candidates.length === 0) {
      stopReason = "no recommendation left that changes the spec";
      break;
    }
    let accepted: RunId | null = null;
    for (const rec of candidates.slice(0, attempts)) {
      tried.add(canonicalJson(rec.patch));
      log(`   try recommendation ${rec.n}: ${rec.title}  [${rec.patchText.join("; ").trim()}]`);
      const applied = await resolveApply(store, `${current}:${rec.n}`, [], { baseDir });
      const child = await runExperiment({
        spec: applied.spec,
        baseDir,
        store,
        parent: current,
        notes: rec.title,
        name: `rec ${rec.n}: ${rec.title}`.slice(0, 80),
        tags: applied.tags,
        events: opts.stages,
      });
      const outcome = await measureOutcome(store, current, rec, child.runId);
      await recordOutcome(store, outcome);
      const comparison = await compareRuns(store, current, child.runId, {
        splits: ["dev"],
        flipLimit: 0,
        allowThresholdChange: true,
      });
      const primary = comparison.splits[0]!.metrics.find((m) => m.metric === comparison.primaryMetric)!;
      const ok = primary.verdict === "improved";
      log(
        `   → run ${child.runId.slice(0, 12)}: dev ${primary.metric} ${primary.a.toFixed(4)} → ${primary.b.toFixed(4)} ` +
          `(Δ ${signed(primary.delta)}, 95% CI [${signed(primary.ciLow)}, ${signed(primary.ciHigh)}]): ${primary.verdict}` +
          (ok ? " — accepted" : " — did not help; trying the next one"),
      );
      iteration.attempts.push({
        recommendation: {
          n: rec.n,
          title: rec.title,
          rationale: rec.rationale,
          patchText: rec.patchText,
          expected: rec.expected,
          finding: rec.finding,
        },
        childRunId: child.runId,
        outcome,
        primary,
        accepted: ok,
      });
      if (ok) {
        accepted = child.runId;
        break;
      }
    }
    if (accepted === null) {
      stopReason = `no recommendation moved dev ${primaryMetric} beyond noise in iteration ${it}`;
      break;
    }
    current = accepted;
  }

  // every run of the accepted chain gets its diagnosis, the best one included
  if (diagnosis?.runId !== current) {
    log(`\n   diagnose the best run ${current.slice(0, 12)}`);
    const d = (await diagnoseRun(store, current, diagnoseOptions)).diagnosis;
    iterations.push({
      runId: current,
      devMetric: d.devMetric,
      verdict: d.verdict.text,
      learningCurve: d.readings.learningCurve?.text ?? null,
      topTags: (d.errorAnalysis?.tags ?? [])
        .filter((t) => t.errors > 0)
        .slice(0, 3)
        .map((t) => ({ tag: t.tag, share: t.share, ceilingError: t.ceilingError })),
      attempts: [],
    });
  }

  let attribution: AttributionRecord | null = null;
  if (current !== first.runId) {
    log(
      `\nattribute the change ${first.runId.slice(0, 12)} → ${current.slice(0, 12)} (exact Shapley over its changes)`,
    );
    const result = await attributeRuns(store, first.runId, current, { baseDir, events: { stages: opts.stages } });
    if (isAttributionRecord(result)) {
      attribution = result;
      for (const p of result.attribution.players) {
        log(
          `   ${p.player}: ${signed(p.value)} [${signed(p.ciLow)}, ${signed(p.ciHigh)}]${p.coversZero ? " (noise: CI covers 0)" : ""}`,
        );
      }
      const t = result.attribution.total;
      log(`   total: ${signed(t.value)} [${signed(t.ciLow)}, ${signed(t.ciHigh)}]`);
    }
  }

  const ledger = await buildLedger(store, experiment);
  const reportPath = opts.reportPath ?? demoReportPath(store.location, experiment);
  mkdirSync(dirname(reportPath), { recursive: true });
  const svgs: Record<string, string> = {};
  for (const it of iterations) {
    try {
      const a = await store.getArtifact(it.runId, "diagnose/learning-curve.svg");
      svgs[it.runId] = Buffer.from(a.bytes).toString("utf8");
    } catch {
      // no learning curve for this run (e.g. diagnosed without cross-validation)
    }
  }
  const result: DemoResult = {
    experiment,
    primaryMetric,
    firstRunId: first.runId,
    bestRunId: current,
    iterations,
    stopReason,
    attribution,
    ledger,
    reportPath,
  };
  writeFileSync(reportPath, renderDemoReport(result, svgs));
  return result;
}
