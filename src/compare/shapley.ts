/**
 * The attribution engine: Shapley values of the players of an "ablation game" (players = the
 * changes from run A to run B; v(S) = the metric of the run with only the changes in S applied, so
 * v(∅) is A and v(N) is B), their pairwise interaction indices, the greedy ablation path, and
 * bootstrap intervals for all of them. It is pure: it reads a value table, or per-example kernels
 * for each evaluated coalition, and never trains anything.
 *
 * - Exact Shapley: φ_i = Σ_{S ⊆ N∖{i}} |S|!(k−|S|−1)!/k! · [v(S ∪ {i}) − v(S)]; efficiency
 *   Σ φ_i = v(N) − v(∅) holds exactly.
 * - Sampled: the mean marginal contribution over a seeded set of permutations (each drawn with its
 *   reverse, antithetic sampling); efficiency still holds exactly, since every permutation's
 *   marginal contributions sum to v(N) − v(∅).
 * - Interaction (Grabisch's Shapley interaction index): I_ij = Σ_{S ⊆ N∖{i,j}} |S|!(k−|S|−2)!/(k−1)!
 *   · [v(S ∪ {i,j}) − v(S ∪ {i}) − v(S ∪ {j}) + v(S)]; positive = the two changes help more
 *   together than apart (complements), negative = they overlap (substitutes).
 * - Greedy ablation path (Fawcett & Hoos 2016): from A, apply at each step the remaining change
 *   that moves the metric most in the better direction.
 * - Intervals: each bootstrap iteration resamples the shared examples once, recomputes every
 *   coalition's metric on that resample, then the Shapley values and interactions from those.
 */
import { createRng, shuffleInPlace } from "../util/random.js";
import { bootstrapPValue, jointBootstrap, percentileInterval } from "./bootstrap.js";
import type { Kernel } from "./kernels.js";

export type ValueFn = (mask: number) => number;

/** Exact evaluation needs every one of the 2^k coalitions; beyond this many players, sample. */
export const MAX_EXACT_PLAYERS = 6;

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}

function factorials(k: number): Float64Array {
  const f = new Float64Array(k + 1);
  f[0] = 1;
  for (let i = 1; i <= k; i++) f[i] = f[i - 1]! * i;
  return f;
}

function checkPlayers(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > 30) throw new RangeError(`the number of players must be 1..30, got ${k}`);
}

/** Exact Shapley values from all 2^k coalition values. */
export function shapleyExact(k: number, value: ValueFn): Float64Array {
  checkPlayers(k);
  const f = factorials(k);
  const phi = new Float64Array(k);
  const full = (1 << k) - 1;
  for (let s = 0; s <= full; s++) {
    const size = popcount(s);
    if (size === k) continue;
    const weight = (f[size]! * f[k - size - 1]!) / f[k]!;
    const vs = value(s);
    for (let i = 0; i < k; i++) {
      const bit = 1 << i;
      if ((s & bit) === 0) phi[i]! += weight * (value(s | bit) - vs);
    }
  }
  return phi;
}

/** Shapley interaction index of every pair (symmetric k × k, row-major; the diagonal is 0). */
export function interactionIndices(k: number, value: ValueFn): Float64Array {
  checkPlayers(k);
  const out = new Float64Array(k * k);
  if (k < 2) return out;
  const f = factorials(k);
  const full = (1 << k) - 1;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const bi = 1 << i;
      const bj = 1 << j;
      let sum = 0;
      for (let s = 0; s <= full; s++) {
        if ((s & bi) !== 0 || (s & bj) !== 0) continue;
        const size = popcount(s);
        const weight = (f[size]! * f[k - size - 2]!) / f[k - 1]!;
        sum += weight * (value(s | bi | bj) - value(s | bi) - value(s | bj) + value(s));
      }
      out[i * k + j] = sum;
      out[j * k + i] = sum;
    }
  }
  return out;
}

/** `count` seeded permutations of 0..k−1: each drawn one followed by its reverse (count rounded up to even). */
export function samplePermutations(k: number, count: number, seed: number): number[][] {
  checkPlayers(k);
  const rng = createRng(seed);
  const perms: number[][] = [];
  while (perms.length < count) {
    const p = Array.from({ length: k }, (_, i) => i);
    shuffleInPlace(p, rng);
    perms.push(p, [...p].reverse());
  }
  return perms;
}

/** The coalitions (prefix sets) a set of permutations evaluates, ∅ and N included. */
export function permutationCoalitions(k: number, perms: readonly (readonly number[])[]): number[] {
  const masks = new Set<number>([0, (1 << k) - 1]);
  for (const p of perms) {
    let mask = 0;
    for (const i of p) masks.add((mask |= 1 << i));
  }
  return [...masks].sort((a, b) => a - b);
}

/** Shapley values estimated as the mean marginal contribution over the given permutations. */
export function shapleyFromPermutations(
  k: number,
  perms: readonly (readonly number[])[],
  value: ValueFn,
): Float64Array {
  checkPlayers(k);
  const phi = new Float64Array(k);
  for (const p of perms) {
    let mask = 0;
    let prev = value(0);
    for (const i of p) {
      mask |= 1 << i;
      const v = value(mask);
      phi[i]! += v - prev;
      prev = v;
    }
  }
  for (let i = 0; i < k; i++) phi[i]! /= perms.length;
  return phi;
}

export interface PathStep {
  /** Index of the player applied at this step. */
  readonly player: number;
  /** The coalition after this step. */
  readonly mask: number;
  readonly value: number;
  /** value − the previous step's value. */
  readonly gain: number;
}

/** The coalitions the next greedy step compares: the current one plus each remaining player. */
export function greedyCandidates(k: number, current: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) if ((current & (1 << i)) === 0) out.push(current | (1 << i));
  return out;
}

/** One greedy step: the remaining player whose addition gives the best value (ties: lowest index). */
export function greedyStep(k: number, current: number, value: ValueFn, higherIsBetter: boolean): PathStep {
  const before = value(current);
  let best: PathStep | null = null;
  for (let i = 0; i < k; i++) {
    const bit = 1 << i;
    if ((current & bit) !== 0) continue;
    const v = value(current | bit);
    const better = best === null || (higherIsBetter ? v > best.value : v < best.value);
    if (better) best = { player: i, mask: current | bit, value: v, gain: v - before };
  }
  if (best === null) throw new RangeError("greedyStep: every player is already applied");
  return best;
}

/** The greedy ablation path from ∅ (run A) to N (run B): k steps. */
export function greedyAblationPath(k: number, value: ValueFn, higherIsBetter: boolean): PathStep[] {
  const steps: PathStep[] = [];
  let mask = 0;
  for (let s = 0; s < k; s++) {
    const step = greedyStep(k, mask, value, higherIsBetter);
    steps.push(step);
    mask = step.mask;
  }
  return steps;
}

// ── attribution with intervals ────────────────────────────────────────────────────────────────

export type AttributionMode =
  { readonly kind: "exact" } | { readonly kind: "sampled"; readonly permutations: readonly (readonly number[])[] };

export interface AttributionInput {
  readonly players: readonly string[];
  /** Number of shared examples the kernels read. */
  readonly n: number;
  /** A kernel per evaluated coalition (bitmask over `players`); ∅ and N are required. */
  readonly kernels: ReadonlyMap<number, Kernel>;
  readonly mode: AttributionMode;
  readonly higherIsBetter: boolean;
  readonly resamples: number;
  readonly seed: number;
  readonly ci: number;
}

export interface Estimate {
  readonly value: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}

export interface PlayerAttribution extends Estimate {
  readonly player: string;
  /** value / total delta (NaN when the total is 0). */
  readonly share: number;
  /** The interval covers 0: this change's contribution is not distinguishable from noise. */
  readonly coversZero: boolean;
  readonly pValue: number;
}

export interface InteractionEstimate extends Estimate {
  readonly a: string;
  readonly b: string;
}

export interface AttributionResult {
  readonly players: readonly PlayerAttribution[];
  /** v(N) − v(∅): B's metric minus A's on the shared examples. */
  readonly total: Estimate;
  /** Σ φ − total on the full data (0 up to rounding: efficiency). */
  readonly efficiencyGap: number;
  readonly coalitions: ReadonlyArray<{
    readonly mask: number;
    readonly players: readonly string[];
    readonly value: number;
  }>;
  /** Exact mode only. */
  readonly interactions: readonly InteractionEstimate[];
  /** Exact mode, or when every candidate coalition of each step was evaluated. */
  readonly path: ReadonlyArray<PathStep & { readonly playerName: string }>;
  readonly mode: "exact" | "sampled";
  readonly permutations: number;
  readonly n: number;
  readonly resamples: number;
  readonly seed: number;
  readonly ci: number;
}

/** The whole attribution from per-coalition kernels: point estimates on all examples, bootstrap intervals. */
export function attributeFromKernels(input: AttributionInput): AttributionResult {
  const k = input.players.length;
  checkPlayers(k);
  const full = (1 << k) - 1;
  const masks = [...input.kernels.keys()].sort((a, b) => a - b);
  for (const required of input.mode.kind === "exact"
    ? Array.from({ length: full + 1 }, (_, m) => m)
    : permutationCoalitions(k, input.mode.permutations)) {
    if (!input.kernels.has(required)) {
      throw new RangeError(
        `attribution: coalition ${required} (${namesOf(input.players, required).join(" + ") || "none"}) has no evaluated run`,
      );
    }
  }
  const slot = new Map<number, number>();
  masks.forEach((m, idx) => slot.set(m, idx));
  const kernels = masks.map((m) => input.kernels.get(m)!);
  const values = new Float64Array(masks.length);
  const value: ValueFn = (mask) => values[slot.get(mask)!]!;
  const evaluate = (w: Float64Array): void => {
    for (let j = 0; j < kernels.length; j++) values[j] = kernels[j]!(w);
  };
  const shapley = (): Float64Array =>
    input.mode.kind === "exact" ? shapleyExact(k, value) : shapleyFromPermutations(k, input.mode.permutations, value);
  const exact = input.mode.kind === "exact";

  evaluate(new Float64Array(input.n).fill(1));
  const phi = shapley();
  const totalValue = value(full) - value(0);
  const interactions = exact && k >= 2 ? interactionIndices(k, value) : new Float64Array(0);
  const coalitions = masks.map((m) => ({ mask: m, players: namesOf(input.players, m), value: value(m) }));
  const path = greedyPathIfEvaluated(k, input.kernels, value, input.higherIsBetter);

  const R = input.resamples;
  const phiDraws = Array.from({ length: k }, () => new Float64Array(R));
  const totalDraws = new Float64Array(R);
  const pairCount = exact ? (k * (k - 1)) / 2 : 0;
  const pairDraws = Array.from({ length: pairCount }, () => new Float64Array(R));
  jointBootstrap(input.n, R, input.seed, (w, r) => {
    evaluate(w);
    const p = shapley();
    for (let i = 0; i < k; i++) phiDraws[i]![r] = p[i]!;
    totalDraws[r] = value(full) - value(0);
    if (pairCount > 0) {
      const inter = interactionIndices(k, value);
      let q = 0;
      for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pairDraws[q++]![r] = inter[i * k + j]!;
    }
  });

  const players = input.players.map((name, i): PlayerAttribution => {
    const iv = percentileInterval(phiDraws[i]!, input.ci);
    return {
      player: name,
      value: phi[i]!,
      ciLow: iv.low,
      ciHigh: iv.high,
      share: totalValue === 0 ? NaN : phi[i]! / totalValue,
      coversZero: !(iv.low > 0 || iv.high < 0),
      pValue: bootstrapPValue(phiDraws[i]!),
    };
  });
  const totalIv = percentileInterval(totalDraws, input.ci);
  const interactionList: InteractionEstimate[] = [];
  let q = 0;
  for (let i = 0; i < k && pairCount > 0; i++) {
    for (let j = i + 1; j < k; j++) {
      const iv = percentileInterval(pairDraws[q++]!, input.ci);
      interactionList.push({
        a: input.players[i]!,
        b: input.players[j]!,
        value: interactions[i * k + j]!,
        ciLow: iv.low,
        ciHigh: iv.high,
      });
    }
  }
  const phiSum = phi.reduce((a, b) => a + b, 0);
  return {
    players,
    total: { value: totalValue, ciLow: totalIv.low, ciHigh: totalIv.high },
    efficiencyGap: phiSum - totalValue,
    coalitions,
    interactions: interactionList,
    path: path.map((s) => ({ ...s, playerName: input.players[s.player]! })),
    mode: input.mode.kind,
    permutations: input.mode.kind === "sampled" ? input.mode.permutations.length : 0,
    n: input.n,
    resamples: R,
    seed: input.seed,
    ci: input.ci,
  };
}

function namesOf(players: readonly string[], mask: number): string[] {
  return players.filter((_, i) => (mask & (1 << i)) !== 0);
}

function greedyPathIfEvaluated(
  k: number,
  kernels: ReadonlyMap<number, Kernel>,
  value: ValueFn,
  higherIsBetter: boolean,
): PathStep[] {
  const steps: PathStep[] = [];
  let mask = 0;
  for (let s = 0; s < k; s++) {
    if (!greedyCandidates(k, mask).every((m) => kernels.has(m))) return [];
    const step = greedyStep(k, mask, value, higherIsBetter);
    steps.push(step);
    mask = step.mask;
  }
  return steps;
}
