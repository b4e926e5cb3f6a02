/**
 * One wording for the instability findings every iterative learner reports in
 * TrainingReport.warnings, so that diagnostics can recognise them by kind whatever the family:
 *
 *   not converged  "did not converge in 200 epochs (…); raise max_iter …"
 *   non-finite     "loss became NaN at epoch 12; …" (or "gradient became Infinity …")
 *   diverging      "loss diverged: training loss rose for 5 consecutive epochs (…); …"
 *
 * One-vs-rest learners prefix a warning with "one-vs-rest problem for class k: ". The older
 * solver messages ("objective became NaN at iteration 3", "final objective is NaN") are recognised
 * as non-finite too.
 */
export type InstabilityKind = "not_converged" | "non_finite" | "diverging";

/** What one step of a learner is called in its messages. */
export type StepUnit = "iterations" | "epochs" | "rounds";

const SINGULAR: Record<StepUnit, string> = { iterations: "iteration", epochs: "epoch", rounds: "round" };

/** Consecutive rises of the training loss that count as divergence. */
export const DIVERGENCE_WINDOW = 5;

export function notConvergedWarning(count: number, unit: StepUnit, detail: string, advice: string): string {
  return `did not converge in ${count} ${unit} (${detail}); ${advice}`;
}

export function nonFiniteWarning(
  what: "loss" | "gradient",
  value: number,
  unit: StepUnit,
  step: number,
  consequence: string,
): string {
  return `${what} became ${value} at ${SINGULAR[unit]} ${step}; ${consequence}`;
}

function fmt(v: number): string {
  return v.toPrecision(4);
}

/**
 * A divergence warning for a training-loss curve (one value per step, `steps[t]` naming the step
 * of `losses[t]`), or null: the loss rose for `window` consecutive steps, or, over more than
 * `window` steps, ended above its first value. Rises smaller than 1e-9 relative are rounding.
 */
export function divergenceWarning(
  losses: ArrayLike<number>,
  steps: ArrayLike<number>,
  unit: StepUnit,
  advice: string,
  window = DIVERGENCE_WINDOW,
): string | null {
  const n = losses.length;
  if (n < 2) return null;
  const rises = (a: number, b: number): boolean => b - a > 1e-9 * Math.max(Math.abs(a), 1e-300);
  let run = 0;
  for (let t = 1; t < n; t++) {
    run = rises(losses[t - 1]!, losses[t]!) ? run + 1 : 0;
    if (run === window) {
      const from = t - window;
      return `loss diverged: training loss rose for ${window} consecutive ${unit} (${fmt(losses[from]!)} at ${SINGULAR[unit]} ${steps[from]} → ${fmt(losses[t]!)} at ${SINGULAR[unit]} ${steps[t]}); ${advice}`;
    }
  }
  // Ending above the start means something only after enough steps to settle (an SGD epoch's mean
  // loss can go up once or twice before it goes down).
  if (n > window && rises(losses[0]!, losses[n - 1]!)) {
    return `loss diverged: final training loss ${fmt(losses[n - 1]!)} (${SINGULAR[unit]} ${steps[n - 1]}) is above its initial value ${fmt(losses[0]!)} (${SINGULAR[unit]} ${steps[0]}); ${advice}`;
  }
  return null;
}

const ONE_VS_REST = /^one-vs-rest problem for class \d+: /;

/** The kind of an instability warning, or null for other warnings (calibration notes, …). */
export function instabilityKind(warning: string): InstabilityKind | null {
  const w = warning.replace(ONE_VS_REST, "");
  if (w.startsWith("did not converge in ")) return "not_converged";
  if (w.startsWith("loss diverged: ")) return "diverging";
  if (
    /^(loss|objective|gradient) became (NaN|-?Infinity)\b/.test(w) ||
    /^(final objective|training log loss) is (NaN|-?Infinity)\b/.test(w) ||
    w.startsWith("objective or gradient is not finite")
  ) {
    return "non_finite";
  }
  return null;
}
