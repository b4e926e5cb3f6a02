/**
 * The numeric family: each column standardised with the training mean and standard deviation
 * (scikit-learn's StandardScaler: population std, near-constant columns get scale 1), missing values
 * (null) filled with the training mean, median or zero and flagged in a "<col>:missing" indicator
 * column — or rejected with missing: "error". NaN and ±Infinity are never silently accepted: a
 * missing value is written as null.
 *
 * Mean and scale are computed from the observed training values only (StandardScaler ignores NaN
 * the same way), so with missing: "mean" a filled value standardises to exactly 0.
 */
import { z } from "zod";
import type { Example } from "../data/example.js";
import { DataError, StoreError } from "../errors.js";
import { numericParamsSchema, type NumericParams } from "../spec/schema.js";
import type { CsrMatrix } from "./csr.js";
import { numericField } from "./example-fields.js";
import { notFitted, type FeatureFamily, type FeatureFamilyDefinition } from "./family.js";
import { FloatBuffer, IntBuffer } from "./int-buffer.js";

const PREFIX = "num";
const SPEC_KEY = "features.numeric";

export interface NumericColumnState {
  readonly name: string;
  /** subtracted before scaling (train mean; 0 without standardize) */
  readonly center: number;
  /** divided by after centering (train std, 1 for a constant column or without standardize) */
  readonly scale: number;
  /** raw value that replaces a missing one (null with missing: "error") */
  readonly fill: number | null;
}

export interface NumericState {
  readonly columns: NumericColumnState[];
}

const numericStateSchema = z.strictObject({
  columns: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        center: z.number(),
        scale: z.number().positive(),
        fill: z.number().nullable(),
      }),
    )
    .min(1),
});

/** The value of `column` for `ex`: a finite number or null; NaN/±Infinity → DataError. */
function readValue(ex: Example, column: string, policy: NumericParams["missing"]): number | null {
  const v = numericField(ex, column, `${SPEC_KEY}.columns`);
  if (v === null) {
    if (policy === "error") {
      throw new DataError(
        `${SPEC_KEY}: example "${ex.id}" has a missing value in numeric column "${column}" and ` +
          `features.numeric.missing is "error" (use mean, median or zero to fill it)`,
        { where: ex.id },
      );
    }
    return null;
  }
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new DataError(
      `${SPEC_KEY}: example "${ex.id}" has ${String(v)} in numeric column "${column}"; numeric values must be ` +
        `finite numbers (write a missing value as null)`,
      { where: ex.id },
    );
  }
  return v;
}

/** Median as numpy computes it: the mean of the two middle values for an even count. */
function median(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Mean and scale as StandardScaler computes them: the corrected two-pass variance of Chan, Golub &
 * LeVeque, and scale 1 where the variance is indistinguishable from rounding error.
 */
export function standardScalerStats(values: Float64Array): { mean: number; scale: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let correction = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    correction += d;
    sq += d * d;
  }
  const variance = (sq - (correction * correction) / n) / n;
  const eps = 2.220446049250313e-16;
  const constant = variance <= n * eps * variance + (n * mean * eps) ** 2;
  return { mean, scale: constant ? 1 : Math.sqrt(variance) };
}

export class NumericFamily implements FeatureFamily {
  readonly name = "numeric";
  private columns: NumericColumnState[] | null = null;

  constructor(readonly params: NumericParams) {}

  fit(train: readonly Example[]): void {
    const { columns, missing, standardize } = this.params;
    if (train.length === 0) throw new DataError(`${SPEC_KEY}: there are no training examples to fit on`);
    this.columns = columns.map((name) => {
      const observed = new FloatBuffer(train.length);
      for (const ex of train) {
        const v = readValue(ex, name, missing);
        if (v !== null) observed.push(v);
      }
      const values = observed.toArray();
      if (values.length === 0) {
        throw new DataError(
          `${SPEC_KEY}: numeric column "${name}" has no value in any of the ${train.length} training examples`,
        );
      }
      const { mean, scale } = standardScalerStats(values);
      const fill =
        missing === "mean" ? mean : missing === "median" ? median(values.sort()) : missing === "zero" ? 0 : null;
      return { name, center: standardize ? mean : 0, scale: standardize ? scale : 1, fill };
    });
  }

  transform(examples: readonly Example[]): CsrMatrix {
    const columns = this.columns;
    if (!columns) throw notFitted(this.name);
    const policy = this.params.missing;
    const width = policy === "error" ? 1 : 2;
    const indptr = new Int32Array(examples.length + 1);
    const indices = new IntBuffer(examples.length * columns.length);
    const data = new FloatBuffer(examples.length * columns.length);
    examples.forEach((ex, r) => {
      columns.forEach((c, j) => {
        const raw = readValue(ex, c.name, policy);
        const x = ((raw ?? c.fill!) - c.center) / c.scale;
        if (x !== 0) {
          indices.push(j * width);
          data.push(x);
        }
        if (raw === null) {
          indices.push(j * width + 1);
          data.push(1);
        }
      });
      indptr[r + 1] = indices.length;
    });
    return {
      rows: examples.length,
      cols: columns.length * width,
      indptr,
      indices: indices.toArray(),
      data: data.toArray(),
    };
  }

  featureNames(): string[] {
    if (!this.columns) throw notFitted(this.name);
    const indicator = this.params.missing !== "error";
    return this.columns.flatMap((c) =>
      indicator ? [`${PREFIX}:${c.name}`, `${PREFIX}:${c.name}:missing`] : [`${PREFIX}:${c.name}`],
    );
  }

  state(): NumericState {
    if (!this.columns) throw notFitted(this.name);
    return { columns: this.columns.map((c) => ({ ...c })) };
  }

  static fromState(params: NumericParams, state: unknown): NumericFamily {
    const parsed = numericStateSchema.safeParse(state);
    const problem = !parsed.success
      ? parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      : parsed.data.columns.map((c) => c.name).join(",") !== params.columns.join(",")
        ? `columns ${parsed.data.columns.map((c) => c.name).join(", ")} differ from the spec's ${params.columns.join(", ")}`
        : parsed.data.columns.some((c) => (c.fill === null) !== (params.missing === "error"))
          ? `fill values do not match missing: "${params.missing}"`
          : null;
    if (problem !== null || !parsed.success) {
      throw new StoreError(`saved ${PREFIX} features are not usable: ${problem}`);
    }
    const family = new NumericFamily(params);
    family.columns = parsed.data.columns;
    return family;
  }
}

export const numericFamily: FeatureFamilyDefinition<NumericParams> = {
  name: "numeric",
  prefix: PREFIX,
  paramsSchema: numericParamsSchema,
  create: (params) => new NumericFamily(params),
  restore: (params, state) => NumericFamily.fromState(params, state),
};
