/** Random search (Bergstra & Bengio, 2012): independent seeded draws from each dimension. */
import { createRng } from "../util/random.js";
import { checkSpace, fromUnit, type Point, type Space } from "./space.js";

export function randomPoints(space: Space, count: number, seed: number): Point[] {
  checkSpace(space);
  const rng = createRng(seed);
  const out: Point[] = [];
  for (let i = 0; i < count; i++) {
    const p: Record<string, unknown> = {};
    for (const [name, d] of Object.entries(space)) p[name] = fromUnit(d, rng.next());
    out.push(p);
  }
  return out;
}

/** `count` distinct items drawn without replacement (fewer when there are fewer items). */
export function sampleWithoutReplacement<T>(items: readonly T[], count: number, seed: number): T[] {
  const rng = createRng(seed);
  const copy = items.slice();
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}
