/**
 * The categorical family: one-hot columns over the categories seen in training (at least min_count
 * times), sorted by code point like scikit-learn's OneHotEncoder. Every column also gets
 * "<col>=__other__" (rare in train, or never seen) and "<col>=__missing__" (null), so that the
 * feature names do not depend on which values happen to occur and a new value at prediction time
 * lands somewhere meaningful instead of nowhere.
 */
import { z } from "zod";
import type { Example } from "../data/example.js";
import { DataError, StoreError } from "../errors.js";
import { categoricalParamsSchema, type CategoricalParams } from "../spec/schema.js";
import { compareCodePoints } from "../util/codepoint-order.js";
import type { CsrMatrix } from "./csr.js";
import { categoricalField } from "./example-fields.js";
import { notFitted, type FeatureFamily, type FeatureFamilyDefinition } from "./family.js";
import { IntBuffer } from "./int-buffer.js";

const PREFIX = "cat";
const SPEC_KEY = "features.categorical";
export const OTHER = "__other__";
export const MISSING = "__missing__";

export interface CategoricalState {
  readonly columns: Array<{ readonly name: string; readonly categories: string[] }>;
}

const categoricalStateSchema = z.strictObject({
  columns: z.array(z.strictObject({ name: z.string().min(1), categories: z.array(z.string()) })).min(1),
});

function readCategory(ex: Example, column: string): string | null {
  const v = categoricalField(ex, column, `${SPEC_KEY}.columns`);
  if (v === OTHER || v === MISSING) {
    throw new DataError(
      `${SPEC_KEY}: example "${ex.id}" has the reserved value "${v}" in categorical column "${column}" ` +
        `(${OTHER} and ${MISSING} name the rare/unseen and missing columns)`,
      { where: ex.id },
    );
  }
  return v;
}

interface Column {
  readonly name: string;
  readonly categories: string[];
  /** category → column offset within this column's block */
  readonly offsetOf: Map<string, number>;
}

function makeColumn(name: string, categories: string[]): Column {
  return { name, categories, offsetOf: new Map(categories.map((c, i) => [c, i])) };
}

export class CategoricalFamily implements FeatureFamily {
  readonly name = "categorical";
  private columns: Column[] | null = null;

  constructor(readonly params: CategoricalParams) {}

  fit(train: readonly Example[]): void {
    if (train.length === 0) throw new DataError(`${SPEC_KEY}: there are no training examples to fit on`);
    this.columns = this.params.columns.map((name) => {
      const counts = new Map<string, number>();
      for (const ex of train) {
        const v = readCategory(ex, name);
        if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const kept = [...counts].filter(([, n]) => n >= this.params.min_count).map(([c]) => c);
      return makeColumn(name, kept.sort(compareCodePoints));
    });
  }

  transform(examples: readonly Example[]): CsrMatrix {
    const columns = this.columns;
    if (!columns) throw notFitted(this.name);
    const indptr = new Int32Array(examples.length + 1);
    const indices = new IntBuffer(examples.length * columns.length);
    examples.forEach((ex, r) => {
      let base = 0;
      for (const c of columns) {
        const v = readCategory(ex, c.name);
        const k = c.categories.length;
        indices.push(base + (v === null ? k + 1 : (c.offsetOf.get(v) ?? k)));
        base += k + 2;
      }
      indptr[r + 1] = indices.length;
    });
    const nnz = indices.length;
    return {
      rows: examples.length,
      cols: columns.reduce((s, c) => s + c.categories.length + 2, 0),
      indptr,
      indices: indices.toArray(),
      data: new Float64Array(nnz).fill(1),
    };
  }

  featureNames(): string[] {
    if (!this.columns) throw notFitted(this.name);
    return this.columns.flatMap((c) => [...c.categories, OTHER, MISSING].map((v) => `${PREFIX}:${c.name}=${v}`));
  }

  state(): CategoricalState {
    if (!this.columns) throw notFitted(this.name);
    return { columns: this.columns.map((c) => ({ name: c.name, categories: [...c.categories] })) };
  }

  static fromState(params: CategoricalParams, state: unknown): CategoricalFamily {
    const parsed = categoricalStateSchema.safeParse(state);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new StoreError(`saved ${PREFIX} features are not usable: ${detail}`);
    }
    const names = parsed.data.columns.map((c) => c.name);
    if (names.join(",") !== params.columns.join(",")) {
      throw new StoreError(
        `saved ${PREFIX} features are not usable: columns ${names.join(", ")} differ from the spec's ${params.columns.join(", ")}`,
      );
    }
    const family = new CategoricalFamily(params);
    family.columns = parsed.data.columns.map((c) => makeColumn(c.name, c.categories));
    return family;
  }
}

export const categoricalFamily: FeatureFamilyDefinition<CategoricalParams> = {
  name: "categorical",
  prefix: PREFIX,
  paramsSchema: categoricalParamsSchema,
  create: (params) => new CategoricalFamily(params),
  restore: (params, state) => CategoricalFamily.fromState(params, state),
};
