/**
 * `mlloop demo`: `mlloop loop` on the bundled spam corpus, from a deliberately simple first model
 * (examples/spam/demo-baseline.yaml), then what a person would look at next: the attribution of the
 * whole move to the changes made (exact Shapley), the ledger, and one self-contained HTML report.
 * Everything the loop does (diagnose, screen the catalogue on the training split, run the best as a
 * child run, accept it only on a paired test on dev) is the loop's; the demo adds no logic of its own.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isAttributionRecord, type AttributionRecord } from "../compare/attribute.js";
import { buildLedger, type Ledger } from "../compare/lineage.js";
import { loadSpecFile } from "../spec/load.js";
import { reportsDirFor } from "../track/open.js";
import type { RunId, Store } from "../track/store.js";
import { attributeRuns } from "./attribute.js";
import { renderLoopReport } from "./loop-report.js";
import { runLoop, type LoopOptions, type LoopResult } from "./loop.js";
import type { StageEvents } from "./run-experiment.js";

export interface DemoOptions {
  readonly store: Store;
  /** A 1,000-message training sample and lighter screening: about a minute on two cores. */
  readonly fast?: boolean;
  /** Full runs, the baseline included (default 8). */
  readonly budget?: number;
  /** Experiment name (default "spam-demo-<time>", so that each demo has its own ledger). */
  readonly experiment?: string;
  /** Where the HTML report goes (default: <store folder>/reports/<experiment>.html). */
  readonly reportPath?: string;
  readonly workers?: number;
  readonly log?: (line: string) => void;
  readonly stages?: StageEvents;
  onScreenProgress?(done: number, total: number, label: string): void;
}

export interface DemoResult {
  readonly experiment: string;
  readonly primaryMetric: string;
  readonly firstRunId: RunId;
  readonly bestRunId: RunId;
  readonly stopReason: string;
  readonly loop: LoopResult;
  readonly attribution: AttributionRecord | null;
  readonly ledger: Ledger;
  readonly reportPath: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** examples/spam/demo-baseline.yaml, from src/loop (tsx) or dist/loop (built). */
export function demoSpecPath(): string {
  return resolve(here, "..", "..", "examples", "spam", "demo-baseline.yaml");
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

const signed = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

/** --fast screens on fewer rows and folds; the full demo uses the loop's defaults. */
const FAST_SCREENING: LoopOptions["screening"] = {
  rungs: [
    { folds: 3, fraction: 0.5 },
    { folds: 3, fraction: 1 },
  ],
};

async function attributeMove(
  opts: DemoOptions,
  baseDir: string,
  first: RunId,
  best: RunId,
): Promise<AttributionRecord | null> {
  const log = opts.log ?? (() => {});
  if (best === first) return null;
  log(`\nattribute the change ${first.slice(0, 12)} → ${best.slice(0, 12)} (exact Shapley over its changes)`);
  const result = await attributeRuns(opts.store, first, best, { baseDir, events: { stages: opts.stages } });
  if (!isAttributionRecord(result)) return null;
  for (const p of result.attribution.players) {
    log(
      `   ${p.player}: ${signed(p.value)} [${signed(p.ciLow)}, ${signed(p.ciHigh)}]${p.coversZero ? " (noise: CI covers 0)" : ""}`,
    );
  }
  const t = result.attribution.total;
  log(`   total: ${signed(t.value)} [${signed(t.ciLow)}, ${signed(t.ciHigh)}]`);
  return result;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { store } = opts;
  const fast = opts.fast === true;
  const experiment =
    opts.experiment ?? `spam-demo-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
  const overrides = [`experiment=${experiment}`, ...(fast ? ["data.split.train_limit=1000"] : [])];
  const loaded = loadSpecFile(demoSpecPath(), overrides);
  if (fast) opts.log?.("(--fast: every run trains on a seeded 1,000-message sample of the training split)");
  const loop = await runLoop({
    store,
    spec: loaded.spec,
    baseDir: loaded.baseDir,
    budget: opts.budget ?? 8,
    experiment,
    // the demo tells the whole story from the deliberately simple spec, so that spec is run first
    start: "spec",
    workers: opts.workers,
    screening: fast ? FAST_SCREENING : undefined,
    log: opts.log,
    stages: opts.stages,
    onScreenProgress: opts.onScreenProgress,
  });
  const attribution = await attributeMove(opts, loaded.baseDir, loop.baselineRunId, loop.incumbentRunId);
  const ledger = await buildLedger(store, experiment);
  const reportPath = opts.reportPath ?? demoReportPath(store.location, experiment);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(
    reportPath,
    renderLoopReport(loop, { attribution, ledger, title: `The loop, end to end: ${experiment}` }),
  );
  return {
    experiment,
    primaryMetric: loop.metric,
    firstRunId: loop.baselineRunId,
    bestRunId: loop.incumbentRunId,
    stopReason: loop.stopReason,
    loop,
    attribution,
    ledger,
    reportPath,
  };
}
