/**
 * `model.label_issues: drop` — cleanlab's CleanLearning around any family. The family is fitted on
 * 5 stratified folds of the training rows; the rows whose out-of-fold probabilities confidently point
 * to another class (confident learning: util/label-issues.ts) are left out, and the final model is
 * fitted on the rest. Predictions are the final model's. Only training rows are used; dev and test
 * are never touched, so a run with and without it stays comparable example by example.
 *
 * A class keeps at least 2 rows: issues that would take it below are kept. With fewer than 2 rows
 * in a class no folds can be made, and every row is used (with a warning).
 */
import { ModelError } from "../errors.js";
import { csrSelectRows, type CsrMatrix } from "../features/csr.js";
import type { ModelSpec } from "../spec/models.js";
import { findLabelIssues } from "../util/label-issues.js";
import { stratifiedKFold } from "../util/stratified-kfold.js";
import type { CreateBase, LoadBase } from "./calibrated.js";
import type { Estimator, FitData, SerializedModel, TrainingReport } from "./estimator.js";

const CLEANING_FOLDS = 5;

/** Out-of-fold class probabilities of the family on k stratified folds. */
function outOfFold(data: FitData, k: number, fit: (seedOffset: number) => Estimator): Float64Array {
  const { X, y, nClasses: K } = data;
  const folds = stratifiedKFold(y, k);
  const oof = new Float64Array(X.rows * K);
  for (let f = 0; f < k; f++) {
    const trainRows: number[] = [];
    const heldRows: number[] = [];
    for (let i = 0; i < X.rows; i++) (folds[i] === f ? heldRows : trainRows).push(i);
    const model = fit(f);
    model.fit({
      X: csrSelectRows(X, trainRows),
      y: Int32Array.from(trainRows, (i) => y[i]!),
      nClasses: K,
      sampleWeight: data.sampleWeight ? Float64Array.from(trainRows, (i) => data.sampleWeight![i]!) : undefined,
    });
    const p = model.predictProba(csrSelectRows(X, heldRows));
    heldRows.forEach((row, t) => oof.set(p.subarray(t * K, (t + 1) * K), row * K));
  }
  return oof;
}

/** The issues to drop: confident-learning issues, keeping at least 2 rows of every class. */
function rowsToDrop(y: Int32Array, oof: Float64Array, K: number): Set<number> {
  const left = new Int32Array(K);
  for (const v of y) left[v]!++;
  const drop = new Set<number>();
  for (const issue of findLabelIssues(y, oof, K).issues) {
    if (left[issue.given]! <= 2) continue;
    left[issue.given]!--;
    drop.add(issue.index);
  }
  return drop;
}

export class LabelCleaningClassifier implements Estimator {
  readonly family: string;
  nClasses = 0;
  nFeatures = -1;
  /** How many training rows the last fit left out (kept when the model is reloaded). */
  dropped = 0;
  /** Which rows of the last fit's training data were left out (not serialized). */
  droppedRows: Int32Array = new Int32Array(0);
  private final: Estimator | null = null;

  constructor(
    readonly params: ModelSpec & { label_issues: "drop" },
    private readonly seed: number,
    private readonly createBase: CreateBase,
  ) {
    this.family = params.family;
  }

  /** The family's own spec (calibration included), without the label_issues key. */
  private baseSpec(): ModelSpec {
    const { label_issues: _drop, ...base } = this.params;
    void _drop;
    return base as ModelSpec;
  }

  private restoredBase(b: SerializedModel): Estimator {
    const m = this.createBase(this.baseSpec(), 0);
    m.restore(b);
    return m;
  }

  /** The model fitted on the kept rows (for explanations: its weights are the ones used). */
  get fitted(): Estimator | null {
    return this.final;
  }

  fit(data: FitData): TrainingReport {
    const { X, y, nClasses: K } = data;
    const counts = new Int32Array(K);
    for (const v of y) counts[v]!++;
    const smallest = Math.min(...Array.from(counts).filter((c) => c > 0));
    const warnings: string[] = [];
    let keep: number[] = Array.from({ length: X.rows }, (_, i) => i);
    if (smallest < 2) {
      warnings.push(`label_issues: drop used every row: a class has ${smallest} training row, too few for folds`);
      this.dropped = 0;
      this.droppedRows = new Int32Array(0);
    } else {
      const k = Math.min(CLEANING_FOLDS, smallest);
      const oof = outOfFold(data, k, (f) => this.createBase(this.baseSpec(), this.seed + 1 + f));
      const drop = rowsToDrop(y, oof, K);
      keep = keep.filter((i) => !drop.has(i));
      this.dropped = drop.size;
      this.droppedRows = Int32Array.from([...drop].sort((a, b) => a - b));
      warnings.push(
        `label_issues: drop left out ${drop.size} of ${X.rows} training rows as likely label errors (confident learning on ${k}-fold out-of-fold probabilities)`,
      );
    }
    const final = this.createBase(this.baseSpec(), this.seed);
    const report = final.fit({
      X: csrSelectRows(X, keep),
      y: Int32Array.from(keep, (i) => y[i]!),
      nClasses: K,
      sampleWeight: data.sampleWeight ? Float64Array.from(keep, (i) => data.sampleWeight![i]!) : undefined,
      dev: data.dev,
    });
    this.final = final;
    this.nClasses = K;
    this.nFeatures = X.cols;
    return { ...report, warnings: [...warnings, ...report.warnings] };
  }

  predictProba(X: CsrMatrix): Float64Array {
    if (this.final === null) throw new ModelError(`${this.family} with label_issues: predict before fit`);
    return this.final.predictProba(X);
  }

  serialize(): SerializedModel {
    if (this.final === null) throw new ModelError(`${this.family} with label_issues: serialize before fit`);
    return {
      family: this.family,
      params: { ...this.params },
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      state: { cleaned: JSON.stringify(this.final.serialize()), dropped: this.dropped },
    };
  }

  /** `loadBase` rebuilds the final model (default: a fresh model of the base spec, restored). */
  restore(s: SerializedModel, loadBase: LoadBase = (b) => this.restoredBase(b)): void {
    const text = s.state["cleaned"];
    if (typeof text !== "string") throw new ModelError(`cannot load ${s.family} model: label_issues state missing`);
    this.final = loadBase(JSON.parse(text) as SerializedModel);
    this.dropped = typeof s.state["dropped"] === "number" ? s.state["dropped"] : 0;
    this.nClasses = s.nClasses;
    this.nFeatures = s.nFeatures;
  }
}
