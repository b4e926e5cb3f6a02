/** Loads test/fixtures/models/gbdt-reference.json (written by test/reference/models_ref_gbdt.py). */
import { readFileSync } from "node:fs";
import { toCsr } from "./fixture.js";

export interface GbdtCase {
  name: string;
  y: "y2" | "y3";
  sampleWeight: boolean;
  /** The first round has exactly tied splits that sklearn breaks in the last bit (see the script). */
  ties: boolean;
  params: Record<string, unknown>;
  nIter: number;
  nLeaves: number[][];
  rawTrain: number[][];
  rawTest: number[][];
  predictTest: number[];
  accuracyTest: number;
}

export interface GbdtReference {
  provenance: string;
  X: number[][];
  Xtest: number[][];
  y2: number[];
  y3: number[];
  ytest2: number[];
  ytest3: number[];
  sampleWeight: number[];
  binThresholds: number[][];
  binThresholds16: number[][];
  cases: GbdtCase[];
}

export const gbdtRef = JSON.parse(
  readFileSync(new URL("../fixtures/models/gbdt-reference.json", import.meta.url), "utf8"),
) as GbdtReference;

export const gbdtX = toCsr(gbdtRef.X);
export const gbdtXtest = toCsr(gbdtRef.Xtest);
export const gbdtLabels = { y2: Int32Array.from(gbdtRef.y2), y3: Int32Array.from(gbdtRef.y3) };
export const gbdtTestLabels = { y2: Int32Array.from(gbdtRef.ytest2), y3: Int32Array.from(gbdtRef.ytest3) };
export const gbdtSampleWeight = Float64Array.from(gbdtRef.sampleWeight);
