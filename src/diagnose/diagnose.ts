/**
 * A recorded run → the findings of every registered diagnostic (registry.ts), cached and timed per
 * diagnostic, with the examples' previews and the charts saved on the run. Ranking the changes the
 * findings call for is `src/recommend/`'s job; `src/loop/diagnose-run.ts` calls one, then the other.
 *
 * Caching: a diagnostic that declares a cache key (the cross-validated ones: learning and
 * validation curves, train label issues, train-dev error — keyed by the run's spec and the CV
 * options) is stored as a run result on its own, so a new manual tag or another error split redoes
 * only the cheap part. The whole diagnosis is cached by the caller under `diagnosisKey`.
 */
import { performance } from "node:perf_hooks";
import type { SplitName } from "../data/split.js";
import { canonicalJson } from "../spec/canonical.js";
import type { RunId, Store } from "../track/store.js";
import { sha256Hex } from "../util/hash.js";
import { verdictText } from "./bias-variance.js";
import {
  loadRunContext,
  loadRunData,
  loadRunFeaturizer,
  type DatasetLoader,
  type RunContext,
  type RunData,
} from "./context.js";
import { openCvSession, type CvExecutorFactory, type CvSession } from "./cv.js";
import type {
  CandidateChange,
  DiagnoseEvents,
  Diagnostic,
  DiagnosticContext,
  ResolvedDiagnoseOptions,
  ViewContext,
} from "./diagnostic.js";
import { svgChart, type Chart } from "./plots.js";
import { ALL_DIAGNOSTICS, type Findings } from "./registry.js";
import { bodyText } from "./tags.js";
import type { ViewSection } from "./view-model.js";
import { classWeightsByIndex } from "../spec/class-weights.js";

export type { DiagnoseEvents } from "./diagnostic.js";
export type { LabelIssueList } from "./diagnostics/label-issues.js";

/** Bumped when the stored diagnosis changes shape or computation (old cache entries are then ignored). */
export const DIAGNOSIS_VERSION = 1;
export const DIAGNOSIS_KIND = "diagnosis";
/** Run-result kind of one diagnostic's cached finding. */
const STEP_KIND = "diagnosis-step";

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
  /** Where the cross-validation tasks run instead of `workers` local threads (diagnose --queue: cv-job.ts). */
  readonly cvExecutor?: CvExecutorFactory;
  /** Reuse and store results (default true). */
  readonly cache?: boolean;
  /** Folder for relative data paths (default: the spec file's folder, from the run's command line). */
  readonly baseDir?: string;
  readonly seed?: number;
  readonly events?: DiagnoseEvents;
  /** How the run's dataset is loaded (default: parsed here, uncached; diagnoseRun passes the stage cache's). */
  readonly loadDataset?: DatasetLoader;
}

export interface ExamplePreview {
  readonly subject: string;
  readonly snippet: string;
}

/** What every diagnosis says about itself, before the findings. */
export interface DiagnosisHeader {
  readonly version: number;
  readonly runId: string;
  readonly experiment: string;
  readonly createdAt: number;
  readonly key: string;
  readonly options: ResolvedDiagnoseOptions;
  readonly verdict: { readonly kinds: readonly string[]; readonly text: string; readonly notes: readonly string[] };
  readonly primaryMetric: string;
  readonly devMetric: number | null;
}

/** A diagnosis without its recommendations: the header, every published finding, previews, charts saved, timings. */
export type DiagnosisFindings = DiagnosisHeader &
  Findings & {
    /** SVG artifacts saved on the run ("diagnose/learning-curve.svg", …). */
    readonly artifacts: readonly string[];
    readonly previews: Readonly<Record<string, ExamplePreview>>;
    readonly timings: Readonly<Record<string, number>>;
  };

/** A run opened for diagnosis: its context, the resolved options and the cache keys. */
export interface PreparedDiagnosis {
  readonly ctx: RunContext;
  readonly options: ResolvedDiagnoseOptions;
  readonly cvKey: string;
  /** Key of the whole diagnosis: CV key + all options + the experiment's manual tags. */
  readonly key: string;
  readonly manualTags: ReadonlyMap<string, string[]>;
}

/** Text with control, zero-width and bidi characters removed and whitespace collapsed: safe to print. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
export function inert(text: string, max: number): string {
  const clean = text.replace(UNSAFE, " ").replace(/\s+/g, " ").trim();
  return clean.length <= max ? clean : `${[...clean].slice(0, max - 1).join("")}…`;
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

/** Loads the run's context (cheap: store reads) and resolves the options and cache keys. */
export async function prepareDiagnosis(
  store: Store,
  runIdOrPrefix: string,
  options: DiagnoseOptions = {},
): Promise<PreparedDiagnosis> {
  const ctx = await loadRunContext(store, runIdOrPrefix);
  const ds = ctx.spec.diagnose;
  const resolved: ResolvedDiagnoseOptions = {
    folds: options.folds ?? ds?.folds ?? 5,
    sizes: options.sizes ?? ds?.sizes ?? 8,
    sample: options.sample ?? ds?.error_sample ?? 100,
    trainDev: options.trainDev ?? "cv",
    errorSplit: options.errorSplit ?? "dev",
    seed: options.seed ?? ctx.spec.seed,
    noCv: options.noCv ?? false,
  };
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
  return { ctx, options: resolved, cvKey, key, manualTags: tags.map };
}

/** One diagnostic's finding: from its cache, or computed (timed and reported when it has a step name). */
async function runDiagnostic(
  d: Diagnostic,
  ctx: DiagnosticContext,
  cache: boolean,
  timings: Record<string, number>,
): Promise<unknown> {
  if (d.when && !d.when(ctx)) return null;
  const cacheKey = cache && d.cacheKey ? d.cacheKey(ctx) : null;
  const runId = ctx.run.run.id as RunId;
  if (cacheKey !== null) {
    const hit = await ctx.store.getRunResult(runId, STEP_KIND, `${d.key}/${cacheKey}`);
    if (hit) return hit.result;
  }
  if (d.step) ctx.events.start?.(d.step);
  const t0 = performance.now();
  const finding = await d.compute(ctx);
  if (d.step) {
    timings[d.step] = performance.now() - t0;
    ctx.events.finish?.(
      d.step,
      timings[d.step]!,
      finding === null || finding === undefined ? undefined : d.summary?.(finding),
    );
  }
  if (cacheKey !== null && !ctx.store.readOnly)
    await ctx.store.putRunResult(runId, STEP_KIND, `${d.key}/${cacheKey}`, finding);
  return finding;
}

interface Session {
  readonly ctx: DiagnosticContext;
  readonly results: Map<Diagnostic, Promise<unknown>>;
  close(): Promise<void>;
}

function openSession(
  store: Store,
  prep: PreparedDiagnosis,
  data: RunData,
  extra: { featurizer: DiagnosticContext["featurizer"]; options: DiagnoseOptions; timings: Record<string, number> },
): Session {
  const run = prep.ctx;
  const classes = run.classes.length > 0 ? run.classes : data.dataset.classes;
  const positive = run.positiveClass === null ? null : classes.indexOf(run.positiveClass);
  const results = new Map<Diagnostic, Promise<unknown>>();
  let cv: CvSession | null = null;
  const ctx: DiagnosticContext = {
    store,
    run,
    data,
    classes,
    positive: positive !== null && positive >= 0 ? positive : null,
    options: prep.options,
    cvKey: prep.cvKey,
    manualTags: prep.manualTags,
    featurizer: extra.featurizer,
    events: extra.options.events ?? {},
    cv() {
      cv ??= openCvSession(
        {
          examples: data.bySplit.train,
          y: Int32Array.from(data.bySplit.train, (e) => classes.indexOf(e.label)),
          classes,
          positive: ctx.positive,
          features: run.spec.features,
          model: classWeightsByIndex(run.spec.model, classes),
          seed: prep.options.seed,
        },
        { folds: prep.options.folds, workers: extra.options.workers, executor: extra.options.cvExecutor },
      );
      return cv;
    },
    get<F>(d: Diagnostic<string, F>): Promise<F> {
      let r = results.get(d as Diagnostic);
      if (!r) {
        r = runDiagnostic(d as Diagnostic, ctx, extra.options.cache ?? true, extra.timings);
        results.set(d as Diagnostic, r);
      }
      return r as Promise<F>;
    },
  };
  return { ctx, results, close: async () => void (await cv?.close()) };
}

/** The previews (inert subject and snippet) of every example a section lists. */
function previewsOf(findings: Record<string, unknown>, data: RunData): Record<string, ExamplePreview> {
  const listed = new Set<string>();
  for (const d of ALL_DIAGNOSTICS) {
    const f = findings[d.key];
    if (f !== null && f !== undefined && d.listedExamples) for (const id of d.listedExamples(f)) listed.add(id);
  }
  const previews: Record<string, ExamplePreview> = {};
  for (const id of listed) {
    const ex = data.byId.get(id);
    if (!ex) continue;
    previews[id] = {
      subject: inert(ex.email?.subject ?? ex.text["subject"] ?? "", 100),
      snippet: inert(bodyText(ex), 240),
    };
  }
  return previews;
}

/**
 * Runs every registered diagnostic on a prepared run. Returns the diagnosis (charts saved on the
 * run as SVG artifacts) and the changes its findings propose, for `recommend` to rank.
 */
export async function computeDiagnosis(
  store: Store,
  prep: PreparedDiagnosis,
  options: DiagnoseOptions = {},
): Promise<{ diagnosis: DiagnosisFindings; proposals: CandidateChange[] }> {
  const ev = options.events ?? {};
  const timings: Record<string, number> = {};
  ev.start?.("data");
  const t0 = performance.now();
  const data = await loadRunData(prep.ctx, {
    baseDir: options.baseDir,
    onProgress: (d, t) => ev.progress?.(d, t),
    ...(options.loadDataset === undefined ? {} : { loadDataset: options.loadDataset }),
  });
  timings["data"] = performance.now() - t0;
  ev.finish?.("data", timings["data"], `${data.dataset.examples.length.toLocaleString("en-US")} examples rebuilt`);

  const featurizer = await loadRunFeaturizer(store, prep.ctx);
  const session = openSession(store, prep, data, { featurizer, options, timings });
  const findings: Record<string, unknown> = {};
  const proposals: CandidateChange[] = [];
  try {
    for (const d of ALL_DIAGNOSTICS) {
      const f = await session.ctx.get(d);
      if (d.published !== false) findings[d.key] = f;
      if (f !== null && f !== undefined && d.propose) proposals.push(...d.propose(f, prep.ctx.spec));
    }
  } finally {
    await session.close();
  }
  const diagnosis = assemble(prep, findings as Findings, previewsOf(findings, data), timings);
  const artifacts: string[] = [];
  // the charts are artifacts of the run: a read-only store keeps none (the report draws them anew)
  for (const { name, chart } of store.readOnly ? [] : diagnosisCharts(diagnosis)) {
    const artifact = `diagnose/${name}.svg`;
    await store.putArtifact(prep.ctx.run.id as RunId, artifact, svgChart(chart), "image/svg+xml");
    artifacts.push(artifact);
  }
  return { diagnosis: { ...diagnosis, artifacts }, proposals };
}

/** The stored shape, key order included (the learning-curve findings, then the artifacts, then the rest). */
function assemble(
  prep: PreparedDiagnosis,
  findings: Findings,
  previews: Record<string, ExamplePreview>,
  timings: Record<string, number>,
): DiagnosisFindings {
  const { biasVariance: bv, learningCurve, validationCurve, readings, ...rest } = findings;
  const primary = prep.ctx.spec.evaluate.primary_metric;
  return {
    version: DIAGNOSIS_VERSION,
    runId: prep.ctx.run.id,
    experiment: prep.ctx.run.experiment,
    createdAt: Date.now(),
    key: prep.key,
    options: prep.options,
    verdict: { kinds: bv.verdict, text: verdictText(bv), notes: bv.notes },
    primaryMetric: primary,
    devMetric: prep.ctx.metric("dev", primary) ?? null,
    biasVariance: bv,
    learningCurve,
    validationCurve,
    readings,
    artifacts: [],
    ...rest,
    previews,
    timings,
  };
}

/** What a view reads: the stored diagnosis (a cached one renders exactly like a fresh one). */
export function viewContextOf(d: DiagnosisFindings): ViewContext {
  const all = d as unknown as Record<string, unknown>;
  return {
    runId: d.runId,
    previews: d.previews,
    finding: <F>(diagnostic: Diagnostic<string, F>) => all[diagnostic.key] as F | undefined,
  };
}

/** Each diagnostic's section of the view model, in registry order. */
export function diagnosisSections(d: DiagnosisFindings): ViewSection[] {
  const v = viewContextOf(d);
  const all = d as unknown as Record<string, unknown>;
  const out: ViewSection[] = [];
  for (const diag of ALL_DIAGNOSTICS) {
    const f = all[diag.key];
    if (f === null || f === undefined || !diag.view) continue;
    const section = diag.view(f, v);
    if (section) out.push({ id: diag.key, ...section });
  }
  return out;
}

/** Every chart of the diagnosis, in registry order (saved on the run and drawn in the HTML report). */
export function diagnosisCharts(d: DiagnosisFindings): Array<{ name: string; chart: Chart }> {
  const v = viewContextOf(d);
  const all = d as unknown as Record<string, unknown>;
  return ALL_DIAGNOSTICS.flatMap((diag) => {
    const f = all[diag.key];
    return f === null || f === undefined || !diag.charts ? [] : [...diag.charts(f, v)];
  });
}

export type { RunContext };
