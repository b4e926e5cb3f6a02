/**
 * `diagnoseRun(store, RUN)`: a recorded run → a verdict, the evidence of eight diagnoses and a
 * ranked list of next changes.
 *
 *   1 bias/variance       4 error analysis     7 training dynamics
 *   2 learning curve      5 slices             8 threshold and cost
 *   3 validation curve    6 data checks (duplicates, balance, drift, tiny, label errors)
 *
 * The cross-validation steps (curves, out-of-fold probabilities) run on the worker pool. Results
 * are cached in the store as run results: the expensive cross-validated part under a key of the
 * run and the options, the whole diagnosis under that key plus the experiment's manual tags — so
 * a second `diagnose` is a read, and a new manual tag only redoes the cheap part.
 */
import { performance } from "node:perf_hooks";
import type { Example } from "../data/example.js";
import { csrSelectRows } from "../features/csr.js";
import { canonicalJson } from "../spec/canonical.js";
import type { ModelSpec } from "../spec/models.js";
import { recommend, type Recommendation } from "../recommend/recommend.js";
import type { RunId, Store } from "../track/store.js";
import { sha256Hex } from "../util/hash.js";
import { deriveSeed } from "../util/random.js";
import { biasVariance, verdictText, type BiasVarianceResult, type ErrorAt } from "./bias-variance.js";
import { capacityKnob } from "./capacity.js";
import {
  loadRunContext,
  loadRunData,
  loadRunFeaturizer,
  type RunContext,
  type RunData,
  type SplitName,
} from "./context.js";
import { learningCurve, validationCurve, type LearningCurve, type ValidationCurve } from "./curves.js";
import { openCvSession } from "./cv.js";
import { checkData, type DataChecks } from "./data-checks.js";
import { readDynamics, type TrainingDynamics } from "./dynamics.js";
import { analyseErrors, type ErrorAnalysis } from "./error-analysis.js";
import { findLabelIssues } from "./label-issues.js";
import { findSlices, type SliceAnalysis } from "./slices.js";
import { bodyText, compileRules } from "./tags.js";
import { thresholdReport, type ThresholdReport } from "./threshold-cost.js";
import { allCharts } from "./charts.js";
import { svgChart } from "./plots.js";
import {
  readLearningCurve,
  readValidationCurve,
  type LearningCurveReading,
  type ValidationCurveReading,
} from "./readings.js";

/** Bumped when the stored diagnosis changes shape or computation (old cache entries are then ignored). */
export const DIAGNOSIS_VERSION = 1;
export const DIAGNOSIS_KIND = "diagnosis";
const CV_KIND = "diagnosis-cv";

export interface DiagnoseEvents {
  start?(step: string, total?: number): void;
  progress?(done: number, total?: number): void;
  finish?(step: string, ms: number, detail?: string): void;
}

export interface DiagnoseOptions {
  /** Cross-validation folds (default: spec diagnose.folds, else 5). */
  readonly folds?: number;
  /** Learning-curve sizes (default: spec diagnose.sizes, else 8). */
  readonly sizes?: number;
  /** Errors sampled for reading (default: spec diagnose.error_sample, else 100). */
  readonly sample?: number;
  /** "cv" (default): train-dev error from cross-validation on train; a fraction: a held-out slice of train; "none". */
  readonly trainDev?: "cv" | "none" | number;
  /** Split whose errors are analysed (default dev; MLY ch. 26: train when bias is high). */
  readonly errorSplit?: SplitName;
  /** Skip the cross-validated steps (learning/validation curves, train label issues). */
  readonly noCv?: boolean;
  readonly workers?: number;
  /** Reuse and store results (default true). */
  readonly cache?: boolean;
  /** Folder for relative data paths (default: the spec file's folder, from the run's command line). */
  readonly baseDir?: string;
  readonly seed?: number;
  readonly events?: DiagnoseEvents;
}

export interface LabelIssueList {
  readonly split: SplitName;
  readonly estimatedErrors: number;
  readonly issues: ReadonlyArray<{ id: string; given: string; suggested: string; selfConfidence: number }>;
}

export interface ExamplePreview {
  readonly subject: string;
  readonly snippet: string;
}

export interface Diagnosis {
  readonly version: number;
  readonly runId: string;
  readonly experiment: string;
  readonly createdAt: number;
  readonly key: string;
  readonly options: Required<
    Pick<DiagnoseOptions, "folds" | "sizes" | "sample" | "trainDev" | "errorSplit" | "seed">
  > & {
    readonly noCv: boolean;
  };
  readonly verdict: { readonly kinds: readonly string[]; readonly text: string; readonly notes: readonly string[] };
  readonly primaryMetric: string;
  readonly devMetric: number | null;
  readonly biasVariance: BiasVarianceResult;
  readonly learningCurve: LearningCurve | null;
  readonly validationCurve: ValidationCurve | null;
  readonly readings: {
    readonly learningCurve: LearningCurveReading | null;
    readonly validationCurve: ValidationCurveReading | null;
  };
  /** SVG artifacts saved on the run ("diagnose/learning-curve.svg", …). */
  readonly artifacts: readonly string[];
  readonly errorAnalysis: ErrorAnalysis | null;
  readonly slices: SliceAnalysis | null;
  readonly dataChecks: DataChecks | null;
  readonly labelIssues: readonly LabelIssueList[];
  readonly dynamics: TrainingDynamics;
  readonly threshold: ThresholdReport | null;
  readonly recommendations: readonly Recommendation[];
  readonly previews: Readonly<Record<string, ExamplePreview>>;
  readonly timings: Readonly<Record<string, number>>;
}

interface CvPart {
  readonly learningCurve: LearningCurve | null;
  readonly validationCurve: ValidationCurve | null;
  readonly trainIssues: LabelIssueList | null;
  readonly trainDev: ErrorAt | null;
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Text with control, zero-width and bidi characters removed and whitespace collapsed: safe to print. */
export function inert(text: string, max: number): string {
  const clean = text.replace(UNSAFE, " ").replace(/\s+/g, " ").trim();
  return clean.length <= max ? clean : `${[...clean].slice(0, max - 1).join("")}…`;
}

function errorAt(preds: readonly { correct: boolean | null }[]): ErrorAt | null {
  const scored = preds.filter((p) => p.correct !== null);
  if (scored.length === 0) return null;
  return { error: scored.filter((p) => !p.correct).length / scored.length, n: scored.length };
}

/** class_weight in the spec names labels; learners take class indices (as the runner does). */
function modelByIndex(model: ModelSpec, classes: readonly string[]): ModelSpec {
  if (!("class_weight" in model) || model.class_weight === null || model.class_weight === "balanced") return model;
  const byIndex: Record<string, number> = {};
  for (const [label, w] of Object.entries(model.class_weight)) {
    const idx = classes.indexOf(label);
    if (idx >= 0) byIndex[String(idx)] = w;
  }
  return { ...model, class_weight: byIndex } as ModelSpec;
}

/** Class probabilities (row-major) from stored predictions: binary P(positive), or multiclass scores. */
function probaOf(
  preds: readonly { score: number | null; scores: unknown }[],
  classes: readonly string[],
  positiveClass: string | null,
): Float64Array | null {
  const k = classes.length;
  const out = new Float64Array(preds.length * k);
  const pos = positiveClass === null ? -1 : classes.indexOf(positiveClass);
  for (let i = 0; i < preds.length; i++) {
    const p = preds[i]!;
    if (k === 2 && pos >= 0 && typeof p.score === "number") {
      out[i * k + pos] = p.score;
      out[i * k + (1 - pos)] = 1 - p.score;
    } else if (Array.isArray(p.scores) && p.scores.length === k) {
      for (let c = 0; c < k; c++) out[i * k + c] = Number(p.scores[c]);
    } else if (p.scores && typeof p.scores === "object") {
      const rec = p.scores as Record<string, number>;
      for (let c = 0; c < k; c++) out[i * k + c] = rec[classes[c]!] ?? 0;
    } else return null;
  }
  return out;
}

async function tagSnapshot(store: Store, experiment: string): Promise<{ map: Map<string, string[]>; hash: string }> {
  const tags = await store.listExampleTags(experiment);
  const map = new Map<string, string[]>();
  for (const t of tags) {
    const list = map.get(t.exampleId) ?? [];
    list.push(t.tag);
    map.set(t.exampleId, list);
  }
  return { map, hash: sha256Hex(tags.map((t) => `${t.exampleId}\u0000${t.tag}`).join("\n")).slice(0, 16) };
}

export async function diagnoseRun(
  store: Store,
  runIdOrPrefix: string,
  options: DiagnoseOptions = {},
): Promise<{ diagnosis: Diagnosis; cached: boolean }> {
  const ctx = await loadRunContext(store, runIdOrPrefix);
  const ds = ctx.spec.diagnose;
  const resolved: Diagnosis["options"] = {
    folds: options.folds ?? ds?.folds ?? 5,
    sizes: options.sizes ?? ds?.sizes ?? 8,
    sample: options.sample ?? ds?.error_sample ?? 100,
    trainDev: options.trainDev ?? "cv",
    errorSplit: options.errorSplit ?? "dev",
    seed: options.seed ?? ctx.spec.seed,
    noCv: options.noCv ?? false,
  };
  const useCache = options.cache ?? true;
  const runId = ctx.run.id as RunId;
  const cvKey = sha256Hex(
    canonicalJson({
      v: DIAGNOSIS_VERSION,
      spec: ctx.run.specHash,
      ...resolved,
      sample: undefined,
      errorSplit: undefined,
    }),
  ).slice(0, 24);
  const tags = await tagSnapshot(store, ctx.run.experiment);
  const key = sha256Hex(`${cvKey}\u0000${canonicalJson(resolved)}\u0000${tags.hash}`).slice(0, 24);
  if (useCache) {
    const hit = await store.getRunResult(runId, DIAGNOSIS_KIND, key);
    if (hit) return { diagnosis: hit.result as Diagnosis, cached: true };
  }

  const ev = options.events ?? {};
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T> | T, detail?: (r: T) => string): Promise<T> => {
    ev.start?.(name);
    const t0 = performance.now();
    const r = await fn();
    timings[name] = performance.now() - t0;
    ev.finish?.(name, timings[name]!, detail?.(r));
    return r;
  };

  const data: RunData = await step(
    "data",
    () => loadRunData(ctx, { baseDir: options.baseDir, onProgress: (d, t) => ev.progress?.(d, t) }),
    (d) => `${d.dataset.examples.length.toLocaleString("en-US")} examples rebuilt`,
  );
  const classes = ctx.classes.length > 0 ? ctx.classes : data.dataset.classes;
  const positive = ctx.positiveClass === null ? null : classes.indexOf(ctx.positiveClass);

  // ── cross-validated part (cached on its own) ─────────────────────────────────────────────────
  let cv: CvPart | null = null;
  if (useCache && !resolved.noCv) {
    const hit = await store.getRunResult(runId, CV_KIND, cvKey);
    if (hit) cv = hit.result as CvPart;
  }
  if (!cv) {
    cv = resolved.noCv
      ? { learningCurve: null, validationCurve: null, trainIssues: null, trainDev: null }
      : await runCv();
    if (useCache && !resolved.noCv) await store.putRunResult(runId, CV_KIND, cvKey, cv);
  }

  async function runCv(): Promise<CvPart> {
    const pool = data.bySplit.train;
    const y = Int32Array.from(pool, (e) => classes.indexOf(e.label));
    const session = openCvSession(
      {
        examples: pool,
        y,
        classes,
        positive: positive !== null && positive >= 0 ? positive : null,
        features: ctx.spec.features,
        model: modelByIndex(ctx.spec.model, classes),
        seed: resolved.seed,
      },
      { folds: resolved.folds, workers: options.workers },
    );
    try {
      const lc = await step(
        "learning curve",
        () => {
          ev.start?.("learning curve", resolved.folds * resolved.sizes);
          return learningCurve(session, { sizes: resolved.sizes, onProgress: (d, t) => ev.progress?.(d, t) });
        },
        (r) => `${r.folds} folds × ${r.points.length} sizes`,
      );
      const knob = capacityKnob(ctx.spec.model);
      const vc = knob
        ? await step(
            "validation curve",
            () => {
              ev.start?.("validation curve", knob.grid.length * resolved.folds);
              return validationCurve(session, knob, { onProgress: (d, t) => ev.progress?.(d, t) });
            },
            (r) => `${r.key} over ${r.points.length} values, best ${r.best}`,
          )
        : null;
      const trainIssues = await step(
        "label issues",
        async () => {
          ev.start?.("label issues", resolved.folds);
          const oof = await session.outOfFold((d, t) => ev.progress?.(d, t));
          const r = findLabelIssues(y, oof, classes.length);
          return {
            split: "train" as const,
            estimatedErrors: r.estimatedErrors,
            issues: r.issues.map((i) => ({
              id: pool[i.index]!.id,
              given: classes[i.given]!,
              suggested: classes[i.suggested]!,
              selfConfidence: i.selfConfidence,
            })),
          };
        },
        (r) => `${r.issues.length} likely label errors in train`,
      );
      let trainDev: ErrorAt | null = null;
      const last = lc.points[lc.points.length - 1];
      if (resolved.trainDev === "cv" && last) trainDev = { error: last.valError.mean, n: pool.length };
      else if (typeof resolved.trainDev === "number") {
        const f = resolved.trainDev;
        const order = Array.from({ length: pool.length }, (_, i) => i);
        const fold = session.folds;
        // a seeded slice of train (stratified by the folds' class balance): fold 0 scaled to the fraction
        const slice = order.filter((i) => (fold[i]! + (deriveSeed(resolved.seed, i) % 1000) / 1000) / session.k < f);
        const inSlice = new Set(slice);
        const rest = order.filter((i) => !inSlice.has(i));
        const [r] = await session.run([
          {
            key: "train-dev",
            trainRows: Int32Array.from(rest),
            valRows: Int32Array.from(slice),
            model: modelByIndex(ctx.spec.model, classes),
            seed: deriveSeed(resolved.seed, "train-dev"),
          },
        ]);
        trainDev = { error: 1 - r!.val.correct / r!.val.n, n: r!.val.n };
      }
      return { learningCurve: lc, validationCurve: vc, trainIssues, trainDev };
    } finally {
      await session.close();
    }
  }

  // ── 1. bias / variance ───────────────────────────────────────────────────────────────────────
  const train = errorAt(ctx.predictions.train);
  const dev = errorAt(ctx.predictions.dev);
  const test = errorAt(ctx.predictions.test);
  const baseline = ctx.spec.evaluate.baseline_error ?? 0;
  const bv = biasVariance(
    {
      baseline,
      train: train ?? { error: 0, n: 0 },
      trainDev: cv.trainDev,
      dev: dev ?? train ?? { error: 0, n: 0 },
      test,
    },
    { floor: ds?.gap_floor ?? 0.005 },
  );

  // ── 4. error analysis, 5. slices ───────────────────────────────────────────────────────────
  const rules = compileRules(ds?.rules ?? []);
  const featurizer = await loadRunFeaturizer(store, ctx);
  const errorSplit = resolved.errorSplit;
  const errorPreds = ctx.predictions[errorSplit];
  const errorAnalysis =
    errorPreds.length === 0
      ? null
      : await step(
          "error analysis",
          () => {
            let features = null;
            if (featurizer) {
              const exs = errorPreds
                .map((p) => data.byId.get(p.exampleId))
                .filter((e): e is Example => e !== undefined);
              if (exs.length === errorPreds.length)
                features = { X: featurizer.transform(exs), names: featurizer.featureNames };
            }
            return analyseErrors({
              split: errorSplit,
              predictions: errorPreds,
              examples: data.byId,
              positiveClass: ctx.positiveClass,
              rules,
              manual: tags.map,
              sampleSize: resolved.sample,
              seed: deriveSeed(resolved.seed, "error-sample"),
              features,
            });
          },
          (r) => `${r.errors} errors, ${r.tags.length} tags`,
        );
  const slices =
    ctx.predictions.dev.length === 0
      ? null
      : await step(
          "slices",
          () =>
            findSlices("dev", ctx.predictions.dev, data.byId, ctx.positiveClass, {
              minSize: ds?.slice_min_size ?? 20,
            }),
          (r) => `${r.tested} slices tested, ${r.worst.length} significantly worse`,
        );

  // ── 6. data checks and label issues ────────────────────────────────────────────────────────
  const dataChecks = await step(
    "data checks",
    () => {
      let drift = null;
      if (featurizer && data.bySplit.dev.length > 0) {
        const all = featurizer.transform([...data.bySplit.train, ...data.bySplit.dev]);
        const nTrain = data.bySplit.train.length;
        const idx = (from: number, to: number): Int32Array =>
          Int32Array.from({ length: to - from }, (_, i) => from + i);
        drift = {
          train: csrSelectRows(all, idx(0, nTrain)),
          dev: csrSelectRows(all, idx(nTrain, all.rows)),
          names: featurizer.featureNames,
          families: featurizer.families,
        };
      }
      return checkData(
        (["train", "dev", "test"] as const).map((s) => ({ split: s, examples: data.bySplit[s] })),
        { classes, drift },
      );
    },
    (r) => `${r.exactDuplicates.clusters} duplicate clusters, ${r.nearDuplicates.pairs} near-duplicate pairs`,
  );
  const labelIssues: LabelIssueList[] = [];
  if (cv.trainIssues) labelIssues.push(cv.trainIssues);
  for (const s of ["dev", "test"] as const) {
    const preds = ctx.predictions[s].filter((p) => p.label !== null && classes.includes(p.label));
    const proba = probaOf(preds, classes, ctx.positiveClass);
    if (!proba || preds.length === 0) continue;
    const y = Int32Array.from(preds, (p) => classes.indexOf(p.label!));
    const r = findLabelIssues(y, proba, classes.length);
    labelIssues.push({
      split: s,
      estimatedErrors: r.estimatedErrors,
      issues: r.issues.map((i) => ({
        id: preds[i.index]!.exampleId,
        given: classes[i.given]!,
        suggested: classes[i.suggested]!,
        selfConfidence: i.selfConfidence,
      })),
    });
  }

  // ── 7. dynamics, 8. threshold and cost ──────────────────────────────────────────────────────
  const dynamics = readDynamics((ctx.run.extras as Record<string, unknown>)["training"], ctx.metrics);
  let threshold: ThresholdReport | null = null;
  if (ctx.positiveClass !== null && ctx.predictions.dev.length > 0) {
    const preds = ctx.predictions.dev.filter((p) => typeof p.score === "number" && p.label !== null);
    const yTrue = Uint8Array.from(preds, (p) => (p.label === ctx.positiveClass ? 1 : 0));
    const score = Float64Array.from(preds, (p) => p.score!);
    if (yTrue.includes(1) && yTrue.includes(0)) {
      threshold = thresholdReport({
        split: "dev",
        yTrue,
        score,
        current: ctx.threshold,
        costs: ctx.spec.evaluate.costs,
        targetPrecision: ds?.target_precision ?? 0.99,
      });
    }
  }

  // ── recommendations ─────────────────────────────────────────────────────────────────────────
  const issuesOf = (s: SplitName): LabelIssueList | undefined => labelIssues.find((l) => l.split === s);
  const recommendations = recommend({
    spec: ctx.spec,
    biasVariance: bv,
    learningCurve: cv.learningCurve,
    validationCurve: cv.validationCurve,
    errorAnalysis,
    dynamics,
    labelIssues: {
      dev: issuesOf("dev")?.issues.length ?? 0,
      train: issuesOf("train")?.issues.length ?? 0,
      devIds: issuesOf("dev")?.issues.map((i) => i.id) ?? [],
      trainIds: issuesOf("train")?.issues.map((i) => i.id) ?? [],
    },
    threshold,
    leakage: {
      dev: dataChecks.nearDuplicates.leakedBySplit["dev"] ?? 0,
      test: dataChecks.nearDuplicates.leakedBySplit["test"] ?? 0,
    },
    devError: dev?.error ?? 0,
    devN: dev?.n ?? 0,
  });

  // ── previews of the examples the report lists (inert text only) ─────────────────────────────
  const listed = new Set<string>();
  for (const s of errorAnalysis
    ? [...errorAnalysis.sample.fp, ...errorAnalysis.sample.fn, ...errorAnalysis.sample.other]
    : [])
    listed.add(s.id);
  for (const l of labelIssues) for (const i of l.issues.slice(0, 20)) listed.add(i.id);
  const previews: Record<string, ExamplePreview> = {};
  for (const id of listed) {
    const ex = data.byId.get(id);
    if (!ex) continue;
    previews[id] = {
      subject: inert(ex.email?.subject ?? ex.text["subject"] ?? "", 100),
      snippet: inert(bodyText(ex), 240),
    };
  }

  const primary = ctx.spec.evaluate.primary_metric;
  const floor = ds?.gap_floor ?? 0.005;
  const readings = {
    learningCurve: cv.learningCurve ? readLearningCurve(cv.learningCurve, baseline, floor) : null,
    validationCurve: cv.validationCurve ? readValidationCurve(cv.validationCurve, floor) : null,
  };
  const diagnosisBody = {
    version: DIAGNOSIS_VERSION,
    runId,
    experiment: ctx.run.experiment,
    createdAt: Date.now(),
    key,
    options: resolved,
    verdict: { kinds: bv.verdict, text: verdictText(bv), notes: bv.notes },
    primaryMetric: primary,
    devMetric: ctx.metric("dev", primary) ?? null,
    biasVariance: bv,
    learningCurve: cv.learningCurve,
    validationCurve: cv.validationCurve,
    readings,
    artifacts: [] as string[],
    errorAnalysis,
    slices,
    dataChecks,
    labelIssues,
    dynamics,
    threshold,
    recommendations,
    previews,
    timings,
  };
  const artifacts: string[] = [];
  for (const { name, chart } of allCharts(diagnosisBody)) {
    const artifact = `diagnose/${name}.svg`;
    await store.putArtifact(runId, artifact, svgChart(chart), "image/svg+xml");
    artifacts.push(artifact);
  }
  const diagnosis: Diagnosis = { ...diagnosisBody, artifacts };
  if (useCache) await store.putRunResult(runId, DIAGNOSIS_KIND, key, diagnosis);
  return { diagnosis, cached: false };
}

/** The most recent stored diagnosis of a run (what `run --apply RUN:N` reads), or null. */
export async function latestDiagnosis(store: Store, runId: RunId): Promise<Diagnosis | null> {
  const all = await store.listRunResults(runId, DIAGNOSIS_KIND);
  const current = all.filter((r) => (r.result as Diagnosis).version === DIAGNOSIS_VERSION);
  return current.length === 0 ? null : (current[current.length - 1]!.result as Diagnosis);
}

export type { RunContext };
