/**
 * Findings → ranked next changes, as Machine Learning Yearning's action lists (ch. 25, 27, 40):
 *
 *   high variance        → more data (only when the learning curve says it helps), stronger
 *                          regularisation, fewer features
 *   high avoidable bias  → the feature families the error analysis points to, weaker
 *                          regularisation, a more expressive model (word pairs)
 *   data mismatch        → make the training data look like the dev data
 *   instability          → lower learning rate / more iterations / early stopping
 *   label errors         → review these ids
 *   costly threshold     → the minimum-cost threshold policy
 *
 * A recommendation is a SpecPatch (or, for what a spec cannot say, an action in words) with a
 * rationale, its evidence and an expected effect on dev error; they are ranked by expected gain
 * (the validation curve's improvement, the learning curve's extrapolation, a tag's ceiling…). A
 * patch is kept only if the patched spec validates, so a family this build lacks is never offered.
 */
import type { BiasVarianceResult } from "../diagnose/bias-variance.js";
import { describeKnobMove } from "../diagnose/capacity.js";
import type { LearningCurve, ValidationCurve } from "../diagnose/curves.js";
import type { TrainingDynamics } from "../diagnose/dynamics.js";
import type { ErrorAnalysis } from "../diagnose/error-analysis.js";
import type { ThresholdReport } from "../diagnose/threshold-cost.js";
import { isFeatureFamilyName } from "../features/registry.js";
import { parseSpec } from "../spec/load.js";
import { applyPatch, formatPatch, type SpecPatch } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";
import { sha256Hex } from "../util/hash.js";
import { canonicalJson } from "../spec/canonical.js";

export type FindingKind =
  | "high_variance"
  | "high_avoidable_bias"
  | "data_mismatch"
  | "capacity"
  | "more_data"
  | "error_tag"
  | "instability"
  | "label_errors"
  | "threshold"
  | "leakage";

export interface ExpectedEffect {
  /** Expected change of dev error (negative = better). */
  readonly devErrorDelta: number;
  /** 95% interval where the evidence gives one. */
  readonly low: number | null;
  readonly high: number | null;
  /** "validation curve", "learning-curve extrapolation", "tag ceiling (upper bound)", "heuristic"… */
  readonly basis: string;
}

export interface Recommendation {
  /** 1-based rank: what `mlloop run --apply RUN:N` takes. */
  readonly n: number;
  /** Stable id of the change (hash of the finding and patch). */
  readonly id: string;
  readonly finding: FindingKind;
  readonly title: string;
  readonly rationale: string;
  readonly evidence: readonly string[];
  /** The change; null when it is an action a spec cannot express (collect data, review labels). */
  readonly patch: SpecPatch | null;
  /** `formatPatch` lines, for display. */
  readonly patchText: readonly string[];
  readonly action: string | null;
  readonly expected: ExpectedEffect;
  /** What ranks it: the expected reduction of dev error (≥ 0). */
  readonly gain: number;
}

export interface RecommendInput {
  readonly spec: Spec;
  readonly biasVariance: BiasVarianceResult;
  readonly learningCurve: LearningCurve | null;
  readonly validationCurve: ValidationCurve | null;
  readonly errorAnalysis: ErrorAnalysis | null;
  readonly dynamics: TrainingDynamics | null;
  readonly labelIssues: {
    readonly dev: number;
    readonly train: number;
    readonly devIds: readonly string[];
    readonly trainIds: readonly string[];
  } | null;
  readonly threshold: ThresholdReport | null;
  readonly leakage: { readonly dev: number; readonly test: number } | null;
  readonly devError: number;
  readonly devN: number;
}

/** Which feature family addresses which error tag (the email families of issue #4). */
export const TAG_FAMILIES: Readonly<Record<string, { family: string; what: string }>> = {
  "ip-url": { family: "urls", what: "phishing-URL signals" },
  "mismatched-link": { family: "urls", what: "phishing-URL signals" },
  "many-links": { family: "urls", what: "URL signals" },
  "forged-routing": { family: "routing", what: "routing/relay features" },
  "obfuscated-words": { family: "spelling", what: "misspelling/obfuscation features" },
  "html-only": { family: "html", what: "HTML structure features" },
  "image-heavy": { family: "html", what: "HTML structure features" },
  "mailing-list": { family: "headers", what: "header features" },
  "freemail-from": { family: "headers", what: "header features" },
  "caps-subject": { family: "headers", what: "header features" },
};

const pts = (x: number): string => `${(x * 100).toFixed(2)} pt`;
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

type Candidate = Omit<Recommendation, "n" | "id" | "patchText">;

function validPatch(spec: Spec, patch: SpecPatch): boolean {
  try {
    parseSpec(applyPatch(JSON.parse(canonicalJson(spec)) as unknown, patch), "recommendation");
    return true;
  } catch {
    return false;
  }
}

export function recommend(input: RecommendInput): Recommendation[] {
  const { spec, biasVariance: bv } = input;
  const problems = new Set(bv.problems);
  const variance = bv.gaps.find((g) => g.name === "variance")?.value ?? 0;
  const bias = bv.gaps.find((g) => g.name === "avoidable_bias")?.value ?? 0;
  const out: Candidate[] = [];
  const model = spec.model as unknown as Record<string, unknown>;
  const words = spec.features.words;

  // ── capacity: the validation curve's best value ──────────────────────────────────────────────
  const vc = input.validationCurve;
  if (vc) {
    const cur = vc.points.find((p) => p.x === vc.current);
    const best = vc.points.find((p) => p.x === vc.best);
    if (cur && best && vc.best !== vc.current) {
      const gain = cur.valError.mean - best.valError.mean;
      const se = Math.sqrt(cur.valError.std ** 2 + best.valError.std ** 2) / Math.sqrt(cur.valError.values.length);
      if (gain > 0 && gain > se) {
        const move = describeKnobMove(vc, vc.current, vc.best);
        out.push({
          finding: "capacity",
          title: `${move}: model.${vc.key} ${vc.current} → ${vc.best}`,
          rationale:
            `the validation curve over ${vc.key} is lowest at ${vc.best} (cross-validated error ${pct(best.valError.mean)} vs ${pct(cur.valError.mean)} at ${vc.current})` +
            (problems.has("high_variance") && move.startsWith("stronger")
              ? "; MLY ch. 27: regularisation reduces variance"
              : problems.has("high_avoidable_bias") && move.startsWith("weaker")
                ? "; MLY ch. 25: less regularisation reduces avoidable bias"
                : problems.has("high_variance") && move.startsWith("weaker")
                  ? "; although the verdict is high variance, the model is over-regularised: a weaker penalty lowers the cross-validated error too"
                  : ""),
          evidence: vc.points.map(
            (p) =>
              `${vc.key}=${p.x}: train ${pct(p.trainError.mean)}, CV ${pct(p.valError.mean)} ± ${pct(p.valError.std)}`,
          ),
          patch: [{ op: "set", path: ["model", vc.key], value: vc.best, from: vc.current }],
          action: null,
          expected: {
            devErrorDelta: -gain,
            low: -gain - 2 * se,
            high: -gain + 2 * se,
            basis: "validation curve (5-fold CV)",
          },
          gain,
        });
      }
    }
  }

  // ── more data ─────────────────────────────────────────────────────────────────────────────────
  const lc = input.learningCurve;
  const ex = lc?.extrapolation ?? null;
  if (ex && ex.change.high < 0 && -ex.change.estimate > 0.001) {
    const gain = -ex.change.estimate;
    const evidence = [
      `cross-validated error ${pct(ex.atReference)} at ${lc!.poolSize} training examples → ${pct(ex.predicted)} predicted at ${ex.atSize} (power law a + b·m^-c, a=${ex.law.a.toFixed(4)}, c=${ex.law.c})`,
      `95% interval of the change: ${pts(ex.change.low)} to ${pts(ex.change.high)} (${ex.resamples} fold resamples)`,
    ];
    let patch: SpecPatch | null = null;
    let title = "collect more labelled data";
    const data = spec.data as Record<string, unknown>;
    const trainLimit = spec.data.split.train_limit;
    if (trainLimit !== undefined) {
      // more of the training split, with dev and test unchanged: the comparison stays paired
      patch = [{ op: "set", path: ["data", "split", "train_limit"], value: trainLimit * 2, from: trainLimit }];
      title = `more data: data.split.train_limit ${trainLimit} → ${trainLimit * 2}`;
    } else if (typeof data["limit"] === "number") {
      patch = [{ op: "set", path: ["data", "limit"], value: (data["limit"] as number) * 2, from: data["limit"] }];
      title = `more data: data.limit ${String(data["limit"])} → ${(data["limit"] as number) * 2}`;
    }
    out.push({
      finding: "more_data",
      title,
      rationale: problems.has("high_variance")
        ? "high variance, and the learning curve is still falling: more data is the simplest, most reliable fix (MLY ch. 27)"
        : "the learning curve is still falling: more data should help",
      evidence,
      patch,
      action: patch ? null : "label more messages like the training data (about twice as many)",
      expected: {
        devErrorDelta: -gain,
        low: ex.change.low,
        high: ex.change.high,
        basis: "learning-curve extrapolation",
      },
      gain,
    });
  }

  // ── variance without a validation curve: regularisation and fewer features ─────────────────────
  if (problems.has("high_variance")) {
    if (words && words.min_df >= 1 && words.min_df < 5) {
      const to = Math.max(5, Math.ceil(words.min_df * 2.5));
      out.push({
        finding: "high_variance",
        title: `fewer features: features.words.min_df ${words.min_df} → ${to}`,
        rationale:
          "high variance: dropping rare words shrinks the feature set (feature selection helps on small training sets, MLY ch. 27)",
        evidence: bv.notes.slice(),
        patch: [{ op: "set", path: ["features", "words", "min_df"], value: to, from: words.min_df }],
        action: null,
        expected: {
          devErrorDelta: -0.15 * variance,
          low: null,
          high: null,
          basis: "heuristic (15% of the variance gap)",
        },
        gain: 0.15 * variance,
      });
    }
    if (!vc && typeof model["C"] === "number") {
      const c = model["C"] as number;
      out.push({
        finding: "high_variance",
        title: `stronger regularisation: model.C ${c} → ${c / 10}`,
        rationale: "high variance: more regularisation (MLY ch. 27)",
        evidence: bv.notes.slice(),
        patch: [{ op: "set", path: ["model", "C"], value: c / 10, from: c }],
        action: null,
        expected: {
          devErrorDelta: -0.25 * variance,
          low: null,
          high: null,
          basis: "heuristic (25% of the variance gap)",
        },
        gain: 0.25 * variance,
      });
    }
  }

  // ── bias: feature families from the error analysis, word pairs, weaker regularisation ──────────
  const ea = input.errorAnalysis;
  if (ea && ea.errors > 0) {
    const byFamily = new Map<string, { what: string; tags: string[]; gain: number; share: number }>();
    for (const t of ea.tags) {
      const m = TAG_FAMILIES[t.tag];
      if (!m || !isFeatureFamilyName(m.family)) continue;
      if ((spec.features as Record<string, unknown>)[m.family] !== undefined) continue;
      const e = byFamily.get(m.family) ?? { what: m.what, tags: [], gain: 0, share: 0 };
      e.tags.push(`${t.tag} (${t.errors} errors, ${Math.round(t.share * 100)}%, ceiling ${pct(t.ceilingError)})`);
      if (t.maxGain > e.gain) {
        e.gain = t.maxGain;
        e.share = t.share;
      }
      byFamily.set(m.family, e);
    }
    for (const [family, e] of byFamily) {
      // a ceiling is an upper bound: expect a part of it (the share a new family typically fixes)
      const expected = 0.3 * e.gain;
      out.push({
        finding: "error_tag",
        title: `enable features.${family} (${e.what})`,
        rationale:
          `${Math.round(e.share * 100)}% of ${ea.split} errors carry ${e.tags.length === 1 ? "a tag" : "tags"} that ${e.what} address` +
          (problems.has("high_avoidable_bias")
            ? "; high avoidable bias: modify the input features based on error analysis (MLY ch. 25)"
            : ""),
        evidence: e.tags,
        patch: [{ op: "set", path: ["features", family], value: {} }],
        action: null,
        expected: {
          devErrorDelta: -expected,
          low: -e.gain,
          high: 0,
          basis: "tag ceiling (upper bound), 30% of it expected",
        },
        gain: expected,
      });
    }
  }
  if (problems.has("high_avoidable_bias")) {
    if (words && words.ngram_range[1] === 1) {
      out.push({
        finding: "high_avoidable_bias",
        title: "a more expressive model: word pairs, features.words.ngram_range [1, 1] → [1, 2]",
        rationale: "high avoidable bias: a richer representation (MLY ch. 25: increase the model size)",
        evidence: bv.notes.slice(),
        patch: [{ op: "set", path: ["features", "words", "ngram_range"], value: [1, 2], from: [1, 1] }],
        action: null,
        expected: { devErrorDelta: -0.2 * bias, low: null, high: null, basis: "heuristic (20% of the avoidable bias)" },
        gain: 0.2 * bias,
      });
    }
    if (!vc && typeof model["C"] === "number") {
      const c = model["C"] as number;
      out.push({
        finding: "high_avoidable_bias",
        title: `weaker regularisation: model.C ${c} → ${c * 10}`,
        rationale: "high avoidable bias: reduce regularisation (MLY ch. 25)",
        evidence: bv.notes.slice(),
        patch: [{ op: "set", path: ["model", "C"], value: c * 10, from: c }],
        action: null,
        expected: {
          devErrorDelta: -0.25 * bias,
          low: null,
          high: null,
          basis: "heuristic (25% of the avoidable bias)",
        },
        gain: 0.25 * bias,
      });
    }
  }

  // ── data mismatch ───────────────────────────────────────────────────────────────────────────────
  if (problems.has("data_mismatch")) {
    const g = bv.gaps.find((x) => x.name === "data_mismatch")!;
    out.push({
      finding: "data_mismatch",
      title: "make the training data look like the dev data",
      rationale: "data mismatch: the model does worse on dev than on held-out training data (MLY ch. 40–44)",
      evidence: [
        `data mismatch ${pts(g.value)} ± ${pts(g.se)}`,
        "error-analyse dev against train-dev for the properties that differ",
      ],
      patch: null,
      action: "collect or synthesise training examples like the dev examples (not from a tiny pool)",
      expected: { devErrorDelta: -0.5 * g.value, low: -g.value, high: 0, basis: "half the mismatch gap (heuristic)" },
      gain: 0.5 * g.value,
    });
  }

  // ── training dynamics ─────────────────────────────────────────────────────────────────────────
  for (const f of input.dynamics?.findings ?? []) {
    if (f.kind === "not_converged" && typeof model["max_iter"] === "number") {
      const it = model["max_iter"] as number;
      out.push({
        finding: "instability",
        title: `let it converge: model.max_iter ${it} → ${it * 10}`,
        rationale: f.message,
        evidence: [f.message],
        patch: [{ op: "set", path: ["model", "max_iter"], value: it * 10, from: it }],
        action: null,
        expected: { devErrorDelta: -0.001, low: null, high: null, basis: "heuristic" },
        gain: 0.001,
      });
    }
    if ((f.kind === "unstable" || f.kind === "non_finite_loss") && spec.model.family === "sgd") {
      const eta = spec.model.eta0;
      out.push({
        finding: "instability",
        title: `lower learning rate: constant eta0 ${eta} → ${eta / 10}`,
        rationale: f.message,
        evidence: [f.message],
        patch: [
          { op: "set", path: ["model", "learning_rate"], value: "constant", from: spec.model.learning_rate },
          { op: "set", path: ["model", "eta0"], value: eta / 10, from: eta },
        ],
        action: null,
        expected: { devErrorDelta: -0.002, low: null, high: null, basis: "heuristic" },
        gain: 0.002,
      });
    }
    if (f.kind === "dev_loss_rising" && spec.model.family === "sgd" && !spec.model.early_stopping) {
      out.push({
        finding: "instability",
        title: "stop early: model.early_stopping false → true",
        rationale: f.message,
        evidence: [f.message],
        patch: [{ op: "set", path: ["model", "early_stopping"], value: true, from: false }],
        action: null,
        expected: { devErrorDelta: -0.002, low: null, high: null, basis: "heuristic" },
        gain: 0.002,
      });
    }
  }

  // ── labels, leakage, threshold ────────────────────────────────────────────────────────────────
  const li = input.labelIssues;
  if (li && li.dev + li.train > 0) {
    const devShare = input.devN > 0 ? li.dev / input.devN : 0;
    out.push({
      finding: "label_errors",
      title: `review ${li.dev} dev and ${li.train} training labels that look wrong`,
      rationale:
        "confident learning on out-of-sample probabilities flags these as likely mislabeled (Northcutt et al. 2021)",
      evidence: [
        ...li.devIds.slice(0, 10).map((id) => `dev: ${id}`),
        ...li.trainIds.slice(0, 10).map((id) => `train: ${id}`),
      ],
      patch: null,
      action: "read them; tag real mistakes with `mlloop tag RUN EXAMPLE mislabeled` and fix the labels at the source",
      expected: {
        devErrorDelta: -0.1 * devShare,
        low: -devShare,
        high: 0,
        basis: `fixes the measurement more than the model: up to ${pts(devShare)} of the dev error may be label noise`,
      },
      // flagged examples include plain model errors; reviewing labels fixes the measurement more than the model
      gain: devShare * 0.1,
    });
  }
  const leak = input.leakage;
  if (leak && leak.dev > 0) {
    out.push({
      finding: "leakage",
      title: `${leak.dev} dev and ${leak.test} test messages have a near-copy in train`,
      rationale: "near-duplicates across splits flatter dev and test metrics",
      evidence: ["see the data checks (near-duplicates across splits)"],
      patch: null,
      action: "drop the near-copies or keep each near-duplicate cluster on one side of the split",
      expected: { devErrorDelta: 0, low: null, high: null, basis: "makes the metric honest; the error may rise" },
      gain: 0,
    });
  }
  const th = input.threshold;
  if (th && spec.evaluate.threshold.policy !== "min_cost" && th.costs.fp !== th.costs.fn) {
    const run = th.points[0];
    const mc = th.points.find((p) => p.policy === "min_cost");
    if (run && mc && run.policy.startsWith("run") && mc.cost < run.cost * 0.9) {
      const saved = (run.cost - mc.cost) / th.n;
      out.push({
        finding: "threshold",
        title: `threshold for cost: evaluate.threshold ${spec.evaluate.threshold.policy} → min_cost`,
        rationale: `with costs fp=${th.costs.fp}, fn=${th.costs.fn} the minimum-cost threshold ${mc.threshold.toPrecision(3)} costs ${mc.per10k.cost.toFixed(0)} per 10,000 messages instead of ${run.per10k.cost.toFixed(0)}`,
        evidence: th.points.map(
          (p) =>
            `${p.policy}: threshold ${p.threshold.toPrecision(3)}, per 10,000: ${p.per10k.negativesLost.toFixed(1)} legitimate lost, ${p.per10k.positivesMissed.toFixed(1)} spam delivered`,
        ),
        patch: [
          { op: "set", path: ["evaluate", "threshold"], value: { policy: "min_cost" }, from: spec.evaluate.threshold },
        ],
        action: null,
        expected: {
          devErrorDelta: (mc.fp + mc.fn - run.fp - run.fn) / th.n,
          low: null,
          high: null,
          basis: "dev operating points (the threshold is chosen on dev: optimistic)",
        },
        // cost saved per message, in units of the larger error cost: comparable with error gains
        gain: saved / Math.max(th.costs.fp, th.costs.fn),
      });
    }
  }

  const kept = out.filter((c) => c.patch === null || validPatch(spec, c.patch));
  // A measured expectation (validation curve, learning-curve extrapolation, tag ceilings) outranks
  // a rule of thumb of the same size: heuristic gains count half when ranking.
  const rankScore = (c: (typeof kept)[number]): number => c.gain * (/heuristic/.test(c.expected.basis) ? 0.5 : 1);
  kept.sort((a, b) => rankScore(b) - rankScore(a) || (a.patch ? 0 : 1) - (b.patch ? 0 : 1));
  return kept.map((c, i) => ({
    ...c,
    n: i + 1,
    id: sha256Hex(canonicalJson({ finding: c.finding, patch: c.patch, action: c.action })).slice(0, 12),
    patchText: c.patch ? formatPatch(c.patch) : [],
  }));
}
