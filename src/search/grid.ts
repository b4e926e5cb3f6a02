/**
 * Grid search: every combination of each dimension's values. Continuous dimensions get a short
 * grid of `steps` points (geometric on log scales), so a knob like C is searched 0.01, 0.1, 1, 10,
 * 100 rather than jumped to one end of its range.
 */
import { checkSpace, type Dimension, type Point, type Space } from "./space.js";

/** `count` points from lo to hi, evenly spaced in log space (both ends included). */
export function logGrid(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [Math.sqrt(lo * hi)];
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  // round to 12 significant digits so that 10^k comes out as 10, 100, … (stable spec hashes)
  return Array.from({ length: count }, (_, i) => Number((10 ** (a + ((b - a) * i) / (count - 1))).toPrecision(12)));
}

export function dimensionGrid(d: Dimension, steps: number): unknown[] {
  if (d.kind === "categorical") return [...d.values];
  if (d.log === true) {
    const pts = logGrid(d.low, d.high, steps);
    return d.kind === "int" ? [...new Set(pts.map((v) => Math.round(v)))] : pts;
  }
  const pts = Array.from({ length: steps }, (_, i) => d.low + (steps === 1 ? 0.5 : i / (steps - 1)) * (d.high - d.low));
  return d.kind === "int" ? [...new Set(pts.map((v) => Math.round(v)))] : pts;
}

/** The full grid, in a fixed order (first dimension varies slowest). */
export function gridPoints(space: Space, steps = 5): Point[] {
  checkSpace(space);
  let points: Array<Record<string, unknown>> = [{}];
  for (const [name, d] of Object.entries(space)) {
    const values = dimensionGrid(d, steps);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}
