/**
 * A search space: named dimensions, each categorical, integer or float (optionally on a log
 * scale). Grid, random and model-based searchers all take the same `Space` and produce `Point`s, so
 * that a sweep can swap one searcher for another without touching what it evaluates.
 */
export type Dimension =
  | { readonly kind: "categorical"; readonly values: readonly unknown[] }
  | { readonly kind: "int"; readonly low: number; readonly high: number; readonly log?: boolean }
  | { readonly kind: "float"; readonly low: number; readonly high: number; readonly log?: boolean };

export type Space = Readonly<Record<string, Dimension>>;
export type Point = Readonly<Record<string, unknown>>;

/** A categorical dimension. */
export function choice(values: readonly unknown[]): Dimension {
  if (values.length === 0) throw new Error("choice() needs at least one value");
  return { kind: "categorical", values };
}

/** A float dimension on a log scale (regularisation strengths, learning rates). */
export function logUniform(low: number, high: number): Dimension {
  if (!(low > 0 && high >= low)) throw new Error(`logUniform(${low}, ${high}): need 0 < low <= high`);
  return { kind: "float", low, high, log: true };
}

/** Validate every dimension: bounds in order, log scales positive, categoricals non-empty. */
export function checkSpace(space: Space): void {
  for (const [name, d] of Object.entries(space)) {
    if (d.kind === "categorical") {
      if (d.values.length === 0) throw new Error(`search space: ${name} has no values`);
      continue;
    }
    if (!(d.low <= d.high)) throw new Error(`search space: ${name} has low ${d.low} above high ${d.high}`);
    if (d.log === true && !(d.low > 0)) throw new Error(`search space: ${name} is log-scaled but low is ${d.low}`);
    if (d.kind === "int" && !(Number.isInteger(d.low) && Number.isInteger(d.high))) {
      throw new Error(`search space: ${name} is an integer dimension with non-integer bounds`);
    }
  }
}

/** Map a unit-interval coordinate u ∈ [0, 1] to a value of the dimension. */
export function fromUnit(d: Dimension, u: number): unknown {
  if (d.kind === "categorical") return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))];
  const x =
    d.log === true
      ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low)))
      : d.low + u * (d.high - d.low);
  return d.kind === "int" ? Math.min(d.high, Math.max(d.low, Math.round(x))) : x;
}
