/**
 * Error analysis (MLY ch. 13–19): which kinds of mistakes the model makes and what fixing each kind
 * could at best buy.
 *
 * - A seeded sample of up to N errors (default 100), false positives and false negatives apart,
 *   for a person to read and tag by hand (`mlloop tag`).
 * - Tag counts over all errors of the split (rule tags see every error; manual tags count where a
 *   person put them), the share of errors per tag, the tag's rate among correct predictions (a tag
 *   common everywhere explains little), and the ceiling: fixing every error with tag k leaves at
 *   best E × (1 − share_k), a gain of at most E × share_k.
 * - Features over-represented among errors compared with correct predictions of the same true class
 *   (false negatives vs true positives, false positives vs true negatives): smoothed log odds ratio
 *   of presence and its z score.
 */
import type { Example } from "../data/example.js";
import type { CsrMatrix } from "../features/csr.js";
import type { PredictionRecord } from "../track/store.js";
import { createRng, shuffleInPlace } from "../util/random.js";
import { tagsOf, type CompiledRule, type TagSource } from "./tags.js";
import type { DataProfile } from "./data-profile.js";

export type ErrorKind = "fp" | "fn" | "wrong";

export interface TagStat {
  readonly tag: string;
  readonly source: TagSource;
  /** Errors carrying the tag, and of those false positives and false negatives. */
  readonly errors: number;
  readonly fp: number;
  readonly fn: number;
  /** errors / all errors of the split. */
  readonly share: number;
  /** Rate among correctly predicted examples. */
  readonly rateAmongCorrect: number;
  /** Error rate if every error with the tag were fixed (the floor the tag allows), and the gain. */
  readonly ceilingError: number;
  readonly maxGain: number;
}

export interface SampledError {
  readonly id: string;
  readonly kind: ErrorKind;
  readonly label: string | null;
  readonly decision: string | null;
  readonly score: number | null;
  readonly tags: readonly string[];
}

export interface OverRepresented {
  readonly feature: string;
  /** Compared among examples of this true class: errors vs correct. */
  readonly kind: ErrorKind;
  readonly inErrors: number;
  readonly errors: number;
  readonly inCorrect: number;
  readonly correct: number;
  readonly logOddsRatio: number;
  readonly z: number;
}

export interface ErrorAnalysis {
  readonly split: string;
  /** What the examples are: the views word their tables for it (email previews, binary FP/FN). */
  readonly dataKind?: DataProfile["kind"];
  readonly binary?: boolean;
  readonly n: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly fp: number;
  readonly fn: number;
  readonly sample: {
    readonly seed: number;
    readonly size: number;
    readonly fp: SampledError[];
    readonly fn: SampledError[];
    readonly other: SampledError[];
  };
  readonly tags: readonly TagStat[];
  /** Errors without any tag. */
  readonly untagged: number;
  readonly overRepresented: readonly OverRepresented[];
}

export interface ErrorAnalysisInput {
  readonly split: string;
  /** The split's predictions (one per example) and the examples by id. */
  readonly predictions: readonly PredictionRecord[];
  readonly examples: ReadonlyMap<string, Example>;
  readonly positiveClass: string | null;
  readonly rules: readonly CompiledRule[];
  readonly manual: ReadonlyMap<string, readonly string[]>;
  readonly sampleSize: number;
  readonly seed: number;
  /** The run's features of the split's examples, rows in `predictions` order. */
  readonly features?: { readonly X: CsrMatrix; readonly names: readonly string[] } | null;
  readonly topFeatures?: number;
  /** The training split's profile: generic tags for examples without an email. */
  readonly profile?: DataProfile;
}

function kindOf(p: PredictionRecord, positive: string | null): ErrorKind | null {
  if (p.correct !== false) return null;
  if (positive === null) return "wrong";
  return p.decision === positive ? "fp" : "fn";
}

type TagRow = Array<{ tag: string; source: TagSource }>;

/** Each tag's errors (by kind) and presence among correct examples, and how many errors carry no tag. */
function tagStats(
  kinds: readonly (ErrorKind | null)[],
  tagRows: readonly TagRow[],
  errorRate: number,
): { tags: TagStat[]; untagged: number } {
  const nErrors = kinds.filter((k) => k !== null).length;
  const stats = new Map<string, { source: TagSource; errors: number; fp: number; fn: number; correct: number }>();
  let untagged = 0;
  let nCorrect = 0;
  kinds.forEach((kind, i) => {
    if (kind === null) nCorrect++;
    const seen = new Set<string>();
    for (const { tag, source } of tagRows[i]!) {
      if (seen.has(tag)) continue;
      seen.add(tag);
      let s = stats.get(tag);
      if (!s) stats.set(tag, (s = { source, errors: 0, fp: 0, fn: 0, correct: 0 }));
      if (kind === null) s.correct++;
      else {
        s.errors++;
        if (kind === "fp") s.fp++;
        if (kind === "fn") s.fn++;
      }
    }
    if (kind !== null && seen.size === 0) untagged++;
  });
  const tags: TagStat[] = [...stats.entries()]
    .filter(([, s]) => s.errors > 0)
    .map(([tag, s]) => {
      const share = nErrors > 0 ? s.errors / nErrors : 0;
      return {
        tag,
        source: s.source,
        errors: s.errors,
        fp: s.fp,
        fn: s.fn,
        share,
        rateAmongCorrect: nCorrect > 0 ? s.correct / nCorrect : 0,
        ceilingError: errorRate * (1 - share),
        maxGain: errorRate * share,
      };
    })
    .sort((a, b) => b.errors - a.errors || a.tag.localeCompare(b.tag));
  return { tags, untagged };
}

/** The per-class error tag of a multiclass error: "true → predicted". */
export function confusionTag(label: string, decision: string): string {
  return `${label} → ${decision}`;
}

export function analyseErrors(input: ErrorAnalysisInput): ErrorAnalysis {
  const { predictions, positiveClass } = input;
  const n = predictions.length;
  const kinds = predictions.map((p) => kindOf(p, positiveClass));
  const errorIdx: number[] = [];
  kinds.forEach((k, i) => k !== null && errorIdx.push(i));
  const nErrors = errorIdx.length;
  const errorRate = n > 0 ? nErrors / n : 0;

  // tags of every example (errors and correct ones, for the contrast)
  const tagRows: TagRow[] = predictions.map((p, i) => {
    const ex = input.examples.get(p.exampleId);
    const tags = ex
      ? tagsOf(ex, input.rules, input.manual, input.profile)
      : (input.manual.get(p.exampleId) ?? []).map((tag) => ({ tag, source: "manual" as const }));
    // multiclass: which confusion an error is ("class_1 → class_2"), so the table ranks them
    if (kinds[i] === "wrong" && p.label !== null && p.decision !== null) {
      tags.unshift({ tag: confusionTag(p.label, p.decision), source: "builtin" });
    }
    return tags;
  });
  const { tags, untagged } = tagStats(kinds, tagRows, errorRate);

  // seeded sample, FP and FN apart (each capped at its share of the sample)
  const rng = createRng(input.seed);
  const shuffled = errorIdx.slice();
  shuffleInPlace(shuffled, rng);
  const picked = shuffled.slice(0, input.sampleSize).sort((a, b) => a - b);
  const toSampled = (i: number): SampledError => {
    const p = predictions[i]!;
    return {
      id: p.exampleId,
      kind: kinds[i]!,
      label: p.label,
      decision: p.decision,
      score: p.score,
      tags: [...new Set(tagRows[i]!.map((t) => t.tag))],
    };
  };
  const sampled = picked.map(toSampled);

  const overRepresented = input.features
    ? overRepresentedFeatures(
        input.features.X,
        input.features.names,
        kinds,
        positiveClass,
        predictions,
        input.topFeatures ?? 15,
      )
    : [];

  return {
    split: input.split,
    dataKind: input.profile?.kind,
    binary: positiveClass !== null,
    n,
    errors: nErrors,
    errorRate,
    fp: kinds.filter((k) => k === "fp").length,
    fn: kinds.filter((k) => k === "fn").length,
    sample: {
      seed: input.seed,
      size: sampled.length,
      fp: sampled.filter((s) => s.kind === "fp"),
      fn: sampled.filter((s) => s.kind === "fn"),
      other: sampled.filter((s) => s.kind === "wrong"),
    },
    tags,
    untagged,
    overRepresented,
  };
}

/** Presence log odds ratio (errors vs correct, within each error kind's true class), ranked by z. */
export function overRepresentedFeatures(
  X: CsrMatrix,
  names: readonly string[],
  kinds: ReadonlyArray<ErrorKind | null>,
  positiveClass: string | null,
  predictions: readonly PredictionRecord[],
  top: number,
): OverRepresented[] {
  const out: OverRepresented[] = [];
  const groups: Array<{ kind: ErrorKind; inGroup: (i: number) => boolean }> =
    positiveClass === null
      ? [{ kind: "wrong", inGroup: () => true }]
      : [
          { kind: "fn", inGroup: (i) => predictions[i]!.label === positiveClass },
          { kind: "fp", inGroup: (i) => predictions[i]!.label !== positiveClass },
        ];
  for (const g of groups) {
    const errCount = new Float64Array(X.cols);
    const okCount = new Float64Array(X.cols);
    let E = 0;
    let C = 0;
    for (let i = 0; i < X.rows; i++) {
      if (!g.inGroup(i)) continue;
      const isErr = kinds[i] !== null;
      if (isErr) E++;
      else C++;
      const target = isErr ? errCount : okCount;
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) if (X.data[p] !== 0) target[X.indices[p]!]!++;
    }
    if (E < 3 || C < 3) continue;
    const cands: OverRepresented[] = [];
    for (let j = 0; j < X.cols; j++) {
      const e = errCount[j]!;
      if (e < 3) continue;
      const c = okCount[j]!;
      const lor = Math.log((e + 0.5) / (E - e + 0.5)) - Math.log((c + 0.5) / (C - c + 0.5));
      const z = lor / Math.sqrt(1 / (e + 0.5) + 1 / (E - e + 0.5) + 1 / (c + 0.5) + 1 / (C - c + 0.5));
      if (lor > 0) {
        cands.push({
          feature: names[j] ?? `#${j}`,
          kind: g.kind,
          inErrors: e,
          errors: E,
          inCorrect: c,
          correct: C,
          logOddsRatio: lor,
          z,
        });
      }
    }
    cands.sort((a, b) => b.z - a.z);
    out.push(...cands.slice(0, top));
  }
  return out;
}
