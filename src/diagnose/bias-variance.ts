/**
 * Bias / variance against the baseline (human-level or target) error, after Machine Learning
 * Yearning ch. 20–32 and 36–44:
 *
 *   avoidable bias = E_train − E*            variance      = E_traindev − E_train (E_dev − E_train without train-dev)
 *   data mismatch  = E_dev − E_traindev      dev overfitting = E_test − E_dev
 *
 * A gap is material only when it exceeds both an absolute floor (default 0.5 point) and `z`
 * standard errors (SE(p) = sqrt(p(1−p)/n) per set, combined in quadrature for a difference). Of the
 * material gaps, those that carry at least `minShare` of the avoidable error (the sum of the three
 * positive gaps) are the problems to act on, largest first. When the room left (E_dev − E*) is
 * within the floor or under `littleRoomShare` of the dev error, the verdict is "little room for
 * improvement" (MLY ch. 22: E* 14%, train 15%, dev 16%).
 */

export interface ErrorAt {
  readonly error: number;
  readonly n: number;
}

export interface BiasVarianceInput {
  /** E*: the spec's baseline (human-level / target) error; 0 when unknown. */
  readonly baseline: number;
  readonly train: ErrorAt;
  /** A held-out slice of the training distribution (optional). */
  readonly trainDev?: ErrorAt | null;
  readonly dev: ErrorAt;
  readonly test?: ErrorAt | null;
}

export interface BiasVarianceOptions {
  /** Absolute floor δ (default 0.005 = half a point). */
  readonly floor?: number;
  /** Standard errors a gap must exceed (default 2). */
  readonly z?: number;
  /** Share of the avoidable error a material gap needs to count as a problem (default 0.25). */
  readonly minShare?: number;
  /** Room (E_dev − E*) below this share of E_dev → little room for improvement (default 0.2). */
  readonly littleRoomShare?: number;
}

export type GapName = "avoidable_bias" | "variance" | "data_mismatch" | "dev_overfitting";

export interface Gap {
  readonly name: GapName;
  readonly value: number;
  readonly se: number;
  readonly material: boolean;
  /** Share of the avoidable error (bias + variance + mismatch); null for dev overfitting. */
  readonly share: number | null;
}

export type VerdictKind =
  "high_avoidable_bias" | "high_variance" | "data_mismatch" | "little_room" | "no_material_gap" | "dev_overfitting";

export interface BiasVarianceResult {
  readonly input: BiasVarianceInput;
  readonly gaps: readonly Gap[];
  /** The problems to act on, largest gap first (may be several: "high avoidable bias + data mismatch"). */
  readonly problems: readonly Exclude<VerdictKind, "little_room" | "no_material_gap" | "dev_overfitting">[];
  /** The headline: the problems joined, or little_room / no_material_gap. */
  readonly verdict: readonly VerdictKind[];
  readonly devOverfit: boolean;
  readonly room: number;
  /** One sentence per finding, in the order of the verdict. */
  readonly notes: readonly string[];
}

const se = (e: ErrorAt): number => (e.n > 0 ? Math.sqrt((Math.max(e.error, 0) * (1 - Math.min(e.error, 1))) / e.n) : 0);

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const pts = (x: number): string => `${(x * 100).toFixed(1)} pt`;

export const VERDICT_LABEL: Readonly<Record<VerdictKind, string>> = {
  high_avoidable_bias: "high avoidable bias",
  high_variance: "high variance",
  data_mismatch: "data mismatch",
  little_room: "little room for improvement",
  no_material_gap: "no material gap",
  dev_overfitting: "dev set overfit",
};

/** The gaps between the error levels, each with its standard error, materiality and share of the avoidable error. */
function measureGaps(
  input: BiasVarianceInput,
  floor: number,
  z: number,
  notes: string[],
): { gaps: Gap[]; devOverfit: boolean } {
  const { baseline, train, dev } = input;
  const trainDev = input.trainDev ?? null;
  const rawBias = train.error - baseline;
  // MLY footnote: training error below the optimal rate means memorising the training set → variance
  const bias = Math.max(rawBias, 0);
  if (rawBias < -floor) {
    notes.push(
      `training error ${pct(train.error)} is below the baseline ${pct(baseline)}: the model memorises the training set (treated as variance)`,
    );
  }
  const variance = (trainDev ?? dev).error - train.error;
  const varianceSe = Math.sqrt(se(train) ** 2 + se(trainDev ?? dev) ** 2);
  const mismatch = trainDev ? dev.error - trainDev.error : 0;
  const mismatchSe = trainDev ? Math.sqrt(se(dev) ** 2 + se(trainDev) ** 2) : 0;
  const material = (v: number, s: number): boolean => v > floor && v > z * s;
  const positive = Math.max(bias, 0) + Math.max(variance, 0) + Math.max(mismatch, 0);
  const share = (v: number): number => (positive > 0 ? Math.max(v, 0) / positive : 0);

  const gaps: Gap[] = [
    { name: "avoidable_bias", value: bias, se: se(train), material: material(bias, se(train)), share: share(bias) },
    {
      name: "variance",
      value: variance,
      se: varianceSe,
      material: material(variance, varianceSe),
      share: share(variance),
    },
  ];
  if (trainDev) {
    gaps.push({
      name: "data_mismatch",
      value: mismatch,
      se: mismatchSe,
      material: material(mismatch, mismatchSe),
      share: share(mismatch),
    });
  }
  let devOverfit = false;
  if (input.test) {
    const v = input.test.error - dev.error;
    const s = Math.sqrt(se(input.test) ** 2 + se(dev) ** 2);
    devOverfit = material(v, s);
    gaps.push({ name: "dev_overfitting", value: v, se: s, material: devOverfit, share: null });
  }
  return { gaps, devOverfit };
}

export function biasVariance(input: BiasVarianceInput, options: BiasVarianceOptions = {}): BiasVarianceResult {
  const floor = options.floor ?? 0.005;
  const z = options.z ?? 2;
  const minShare = options.minShare ?? 0.25;
  const littleRoomShare = options.littleRoomShare ?? 0.2;
  const { baseline, dev } = input;
  const notes: string[] = [];
  const { gaps, devOverfit } = measureGaps(input, floor, z, notes);

  const kindOf: Record<string, BiasVarianceResult["problems"][number]> = {
    avoidable_bias: "high_avoidable_bias",
    variance: "high_variance",
    data_mismatch: "data_mismatch",
  };
  const problems = gaps
    .filter((g) => g.name !== "dev_overfitting" && g.material && (g.share ?? 0) >= minShare)
    .sort((a, b) => b.value - a.value)
    .map((g) => kindOf[g.name]!);

  const room = dev.error - baseline;
  const littleRoom = room <= floor || room < littleRoomShare * dev.error;
  let verdict: VerdictKind[];
  if (littleRoom) {
    verdict = ["little_room"];
    notes.unshift(
      `dev error ${pct(dev.error)} is within ${pts(room)} of the baseline ${pct(baseline)}: little room for improvement`,
    );
  } else if (problems.length === 0) {
    verdict = ["no_material_gap"];
    notes.unshift(`no gap exceeds both ${pts(floor)} and ${z} standard errors`);
  } else {
    verdict = [...problems];
    for (const p of problems) {
      const g = gaps.find((x) => kindOf[x.name] === p)!;
      notes.push(
        `${VERDICT_LABEL[p]}: ${pts(g.value)} (± ${pts(g.se)} SE, ${Math.round((g.share ?? 0) * 100)}% of the avoidable error)`,
      );
    }
  }
  if (devOverfit) {
    verdict.push("dev_overfitting");
    const g = gaps.find((x) => x.name === "dev_overfitting")!;
    notes.push(`test error exceeds dev error by ${pts(g.value)}: the dev set is overfit — use a bigger dev set`);
  }
  return { input, gaps, problems, verdict, devOverfit, room, notes };
}

export function verdictText(r: BiasVarianceResult): string {
  return r.verdict.map((v) => VERDICT_LABEL[v]).join(" + ");
}
