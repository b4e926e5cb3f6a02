/**
 * `compareRuns(store, A, B)`: is B better than A, on which examples, and is the move real?
 *
 * For each split and metric: the delta B − A on the examples both runs scored, a paired bootstrap
 * interval (the shared examples resampled jointly, seeded, 2,000 resamples by default; each run's
 * decisions as it recorded them), for accuracy McNemar's exact test, and a verdict against the
 * spec's practical-equivalence band, with the number of examples an inconclusive verdict would
 * need. Then the per-example flips and the slices they fall in, the run-to-run noise floor when
 * the runs belong to replicate groups, the change between the runs, and any stored attribution.
 *
 * The evaluation-identity guard refuses runs evaluated on different examples or under different
 * metric definitions; `unpaired` bootstraps each run on its own examples instead, and says so.
 * Results of finished runs are stored (pair_results, kind "comparison") and reused.
 */
import { CompareError } from "../errors.js";
import { mcnemarExact, requiredSampleSize } from "../evaluate/paired.js";
import { sha256Hex } from "../util/hash.js";
import { deriveSeed } from "../util/random.js";
import type { PairResult, RunId, RunRecord, Store } from "../track/store.js";
import { alignPredictions, parseSpecJson, runEvaluation, type AlignedSplit } from "./aligned.js";
import { bootstrapPValue, DEFAULT_RESAMPLES, DEFAULT_SEED, jointBootstrap, percentileInterval } from "./bootstrap.js";
import { describeChange, type RunChange } from "./change.js";
import { flipsBetween, type FlipSummary } from "./flips.js";
import { checkEvaluationIdentity, type EvaluationDifference } from "./guard.js";
import { higherIsBetter, kernelFor, metricsFor, type Kernel } from "./kernels.js";
import { noiseFloor, replicateSpreads, type NoiseFloor, type ReplicateSpread } from "./noise.js";
import { previewExamples } from "./preview.js";
import { examplesNeeded, verdictOf, type Verdict } from "./verdict.js";

/** Bumped when the stored result's shape or computation changes, so stale cache entries are not reused. */
export const COMPARISON_VERSION = 1;
export const DEFAULT_BAND = 0.005;

export interface CompareOptions {
  /** Splits to compare (default ["dev"]; the test split is for the end). */
  readonly splits?: readonly string[];
  /** Metrics (default: all that apply: accuracy, precision, recall, f1, roc_auc, average_precision, log_loss, brier). */
  readonly metrics?: readonly string[];
  readonly resamples?: number;
  readonly seed?: number;
  readonly ci?: number;
  /** Practical-equivalence band (default: B's spec evaluate.equivalence_band, else 0.005). */
  readonly band?: number;
  readonly unpaired?: boolean;
  readonly allowThresholdChange?: boolean;
  /** Flips listed per kind (default 10; 0 lists none but still counts them). */
  readonly flipLimit?: number;
  /** Read example previews (subjects) for listed flips (default true). */
  readonly previews?: boolean;
  /** Reuse and store results (default true). */
  readonly cache?: boolean;
  /** Ask git for the commits between the runs (default true). */
  readonly git?: boolean;
}

export interface RunBrief {
  readonly id: string;
  readonly name: string | null;
  readonly experiment: string;
  readonly status: string;
  readonly createdAt: number;
}

export interface MetricComparison {
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly pValue: number;
  readonly validResamples: number;
  readonly higherIsBetter: boolean;
  readonly verdict: Verdict;
  readonly significant: boolean;
  /** Shared examples an inconclusive verdict would need (planning estimate); null when decided. */
  readonly examplesNeeded: number | null;
  readonly mcnemar?: {
    readonly b: number;
    readonly c: number;
    readonly pValue: number;
    /** Connor's paired-design n for this delta at α 0.05, power 0.8 (Infinity when b = c). */
    readonly requiredN: number;
  };
  /** Filled on read, not cached: replicate groups can grow. */
  noise?: NoiseFloor | null;
}

export interface SplitComparison {
  readonly split: string;
  readonly paired: boolean;
  /** Shared examples (paired), or A's and B's example counts (unpaired). */
  readonly n: number;
  readonly nA: number;
  readonly nB: number;
  /** Examples only one run scored (not used in a paired comparison). */
  readonly unsharedA: number;
  readonly unsharedB: number;
  readonly metrics: readonly MetricComparison[];
  readonly flips: FlipSummary | null;
}

export interface AttributionSummary {
  readonly key: string;
  readonly metric: string;
  readonly split: string;
  readonly total: { value: number; ciLow: number; ciHigh: number };
  readonly players: ReadonlyArray<{
    player: string;
    value: number;
    ciLow: number;
    ciHigh: number;
    coversZero: boolean;
  }>;
  readonly createdAt: number;
}

export interface RunComparison {
  readonly version: number;
  readonly runA: RunBrief;
  readonly runB: RunBrief;
  /** false: an explicitly labelled unpaired comparison of different example sets. */
  readonly paired: boolean;
  readonly allowedDifferences: readonly EvaluationDifference[];
  readonly change: RunChange;
  readonly primaryMetric: string;
  readonly band: number;
  readonly resamples: number;
  readonly seed: number;
  readonly ci: number;
  readonly splits: readonly SplitComparison[];
  readonly warnings: readonly string[];
  /** Stored attributions of this pair (filled on read). */
  attributions?: readonly AttributionSummary[];
  /** Served from the store's cache. */
  cached?: boolean;
}

function brief(run: RunRecord): RunBrief {
  return { id: run.id, name: run.name, experiment: run.experiment, status: run.status, createdAt: run.createdAt };
}

function checkOptions(o: CompareOptions): { resamples: number; seed: number; ci: number } {
  const resamples = o.resamples ?? DEFAULT_RESAMPLES;
  const seed = o.seed ?? DEFAULT_SEED;
  const ci = o.ci ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new CompareError(`resamples must be an integer >= 1, got ${resamples}`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new CompareError(`seed must be an integer >= 0, got ${seed}`);
  if (!(ci > 0 && ci < 1)) throw new CompareError(`ci must lie strictly between 0 and 1, got ${ci}`);
  if (o.band !== undefined && !(o.band >= 0)) throw new CompareError(`band must be >= 0, got ${o.band}`);
  return { resamples, seed, ci };
}

/** The primary metric and band a comparison reads verdicts with: B's (resolved for its task), band from B's spec, else A's, else 0.005. */
export function comparisonSettings(a: RunRecord, b: RunRecord): { primaryMetric: string; band: number } {
  const eb = runEvaluation(b);
  const ea = runEvaluation(a);
  return {
    primaryMetric: eb.primaryMetric,
    band: eb.equivalenceBand ?? ea.equivalenceBand ?? DEFAULT_BAND,
  };
}

interface Stat {
  kernelA: Kernel;
  kernelB: Kernel;
  metric: string;
}

function metricRows(
  kernels: readonly Stat[],
  draws: readonly Float64Array[],
  full: { a: number; b: number }[],
  band: number,
  ci: number,
  n: number,
  mcnemar: { b: number; c: number } | null,
): MetricComparison[] {
  return kernels.map((k, j) => {
    const iv = percentileInterval(draws[j]!, ci);
    const hib = higherIsBetter(k.metric);
    const delta = full[j]!.b - full[j]!.a;
    const v = { delta, ciLow: iv.low, ciHigh: iv.high, band, higherIsBetter: hib };
    const verdict = verdictOf(v);
    const row: MetricComparison = {
      metric: k.metric,
      a: full[j]!.a,
      b: full[j]!.b,
      delta,
      ciLow: iv.low,
      ciHigh: iv.high,
      pValue: bootstrapPValue(draws[j]!),
      validResamples: iv.valid,
      higherIsBetter: hib,
      verdict: verdict.verdict,
      significant: verdict.significant,
      examplesNeeded: examplesNeeded({ ...v, n, ci }),
      ...(k.metric === "accuracy" && mcnemar !== null
        ? {
            mcnemar: {
              b: mcnemar.b,
              c: mcnemar.c,
              pValue: mcnemarExact(mcnemar.b, mcnemar.c),
              requiredN: requiredSampleSize({ b: mcnemar.b, c: mcnemar.c, n }),
            },
          }
        : {}),
    };
    return row;
  });
}

function pairedSplit(
  aligned: AlignedSplit,
  metrics: readonly string[],
  settings: { resamples: number; seed: number; ci: number; band: number; flipLimit: number },
  tagsOf: ReadonlyMap<string, readonly string[]>,
): SplitComparison {
  const [inA, inB] = aligned.inputs as [NonNullable<AlignedSplit["inputs"][0]>, NonNullable<AlignedSplit["inputs"][0]>];
  const stats: Stat[] = [];
  for (const metric of metrics) {
    const kernelA = kernelFor(metric, inA);
    const kernelB = kernelFor(metric, inB);
    if (kernelA !== undefined && kernelB !== undefined) stats.push({ kernelA, kernelB, metric });
  }
  const n = aligned.ids.length;
  const ones = new Float64Array(n).fill(1);
  const full = stats.map((s) => ({ a: s.kernelA(ones), b: s.kernelB(ones) }));
  const draws = stats.map(() => new Float64Array(settings.resamples));
  jointBootstrap(n, settings.resamples, settings.seed, (w, r) => {
    for (let j = 0; j < stats.length; j++) draws[j]![r] = stats[j]!.kernelB(w) - stats[j]!.kernelA(w);
  });
  const ca = aligned.correct[0]!;
  const cb = aligned.correct[1]!;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (ca[i] === 1 && cb[i] === 0) b++;
    else if (ca[i] === 0 && cb[i] === 1) c++;
  }
  return {
    split: aligned.split,
    paired: true,
    n,
    nA: n + aligned.unshared[0]!,
    nB: n + aligned.unshared[1]!,
    unsharedA: aligned.unshared[0]!,
    unsharedB: aligned.unshared[1]!,
    metrics: metricRows(stats, draws, full, settings.band, settings.ci, n, { b, c }),
    flips: flipsBetween(aligned, 0, 1, settings.flipLimit, tagsOf),
  };
}

function unpairedSplit(
  alignedA: AlignedSplit,
  alignedB: AlignedSplit,
  metrics: readonly string[],
  settings: { resamples: number; seed: number; ci: number; band: number },
): SplitComparison {
  const inA = alignedA.inputs[0]!;
  const inB = alignedB.inputs[0]!;
  const stats: Stat[] = [];
  for (const metric of metrics) {
    const kernelA = kernelFor(metric, inA);
    const kernelB = kernelFor(metric, inB);
    if (kernelA !== undefined && kernelB !== undefined) stats.push({ kernelA, kernelB, metric });
  }
  const nA = alignedA.ids.length;
  const nB = alignedB.ids.length;
  const full = stats.map((s) => ({
    a: s.kernelA(new Float64Array(nA).fill(1)),
    b: s.kernelB(new Float64Array(nB).fill(1)),
  }));
  const drawsA = stats.map(() => new Float64Array(settings.resamples));
  const draws = stats.map(() => new Float64Array(settings.resamples));
  // independent resamples of each run's own examples: nothing pairs them
  jointBootstrap(nA, settings.resamples, settings.seed, (w, r) => {
    for (let j = 0; j < stats.length; j++) drawsA[j]![r] = stats[j]!.kernelA(w);
  });
  jointBootstrap(nB, settings.resamples, deriveSeed(settings.seed, "unpaired-b"), (w, r) => {
    for (let j = 0; j < stats.length; j++) draws[j]![r] = stats[j]!.kernelB(w) - drawsA[j]![r]!;
  });
  return {
    split: alignedA.split,
    paired: false,
    n: Math.min(nA, nB),
    nA,
    nB,
    unsharedA: 0,
    unsharedB: 0,
    metrics: metricRows(stats, draws, full, settings.band, settings.ci, Math.min(nA, nB), null),
    flips: null,
  };
}

function cacheKey(parts: Record<string, unknown>): string {
  return sha256Hex(JSON.stringify(parts));
}

/** Attributions stored for this pair (either direction), summarised. */
export async function storedAttributions(store: Store, a: RunId, b: RunId): Promise<AttributionSummary[]> {
  const results = await store.listPairResults("attribution", [a]);
  return results
    .filter((r: PairResult) => (r.runA === a && r.runB === b) || (r.runA === b && r.runB === a))
    .map((r) => summariseAttribution(r));
}

export function summariseAttribution(r: PairResult): AttributionSummary {
  const res = r.result as {
    metric: string;
    split: string;
    attribution: {
      total: { value: number; ciLow: number; ciHigh: number };
      players: Array<{ player: string; value: number; ciLow: number; ciHigh: number; coversZero: boolean }>;
    };
  };
  return {
    key: r.key,
    metric: res.metric,
    split: res.split,
    total: res.attribution.total,
    players: res.attribution.players.map((p) => ({
      player: p.player,
      value: p.value,
      ciLow: p.ciLow,
      ciHigh: p.ciHigh,
      coversZero: p.coversZero,
    })),
    createdAt: r.createdAt,
  };
}

export async function compareRuns(
  store: Store,
  a: string,
  b: string,
  options: CompareOptions = {},
): Promise<RunComparison> {
  const { resamples, seed, ci } = checkOptions(options);
  const runA = await store.getRun(a);
  const runB = await store.getRun(b);
  if (runA.id === runB.id)
    throw new CompareError(`run ${runA.id.slice(0, 12)} compared with itself: give two different runs`);
  const evalA = runEvaluation(runA);
  const evalB = runEvaluation(runB);
  const splits = options.splits ?? ["dev"];
  const allowed = checkEvaluationIdentity(evalA, evalB, splits, options);
  const settings = comparisonSettings(runA, runB);
  const band = options.band ?? settings.band;
  const paired = !allowed.some((d) => d.kind === "examples");
  const flipLimit = options.flipLimit ?? 10;
  // manual example tags slice the flips; they are part of the cache key since they can change
  const tagsOf = new Map<string, string[]>();
  for (const experiment of new Set([runA.experiment, runB.experiment])) {
    for (const t of await store.listExampleTags(experiment)) {
      const list = tagsOf.get(t.exampleId) ?? [];
      if (!list.includes(t.tag)) list.push(t.tag);
      tagsOf.set(t.exampleId, list.sort());
    }
  }
  const cacheable = options.cache !== false && runA.status === "finished" && runB.status === "finished";
  const key = cacheKey({
    v: COMPARISON_VERSION,
    a: runA.id,
    b: runB.id,
    splits,
    metrics: options.metrics ?? null,
    resamples,
    seed,
    ci,
    band,
    unpaired: options.unpaired === true,
    allowThresholdChange: options.allowThresholdChange === true,
    flipLimit,
    previews: options.previews !== false,
    tags: sha256Hex(JSON.stringify([...tagsOf.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))),
  });

  let comparison: RunComparison | null = null;
  if (cacheable) {
    const hit = await store.getPairResult("comparison", key);
    if (hit !== null) comparison = { ...(hit.result as RunComparison), cached: true };
  }
  if (comparison === null) {
    const warnings: string[] = [];
    for (const run of [runA, runB]) {
      if (run.status !== "finished")
        warnings.push(`run ${run.id.slice(0, 12)} is ${run.status}: its predictions may be incomplete`);
    }
    const splitResults: SplitComparison[] = [];
    for (const split of splits) {
      const [predA, predB] = [await store.getPredictions(runA.id, split), await store.getPredictions(runB.id, split)];
      let result: SplitComparison;
      if (paired) {
        const aligned = alignPredictions(split, [
          { evaluation: evalA, predictions: predA },
          { evaluation: evalB, predictions: predB },
        ]);
        const metrics = options.metrics ?? metricsFor(aligned.inputs[0]!);
        result = pairedSplit(aligned, metrics, { resamples, seed, ci, band, flipLimit }, tagsOf);
        if (result.unsharedA + result.unsharedB > 0) {
          warnings.push(
            `${split}: ${result.unsharedA + result.unsharedB} examples scored by only one run are left out of the paired comparison`,
          );
        }
      } else {
        const alignedA = alignPredictions(split, [{ evaluation: evalA, predictions: predA }]);
        const alignedB = alignPredictions(split, [{ evaluation: evalB, predictions: predB }]);
        const metrics = options.metrics ?? metricsFor(alignedA.inputs[0]!);
        result = unpairedSplit(alignedA, alignedB, metrics, { resamples, seed, ci, band });
      }
      if (result.metrics.length === 0) {
        throw new CompareError(
          `none of the metrics ${(options.metrics ?? []).join(", ")} applies to these runs (${split}); allowed: ${[...metricsFor(alignPredictions(split, [{ evaluation: evalA, predictions: predA }]).inputs[0]!)].join(", ")}`,
        );
      }
      if (result.flips !== null && options.previews !== false && result.flips.examples.length > 0) {
        const previews = previewExamples(
          parseSpecJson(runB),
          result.flips.examples.map((f) => f.exampleId),
        );
        for (const f of result.flips.examples) {
          const p = previews.get(f.exampleId);
          if (p !== undefined) f.preview = p;
        }
      }
      splitResults.push(result);
    }
    comparison = {
      version: COMPARISON_VERSION,
      runA: brief(runA),
      runB: brief(runB),
      paired,
      allowedDifferences: allowed,
      change: describeChange(runA, runB, { git: options.git }),
      primaryMetric: settings.primaryMetric,
      band,
      resamples,
      seed,
      ci,
      splits: splitResults,
      warnings,
    };
    if (cacheable && store.readOnly !== true)
      await store.putPairResult("comparison", key, runA.id, runB.id, comparison);
  }

  // Replicate groups and attributions can grow after the comparison was stored: read them fresh.
  for (const split of comparison.splits) {
    const metricNames = split.metrics.map((m) => m.metric);
    const spreadsA = await replicateSpreads(store, runA, split.split, metricNames);
    const spreadsB = await replicateSpreads(store, runB, split.split, metricNames);
    for (const m of split.metrics) {
      const spreads = [spreadsA.get(m.metric), spreadsB.get(m.metric)].filter(
        (s): s is ReplicateSpread => s !== undefined,
      );
      m.noise = noiseFloor(m.delta, spreads);
    }
  }
  comparison.attributions = await storedAttributions(store, runA.id, runB.id);
  return comparison;
}

/** Holm's step-down adjustment of p-values (family-wise error control over several candidates). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const out = new Array<number>(m).fill(NaN);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = Number.isNaN(p) ? NaN : running;
  });
  return out;
}

export interface ManyComparison {
  readonly baseline: RunBrief;
  readonly metric: string;
  readonly split: string;
  readonly rows: ReadonlyArray<{
    readonly run: RunBrief;
    readonly comparison: RunComparison | null;
    readonly metric: MetricComparison | null;
    /** Holm-adjusted bootstrap p-value of the metric's delta across the candidates. */
    readonly holmP: number;
    /** Why the run could not be compared (guard refusal, no predictions…). */
    readonly error?: string;
  }>;
}

/** Each candidate against one baseline on one metric and split, p-values Holm-adjusted across candidates. */
export async function compareMany(
  store: Store,
  baseline: string,
  candidates: readonly string[],
  options: CompareOptions & { metric?: string } = {},
): Promise<ManyComparison> {
  const base = await store.getRun(baseline);
  const split = options.splits?.[0] ?? "dev";
  const metric = options.metric ?? comparisonSettings(base, base).primaryMetric;
  const rows: Array<{
    run: RunBrief;
    comparison: RunComparison | null;
    metric: MetricComparison | null;
    error?: string;
  }> = [];
  for (const id of candidates) {
    const run = await store.getRun(id);
    if (run.id === base.id) continue;
    try {
      const comparison = await compareRuns(store, base.id, run.id, {
        ...options,
        splits: [split],
        metrics: [metric],
        flipLimit: 0,
        previews: false,
      });
      rows.push({ run: brief(run), comparison, metric: comparison.splits[0]!.metrics[0] ?? null });
    } catch (e) {
      if (!(e instanceof CompareError)) throw e;
      rows.push({ run: brief(run), comparison: null, metric: null, error: e.message });
    }
  }
  const holm = holmAdjust(rows.map((r) => r.metric?.pValue ?? NaN).filter((p) => !Number.isNaN(p)));
  let k = 0;
  return {
    baseline: brief(base),
    metric,
    split,
    rows: rows.map((r) => ({ ...r, holmP: r.metric === null || Number.isNaN(r.metric.pValue) ? NaN : holm[k++]! })),
  };
}
