/**
 * Model-based search of one continuous model knob (C, alpha, var_smoothing, learning rate) for the
 * loop's screening, with the sweeps' TPE sampler (src/search/tpe.ts). The catalogue offers each
 * knob on a log grid with one point per decade; the best value usually lies between two of them.
 * The grid points already screened are TPE's history, so its first proposal already uses the model
 * (no random start-up points): each proposal is a value on the knob's log range where the density
 * of the best screened values is high relative to the rest (Bergstra et al. 2011). Settings that
 * differ from Optuna's defaults, and why, are stated where they are set (proposeKnobValues).
 */
import type { ModelSpec } from "../spec/models.js";
import type { SpecPatchOp } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";
import { logUniform, type Dimension } from "../search/space.js";
import { tpeSuggest } from "../search/tpe.js";
import { deriveSeed } from "../util/random.js";
import type { Move } from "./catalogue.js";

/** The continuous knob searched per family and its log range (wider than the catalogue's grid). */
const KNOBS: Readonly<Record<string, { key: string; low: number; high: number }>> = {
  logistic_regression: { key: "C", low: 1e-3, high: 1e4 },
  linear_svm: { key: "C", low: 1e-4, high: 1e3 },
  naive_bayes: { key: "alpha", low: 1e-3, high: 10 },
  sgd: { key: "alpha", low: 1e-7, high: 1e-2 },
  mlp: { key: "alpha", low: 1e-6, high: 1e-1 },
  gaussian_nb: { key: "var_smoothing", low: 1e-12, high: 1 },
  gradient_boosting: { key: "learning_rate", low: 0.01, high: 0.5 },
};

export interface Knob {
  readonly family: string;
  readonly key: string;
  readonly dimension: Dimension;
}

/** The knob searched for a model family, or null when the family has none. */
export function knobOf(family: string): Knob | null {
  const k = KNOBS[family];
  return k === undefined ? null : { family, key: k.key, dimension: logUniform(k.low, k.high) };
}

/** The knob's value in a resolved model spec (null when unset or not a positive number). */
export function knobValue(model: ModelSpec, knob: Knob): number | null {
  const v = (model as Record<string, unknown>)[knob.key];
  return typeof v === "number" && v > 0 ? v : null;
}

/** Proposals closer than this (in decades) to a screened value tell screening nothing new. */
const MIN_SEPARATION_DECADES = 0.125;

/** Three significant digits: proposals read well in a spec and hash stably. */
function round3(v: number): number {
  return Number(v.toPrecision(3));
}

/**
 * `n` distinct knob values proposed by TPE from the screened values (`score`: higher is better),
 * none equal to a screened one. Seeded: the same history and seed give the same values.
 */
export function proposeKnobValues(
  knob: Knob,
  history: ReadonlyArray<{ value: number; score: number }>,
  n: number,
  seed: number,
): number[] {
  const finite = history.filter((h) => Number.isFinite(h.score));
  if (finite.length < 2) return [];
  // Searched within a decade of the best screened value (inside the knob's range): over the whole
  // range, with a handful of points the prior component of TPE's densities makes the empty ends
  // look most promising (l has weight ½ on the prior with one "below" point, g ⅕ with four), and
  // the first proposals went to C = 1e-4.
  const best = finite.reduce((a, b) => (b.score > a.score ? b : a));
  const d = knob.dimension as { low: number; high: number };
  const low = Math.max(d.low, best.value / 10);
  const high = Math.min(d.high, best.value * 10);
  const usable = finite.filter((h) => h.value >= low * (1 - 1e-9) && h.value <= high * (1 + 1e-9));
  const space = { [knob.key]: logUniform(low, high) };
  const observations = usable.map((h) => ({ params: { [knob.key]: h.value }, value: -h.score }));
  const worst = Math.max(...observations.map((o) => o.value));
  // Optuna's γ(n) = ⌈0.1·n⌉ puts one point "below" for a handful of screened values; l/g then peaks
  // at the best value itself and the proposals landed next to it (naive Bayes alpha 0.094–0.107
  // around 0.1, all scoring the same). Here the two best are "below", so l spans the stretch
  // between them, where an optimum between two grid points lies; and a proposal must be an eighth
  // of a decade (×1.33) from every value screened or proposed so far.
  const taken = usable.map((h) => Math.log10(h.value));
  const far = (v: number): boolean => taken.every((t) => Math.abs(Math.log10(v) - t) >= MIN_SEPARATION_DECADES);
  const out: number[] = [];
  for (let i = 0; out.length < n && i < n * 50; i++) {
    const point = tpeSuggest(space, observations, deriveSeed(seed, `knob point ${i}`), {
      nStartupTrials: 1,
      gamma: (m) => Math.min(2, m - 1),
    });
    const v = round3(point[knob.key] as number);
    if (!far(v)) continue;
    taken.push(Math.log10(v));
    out.push(v);
    // the constant liar (Ginsbourger et al. 2010; Optuna's `constant_liar`): a proposal not yet
    // screened counts as the worst value seen, so the next one of the batch goes elsewhere
    observations.push({ params: { [knob.key]: v }, value: worst });
  }
  return out;
}

/**
 * The model move that sets the knob to `value` on top of `base` (the candidate's model move, if
 * any): a family switch keeps replacing the whole model object, a same-family move sets the key.
 */
export function knobMove(knob: Knob, value: number, base: Move | undefined, incumbentModel: ModelSpec): Move {
  const whole = base?.patch.find((op) => op.op === "set" && op.path.length === 1 && op.path[0] === "model");
  let patch: SpecPatchOp[];
  if (whole !== undefined && whole.op === "set") {
    patch = [{ ...whole, value: { ...(whole.value as Record<string, unknown>), [knob.key]: value } }];
  } else {
    const others = (base?.patch ?? []).filter((op) => op.path.join(".") !== `model.${knob.key}`);
    const from = (incumbentModel as Record<string, unknown>)[knob.key];
    const op: SpecPatchOp =
      from === undefined
        ? { op: "set", path: ["model", knob.key], value }
        : { op: "set", path: ["model", knob.key], value, from };
    patch = [...others, op];
  }
  // the id reads like the catalogue's model moves: family and every knob the patch sets
  const knobs = patch.flatMap((op) =>
    op.op !== "set"
      ? []
      : op.path.length === 1
        ? Object.entries(op.value as Record<string, unknown>).filter(([k]) => k !== "family")
        : [[op.path.slice(1).join("."), op.value] as const],
  );
  const label = `${knob.family}(${knobs.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")})`;
  return {
    id: `model=${label}`,
    title: `model ${knob.family} ${knob.key}=${value} (TPE on the knob)`,
    group: "model",
    slot: "model",
    patch,
    answers: base?.answers ?? ["avoidable_bias"],
    changesFeatures: false,
    note: base?.note,
  };
}

/**
 * A spec with its continuous model knob and any fixed threshold value blanked: two candidates with
 * the same key differ only in numbers the loop tunes on the training split (a knob, the threshold
 * chosen on out-of-fold scores), not in an idea a full run could tell apart.
 */
export function knobFreeKey(spec: Spec): string {
  const knob = knobOf(spec.model.family);
  const t = spec.evaluate.threshold;
  return JSON.stringify({
    ...spec,
    model: knob === null ? spec.model : { ...spec.model, [knob.key]: null },
    evaluate: { ...spec.evaluate, threshold: t.policy === "fixed" ? { policy: "fixed" } : t },
  });
}
