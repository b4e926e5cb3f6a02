/**
 * Samplers behind one call: the point of trial `n` given the trials so far. Each is seeded by
 * (seed, n), so a sweep that resumes or runs on several machines proposes the same points for the
 * same history.
 */
import { deriveSeed, createRng } from "../util/random.js";
import { gridPoints } from "./grid.js";
import type { Point, Space } from "./space.js";
import { randomValue, tpeSuggest, type TpeObservation, type TpeOptions } from "./tpe.js";

export type SamplerName = "tpe" | "random" | "grid";
export const SAMPLER_NAMES: readonly SamplerName[] = ["tpe", "random", "grid"];

export interface SamplerConfig {
  readonly name: SamplerName;
  readonly seed: number;
  /** Points per continuous dimension of a grid (default 5). */
  readonly gridSteps?: number;
  readonly tpe?: TpeOptions;
}

/** How many trials a grid has (null for samplers without an end). */
export function samplerSize(space: Space, config: SamplerConfig): number | null {
  return config.name === "grid" ? gridPoints(space, config.gridSteps ?? 5).length : null;
}

export function suggestPoint(
  space: Space,
  config: SamplerConfig,
  trial: number,
  history: readonly TpeObservation[],
): Point {
  // Two steps: deriveSeed(seed, label) XORs the seed and the label's first character alike, so
  // deriveSeed(0, 1) = deriveSeed(1, 0) and sweeps with seeds 0 and 1 would share their points.
  const seed = deriveSeed(deriveSeed(config.seed, "sampler"), `trial ${trial}`);
  if (config.name === "grid") {
    const pts = gridPoints(space, config.gridSteps ?? 5);
    return pts[trial % pts.length]!;
  }
  if (config.name === "random") {
    const rng = createRng(seed);
    return Object.fromEntries(Object.entries(space).map(([k, d]) => [k, randomValue(d, rng)]));
  }
  return tpeSuggest(space, history, seed, config.tpe);
}
