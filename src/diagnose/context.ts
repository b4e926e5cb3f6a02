/**
 * What a diagnosis needs from a recorded run: its resolved spec, classes, threshold, stored
 * predictions and metrics (cheap, from the store), and — only when a step needs them — the
 * examples themselves, rebuilt from the spec exactly as the run built them (same data seed, same
 * split seed) and checked against the run's recorded fingerprints, and the run's fitted featurizer.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Dataset, Example } from "../data/example.js";
import { subsetFingerprint } from "../data/fingerprint.js";
import { loadDataset } from "../data/load.js";
import { SPLIT_NAMES as SPLITS, splitDataset, type SplitName } from "../data/split.js";
import { DataError, StoreError } from "../errors.js";
import { loadFeatures, type FittedFeatures } from "../features/pipeline.js";
import { parseSpec } from "../spec/load.js";
import type { Spec } from "../spec/schema.js";
import type { MetricRecord, PredictionRecord, RunRecord, Store } from "../track/store.js";
import { deriveSeed } from "../util/random.js";

/** The splits, in order (one declaration for every stage: src/data/split.ts). */
export { SPLIT_NAMES as SPLITS, type SplitName } from "../data/split.js";

export interface RunContext {
  readonly run: RunRecord;
  readonly spec: Spec;
  readonly classes: readonly string[];
  readonly positiveClass: string | null;
  readonly threshold: { value: number; policy: string } | null;
  readonly predictions: Readonly<Record<SplitName, readonly PredictionRecord[]>>;
  readonly metrics: readonly MetricRecord[];
  /** Metric value of a split, e.g. metric("dev", "f1"). */
  metric(split: SplitName, name: string): number | undefined;
}

export interface RunData {
  readonly dataset: Dataset;
  readonly bySplit: Readonly<Record<SplitName, readonly Example[]>>;
  readonly byId: ReadonlyMap<string, Example>;
}

export async function loadRunContext(store: Store, idOrPrefix: string): Promise<RunContext> {
  const run = await store.getRun(idOrPrefix);
  if (run.status !== "finished") {
    throw new StoreError(`run ${run.id} is ${run.status}: only finished runs can be diagnosed`);
  }
  if (run.specJson === null) {
    throw new StoreError(
      `run ${run.id} was logged through the tracking API without a spec: a diagnosis rebuilds the data from a spec. ` +
        `mlloop report ${run.id.slice(0, 12)} writes its params, metrics, per-step charts and classes; show and compare work on it`,
    );
  }
  const spec = parseSpec(JSON.parse(run.specJson) as unknown, `run ${run.id}`);
  const classes = (run.dataInfo?.classes as string[] | undefined) ?? [];
  const extras = run.extras as Record<string, unknown>;
  const positiveClass = typeof extras["positiveClass"] === "string" ? extras["positiveClass"] : null;
  const t = extras["threshold"] as { value?: unknown; policy?: unknown } | null | undefined;
  const threshold =
    t && typeof t.value === "number"
      ? { value: t.value, policy: typeof t.policy === "string" ? t.policy : "fixed" }
      : null;
  const all = await store.getPredictions(run.id);
  const predictions = { train: [], dev: [], test: [] } as Record<SplitName, PredictionRecord[]>;
  for (const p of all) if (p.split in predictions) predictions[p.split as SplitName].push(p);
  const metrics = await store.getMetrics(run.id);
  return {
    run,
    spec,
    classes,
    positiveClass,
    threshold,
    predictions,
    metrics,
    metric: (split, name) => metrics.find((m) => m.split === split && m.name === name && m.step === 0)?.value,
  };
}

/** The folder relative data paths were resolved against: given, or the spec file's folder from the run's command line. */
export function runBaseDir(run: RunRecord, given?: string): string {
  if (given !== undefined) return resolve(given);
  const cwd = run.provenance?.cwd ?? process.cwd();
  for (const arg of run.provenance?.argv ?? []) {
    if (!/\.(ya?ml|json)$/i.test(arg)) continue;
    const p = isAbsolute(arg) ? arg : resolve(cwd, arg);
    if (existsSync(p) && statSync(p).isFile()) return dirname(p);
  }
  return cwd;
}

/**
 * Loads a run's dataset. The caller may inject one that reads the stage cache and parses on worker
 * threads (src/loop/diagnose-run.ts passes the one runs use); the default parses here, uncached.
 */
export type DatasetLoader = (
  spec: Spec,
  options: { baseDir: string; seed: number; onProgress?: (done: number, total: number) => void },
) => Promise<Dataset>;

const loadUncached: DatasetLoader = (spec, options) => loadDataset(spec.data, options);

export async function loadRunData(
  ctx: RunContext,
  options: {
    baseDir?: string;
    onProgress?: (done: number, total: number) => void;
    loadDataset?: DatasetLoader;
  } = {},
): Promise<RunData> {
  const { spec, run } = ctx;
  const dataset = await (options.loadDataset ?? loadUncached)(spec, {
    baseDir: runBaseDir(run, options.baseDir),
    seed: deriveSeed(spec.seed, "data"),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const recorded = run.dataInfo?.fingerprint;
  if (typeof recorded === "string" && recorded !== dataset.fingerprint) {
    throw new DataError(
      `the data of run ${run.id} changed since it ran (fingerprint ${recorded.slice(0, 12)} recorded, ${dataset.fingerprint.slice(0, 12)} now): ` +
        `diagnose a run of the current data`,
    );
  }
  const split = splitDataset(dataset, spec.data.split, deriveSeed(spec.seed, "split"));
  // evaluate.cross_validate pools train and dev: both are the pool (dev holds its out-of-fold predictions)
  const pooled = spec.evaluate.cross_validate !== undefined;
  const bySplit = { train: [], dev: [], test: [] } as Record<SplitName, Example[]>;
  const devRows: number[] = [];
  dataset.examples.forEach((ex, i) => {
    const s = split.assignment[i]!;
    if (s < 0) return;
    const name = SPLITS[s]!;
    if (pooled && name !== "test") {
      bySplit.train.push(ex);
      bySplit.dev.push(ex);
    } else bySplit[name].push(ex);
    if (name === "dev" || (pooled && name === "train")) devRows.push(i);
  });
  const splits = run.dataInfo?.splits as Record<string, string> | undefined;
  const devFingerprint = pooled ? subsetFingerprint(dataset.examples, devRows) : split.fingerprints.dev;
  if (splits && splits["dev"] !== undefined && splits["dev"] !== devFingerprint) {
    throw new DataError(`the dev split of run ${run.id} could not be rebuilt identically (its fingerprint differs)`);
  }
  return { dataset, bySplit, byId: new Map(dataset.examples.map((e) => [e.id, e])) };
}

export async function loadRunFeaturizer(store: Store, ctx: RunContext): Promise<FittedFeatures | null> {
  try {
    const art = await store.getArtifact(ctx.run.id, "features.json");
    return loadFeatures(new TextDecoder().decode(art.bytes));
  } catch {
    return null;
  }
}
