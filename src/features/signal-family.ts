/**
 * The shape shared by the hand-engineered email families (routing, urls, spelling, html): a fixed
 * list of named signals computed per example into a small dense row, written out sparse (most
 * signals are zero on most messages).
 *
 * Signals come in three kinds. A flag is 0/1. A ratio is already in [0, 1]. A count is unbounded
 * (links, hops, images), so it is taken as ln(1 + n): one message with 400 links should not own
 * the weight vector. With `scale: "maxabs"` every column is then divided by its largest absolute
 * value on the training split (scikit-learn's MaxAbsScaler: keeps zeros zero, so rows stay
 * sparse), which puts these columns on the same [0, 1] footing as L2-normalised TF-IDF words.
 * That per-column scale is the only thing these families learn, and they learn it from train only.
 */
import { z } from "zod";
import type { Example } from "../data/example.js";
import { StoreError } from "../errors.js";
import type { CsrMatrix } from "./csr.js";
import { notFitted, type FeatureFamily } from "./family.js";
import { FloatBuffer, IntBuffer } from "./int-buffer.js";

export type SignalKind = "flag" | "ratio" | "count";

export interface Signal {
  /** Feature name without the family prefix ("ip_host"). */
  readonly name: string;
  readonly kind: SignalKind;
}

/** Fills `row` (zeroed, one slot per signal, in signal order) with the raw values for one example. */
export type SignalExtractor = (ex: Example, row: Float64Array) => void;

export const scaleSchema = z.enum(["maxabs", "none"]).default("maxabs");

const signalStateSchema = z.strictObject({
  signals: z.array(z.string().min(1)),
  scale: z.array(z.number().positive()),
});

export interface SignalState {
  /** Feature names without the prefix, in column order (checked on restore against the params). */
  readonly signals: string[];
  /** Divisor per column (1 when not scaling, or when the column was all zero in train). */
  readonly scale: number[];
}

export class SignalFamily implements FeatureFamily {
  private divisors: Float64Array | null = null;
  /**
   * Raw rows by example: the loop fits on train and then transforms every example, train included;
   * the signals of an example depend on it and the params only, so train rows are computed once.
   */
  private readonly memo = new WeakMap<Example, Float64Array>();

  constructor(
    readonly name: string,
    private readonly prefix: string,
    private readonly signals: readonly Signal[],
    private readonly extract: SignalExtractor,
    private readonly scaling: "maxabs" | "none",
  ) {}

  /** Raw values (counts already log-transformed), dense row-major, one row per example. */
  private values(examples: readonly Example[]): Float64Array {
    const k = this.signals.length;
    const out = new Float64Array(examples.length * k);
    const row = new Float64Array(k);
    const isCount = this.signals.map((s) => s.kind === "count");
    for (let i = 0; i < examples.length; i++) {
      const ex = examples[i]!;
      let values = this.memo.get(ex);
      if (values === undefined) {
        row.fill(0);
        this.extract(ex, row);
        values = new Float64Array(k);
        for (let j = 0; j < k; j++) {
          const v = row[j]!;
          values[j] = isCount[j] ? Math.log1p(Math.max(0, v)) : v;
        }
        this.memo.set(ex, values);
      }
      out.set(values, i * k);
    }
    return out;
  }

  fit(train: readonly Example[]): void {
    this.learn(this.values(train), train.length);
  }

  fitTransform(train: readonly Example[]): CsrMatrix {
    const values = this.values(train);
    this.learn(values, train.length);
    return this.toCsr(values, train.length);
  }

  transform(examples: readonly Example[]): CsrMatrix {
    if (!this.divisors) throw notFitted(this.name);
    return this.toCsr(this.values(examples), examples.length);
  }

  featureNames(): string[] {
    return this.signals.map((s) => `${this.prefix}:${s.name}`);
  }

  state(): SignalState {
    if (!this.divisors) throw notFitted(this.name);
    return { signals: this.signals.map((s) => s.name), scale: Array.from(this.divisors) };
  }

  /** Restore the scale saved by `state()`; the signal list must be the one these params produce. */
  restoreState(state: unknown): this {
    const parsed = signalStateSchema.safeParse(state);
    const bad = (detail: string): StoreError =>
      new StoreError(`saved ${this.prefix} features are not usable: ${detail}`);
    if (!parsed.success) throw bad(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const names = this.signals.map((s) => s.name);
    const { signals, scale } = parsed.data;
    if (signals.length !== names.length || signals.some((s, i) => s !== names[i])) {
      throw bad(`the saved signals (${signals.length}) are not the ones these parameters produce (${names.length})`);
    }
    if (scale.length !== names.length) throw bad(`${scale.length} scale values for ${names.length} signals`);
    this.divisors = Float64Array.from(scale);
    return this;
  }

  private learn(values: Float64Array, rows: number): void {
    const k = this.signals.length;
    const divisors = new Float64Array(k).fill(1);
    if (this.scaling === "maxabs") {
      for (let j = 0; j < k; j++) {
        let max = 0;
        for (let i = 0; i < rows; i++) max = Math.max(max, Math.abs(values[i * k + j]!));
        // A signal never seen in train keeps scale 1: it still shows up (unscaled) if dev has it.
        if (max > 0) divisors[j] = max;
      }
    }
    this.divisors = divisors;
  }

  private toCsr(values: Float64Array, rows: number): CsrMatrix {
    const k = this.signals.length;
    const divisors = this.divisors!;
    const indptr = new Int32Array(rows + 1);
    const indices = new IntBuffer(rows * 4 + 16);
    const data = new FloatBuffer(rows * 4 + 16);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < k; j++) {
        const v = values[i * k + j]!;
        if (v !== 0) {
          indices.push(j);
          data.push(v / divisors[j]!);
        }
      }
      indptr[i + 1] = indices.length;
    }
    return { rows, cols: k, indptr, indices: indices.toArray(), data: data.toArray() };
  }
}
