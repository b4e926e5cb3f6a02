/**
 * The capacity knob of each model family — the one hyperparameter a validation curve sweeps — and
 * which way it turns: C grows capacity (less regularisation), alpha shrinks it (more smoothing or
 * penalty), depth and hidden units grow it. Families that land later are recognised by the usual
 * key names, so a new family gets a validation curve without a line here.
 */
import type { ModelSpec } from "../spec/models.js";
import { logspace } from "./folds.js";

export interface CapacityKnob {
  /** The model spec key ("C", "alpha", "max_depth"…). */
  readonly key: string;
  /** +1: a larger value means a more expressive (less regularised) model; −1: the opposite. */
  readonly direction: 1 | -1;
  readonly grid: readonly number[];
  readonly scale: "log" | "linear";
  readonly current: number;
}

interface KnobRule {
  readonly key: string;
  readonly direction: 1 | -1;
  readonly grid: (current: number) => number[];
  readonly scale: "log" | "linear";
}

const withCurrent = (grid: number[], current: number): number[] =>
  [...new Set([...grid, current])].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);

const RULES_BY_FAMILY: Readonly<Record<string, KnobRule>> = {
  logistic_regression: { key: "C", direction: 1, scale: "log", grid: (c) => withCurrent(logspace(-3, 3, 7), c) },
  linear_svm: { key: "C", direction: 1, scale: "log", grid: (c) => withCurrent(logspace(-3, 3, 7), c) },
  naive_bayes: { key: "alpha", direction: -1, scale: "log", grid: (a) => withCurrent(logspace(-4, 1, 6), a) },
  sgd: { key: "alpha", direction: -1, scale: "log", grid: (a) => withCurrent(logspace(-7, -1, 7), a) },
  gaussian_nb: { key: "var_smoothing", direction: -1, scale: "log", grid: (v) => withCurrent(logspace(-11, -1, 6), v) },
};

const GENERIC_RULES: readonly KnobRule[] = [
  { key: "C", direction: 1, scale: "log", grid: (c) => withCurrent(logspace(-3, 3, 7), c) },
  { key: "max_depth", direction: 1, scale: "linear", grid: (d) => withCurrent([1, 2, 3, 4, 6, 8, 12, 16], d) },
  { key: "depth", direction: 1, scale: "linear", grid: (d) => withCurrent([1, 2, 3, 4, 6, 8, 12, 16], d) },
  { key: "hidden_units", direction: 1, scale: "log", grid: (h) => withCurrent([4, 8, 16, 32, 64, 128, 256], h) },
  {
    key: "l2_regularization",
    direction: -1,
    scale: "log",
    grid: (a) => withCurrent(logspace(-4, 2, 7), a),
  },
  { key: "alpha", direction: -1, scale: "log", grid: (a) => withCurrent(logspace(-6, 1, 8), a) },
];

/** The family's capacity knob with its grid (the spec's current value included), or null if it has none. */
export function capacityKnob(model: ModelSpec, grid?: readonly number[]): CapacityKnob | null {
  const params = model as unknown as Record<string, unknown>;
  const rule =
    RULES_BY_FAMILY[model.family] ?? GENERIC_RULES.find((r) => typeof params[r.key] === "number") ?? undefined;
  if (rule === undefined) return null;
  const current = params[rule.key];
  if (typeof current !== "number") return null;
  return {
    key: rule.key,
    direction: rule.direction,
    scale: rule.scale,
    current,
    grid: grid ? withCurrent([...grid], current) : rule.grid(current),
  };
}

/** "C = 10 (weaker regularisation)" style wording of a knob move. */
export function describeKnobMove(knob: Pick<CapacityKnob, "key" | "direction">, from: number, to: number): string {
  const more = (to - from) * knob.direction > 0;
  const what = knob.key === "C" || knob.key === "alpha" || knob.key.includes("regular") ? "regularisation" : "capacity";
  if (what === "regularisation") return more ? "weaker regularisation" : "stronger regularisation";
  return more ? "more capacity" : "less capacity";
}
