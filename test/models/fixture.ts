/** Loads test/fixtures/models/reference.json (written by test/reference/models_ref.py). */
import { readFileSync } from "node:fs";
import { csrFromDense, type CsrMatrix } from "../../src/features/csr.js";

export interface LrCase {
  name: string;
  y: "y2" | "y3";
  sampleWeight: boolean;
  params: {
    C?: number;
    penalty?: "l1" | "elasticnet";
    l1_ratio?: number;
    class_weight?: "balanced" | Record<string, number>;
    multi_class?: "multinomial" | "ovr";
    fit_intercept?: boolean;
  };
  coef: number[][];
  intercept: number[];
  probaTest: number[][];
  refGradMax: number;
}

export interface NbCase {
  name: string;
  variant: "multinomial" | "bernoulli" | "complement";
  y: "y2" | "y3";
  sampleWeight: boolean;
  params: { alpha?: number; fit_prior?: boolean; binarize?: number; norm?: boolean };
  featureLogProb: number[][];
  classLogPrior: number[];
  logProbaTest: number[][];
  probaTest: number[][];
}

export interface SvmCase {
  name: string;
  y: "y2" | "y3";
  sampleWeight: boolean;
  params: {
    C?: number;
    loss?: "hinge" | "squared_hinge";
    class_weight?: "balanced" | Record<string, number>;
    intercept_scaling?: number;
    fit_intercept?: boolean;
  };
  coef: number[][];
  intercept: number[];
  decisionTest: number[][];
}

export interface SgdExactCase {
  name: string;
  y: "y2" | "y3";
  sampleWeight: boolean;
  params: Record<string, unknown>;
  coef: number[][];
  intercept: number[];
  nIter: number;
}

export interface SgdBehaviourCase {
  name: string;
  params: Record<string, unknown>;
  meanAccuracy: number;
  meanEpochs: number;
  meanLogLoss: number | null;
  meanCoef: number[][];
}

export interface Reference {
  provenance: string;
  X: number[][];
  Xtest: number[][];
  y2: number[];
  y3: number[];
  sampleWeight: number[];
  logisticRegression: LrCase[];
  naiveBayes: NbCase[];
  linearSvm: SvmCase[];
  platt: { decision: number[]; y: "y2"; cases: { name: string; sampleWeight: boolean; A: number; B: number }[] };
  sgdExact: SgdExactCase[];
  sgdBehaviour: { X: number[][]; y: number[]; Xtest: number[][]; ytest: number[]; cases: SgdBehaviourCase[] };
}

export const ref = JSON.parse(
  readFileSync(new URL("../fixtures/models/reference.json", import.meta.url), "utf8"),
) as Reference;

export function toCsr(rows: number[][]): CsrMatrix {
  return csrFromDense(rows.flat(), rows.length, rows[0]!.length);
}

export const X = toCsr(ref.X);
export const Xtest = toCsr(ref.Xtest);
export const labels = { y2: Int32Array.from(ref.y2), y3: Int32Array.from(ref.y3) };
export const sampleWeight = Float64Array.from(ref.sampleWeight);

/** Largest |a - b| / max(|b|, floor) over two equally long arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return worst;
}
