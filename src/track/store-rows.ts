/**
 * What every Store backend shares: the validation of what callers write (with the messages the
 * contract suite expects) and the mapping from stored rows (snake_case, JSON as text) to the
 * records of store.ts. The SQLite and PostgreSQL stores keep the same columns, so one mapping serves both.
 */
import { StoreError } from "../errors.js";
import type { RunId } from "./run-id.js";
import {
  RUN_STATUSES,
  type ArtifactRecord,
  type DataInfo,
  type MetricRow,
  type PairResult,
  type PredictionRow,
  type Provenance,
  type RunRecord,
  type RunResult,
  type RunStatus,
  type RunSummary,
} from "./store.js";

export interface RunRow {
  id: string;
  experiment: string;
  parent_id: string | null;
  status: RunStatus;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  heartbeat_at: number | null;
  pid: number | null;
  host: string | null;
  name: string | null;
  spec_hash: string | null;
  error: string | null;
}

export interface FullRunRow extends RunRow {
  notes: string | null;
  spec_json: string | null;
  spec_patch_json: string | null;
  provenance_json: string | null;
  seeds_json: string;
  params_json: string;
  data_info_json: string | null;
  timings_json: string;
  extras_json: string;
}

export interface ArtifactDbRow {
  name: string;
  sha256: string;
  size: number;
  media_type: string;
  created_at: number;
}

export const SUMMARY_COLUMNS =
  "id, experiment, parent_id, status, created_at, started_at, ended_at, heartbeat_at, pid, host, name, spec_hash, error";

/** Prefix lookups list at most this many candidates in the ambiguity message. */
export const MAX_CANDIDATES = 10;

export function toJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StoreError(`${what} cannot be stored: it is not JSON-serialisable (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (json === undefined) throw new StoreError(`${what} cannot be stored: it is not JSON-serialisable`);
  return json;
}

export function parseJson<T>(json: string | null): T | null {
  return json === null ? null : (JSON.parse(json) as T);
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new StoreError(`${what} must be a non-empty string, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

export function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new StoreError(`${what} must be a string or null, got ${typeof value}`);
  return value;
}

export function checkTags(tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) {
    requireString(key, "a tag key");
    if (typeof value !== "string") throw new StoreError(`tag "${key}" must have a string value, got ${typeof value}`);
  }
}

export function checkNumberRecord(record: Readonly<Record<string, number>>, what: string): void {
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new StoreError(`${what}.${key} must be a finite number, got ${JSON.stringify(value) ?? String(value)}`);
    }
  }
}

export function checkStatus(status: unknown): RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) {
    throw new StoreError(`unknown run status ${JSON.stringify(status)}: allowed are ${RUN_STATUSES.join(", ")}`);
  }
  return status as RunStatus;
}

export function checkCount(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreError(`${what} must be an integer ≥ 0, got ${value}`);
  }
  return value;
}

export function toSummary(row: RunRow, tags: Readonly<Record<string, string>>): RunSummary {
  return {
    id: row.id as RunId,
    experiment: row.experiment,
    parentId: row.parent_id as RunId | null,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    heartbeatAt: row.heartbeat_at,
    pid: row.pid,
    host: row.host,
    name: row.name,
    specHash: row.spec_hash,
    error: row.error,
    tags,
  };
}

export function toRecord(row: FullRunRow, tags: Readonly<Record<string, string>>): RunRecord {
  return {
    ...toSummary(row, tags),
    notes: row.notes,
    specJson: row.spec_json,
    specPatch: parseJson<unknown>(row.spec_patch_json),
    provenance: parseJson<Provenance>(row.provenance_json),
    seeds: JSON.parse(row.seeds_json) as Record<string, number>,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    dataInfo: parseJson<DataInfo>(row.data_info_json),
    timings: JSON.parse(row.timings_json) as Record<string, number>,
    extras: JSON.parse(row.extras_json) as Record<string, unknown>,
  };
}

export function checkMetricRow(row: MetricRow, index: number): void {
  const where = `metric row ${index}`;
  const name = requireString(row.name, `${where}: name`);
  if (typeof row.value !== "number") {
    throw new StoreError(`${where} ("${name}"): value must be a number, got ${JSON.stringify(row.value)}`);
  }
  if (row.split !== undefined && row.split !== null) requireString(row.split, `${where} ("${name}"): split`);
  if (row.step !== undefined && !Number.isSafeInteger(row.step)) {
    throw new StoreError(`${where} ("${name}"): step must be an integer, got ${row.step}`);
  }
}

export function checkPredictionRow(row: PredictionRow, index: number): void {
  const where = `prediction row ${index}`;
  const id = requireString(row.exampleId, `${where}: exampleId`);
  const at = `${where} (example "${id}")`;
  requireString(row.split, `${at}: split`);
  optionalString(row.label, `${at}: label`);
  optionalString(row.decision, `${at}: decision`);
  if (row.score !== undefined && row.score !== null && (typeof row.score !== "number" || !Number.isFinite(row.score))) {
    throw new StoreError(`${at}: score must be a finite number or null, got ${String(row.score)}`);
  }
  if (row.scores !== undefined && row.scores !== null) {
    const values = Array.isArray(row.scores) ? (row.scores as number[]) : Object.values(row.scores);
    if (typeof row.scores !== "object" || values.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      throw new StoreError(`${at}: scores must be an array or object of finite numbers`);
    }
  }
  if (row.correct !== undefined && row.correct !== null && typeof row.correct !== "boolean") {
    throw new StoreError(`${at}: correct must be true, false or null, got ${JSON.stringify(row.correct)}`);
  }
}

export interface RunResultRow {
  run_id: string;
  kind: string;
  key: string;
  result_json: string;
  created_at: number;
}

export function toRunResult(row: RunResultRow): RunResult {
  return {
    runId: row.run_id as RunId,
    kind: row.kind,
    key: row.key,
    result: JSON.parse(row.result_json) as unknown,
    createdAt: row.created_at,
  };
}

export interface ExampleTagRow {
  experiment: string;
  example_id: string;
  tag: string;
  run_id: string | null;
  note: string | null;
  created_at: number;
}

/** A manual tag: 1–64 printable characters, no whitespace (so that `mlloop tag RUN EX a b` is unambiguous). */
export function checkExampleTag(tag: unknown): void {
  // eslint-disable-next-line no-control-regex
  if (typeof tag !== "string" || !/^[^\s\u0000-\u001f\u007f]{1,64}$/u.test(tag)) {
    throw new StoreError(
      `invalid tag ${JSON.stringify(tag) ?? String(tag)}: a tag is 1–64 characters without spaces or control characters`,
    );
  }
}

export interface PairResultRow {
  kind: string;
  key: string;
  run_a: string;
  run_b: string;
  result_json: string;
  created_at: number;
}

export function toPairResult(row: PairResultRow): PairResult {
  return {
    kind: row.kind,
    key: row.key,
    runA: row.run_a as RunId,
    runB: row.run_b as RunId,
    result: JSON.parse(row.result_json) as unknown,
    createdAt: row.created_at,
  };
}

export function toArtifactRecord(row: ArtifactDbRow): ArtifactRecord {
  return { name: row.name, sha256: row.sha256, size: row.size, mediaType: row.media_type, createdAt: row.created_at };
}
