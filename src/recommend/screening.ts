/**
 * Screening: measure catalogue moves before spending a full run on one. Every candidate (a single
 * move or a compound of moves on different keys) is cross-validated on the training split only —
 * features come from the stage cache, models are refit per fold — by successive halving: all
 * candidates on a stratified third of the training rows with 3 folds, the best few on every
 * training row with 5 folds. Compound moves are grown greedily on the first rung (the best move,
 * then the best move to add to it, up to three) and kept only when they beat the single steps.
 *
 * The estimate shown for a candidate is its out-of-fold primary metric and the paired bootstrap
 * interval of its difference from the incumbent, on the same rows. Dev and test are never read; a
 * threshold a move sets is chosen on out-of-fold training scores.
 */
import { csrSelectRows, type CsrMatrix } from "../features/csr.js";
import { evaluateSplit } from "../evaluate/evaluate.js";
import { BOOTSTRAP_METRICS, mcnemarExact, pairedBootstrap, type BootstrapMetricName } from "../evaluate/paired.js";
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import { chooseThreshold, maxRecallAtPrecision } from "../evaluate/threshold.js";
import type { Executor } from "../search/executor.js";
import { successiveHalving } from "../search/halving.js";
import type { ModelSpec } from "../spec/models.js";
import { applyPatch, type SpecPatch, type SpecPatchOp } from "../spec/patch.js";
import { specSchema, type Spec } from "../spec/schema.js";
import { createRng, deriveSeed } from "../util/random.js";
import { ModelError } from "../errors.js";
import type { FindingKind, Move } from "./catalogue.js";
import { knobFreeKey, knobMove, knobOf, knobValue, proposeKnobValues } from "./knob-search.js";
import type { ScreenResult, ScreenTask } from "./screen-worker.js";

export interface ScreenRung {
  readonly folds: number;
  /** Share of the training rows used (stratified, seeded; the same rows for every candidate). */
  readonly fraction: number;
}

export const DEFAULT_RUNGS: readonly ScreenRung[] = [
  { folds: 3, fraction: 0.35 },
  { folds: 5, fraction: 1 },
];

export interface TrainMatrix {
  readonly X: CsrMatrix;
  /** Class index per training row. */
  readonly y: Int32Array;
  /**
   * Exact-duplicate group per training row (-1: no copy), when the split keeps copies on one side:
   * folds then keep each group together. Null when the split keeps duplicates anywhere.
   */
  readonly groups?: Int32Array | null;
}

export interface ScreenOptions {
  readonly incumbent: Spec;
  readonly moves: readonly Move[];
  readonly classes: readonly string[];
  /** Index of the positive class (binary), null for multiclass. */
  readonly positive: number | null;
  /** The training split's features for a spec (from the stage cache); never dev or test. */
  trainMatrix(spec: Spec, withGroups?: boolean): Promise<TrainMatrix>;
  readonly executor: Executor<ScreenTask, ScreenResult>;
  readonly seed: number;
  readonly rungs?: readonly ScreenRung[];
  /** Greedy compound depth (default 3 moves). */
  readonly depth?: number;
  /** Moves tried as additions to the best compound at each step (default 5, plus every model setting and threshold goal). */
  readonly width?: number;
  /**
   * Random compounds screened after the singles (default 8): the best single move with a model
   * setting, often a word-weighting knob and a few more moves (see randomCompounds). Greedy growth
   * cannot reach a combination whose parts do not help alone (a linear SVM wants binary weights and
   * many feature families; on naive Bayes's counts it loses); random combinations can, and halving
   * sorts them.
   */
  readonly randomCompounds?: number;
  /** Whole configurations screened after the singles (default 12; see wholeConfigurations). */
  readonly wholeConfigurations?: number;
  /**
   * Re-choose the best survivor's model setting and word weighting together on the last rung
   * (default true; see refinements).
   */
  readonly refine?: boolean;
  /**
   * After refining, the leader's continuous model knob (C, alpha, …) searched with TPE on the last
   * rung: `rounds` rounds of `batch` proposals (default 2 × 2); false to skip. See tuneKnob.
   */
  readonly tune?: false | { readonly rounds?: number; readonly batch?: number };
  /** Candidates promoted to the last rung (default 4). */
  readonly survivors?: number;
  /**
   * Moves whose fit cost grows with the columns (gradient boosting, MLP) are screened only when the
   * incumbent's features have at most this many columns (default 3,000); wider, they are listed as
   * not screened.
   */
  readonly maxWideColumns?: number;
  /** Findings of the diagnosis: moves that answer one break ties. */
  readonly findings?: readonly FindingKind[];
  onProgress?(done: number, total: number, label: string): void;
}

export interface ScreenedCandidate {
  readonly id: string;
  readonly moves: readonly Move[];
  readonly title: string;
  /** The merged patch with any threshold filled in; what a full run applies. */
  readonly patch: SpecPatch;
  readonly spec: Spec;
  /** Last rung reached and its out-of-fold metric. */
  readonly rung: number;
  readonly metric: number;
  /** Difference from the incumbent on the same rows and folds (metric units, signed as "better"). */
  readonly delta: number;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** The diagnosis finding this candidate answers, if any. */
  readonly answers: FindingKind | null;
  readonly error: string | null;
}

export interface ScreenReport {
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly incumbentMetric: number;
  readonly rungs: readonly ScreenRung[];
  /** Ranked: candidates that reached the last rung first, by estimated gain. */
  readonly candidates: readonly ScreenedCandidate[];
  readonly trials: number;
  readonly ms: number;
  /** Moves left out of screening and why. */
  readonly skipped: ReadonlyArray<{ id: string; reason: string }>;
  /** Where screening time went: featurising (cache misses included) and model fits per family. */
  readonly featureMs: number;
  readonly fitMsByFamily: Readonly<Record<string, number>>;
  /** Wall time and new trials of each phase (rung 0's single moves, compounds, the last rung, …), in order. */
  readonly phases: ReadonlyArray<{ readonly label: string; readonly trials: number; readonly ms: number }>;
}

interface Candidate {
  readonly id: string;
  readonly moves: readonly Move[];
}

interface Evaluation {
  readonly metric: number;
  readonly proba: Float64Array;
  readonly threshold: number | null;
  /**
   * Binary: the positive-class score whose cut at `cut` gives the decisions the metric was computed
   * on. When the candidate tunes its threshold, 0/1 decisions at a threshold chosen on the other
   * folds (cut 0.5); otherwise the score itself at `threshold`.
   */
  readonly decision?: Float64Array;
  readonly cut?: number;
  readonly error: string | null;
}

/** Metrics a decision threshold changes (those computed from the confusion matrix). */
const THRESHOLD_METRICS = new Set(["f1", "precision", "recall", "accuracy", "error_rate"]);

const LOWER_IS_BETTER = new Set(["log_loss", "brier", "error_rate"]);

function placeholderFree(patch: SpecPatch): SpecPatchOp[] {
  return patch.map((op) => {
    if (op.op !== "set" || op.path.join(".") !== "evaluate.threshold") return op;
    const v = op.value as { policy: string; value?: number };
    return Number.isNaN(v.value) ? { ...op, value: { policy: "fixed", value: 0.5 } } : op;
  });
}

/**
 * Stratified sample of `fraction` of the rows and a stratified fold for each, both seeded. With
 * `groups` (a group id per row, -1 for none), the sampled members of a group share the fold of the
 * first of them: copies of one message never sit on both sides of a fold, as they never straddle
 * train and dev.
 */
export function stratifiedRowsAndFolds(
  y: Int32Array,
  fraction: number,
  k: number,
  seed: number,
  groups?: Int32Array | null,
): { rows: Int32Array; folds: Int32Array } {
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const list = byClass.get(y[i]!) ?? [];
    list.push(i);
    byClass.set(y[i]!, list);
  }
  const rows: number[] = [];
  const folds: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const take = fraction >= 1 ? list.length : Math.max(k, Math.round(list.length * fraction));
    const offset = rng.int(k);
    for (let i = 0; i < take && i < list.length; i++) {
      rows.push(list[i]!);
      folds.push((i + offset) % k);
    }
  }
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]! - rows[b]!);
  if (groups) {
    const foldOfGroup = new Map<number, number>();
    for (const i of order) {
      const g = groups[rows[i]!]!;
      if (g < 0) continue;
      const f = foldOfGroup.get(g);
      if (f === undefined) foldOfGroup.set(g, folds[i]!);
      else folds[i] = f;
    }
  }
  return { rows: Int32Array.from(order, (i) => rows[i]!), folds: Int32Array.from(order, (i) => folds[i]!) };
}

/** class_weight in a spec names labels; learners take class indices. */
function modelByIndex(model: ModelSpec, classes: readonly string[]): ModelSpec {
  const m = model as ModelSpec & { class_weight?: unknown };
  if (!("class_weight" in m) || m.class_weight === null || m.class_weight === "balanced") return model;
  const byIndex: Record<string, number> = {};
  for (const [label, w] of Object.entries(m.class_weight as Record<string, number>)) {
    const idx = classes.indexOf(label);
    if (idx >= 0) byIndex[String(idx)] = w;
  }
  return { ...model, class_weight: byIndex } as ModelSpec;
}

/** Specs with this key share one training matrix. */
function matrixKey(spec: Spec): string {
  return JSON.stringify([spec.data, spec.features, spec.seed]);
}

/** The state of one screening: specs, cached training matrices and every evaluation so far. */
class ScreenSession {
  readonly rungs: readonly ScreenRung[];
  readonly k: number;
  readonly metricName: string;
  readonly higherIsBetter: boolean;
  readonly layouts: ReadonlyArray<{ rows: Int32Array; folds: Int32Array }>;
  readonly cache = new Map<string, Evaluation>();
  readonly fitMsByFamily: Record<string, number> = {};
  featureMs = 0;
  trials = 0;
  readonly phases: Array<{ label: string; trials: number; ms: number }> = [];
  private readonly specOf = new Map<string, Spec | null>();
  /** Measured fit time of each trial (`rung:id`) and of every trial of one model setting. */
  private readonly fitMsOf = new Map<string, number>();
  private readonly fitMsByModel = new Map<string, number[]>();
  /** Trials under way (`rung:id`), so that overlapping phases share them. */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Phases under way and their progress, for one combined bar. */
  private readonly active = new Map<string, [number, number]>();
  private readonly matrices = new Map<string, Promise<TrainMatrix>>();

  constructor(
    readonly opts: ScreenOptions,
    readonly yAll: Int32Array,
    groups: Int32Array | null,
  ) {
    this.rungs = opts.rungs ?? DEFAULT_RUNGS;
    this.k = opts.classes.length;
    this.metricName = taskPrimaryMetric(opts.incumbent.evaluate.primary_metric, this.k);
    this.higherIsBetter = !LOWER_IS_BETTER.has(this.metricName);
    this.layouts = this.rungs.map((r, i) =>
      stratifiedRowsAndFolds(yAll, r.fraction, r.folds, deriveSeed(opts.seed, `screen-rung-${i}`), groups),
    );
  }

  better(v: number): number {
    return this.higherIsBetter ? v : -v;
  }

  resolveSpec(c: Candidate): Spec | null {
    if (this.specOf.has(c.id)) return this.specOf.get(c.id)!;
    const patch = c.moves.flatMap((m) => placeholderFree(m.patch));
    const parsed = specSchema.safeParse(applyPatch(this.opts.incumbent, patch));
    const spec = parsed.success ? parsed.data : null;
    this.specOf.set(c.id, spec);
    return spec;
  }

  matrixFor(spec: Spec): Promise<TrainMatrix> {
    const key = matrixKey(spec);
    let m = this.matrices.get(key);
    if (!m) {
      const f0 = performance.now();
      m = this.opts.trainMatrix(spec).finally(() => {
        this.featureMs += performance.now() - f0;
      });
      this.matrices.set(key, m);
    }
    return m;
  }

  thresholdFor(c: Candidate, spec: Spec, yBin: Uint8Array, score: Float64Array): number {
    const goal = c.moves.find((m) => m.threshold !== undefined)?.threshold;
    if (goal?.goal === "max_recall_at_precision") return maxRecallAtPrecision(yBin, score, goal.minPrecision).threshold;
    if (goal !== undefined) return chooseThreshold({ policy: goal.goal }, yBin, score, spec.evaluate.costs).threshold;
    // a data-driven policy is chosen on dev in a full run; here on the out-of-fold scores
    return chooseThreshold(spec.evaluate.threshold, yBin, score, spec.evaluate.costs).threshold;
  }

  scoreOf(c: Candidate, spec: Spec, proba: Float64Array, y: Int32Array, folds: Int32Array, nFolds: number): Evaluation {
    const k = this.k;
    if (this.opts.positive === null) {
      const m = evaluateSplit({ kind: "multiclass", y, proba, nClasses: k });
      return { metric: m.metrics[this.metricName] ?? Number.NaN, proba, threshold: null, error: null };
    }
    const pos = this.opts.positive;
    const yBin = Uint8Array.from(y, (v) => (v === pos ? 1 : 0));
    const score = Float64Array.from({ length: y.length }, (_, i) => proba[i * k + pos]!);
    // the value a full run would fix: chosen on every out-of-fold score
    const threshold = this.thresholdFor(c, spec, yBin, score);
    let decision = score;
    let cut = threshold;
    const tunes = c.moves.some((m) => m.threshold !== undefined) || spec.evaluate.threshold.policy !== "fixed";
    if (tunes && THRESHOLD_METRICS.has(this.metricName)) {
      // Scored with a threshold chosen on the other folds: a threshold tuned on the very scores it
      // is judged on flatters the candidate (most for naive Bayes, whose scores need it most).
      decision = new Float64Array(score.length);
      for (let f = 0; f < nFolds; f++) {
        const other = [...folds.keys()].filter((i) => folds[i] !== f);
        const t = this.thresholdFor(
          c,
          spec,
          Uint8Array.from(other, (i) => yBin[i]!),
          Float64Array.from(other, (i) => score[i]!),
        );
        for (let i = 0; i < score.length; i++) if (folds[i] === f) decision[i] = score[i]! >= t ? 1 : 0;
      }
      cut = 0.5;
    }
    const m = evaluateSplit({ kind: "binary", yTrue: yBin, score: decision, threshold: cut });
    return { metric: m.metrics[this.metricName] ?? Number.NaN, proba, threshold, decision, cut, error: null };
  }

  /**
   * Longest first (the LPT rule): candidates whose features are already built go to the workers at
   * once, the slowest first, so a few long trials of a late phase (a linear SVM with a large C on
   * every row: ten times the others) start before the short ones instead of running alone at the
   * end; the rest follow in their order, each as soon as it is featurised. Only the order changes:
   * every trial's result is the same. A trial's expected time is its own time on the rung before,
   * else the mean time of its model setting so far (relative order is all that matters).
   */
  private longestFirst(todo: readonly Candidate[], r: number): Candidate[] {
    const ready: Array<{ c: Candidate; est: number }> = [];
    const rest: Candidate[] = [];
    for (const c of todo) {
      const spec = this.resolveSpec(c);
      if (spec === null || !this.matrices.has(matrixKey(spec))) {
        rest.push(c);
        continue;
      }
      const times = this.fitMsByModel.get(JSON.stringify(spec.model));
      const est = this.fitMsOf.get(`${r - 1}:${c.id}`) ?? (times ? times.reduce((a, b) => a + b, 0) / times.length : 0);
      ready.push({ c, est });
    }
    // a stable sort: equal estimates keep the caller's order
    ready.sort((a, b) => b.est - a.est);
    return [...ready.map((e) => e.c), ...rest];
  }

  private async taskOf(c: Candidate, r: number, yRows: Int32Array): Promise<ScreenTask | string> {
    const spec = this.resolveSpec(c);
    if (spec === null) return "invalid spec";
    let m: TrainMatrix;
    try {
      m = await this.matrixFor(spec);
    } catch (e) {
      return (e as Error).message;
    }
    const layout = this.layouts[r]!;
    return {
      X: csrSelectRows(m.X, layout.rows),
      y: yRows,
      nClasses: this.k,
      folds: layout.folds,
      k: this.rungs[r]!.folds,
      model: modelByIndex(spec.model, this.opts.classes),
      seed: deriveSeed(this.opts.seed, "screen-model"),
    };
  }

  /**
   * Evaluations of `cands` at rung r (memoised). Each new candidate goes to the executor as soon as
   * its features are ready, so the workers fit while this thread featurises the next one (in one
   * batch after featurising them all, each side waited for the other: half the round's wall time).
   */
  async evaluateRung(cands: readonly Candidate[], r: number, label: string): Promise<Evaluation[]> {
    const yRows = Int32Array.from(this.layouts[r]!.rows, (i) => this.yAll[i]!);
    // a candidate another phase is evaluating right now (phases overlap: see screenMoves) is
    // waited for, not evaluated twice
    const todo = this.longestFirst(
      cands.filter((x) => !this.cache.has(`${r}:${x.id}`) && !this.inflight.has(`${r}:${x.id}`)),
      r,
    );
    const p0 = performance.now();
    let done = 0;
    let fitted = 0;
    const settle = (c: Candidate, ev: Evaluation): void => {
      this.cache.set(`${r}:${c.id}`, ev);
      this.inflight.delete(`${r}:${c.id}`);
      this.progress(label, ++done, todo.length);
    };
    const running: Array<Promise<void>> = [];
    for (const c of todo) {
      const key = `${r}:${c.id}`;
      let release!: () => void;
      let fail!: (e: unknown) => void;
      const flight = new Promise<void>((ok, no) => {
        release = ok;
        fail = no;
      });
      // observed now: a worker failing while later candidates are still featurised must not count
      // as an unhandled rejection (Promise.all below reports it)
      flight.catch(() => undefined);
      this.inflight.set(key, flight);
      running.push(flight);
      let task: ScreenTask | string;
      try {
        task = await this.taskOf(c, r, yRows);
      } catch (e) {
        this.inflight.delete(key);
        fail(e);
        throw e;
      }
      if (typeof task === "string") {
        settle(c, { metric: Number.NaN, proba: new Float64Array(0), threshold: null, error: task });
        release();
        continue;
      }
      this.opts.executor.map([task]).then(
        ([res]) => {
          fitted++;
          settle(c, this.evaluationOf(c, r, res!, yRows));
          release();
        },
        (e: unknown) => {
          this.inflight.delete(key);
          fail(e);
        },
      );
    }
    await Promise.all(running);
    this.trials += fitted;
    if (todo.length > 0) {
      const phase = this.phases.find((p) => p.label === label) ?? { label, trials: 0, ms: 0 };
      if (!this.phases.includes(phase)) this.phases.push(phase);
      phase.trials += fitted;
      phase.ms += performance.now() - p0;
    }
    await Promise.all(cands.map((c) => this.inflight.get(`${r}:${c.id}`)));
    return cands.map((c) => this.cache.get(`${r}:${c.id}`)!);
  }

  /**
   * Progress of the phases under way as one bar: overlapping phases (see screenMoves) report their
   * labels joined and their counts summed, instead of two bars taking turns.
   */
  private progress(label: string, done: number, total: number): void {
    if (this.opts.onProgress === undefined) return;
    this.active.set(label, [done, total]);
    const counts = [...this.active.values()];
    const sum = (i: 0 | 1): number => counts.reduce((a, c) => a + c[i], 0);
    this.opts.onProgress(sum(0), sum(1), [...this.active.keys()].join(" + "));
    if (done === total) this.active.delete(label);
  }

  /** A finished trial's evaluation (and its fit time, for the scheduling of later trials). */
  private evaluationOf(c: Candidate, r: number, res: ScreenResult, yRows: Int32Array): Evaluation {
    const spec = this.resolveSpec(c)!;
    this.fitMsByFamily[spec.model.family] = (this.fitMsByFamily[spec.model.family] ?? 0) + res.fitMs;
    this.fitMsOf.set(`${r}:${c.id}`, res.fitMs);
    const model = JSON.stringify(spec.model);
    this.fitMsByModel.set(model, [...(this.fitMsByModel.get(model) ?? []), res.fitMs]);
    // a fit that diverged (NaN or infinite scores) is a failed candidate, not a score of 0
    const error = res.error ?? (res.proba.every(Number.isFinite) ? null : "the model gave non-finite scores");
    return error !== null
      ? { metric: Number.NaN, proba: res.proba, threshold: null, error }
      : this.scoreOf(c, spec, res.proba, yRows, this.layouts[r]!.folds, this.rungs[r]!.folds);
  }
}

type Ranked = { c: Candidate; v: number };

/**
 * `n` distinct random compounds built on `anchor` (the best single move), seeded: the anchor, a model
 * setting, half the time a word-weighting knob, and up to two more moves on other keys. That is the
 * shape of a whole configuration (representation and model chosen together), which random search
 * over a space samples and greedy growth from single moves cannot reach.
 */
export function randomCompounds(moves: readonly Move[], n: number, seed: number, anchor?: Move): Candidate[] {
  const bySlot = movesBySlot(moves, (slot) => slot === anchor?.slot);
  const rng = createRng(seed);
  const pick = (slot: string): Move => {
    const list = bySlot.get(slot)!;
    return list[rng.int(list.length)]!;
  };
  const wordKnobs = [...bySlot.keys()].filter((k) => k.startsWith("features.words.") && k !== "features.words.fields");
  const others = [...bySlot.keys()].filter((k) => k !== "model" && !wordKnobs.includes(k)).sort();
  return distinctCompounds(n, bySlot.size > 0, () => {
    const picked: Move[] = anchor === undefined ? [] : [anchor];
    if (bySlot.has("model")) picked.push(pick("model"));
    if (wordKnobs.length > 0 && rng.next() < 0.5) picked.push(pick(wordKnobs[rng.int(wordKnobs.length)]!));
    const extra = rng.int(3);
    const pool = others.slice();
    for (let i = 0; i < extra && pool.length > 0; i++) picked.push(pick(pool.splice(rng.int(pool.length), 1)[0]!));
    return picked;
  });
}

/** The moves grouped by the key they own, leaving out the slots `skip` names. */
function movesBySlot(moves: readonly Move[], skip: (slot: string) => boolean): Map<string, Move[]> {
  const bySlot = new Map<string, Move[]>();
  for (const m of moves) {
    if (skip(m.slot)) continue;
    (bySlot.get(m.slot) ?? bySlot.set(m.slot, []).get(m.slot)!).push(m);
  }
  return bySlot;
}

/** Up to `n` distinct compounds (two moves or more) from `draw`, with at most 20 draws per place. */
function distinctCompounds(n: number, any: boolean, draw: () => Move[]): Candidate[] {
  const out = new Map<string, Candidate>();
  for (let tries = 0; out.size < n && tries < n * 20 && any; tries++) {
    const picked = draw();
    if (picked.length < 2) continue;
    const key = setKey(picked);
    // deduplicated as a set; the id keeps the anchor first (the move the compound grew from)
    if (!out.has(key)) out.set(key, { id: picked.map((m) => m.id).join(" + "), moves: picked });
  }
  return [...out.values()];
}

/** Slots a whole configuration never samples: the data moves (less or more data) and label cleaning are not architecture choices. */
const NOT_IN_CONFIGURATIONS = (slot: string): boolean =>
  slot.startsWith("data.") ||
  slot === "model.label_issues" ||
  slot === "model.calibration" ||
  slot === "features.words";

/**
 * `n` distinct whole configurations, seeded, as random search samples them: the anchor (the best
 * single move), a model setting, and every other key changed with probability one half (each
 * feature family on or off, each word knob). The loop screens them on the training split instead
 * of spending full runs on them, so it keeps random search's reach at no cost to the budget.
 */
export function wholeConfigurations(moves: readonly Move[], n: number, seed: number, anchor?: Move): Candidate[] {
  const bySlot = movesBySlot(moves, (slot) => slot === anchor?.slot || NOT_IN_CONFIGURATIONS(slot));
  const rng = createRng(seed);
  const slots = [...bySlot.keys()].filter((k) => k !== "model").sort();
  return distinctCompounds(n, bySlot.size > 0, () => {
    const picked: Move[] = anchor === undefined ? [] : [anchor];
    const pick = (slot: string): void => {
      const list = bySlot.get(slot)!;
      picked.push(list[rng.int(list.length)]!);
    };
    if (bySlot.has("model")) pick("model");
    for (const slot of slots) if (rng.next() < 0.5) pick(slot);
    return picked;
  });
}

/** The random compounds and whole configurations screened on rung 0, both built on `anchor`. */
function sampledCandidates(opts: ScreenOptions, screenable: readonly Move[], anchor: Move | undefined): Candidate[] {
  return [
    ...randomCompounds(screenable, opts.randomCompounds ?? 8, deriveSeed(opts.seed, "random-compounds"), anchor),
    ...wholeConfigurations(
      screenable,
      opts.wholeConfigurations ?? 12,
      deriveSeed(opts.seed, "whole-configurations"),
      anchor,
    ),
  ];
}

/** Greedy compounds on rung 0: add the move that helps most, while it helps (up to `depth` moves). */
async function growCompounds(
  session: ScreenSession,
  ranked0: readonly Ranked[],
  start: Ranked | undefined,
  incumbentMetric: number,
  all: Map<string, Candidate>,
): Promise<void> {
  const depth = session.opts.depth ?? 3;
  const width = session.opts.width ?? 5;
  let best = start;
  for (let d = 2; d <= depth && best !== undefined && session.better(best.v) > session.better(incumbentMetric); d++) {
    const usedSlots = new Set(best.c.moves.map((m) => m.slot));
    // the best `width` moves on other keys, plus every model setting and every threshold goal
    // (cheap: no new features), since those interact most with a changed representation
    const others = ranked0.filter((e) => !e.c.moves.some((m) => usedSlots.has(m.slot)));
    // every model setting: which model suits a representation depends on it (naive Bayes on
    // subject words, a linear SVM on many binary features), so the incumbent's ranking says little
    const models = others.filter((e) => e.c.moves[0]!.group === "model");
    const thresholds = others.filter((e) => e.c.moves[0]!.group === "threshold");
    const addable = [...new Set([...others.slice(0, width), ...models, ...thresholds])].map((e) => e.c.moves[0]!);
    // the same set of moves reached from two first moves is one candidate (and one evaluation)
    const bySet = new Map([...all.values()].map((c) => [setKey(c.moves), c]));
    const compounds: Candidate[] = addable.map((m) => {
      const moves = [...best!.c.moves, m];
      return bySet.get(setKey(moves)) ?? { id: moves.map((x) => x.id).join(" + "), moves };
    });
    for (const c of compounds) all.set(c.id, c);
    const scores = await session.evaluateRung(compounds, 0, `compounds of ${d}`);
    const top = compounds
      .map((c, i) => ({ c, v: scores[i]!.metric }))
      .filter((e) => Number.isFinite(e.v))
      .sort((a, b) => session.better(b.v) - session.better(a.v))[0];
    if (top === undefined || session.better(top.v) <= session.better(best.v)) break;
    best = top;
  }
}

/** The same set of moves reached in another order is one candidate (and one evaluation). */
function setKey(moves: readonly Move[]): string {
  return moves
    .map((m) => m.id)
    .sort()
    .join("\n");
}

/** Slots refined around the best survivor on the last rung (see refinements). */
const REFINED_SLOTS = ["model", "features.words.weighting"] as const;

/**
 * The best survivor's model setting and word weighting, re-chosen together on the last rung: every
 * setting of its model family (C or alpha on the catalogue's grid) with every weighting, the other
 * moves kept. The small rung favours strong regularisation (fewer rows want a smaller C) and ranks
 * weightings under the incumbent's model, so the survivor's C and weighting are often the small
 * rung's, not the best on every training row; a full run spent finding that out is a run lost.
 */
function refinements(
  session: ScreenSession,
  best: Candidate,
  screenable: readonly Move[],
  all: ReadonlyMap<string, Candidate>,
): Candidate[] {
  const family = session.resolveSpec(best)?.model.family;
  if (family === undefined) return [];
  const kept = best.moves.filter((m) => !(REFINED_SLOTS as readonly string[]).includes(m.slot));
  const choices = REFINED_SLOTS.map((slot) => [
    undefined,
    ...screenable.filter((m) => m.slot === slot && m.threshold === undefined),
  ]);
  const out: Candidate[] = [];
  // a combination screened before (in any order) keeps its candidate, so its evaluations are reused
  const known = new Map([...all.values()].map((c) => [setKey(c.moves), c]));
  const seen = new Set([setKey(best.moves)]);
  for (const model of choices[0]!) {
    for (const weighting of choices[1]!) {
      const moves = [...kept, ...(model ? [model] : []), ...(weighting ? [weighting] : [])];
      const key = setKey(moves);
      if (seen.has(key)) continue;
      seen.add(key);
      const c = known.get(key) ?? { id: moves.map((m) => m.id).join(" + "), moves };
      if (session.resolveSpec(c)?.model.family === family) out.push(c);
    }
  }
  return out;
}

/**
 * The leading candidate's continuous model knob searched with TPE on the last rung: `rounds`
 * rounds of `batch` proposals (a batch runs in parallel), each round's history every candidate
 * screened there that differs from the leader in that knob alone. The catalogue's grid has one
 * point per decade; the best C of a linear model on many binary features often lies between two.
 */
async function tuneKnob(
  session: ScreenSession,
  screenedOnLast: readonly Candidate[],
  tune: { rounds?: number; batch?: number } | undefined,
): Promise<Candidate[]> {
  const last = session.rungs.length - 1;
  const out: Candidate[] = [];
  const tried: Candidate[] = [];
  const metricOf = (c: Candidate): number => session.better(session.cache.get(`${last}:${c.id}`)?.metric ?? Number.NaN);
  for (let round = 0; round < (tune?.rounds ?? 2); round++) {
    const pool = [...screenedOnLast, ...tried].filter((c) => Number.isFinite(metricOf(c)));
    const lead = pool.sort((a, b) => metricOf(b) - metricOf(a))[0];
    const leadSpec = lead === undefined ? null : session.resolveSpec(lead);
    const knob = leadSpec === null ? null : knobOf(leadSpec.model.family);
    if (lead === undefined || leadSpec === null || knob === null) break;
    // the history: every candidate that is the leader but for the knob (the loop's near-copy key)
    const ref = knobFreeKey(leadSpec);
    const history = pool.flatMap((c) => {
      const spec = session.resolveSpec(c);
      const value = spec === null ? null : knobValue(spec.model, knob);
      return spec !== null && value !== null && knobFreeKey(spec) === ref ? [{ value, score: metricOf(c) }] : [];
    });
    const values = proposeKnobValues(
      knob,
      history,
      tune?.batch ?? 2,
      deriveSeed(session.opts.seed, `tune-knob round ${round}`),
    );
    const base = lead.moves.find((m) => m.slot === "model");
    const kept = lead.moves.filter((m) => m.slot !== "model");
    const cands = values
      .map((v) => {
        const moves = [...kept, knobMove(knob, v, base, session.opts.incumbent.model)];
        return { id: moves.map((m) => m.id).join(" + "), moves };
      })
      .filter((c) => session.resolveSpec(c)?.model.family === knob.family);
    if (cands.length === 0) break;
    await session.evaluateRung(cands, last, `tuning ${knob.key} (TPE)`);
    tried.push(...cands);
    // The winner's curse: among many values within noise of each other the largest estimate is
    // the luckiest (on the spam corpus, seed 1, alpha 0.494 at +0.0014 over 0.1 out of fold scored
    // 0.004 lower on dev). A proposal is offered only when it provably beats the value it was
    // proposed around (provablyBetter).
    const leadEval = session.cache.get(`${last}:${lead.id}`)!;
    for (const c of cands) {
      const ev = session.cache.get(`${last}:${c.id}`)!;
      if (ev.error === null && provablyBetter(session, ev, leadEval)) out.push(c);
    }
  }
  return out;
}

/**
 * A knob proposal beats the value it was proposed around on the last rung's rows: the one-sided
 * 95 % paired bootstrap bound of the gain above zero (binary), or for multiclass a better metric
 * and McNemar's exact test on per-row correctness (argmax) one-sided below 0.05, the test the loop's
 * acceptance rule uses for multiclass runs.
 */
function provablyBetter(session: ScreenSession, ev: Evaluation, base: Evaluation): boolean {
  const ci = gainInterval(session, ev, base, 0.9);
  if (ci !== null) return ci[0] > 0;
  if (session.opts.positive !== null || !(session.better(ev.metric) > session.better(base.metric))) return false;
  const rows = session.layouts[session.layouts.length - 1]!.rows;
  return moreOftenRight(
    Int32Array.from(rows, (i) => session.yAll[i]!),
    ev.proba,
    base.proba,
    session.k,
  );
}

/**
 * Multiclass: `probaNew`'s argmax is right more often than `probaBase`'s on the same rows, by
 * McNemar's exact test one-sided below 0.05 (the discordant rows only).
 */
export function moreOftenRight(y: Int32Array, probaNew: Float64Array, probaBase: Float64Array, k: number): boolean {
  const argmax = (proba: Float64Array, i: number): number => {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j]! > proba[i * k + best]!) best = j;
    return best;
  };
  let onlyNew = 0;
  let onlyBase = 0;
  for (let i = 0; i < y.length; i++) {
    const a = argmax(probaNew, i) === y[i];
    const b = argmax(probaBase, i) === y[i];
    if (a && !b) onlyNew++;
    else if (b && !a) onlyBase++;
  }
  return onlyNew > onlyBase && mcnemarExact(onlyNew, onlyBase) / 2 < 0.05;
}

/** The paired bootstrap interval of a candidate's gain over the incumbent on the last rung's rows. */
function gainInterval(session: ScreenSession, ev: Evaluation, inc: Evaluation, ci = 0.95): [number, number] | null {
  const pos = session.opts.positive;
  if (pos === null || !(BOOTSTRAP_METRICS as readonly string[]).includes(session.metricName)) return null;
  const k = session.k;
  const rows = session.layouts[session.layouts.length - 1]!.rows;
  const boot = pairedBootstrap({
    yTrue: Uint8Array.from(rows, (i) => (session.yAll[i] === pos ? 1 : 0)),
    scoreA: inc.decision ?? Float64Array.from({ length: rows.length }, (_, i) => inc.proba[i * k + pos]!),
    scoreB: ev.decision ?? Float64Array.from({ length: rows.length }, (_, i) => ev.proba[i * k + pos]!),
    thresholdA: inc.cut ?? inc.threshold ?? 0.5,
    thresholdB: ev.cut ?? ev.threshold ?? 0.5,
    metric: session.metricName as BootstrapMetricName,
    resamples: 1000,
    seed: deriveSeed(session.opts.seed, "screen-ci"),
    ci,
  });
  return session.higherIsBetter ? [boot.ciLow, boot.ciHigh] : [-boot.ciHigh, -boot.ciLow];
}

function screened(session: ScreenSession, c: Candidate, rung: number, findings: Set<FindingKind>): ScreenedCandidate {
  const ev = session.cache.get(`${rung}:${c.id}`)!;
  const inc = session.cache.get(`${rung}:incumbent`)!;
  const last = session.rungs.length - 1;
  const ci = rung === last && ev.error === null ? gainInterval(session, ev, inc) : null;
  // a threshold move's fixed value is the one chosen on this candidate's out-of-fold scores
  const patch: SpecPatchOp[] = c.moves.flatMap((m) =>
    m.patch.map((op) =>
      m.threshold !== undefined && op.op === "set"
        ? { ...op, value: { policy: "fixed", value: Number((ev.threshold ?? 0.5).toPrecision(6)) } }
        : op,
    ),
  );
  const spec = session.resolveSpec(c);
  return {
    id: c.id,
    moves: c.moves,
    title: c.moves.map((m) => m.title).join(" + "),
    patch,
    spec: spec === null ? session.opts.incumbent : specSchema.parse(applyPatch(session.opts.incumbent, patch)),
    rung,
    metric: ev.metric,
    delta: session.better(ev.metric) - session.better(inc.metric),
    ciLow: ci?.[0] ?? null,
    ciHigh: ci?.[1] ?? null,
    answers: c.moves.flatMap((m) => m.answers).find((a) => findings.has(a)) ?? null,
    error: ev.error,
  };
}

/** Measured effect first; among equal estimates, a move that answers a finding, then fewer moves. */
function byEstimate(a: ScreenedCandidate, b: ScreenedCandidate): number {
  const d = (x: ScreenedCandidate): number => (Number.isFinite(x.delta) ? x.delta : -Infinity);
  return (
    b.rung - a.rung ||
    d(b) - d(a) ||
    Number(b.answers !== null) - Number(a.answers !== null) ||
    a.moves.length - b.moves.length
  );
}

/** The last rung's extra candidates: refinements of the best survivor, then TPE on its knob. */
async function refineAndTune(
  session: ScreenSession,
  reached: readonly ScreenedCandidate[],
  screenable: readonly Move[],
  all: ReadonlyMap<string, Candidate>,
): Promise<Candidate[]> {
  const opts = session.opts;
  const last = session.rungs.length - 1;
  const best = reached[0] !== undefined && reached[0].rung === last ? all.get(reached[0].id) : undefined;
  if (best === undefined) return [];
  const refined = opts.refine === false ? [] : refinements(session, best, screenable, all);
  const known = new Set(reached.map((c) => c.id));
  const fresh = refined.filter((c) => !known.has(c.id));
  await session.evaluateRung(fresh, last, "refining the best");
  const onLast = [...reached.filter((c) => c.rung === last).map((c) => all.get(c.id)!), ...fresh];
  const tuned = opts.tune === false ? [] : await tuneKnob(session, onLast, opts.tune);
  return [...fresh, ...tuned];
}

/**
 * Rung 0: every single move, then random compounds and whole configurations built on the best one,
 * and compounds grown greedily from the two best first moves; every candidate lands in `all`.
 */
async function screenFirstRung(
  session: ScreenSession,
  singles: readonly Candidate[],
  screenable: readonly Move[],
  incumbentMetric: number,
  all: Map<string, Candidate>,
): Promise<void> {
  const single0 = await session.evaluateRung(singles, 0, "single moves");
  const ranked0 = singles
    .map((c, i) => ({ c, v: single0[i]!.metric }))
    .filter((e) => Number.isFinite(e.v))
    .sort((a, b) => session.better(b.v) - session.better(a.v));
  const anchor =
    ranked0[0] !== undefined && session.better(ranked0[0].v) > session.better(incumbentMetric)
      ? ranked0[0].c.moves[0]
      : undefined;
  const sampled = sampledCandidates(session.opts, screenable, anchor);
  for (const c of sampled) if (!all.has(c.id)) all.set(c.id, c);
  // The random compounds and the greedy ones need nothing of each other, so they run at once: the
  // random ones mostly wait for this thread to featurise new representations (bigrams, stemming,
  // other fields), the greedy ones mostly for the workers to fit models on features already built.
  // Every trial's result, and so every choice, is the one a sequential order gives.
  const sampledDone = session.evaluateRung(sampled, 0, "random compounds");
  sampledDone.catch(() => undefined);
  // a beam of two: compounds grow from the best single move and from the best move on another key,
  // since the move that helps most alone need not be the one that helps most with others
  const first = ranked0[0];
  const second = ranked0.find((e) => first !== undefined && e.c.moves[0]!.slot !== first.c.moves[0]!.slot);
  for (const start of [first, second]) await growCompounds(session, ranked0, start, incumbentMetric, all);
  await sampledDone;
}

export async function screenMoves(opts: ScreenOptions): Promise<ScreenReport> {
  const t0 = performance.now();
  const incumbentMatrix = await opts.trainMatrix(opts.incumbent, true);
  const session = new ScreenSession(opts, incumbentMatrix.y, incumbentMatrix.groups ?? null);
  const incumbent: Candidate = { id: "incumbent", moves: [] };
  const maxWide = opts.maxWideColumns ?? 3000;
  const skipped: Array<{ id: string; reason: string }> = [];
  const screenable = opts.moves.filter((m) => {
    if (m.wideCost === true && incumbentMatrix.X.cols > maxWide) {
      skipped.push({ id: m.id, reason: `fit cost grows with columns; ${incumbentMatrix.X.cols} > ${maxWide}` });
      return false;
    }
    return true;
  });
  const singles: Candidate[] = screenable.map((m) => ({ id: m.id, moves: [m] }));
  const all = new Map<string, Candidate>(singles.map((c) => [c.id, c]));

  // rung 0: every single move, random whole configurations on the best one, compounds grown greedily
  const [inc0] = await session.evaluateRung([incumbent], 0, "incumbent");
  // nothing can be compared with an incumbent that cannot be cross-validated: say why, once
  if (inc0!.error !== null)
    throw new ModelError(`screening: the incumbent could not be cross-validated: ${inc0!.error}`);
  await screenFirstRung(session, singles, screenable, inc0!.metric, all);

  // successive halving from rung 0 (memoised) to the last rung
  const pool = [...all.values()];
  const survivors = opts.survivors ?? 4;
  const halving = await successiveHalving(pool, {
    rungs: session.rungs.map((_, i) => i),
    eta: Math.max(2, Math.ceil(pool.length / survivors)),
    // at most two survivors per first move and model: a rejected compound leaves others to try
    group: (c) => `${c.moves[0]?.slot ?? c.id}|${c.moves.find((m) => m.slot === "model")?.id ?? ""}`,
    perGroup: 2,
    keepBestOf: (c) => session.resolveSpec(c)?.model.family ?? "",
    evaluate: async (cands, r) =>
      (await session.evaluateRung(cands, r, r === 0 ? "single moves" : `rung ${r + 1}`)).map((e) =>
        session.better(e.metric),
      ),
  });
  const last = session.rungs.length - 1;
  const [incLast] = await session.evaluateRung([incumbent], last, "incumbent");
  const findings = new Set(opts.findings ?? []);
  const reached = halving.map((e) => screened(session, e.candidate, e.rung, findings)).sort(byEstimate);
  const extra = await refineAndTune(session, reached, screenable, all);
  const candidates = [...reached, ...extra.map((c) => screened(session, c, last, findings))].sort(byEstimate);
  return {
    metric: session.metricName,
    higherIsBetter: session.higherIsBetter,
    incumbentMetric: incLast!.metric,
    rungs: session.rungs,
    candidates,
    trials: session.trials,
    ms: performance.now() - t0,
    skipped,
    featureMs: session.featureMs,
    fitMsByFamily: session.fitMsByFamily,
    phases: session.phases,
  };
}
