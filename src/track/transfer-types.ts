/**
 * Moving runs between stores and removing them: what export/import (src/track/bundle-*.ts) and
 * retention (src/track/retention.ts) ask of a backend, beyond the Store contract. The rows are
 * the stored columns as they are (times, pids, hosts, JSON text), so a run moved from one store
 * to another reads back identically — `show --json` equal — whatever the two backends are.
 */
import type { RunId } from "./run-id.js";
import type { ArtifactDbRow, FullRunRow, PairResultRow, RunResultRow } from "./store-rows.js";

/** A metric value in JSON: NaN and ±Infinity have no JSON number form, so they travel as text. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

export interface MetricData {
  name: string;
  split: string;
  step: number;
  value: JsonNumber;
  logged_at: number;
}

export interface PredictionData {
  split: string;
  example_id: string;
  label: string | null;
  score: number | null;
  scores_json: string | null;
  decision: string | null;
  correct: boolean | null;
}

/** Everything one run owns in a store (model registry rows are the registry's, not the run's). */
export interface RunData {
  run: FullRunRow;
  tags: Array<[string, string]>;
  metrics: MetricData[];
  predictions: PredictionData[];
  artifacts: ArtifactDbRow[];
  runResults: RunResultRow[];
  /** Pair results whose run A is this run (each pair result travels once, with its run A). */
  pairResults: PairResultRow[];
}

export type ImportOutcome =
  { readonly kind: "added" } | { readonly kind: "present" } | { readonly kind: "conflict"; readonly reason: string };

export interface RunTransferStore {
  /** The folder holding `artifacts/ab/cdef…`, or null when the store has none configured. */
  readonly artifactsRoot: string | null;
  exportRunData(id: RunId): Promise<RunData>;
  /**
   * Adds a run with its id and every stored column as given, in one transaction. A run already
   * there with the same row is "present" (nothing written); with a different row, a "conflict".
   * The artifact files must be in place first (the caller writes them).
   */
  importRunData(data: RunData): Promise<ImportOutcome>;
  /** Adds pair results whose two runs exist (others and ones already there are skipped); returns how many were added. */
  importPairResults(rows: readonly PairResultRow[]): Promise<number>;
  /** Deletes runs and everything they own, in one transaction. */
  deleteRunData(ids: readonly RunId[]): Promise<void>;
  /** Every artifact hash some run still refers to. */
  referencedArtifactHashes(): Promise<Set<string>>;
  /** Model versions that name any of the runs (a registered run is not deleted silently). */
  modelVersionsOf(ids: readonly RunId[]): Promise<Array<{ name: string; version: number; runId: RunId }>>;
}

export function isTransferStore(store: object): store is RunTransferStore {
  return typeof (store as Partial<RunTransferStore>).exportRunData === "function";
}

export function toJsonNumber(value: number): JsonNumber {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return value;
}

export function fromJsonNumber(value: JsonNumber): number {
  return typeof value === "number" ? value : Number(value);
}

/** The run row compared column by column (key order does not matter). */
export function sameRunRow(a: FullRunRow, b: FullRunRow): string | null {
  for (const key of Object.keys(a) as Array<keyof FullRunRow>) {
    if ((a[key] ?? null) !== (b[key] ?? null)) return `column ${key} differs`;
  }
  return null;
}
