/**
 * One iteration of the loop: spec → data → split → features → model → decide → evaluate, every
 * stage's inputs and outputs recorded in the store through the same tracking API that users'
 * own training code uses.
 */
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import { performance } from "node:perf_hooks";
import { InterruptedError, SpecError } from "../errors.js";
import type { CurvePoint, TrainingReport } from "../models/estimator.js";
import { warmKernels } from "../models/kernels/wasm-kernels.js";
import { evaluatePredictions, type SplitEvaluation } from "./evaluate-run.js";
import {
  crossValidationSummary,
  evaluatedRows,
  fitCannotBlock,
  fitModel,
  labelsAt,
  poolDataInfo,
  type FitInput,
} from "./fit-model.js";
import type { Spec } from "../spec/schema.js";
import { canonicalize, specHash } from "../spec/canonical.js";
import { diffSpecs, type SpecPatch } from "../spec/patch.js";
import { releaseMemory } from "../util/collect-garbage.js";
import { deriveSeed } from "../util/random.js";
import { didYouMean } from "../spec/suggest.js";
import type { Provenance, RunId, Store } from "../track/store.js";
import { startRun } from "../track/run-logger.js";
import { captureProvenance } from "../track/provenance.js";
import { trainProfile } from "../features/train-profile.js";
import { cacheDirFor, cacheMaxBytesFromEnv, StageCache } from "./cache.js";
import { prepareInputs, type CacheReport } from "./cache-inputs.js";
import { cachedTrainProfileJson, trainProfileKey } from "./train-profile-cache.js";

import { SPLIT_NAMES, type SplitName } from "../data/split.js";
export { SPLIT_NAMES, type SplitName } from "../data/split.js";

export interface StageEvents {
  start?(stage: string, total?: number): void;
  progress?(done: number, total?: number): void;
  finish?(stage: string, ms: number, detail?: string): void;
}

export interface RunExperimentOptions {
  readonly spec: Spec;
  /** Folder that relative data paths are resolved against (the spec file's folder). */
  readonly baseDir: string;
  readonly store: Store;
  /** Parent run id (or unique prefix); its spec is diffed against this one. */
  readonly parent?: string | null;
  readonly notes?: string;
  readonly name?: string;
  readonly tags?: Record<string, string>;
  readonly events?: StageEvents;
  /**
   * The stage cache (parsed data, features): a folder, a StageCache, or false for none
   * (`--no-cache`). Default: `cache/` beside a SQLite store, else `.mlloop/cache`.
   */
  readonly cache?: string | StageCache | false;
  /** Create the run with this id (a sweep trial's id derived from (sweep, trial)); default a new one. */
  readonly runId?: RunId;
  /** Provenance captured already (see StartRunOptions.provenanceRecord); default: captured for this run. */
  readonly provenance?: Provenance;
  /** Free-form params recorded with the run (a sweep trial's point). */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Called after each iteration of an iterative learner with its curve point (dev loss when there
   * is a dev split). Throwing stops training: the run is recorded failed with the error's message
   * (how a sweep's pruner stops a trial).
   */
  readonly onIteration?: (point: CurvePoint) => void;
  /**
   * Fit the holdout model on a worker thread, so that signals are handled while it fits (default:
   * when running compiled on the main thread, i.e. the CLI, and the fit may be long; see
   * fitsOnThread in src/loop/fit-model.ts).
   */
  readonly fitOnThread?: boolean;
  /**
   * Called with the data's fingerprint once the inputs are loaded, before the run is created; a
   * throw stops here with nothing recorded (a worker whose data differ from the sweep's).
   */
  readonly onData?: (fingerprint: string) => void;
}

/** The cache a run uses unless told otherwise: beside the store's database file. */
export function defaultCacheDir(store: Store): string {
  return cacheDirFor(store.location);
}

export interface RunOutcome {
  readonly runId: RunId;
  readonly experiment: string;
  readonly parentId: string | null;
  readonly patch: SpecPatch;
  readonly classes: readonly string[];
  readonly positiveClass: string | null;
  readonly threshold: { value: number; policy: string; chosenOn: SplitName } | null;
  readonly metrics: Partial<Record<SplitName, Record<string, number>>>;
  readonly counts: Record<SplitName, number>;
  readonly timings: Record<string, number>;
  readonly training: TrainingReport;
  readonly features: {
    total: number;
    families: Array<{ name: string; nFeatures: number; fitMs: number; transformMs: number }>;
  };
  readonly warnings: readonly string[];
  /** Which stages the cache served. */
  readonly cache: CacheReport;
}

/** Which class is "positive" for binary metrics: the spec's choice, or an obvious one (1/true/spam). */
export function resolvePositiveClass(spec: Spec, classes: readonly string[]): number | null {
  if (classes.length !== 2) {
    if (spec.evaluate.positive_class !== undefined && !classes.includes(spec.evaluate.positive_class)) {
      throw new SpecError(
        `evaluate.positive_class: "${spec.evaluate.positive_class}" is not a label in the data (labels: ${classes.join(", ")})`,
        { where: "evaluate.positive_class" },
      );
    }
    return null;
  }
  const wanted = spec.evaluate.positive_class;
  if (wanted !== undefined) {
    const idx = classes.indexOf(wanted);
    if (idx < 0) {
      throw new SpecError(
        `evaluate.positive_class: "${wanted}" is not a label in the data${didYouMean(wanted, classes)} (labels: ${classes.join(", ")})`,
        { where: "evaluate.positive_class" },
      );
    }
    return idx;
  }
  for (const guess of ["1", "true", "yes", "spam", "positive"]) {
    const idx = classes.findIndex((c) => c.toLowerCase() === guess);
    if (idx >= 0) return idx;
  }
  throw new SpecError(
    `evaluate.positive_class is required for binary data whose labels are not 0/1 (labels: ${classes.join(", ")})`,
    { where: "evaluate.positive_class" },
  );
}

/** class_weight in the spec names labels; learners take class indices. */
function classWeightsByIndex(spec: Spec, classes: readonly string[]): Spec["model"] {
  const model = spec.model;
  if (!("class_weight" in model) || model.class_weight === null || model.class_weight === "balanced") return model;
  const byIndex: Record<string, number> = {};
  for (const [label, w] of Object.entries(model.class_weight)) {
    const idx = classes.indexOf(label);
    if (idx < 0) {
      throw new SpecError(`model.class_weight.${label}: not a label in the data (labels: ${classes.join(", ")})`, {
        where: `model.class_weight.${label}`,
      });
    }
    byIndex[String(idx)] = w;
  }
  return { ...model, class_weight: byIndex };
}

export async function runExperiment(opts: RunExperimentOptions): Promise<RunOutcome> {
  const { spec, store } = opts;
  const events = opts.events ?? {};
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  const stage = async <T>(name: string, fn: () => T | Promise<T>, detail?: (r: T) => string): Promise<T> => {
    events.start?.(name);
    const t0 = performance.now();
    const r = await fn();
    const ms = performance.now() - t0;
    timings[name] = ms;
    events.finish?.(name, ms, detail?.(r));
    return r;
  };

  let parentId: string | null = null;
  let patch: SpecPatch = [];
  if (opts.parent) {
    const parent = await store.getRun(opts.parent);
    parentId = parent.id;
    if (parent.specJson) patch = diffSpecs(JSON.parse(parent.specJson) as unknown, canonicalize(spec));
  }

  const seeds = {
    spec: spec.seed,
    split: deriveSeed(spec.seed, "split"),
    data: deriveSeed(spec.seed, "data"),
    model: deriveSeed(spec.seed, "model"),
  };
  // Inputs are loaded and checked before the run is created: a bad spec, file or row is reported
  // and the store is left untouched. Unchanged stages are served from the cache.
  const cache =
    opts.cache === false
      ? null
      : opts.cache instanceof StageCache
        ? opts.cache
        : new StageCache(opts.cache ?? defaultCacheDir(store), cacheMaxBytesFromEnv());
  // git (child processes) is read while the data loads, too: 0.05–0.15 s of a warm run otherwise.
  // captureProvenance never rejects.
  const provenance = opts.provenance ?? captureProvenance();
  const inputs = await prepareInputs({
    spec,
    baseDir: opts.baseDir,
    seeds,
    cache,
    stage,
    onProgress: (done, total) => events.progress?.(done, total),
    // only cross-validation reads the examples after featurisation (below)
    retainExamples: spec.evaluate.cross_validate !== undefined,
    // Every kernel module compiles on V8's threads while the data loads and is featurised (never
    // fails a run: a fit whose module is not compiled yet compiles it itself). Not on a features
    // hit: the fit soon compiles the one module it uses, and compiling all seven alongside cost a
    // warm iteration more than it saved (0.62 -> 0.55 s and 0.91 -> 0.75 s median wall, 15 rounds
    // each, load 6-8; docs/benchmarks.md).
    onFeaturesMiss: () => void warmKernels().catch(() => undefined),
  });
  // the corpus is garbage now: collect it before the fit thread and the model's memory are added
  if (inputs.cache.features !== "hit" && spec.evaluate.cross_validate === undefined) await releaseMemory();
  const { dataset, split, idx, y } = inputs;
  opts.onData?.(dataset.fingerprint);
  if (dataset.badRowCount > 0) warnings.push(`${dataset.badRowCount} bad rows skipped (on_bad_row: skip)`);
  warnings.push(...inputs.cache.notes);
  const classes = dataset.classes;
  const positive = resolvePositiveClass(spec, classes);
  const modelSpec = classWeightsByIndex(spec, classes);
  const examples = spec.evaluate.cross_validate === undefined ? null : await inputs.examples();
  const evaluated = evaluatedRows(idx, y, classes, spec.evaluate.cross_validate);
  const fitInput: FitInput = {
    spec,
    inputs,
    examples,
    modelSpec,
    classes,
    seed: seeds.model,
    rows: evaluated,
    onIteration: opts.onIteration,
    ...(opts.fitOnThread === undefined ? {} : { thread: opts.fitOnThread }),
  };
  const run = await startRun(store, {
    ...(opts.runId === undefined ? {} : { id: opts.runId }),
    ...(opts.params === undefined ? {} : { params: opts.params }),
    provenanceRecord: await provenance,
    experiment: spec.experiment,
    spec,
    specHash: specHash(spec),
    parent: parentId,
    specPatch: patch,
    notes: opts.notes ?? spec.notes,
    name: opts.name,
    tags: opts.tags,
    seeds,
    // A run that cannot block this thread for long (its fit short, or on its own thread) starts the
    // store's heartbeat thread only if it lasts a second: a warm iteration is over by then.
    ...(fitCannotBlock(fitInput) ? { heartbeatThreadAfterMs: 1_000 } : {}),
  });

  try {
    await run.setDataInfo({
      description: dataset.description,
      fingerprint: dataset.fingerprint,
      classes: [...dataset.classes],
      examples: dataset.size,
      ...(examples === null
        ? { splits: split.fingerprints, counts: split.counts }
        : poolDataInfo(examples, evaluated, split)),
      duplicates: split.duplicates,
      badRows: dataset.badRows.slice(0, 1000),
      badRowCount: dataset.badRowCount,
    });

    const fitted = await stage(
      "train",
      () =>
        fitModel(fitInput).then(async (f) => {
          // a signal during a fit on this thread was handled as the fit returned: stop here
          if (run.interrupted !== null) {
            await run.interrupted.recorded;
            throw new InterruptedError(run.interrupted.signal);
          }
          return f;
        }),
      (f) =>
        `${f.crossValidation ? `${f.crossValidation.k}-fold cross-validation, then the pool: ` : ""}` +
        `${f.training.iterations} iterations, ${f.training.converged ? "converged" : "NOT converged"}, loss ${f.training.finalLoss.toPrecision(5)}`,
    );
    const { training, rows: rowsOf } = fitted;
    warnings.push(...training.warnings);
    const proba = await stage("predict", () => fitted.predict());

    const evaluation = await stage("evaluate", () =>
      evaluatePredictions({
        spec,
        classes,
        positive,
        splits: SPLIT_NAMES.map((s) => ({ name: s, y: labelsAt(y, rowsOf[s]), proba: proba[s] })),
      }),
    );
    warnings.push(...evaluation.warnings);
    const crossValidation = crossValidationSummary(fitted, evaluation, positive, y, classes.length);

    await stage("record", async () => {
      const rows = [];
      for (const s of SPLIT_NAMES) {
        const ev: SplitEvaluation | undefined = evaluation.splits[s];
        if (!ev) continue;
        const ids = rowsOf[s];
        for (let k = 0; k < ids.length; k++) {
          const decision = ev.decisions[k]!;
          rows.push({
            exampleId: inputs.ids[ids[k]!]!,
            split: s,
            label: classes[y[ids[k]!]!]!,
            score: ev.scores[k]!,
            scores:
              classes.length > 2
                ? Array.from(proba[s].subarray(k * classes.length, (k + 1) * classes.length))
                : undefined,
            decision: classes[decision]!,
            correct: decision === y[ids[k]!],
          });
        }
        await run.logMetrics(Object.entries(ev.metrics).map(([name, value]) => ({ split: s, name, value })));
      }
      await run.logPredictions(rows);
      await run.logMetrics(
        training.curve.flatMap((p) => [
          { split: "train", name: "loss", value: p.trainLoss ?? p.loss, step: p.step },
          { split: "train", name: "objective", value: p.loss, step: p.step },
          ...(p.devLoss !== undefined ? [{ split: "dev", name: "loss", value: p.devLoss, step: p.step }] : []),
        ]),
      );
      await run.logArtifact("model.json", JSON.stringify(fitted.model.serialize()), "application/json");
      await run.logArtifact("features.json", fitted.featuresJson, "application/json");
      // what `mlloop predict` compares new data with for drift, without the training data
      const profileSeed = deriveSeed(spec.seed, "train-profile");
      const profileKey =
        fitted.crossValidation === null && inputs.cache.keys.features !== null
          ? trainProfileKey(inputs.cache.keys.features, profileSeed)
          : null;
      const profileJson = await cachedTrainProfileJson(cache, profileKey, inputs.cache, () =>
        JSON.stringify(trainProfile(fitted.profile.train, fitted.families, fitted.profile.dev, profileSeed)),
      );
      await run.logArtifact("train-profile.json", profileJson, "application/json");
      await run.setExtras({
        training: {
          iterations: training.iterations,
          converged: training.converged,
          finalLoss: training.finalLoss,
          warnings: training.warnings,
        },
        features: { total: fitted.nFeatures, families: fitted.families },
        cache: inputs.cache,
        ...(crossValidation ? { crossValidation } : {}),
        threshold: evaluation.threshold,
        positiveClass: positive === null ? null : classes[positive],
        primaryMetric: taskPrimaryMetric(spec.evaluate.primary_metric, classes.length),
        warnings,
      });
    });
    await run.setTimings(timings);
    await run.end("finished");

    const metrics: RunOutcome["metrics"] = {};
    for (const s of SPLIT_NAMES) if (evaluation.splits[s]) metrics[s] = evaluation.splits[s]!.metrics;
    return {
      runId: run.id,
      experiment: spec.experiment,
      parentId,
      patch,
      classes,
      positiveClass: positive === null ? null : classes[positive]!,
      threshold: evaluation.threshold,
      metrics,
      counts: { train: rowsOf.train.length, dev: rowsOf.dev.length, test: rowsOf.test.length },
      timings,
      training,
      features: { total: fitted.nFeatures, families: fitted.families },
      warnings,
      cache: inputs.cache,
    };
  } catch (err) {
    // a signal's handler may have ended the run already (failed: interrupted by …)
    if (!run.isEnded) await run.fail(err);
    throw err;
  }
}
