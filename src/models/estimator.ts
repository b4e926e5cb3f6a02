/**
 * The one interface every model family implements (scikit-learn's consistency principle):
 * hyperparameters are a plain validated object given at construction, `fit` learns from a CSR
 * matrix and integer class labels, `predictProba` returns class probabilities, and the learned
 * state is plain typed arrays that serialize as they are.
 */
import type { CsrMatrix } from "../features/csr.js";

export interface FitData {
  readonly X: CsrMatrix;
  /** Class index per row, 0 .. nClasses-1. */
  readonly y: Int32Array;
  readonly nClasses: number;
  readonly sampleWeight?: Float64Array;
  /** Optional held-out data for learners that track a dev loss or stop early on it. */
  readonly dev?: { readonly X: CsrMatrix; readonly y: Int32Array };
  /**
   * Called with each curve point as an iterative learner records it (logistic regression, SGD,
   * MLP); a throw stops the fit and propagates (a sweep's pruner). Learners without iterations
   * never call it.
   */
  readonly onIteration?: (point: CurvePoint) => void;
}

export interface CurvePoint {
  readonly step: number;
  /** The training objective at this step (what the solver minimises; comparable to finalLoss). */
  readonly loss: number;
  /** Mean unregularised training loss (e.g. log loss) at this step: comparable to devLoss. */
  readonly trainLoss?: number;
  readonly devLoss?: number;
}

/** What an iterative learner reports about its optimisation; becomes findings in diagnostics. */
export interface TrainingReport {
  readonly iterations: number;
  readonly converged: boolean;
  /** Final value of the training objective (regularised loss as the solver minimises it). */
  readonly finalLoss: number;
  readonly curve: readonly CurvePoint[];
  /** e.g. "did not converge in 100 iterations (gradient norm 3.2e-3 > tol 1e-4)", "loss became NaN". */
  readonly warnings: readonly string[];
}

/** Serialized model: JSON-safe; typed arrays are stored as plain number arrays. */
export interface SerializedModel {
  readonly family: string;
  readonly params: Record<string, unknown>;
  readonly nClasses: number;
  readonly nFeatures: number;
  readonly state: Record<string, number[] | number | string | null>;
}

export interface Estimator {
  readonly family: string;
  fit(data: FitData): TrainingReport;
  /** Row-major n × nClasses class probabilities. */
  predictProba(X: CsrMatrix): Float64Array;
  serialize(): SerializedModel;
  /**
   * Loads the learned state of `serialize()` output (after a JSON round trip) into this unfitted
   * estimator, made with the same params; throws ModelError when the state is malformed.
   */
  restore(s: SerializedModel): void;
}
