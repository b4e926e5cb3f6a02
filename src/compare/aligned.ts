/**
 * Stored predictions of several runs on one split, aligned on the examples they share: the same
 * example at the same index in every run, so that one resample of indices is one paired resample
 * of all of them. Decisions are each run's own, as recorded (its threshold, its positive class).
 */
import { CompareError } from "../errors.js";
import type { PredictionRecord, RunRecord } from "../track/store.js";
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import type { EvalInput } from "./kernels.js";

export interface RunThreshold {
  readonly value: number;
  readonly policy: string;
  readonly chosenOn?: string;
}

/** What a run says about how it was evaluated. */
export interface RunEvaluation {
  readonly runId: string;
  /** null: multiclass. */
  readonly positiveClass: string | null;
  readonly classes: readonly string[] | null;
  readonly threshold: RunThreshold | null;
  /** The spec's threshold policy object and error costs, when the run has a spec. */
  readonly thresholdSpec: Readonly<Record<string, unknown>> | null;
  readonly costs: Readonly<Record<string, unknown>> | null;
  readonly splitFingerprints: Readonly<Record<string, string>>;
  /**
   * The metric that ranks this run, resolved for its task: as recorded with the run, else the
   * spec's (or the default f1) read for the number of classes (macro F1 when multiclass).
   */
  readonly primaryMetric: string;
  readonly equivalenceBand: number | null;
  /** k when the run's dev metrics are k-fold out-of-fold predictions (evaluate.cross_validate), else null. */
  readonly crossValidated: number | null;
}

const POSITIVE_GUESSES = ["1", "true", "yes", "spam", "positive"];

export function parseSpecJson(run: RunRecord): Record<string, unknown> | null {
  if (run.specJson === null) return null;
  try {
    return JSON.parse(run.specJson) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function runEvaluation(run: RunRecord): RunEvaluation {
  const extras = run.extras as Record<string, unknown>;
  const spec = parseSpecJson(run);
  const evaluate = (spec?.["evaluate"] ?? null) as Record<string, unknown> | null;
  const classes = (run.dataInfo?.classes as readonly string[] | undefined) ?? null;
  let positiveClass: string | null;
  if (typeof extras["positiveClass"] === "string") positiveClass = extras["positiveClass"];
  else if (extras["positiveClass"] === null) positiveClass = null;
  else if (typeof evaluate?.["positive_class"] === "string") positiveClass = evaluate["positive_class"];
  else if (classes !== null && classes.length === 2) {
    positiveClass = classes.find((c) => POSITIVE_GUESSES.includes(c.toLowerCase())) ?? null;
  } else positiveClass = null;
  const t = extras["threshold"] as RunThreshold | null | undefined;
  return {
    runId: run.id,
    positiveClass,
    classes,
    threshold: t && typeof t.value === "number" ? t : null,
    thresholdSpec: (evaluate?.["threshold"] ?? null) as Record<string, unknown> | null,
    costs: (evaluate?.["costs"] ?? null) as Record<string, unknown> | null,
    splitFingerprints: (run.dataInfo?.splits ?? {}) as Record<string, string>,
    primaryMetric:
      typeof extras["primaryMetric"] === "string"
        ? extras["primaryMetric"]
        : taskPrimaryMetric(
            typeof evaluate?.["primary_metric"] === "string" ? evaluate["primary_metric"] : null,
            classes?.length,
          ),
    equivalenceBand: typeof evaluate?.["equivalence_band"] === "number" ? evaluate["equivalence_band"] : null,
    crossValidated: typeof evaluate?.["cross_validate"] === "number" ? evaluate["cross_validate"] : null,
  };
}

export interface AlignedSplit {
  readonly split: string;
  readonly kind: "binary" | "multiclass";
  /** Shared example ids, sorted. */
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  /** Per run (in the order given), its predictions on `ids`. */
  readonly inputs: readonly EvalInput[];
  /** Per run: 1 where its decision is right. */
  readonly correct: readonly Uint8Array[];
  /** Per run: its scores on `ids` (binary: P(positive); multiclass: P(true class)). */
  readonly scores: readonly Float64Array[];
  /** Per run: how many of its examples are not shared by all runs (or have no label). */
  readonly unshared: readonly number[];
}

/** Index in `classes` of the highest score (the first on ties); -1 without scores. */
function argmaxIndex(scores: PredictionRecord["scores"], classes: readonly string[]): number {
  if (scores === null) return -1;
  let best = -1;
  let bestValue = -Infinity;
  classes.forEach((c, i) => {
    const v = Array.isArray(scores) ? (scores as number[])[i] : (scores as Record<string, number>)[c];
    if (v !== undefined && v > bestValue) [best, bestValue] = [i, v];
  });
  return best;
}

function shortId(id: string): string {
  return id.slice(0, 12);
}

/**
 * Aligns the runs' predictions on `split`. Binary runs are read through their positive class and
 * recorded decisions (or, without decisions, score >= their recorded threshold); multiclass runs
 * through their class list.
 */
export function alignPredictions(
  split: string,
  runs: ReadonlyArray<{ readonly evaluation: RunEvaluation; readonly predictions: readonly PredictionRecord[] }>,
): AlignedSplit {
  if (runs.length === 0) throw new CompareError("nothing to align: no runs given");
  const maps = runs.map(({ evaluation, predictions }) => {
    const byId = new Map<string, PredictionRecord>();
    for (const p of predictions) if (p.split === split && p.label !== null) byId.set(p.exampleId, p);
    if (byId.size === 0) {
      throw new CompareError(
        `run ${shortId(evaluation.runId)} has no labelled predictions on split "${split}": there is nothing to compare`,
      );
    }
    return byId;
  });
  const ids = [...maps[0]!.keys()].filter((id) => maps.every((m) => m.has(id))).sort();
  if (ids.length === 0) {
    throw new CompareError(`the runs share no example on split "${split}": their predictions cannot be paired`);
  }
  const n = ids.length;
  const labels = ids.map((id) => maps[0]!.get(id)!.label!);
  const first = runs[0]!.evaluation;
  const binary = first.positiveClass !== null;
  const inputs: EvalInput[] = [];
  const correct: Uint8Array[] = [];
  const scores: Float64Array[] = [];
  runs.forEach(({ evaluation }, r) => {
    const map = maps[r]!;
    const ok = new Uint8Array(n);
    const score = new Float64Array(n);
    if (binary) {
      const pos = evaluation.positiveClass;
      if (pos === null) {
        throw new CompareError(
          `run ${shortId(evaluation.runId)} has no positive class but run ${shortId(first.runId)} is binary`,
        );
      }
      const yTrue = new Uint8Array(n);
      const decided = new Uint8Array(n);
      const threshold = evaluation.threshold?.value ?? 0.5;
      for (let i = 0; i < n; i++) {
        const p = map.get(ids[i]!)!;
        if (p.label !== labels[i]) {
          throw new CompareError(
            `example ${ids[i]} has label "${labels[i]}" in run ${shortId(first.runId)} but "${p.label}" in run ${shortId(evaluation.runId)}`,
          );
        }
        if (p.score === null) {
          throw new CompareError(`run ${shortId(evaluation.runId)} recorded no score for example ${ids[i]} (${split})`);
        }
        yTrue[i] = p.label === pos ? 1 : 0;
        score[i] = p.score;
        decided[i] = p.decision !== null ? (p.decision === pos ? 1 : 0) : p.score >= threshold ? 1 : 0;
        ok[i] = decided[i] === yTrue[i] ? 1 : 0;
      }
      inputs.push({ kind: "binary", yTrue, score, threshold, decided });
    } else {
      const classes = evaluation.classes ?? first.classes;
      if (classes === null) {
        throw new CompareError(`run ${shortId(evaluation.runId)} recorded neither a positive class nor its classes`);
      }
      const k = classes.length;
      const y = new Int32Array(n);
      const decision = new Int32Array(n);
      let proba: Float64Array | null = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        const p = map.get(ids[i]!)!;
        y[i] = classes.indexOf(labels[i]!);
        // no recorded decision (training code that logged only scores): the highest-scoring class
        decision[i] = p.decision === null ? argmaxIndex(p.scores, classes) : classes.indexOf(p.decision);
        if (y[i]! < 0 || decision[i]! < 0) {
          throw new CompareError(
            `example ${ids[i]}: label "${labels[i]}" or decision "${p.decision}" is not among run ${shortId(evaluation.runId)}'s classes (${classes.join(", ")})`,
          );
        }
        ok[i] = y[i] === decision[i] ? 1 : 0;
        const s = p.scores;
        if (proba !== null && s !== null) {
          for (let c = 0; c < k; c++) {
            proba[i * k + c] = Array.isArray(s) ? (s as number[])[c]! : (s as Record<string, number>)[classes[c]!]!;
          }
          score[i] = proba[i * k + y[i]!]!;
        } else {
          proba = null;
          score[i] = p.score ?? NaN;
        }
      }
      inputs.push({ kind: "multiclass", nClasses: k, y, decision, proba });
    }
    correct.push(ok);
    scores.push(score);
  });
  return {
    split,
    kind: binary ? "binary" : "multiclass",
    ids,
    labels,
    inputs,
    correct,
    scores,
    unshared: maps.map((m) => m.size - n),
  };
}
