/** What every recommendation rule reads and returns: the run's spec and the typed findings → candidate changes. */
import type { CandidateChange } from "../../diagnose/diagnostic.js";
import type { Findings } from "../../diagnose/registry.js";
import type { Spec } from "../../spec/schema.js";

export interface RuleInput {
  readonly spec: Spec;
  readonly findings: Findings;
}

export type Rule = (input: RuleInput) => CandidateChange[];

export const pts = (x: number): string => `${(x * 100).toFixed(2)} pt`;
export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** The verdict's problems, as a set. */
export function problemsOf(findings: Findings): ReadonlySet<string> {
  return new Set(findings.biasVariance.problems);
}

/** A gap's value (0 when absent). */
export function gapOf(findings: Findings, name: string): number {
  return findings.biasVariance.gaps.find((g) => g.name === name)?.value ?? 0;
}

/** The model's hyperparameters as a plain record (each family has its own keys). */
export function modelParams(spec: Spec): Record<string, unknown> {
  return spec.model as unknown as Record<string, unknown>;
}
