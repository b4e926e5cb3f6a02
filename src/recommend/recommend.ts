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
 * Each line is a small rule in `rules/` that reads findings by their types only; `recommend` is
 * the flat-map of the rules plus whatever the diagnostics themselves propose, then the ranking.
 * A recommendation is a SpecPatch (or, for what a spec cannot say, an action in words) with a
 * rationale, its evidence and an expected effect on dev error; they are ranked by expected gain
 * (the validation curve's improvement, the learning curve's extrapolation, a tag's ceiling…). A
 * patch is kept only if the patched spec validates, so a family this build lacks is never offered.
 */
import type { CandidateChange, ExpectedEffect } from "../diagnose/diagnostic.js";
import type { Findings } from "../diagnose/registry.js";
import { canonicalJson } from "../spec/canonical.js";
import { parseSpec } from "../spec/load.js";
import { applyPatch, formatPatch, type SpecPatch } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";
import { sha256Hex } from "../util/hash.js";
import { biasRule } from "./rules/bias.js";
import { capacityRule } from "./rules/capacity.js";
import { dataMismatchRule } from "./rules/data-mismatch.js";
import { dynamicsRule } from "./rules/dynamics.js";
import { errorTagRule } from "./rules/error-tags.js";
import { labelErrorsRule } from "./rules/label-errors.js";
import { leakageRule } from "./rules/leakage.js";
import { moreDataRule } from "./rules/more-data.js";
import type { Rule } from "./rules/rule.js";
import { thresholdRule } from "./rules/threshold.js";
import { varianceRule } from "./rules/variance.js";

export type { CandidateChange, ExpectedEffect } from "../diagnose/diagnostic.js";
export { TAG_FAMILIES } from "./rules/error-tags.js";

/** The kinds of finding the catalogue's rules answer (a diagnostic may propose others). */
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

export interface Recommendation {
  /** 1-based rank: what `mlloop run --apply RUN:N` takes. */
  readonly n: number;
  /** Stable id of the change (hash of the finding and patch). */
  readonly id: string;
  readonly finding: FindingKind | (string & {});
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
  readonly findings: Findings;
  /** Changes the diagnostics proposed themselves (`Diagnostic.propose`). */
  readonly proposals?: readonly CandidateChange[];
}

/** The catalogue's rules, in the order their candidates are listed before ranking (ties keep it). */
export const RULES: readonly Rule[] = [
  capacityRule,
  moreDataRule,
  varianceRule,
  errorTagRule,
  biasRule,
  dataMismatchRule,
  dynamicsRule,
  labelErrorsRule,
  leakageRule,
  thresholdRule,
];

function validPatch(spec: Spec, patch: SpecPatch): boolean {
  try {
    parseSpec(applyPatch(JSON.parse(canonicalJson(spec)) as unknown, patch), "recommendation");
    return true;
  } catch {
    return false;
  }
}

/**
 * Ranks candidates: a measured expectation (validation curve, learning-curve extrapolation, tag
 * ceilings) outranks a rule of thumb of the same size — heuristic gains count half — and a spec
 * change outranks an action of the same score. Candidates whose patch does not validate are dropped.
 */
export function rankCandidates(spec: Spec, candidates: readonly CandidateChange[]): Recommendation[] {
  const kept = candidates.filter((c) => c.patch === null || validPatch(spec, c.patch));
  const rankScore = (c: CandidateChange): number => c.gain * (/heuristic/.test(c.expected.basis) ? 0.5 : 1);
  kept.sort((a, b) => rankScore(b) - rankScore(a) || (a.patch ? 0 : 1) - (b.patch ? 0 : 1));
  return kept.map((c, i) => ({
    finding: c.finding,
    title: c.title,
    rationale: c.rationale,
    evidence: c.evidence,
    patch: c.patch,
    action: c.action,
    expected: c.expected,
    gain: c.gain,
    n: i + 1,
    id: sha256Hex(canonicalJson({ finding: c.finding, patch: c.patch, action: c.action })).slice(0, 12),
    patchText: c.patch ? formatPatch(c.patch) : [],
  }));
}

export function recommend(input: RecommendInput): Recommendation[] {
  const candidates = RULES.flatMap((rule) => rule(input));
  return rankCandidates(input.spec, [...candidates, ...(input.proposals ?? [])]);
}
