/**
 * The model registry on SQLite (the Store's "Model registry" section): plain functions over one
 * connection, called by SqliteStore inside its write transactions (BEGIN IMMEDIATE), so that
 * registering a version, moving an alias and appending the history event are one atomic write.
 */
import type Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import type { RunId } from "./run-id.js";
import {
  modelNameProblem,
  type ModelAlias,
  type ModelPromotion,
  type ModelVersion,
  type PromoteModelInput,
  type PromotionMetrics,
  type RegisteredModel,
} from "./store.js";

type Db = Database.Database;

interface VersionRow {
  name: string;
  version: number;
  run_id: string;
  created_at: number;
  created_by: string;
}
interface AliasRow {
  name: string;
  alias: string;
  version: number;
  run_id: string;
  updated_at: number;
  updated_by: string;
}
interface PromotionRow {
  seq: number;
  name: string;
  alias: string;
  version: number;
  run_id: string;
  new_version: number;
  previous_version: number | null;
  previous_run_id: string | null;
  promoted_at: number;
  promoted_by: string;
  metrics_json: string;
  note: string | null;
}

const toVersion = (r: VersionRow): ModelVersion => ({
  name: r.name,
  version: r.version,
  runId: r.run_id as RunId,
  createdAt: r.created_at,
  createdBy: r.created_by,
});
const toAlias = (r: AliasRow): ModelAlias => ({
  name: r.name,
  alias: r.alias,
  version: r.version,
  runId: r.run_id as RunId,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});
const toPromotion = (r: PromotionRow): ModelPromotion => ({
  seq: r.seq,
  name: r.name,
  alias: r.alias,
  version: r.version,
  runId: r.run_id as RunId,
  newVersion: r.new_version === 1,
  previousVersion: r.previous_version,
  previousRunId: r.previous_run_id as RunId | null,
  promotedAt: r.promoted_at,
  promotedBy: r.promoted_by,
  metrics: JSON.parse(r.metrics_json) as PromotionMetrics,
  note: r.note,
});

export function checkModelName(what: "name" | "alias", value: unknown): void {
  const problem = modelNameProblem(what, value);
  if (problem !== null) throw new StoreError(problem);
}

function checkMetrics(metrics: unknown): string {
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    throw new StoreError("promotion metrics must be an object of splits, each an object of metric name → number");
  }
  for (const [split, byName] of Object.entries(metrics)) {
    if (byName === null || typeof byName !== "object" || Array.isArray(byName)) {
      throw new StoreError(`promotion metrics.${split} must be an object of metric name → number`);
    }
    for (const [name, v] of Object.entries(byName as Record<string, unknown>)) {
      if (typeof v !== "number") throw new StoreError(`promotion metrics.${split}.${name} must be a number`);
    }
  }
  // NaN has no JSON form: kept as null, read back as null (a metric that was not a number then)
  return JSON.stringify(metrics);
}

/** Validates a promotion before the write transaction (cheap checks first, no lock held). */
export function checkPromotion(input: PromoteModelInput): string {
  checkModelName("name", input.name);
  checkModelName("alias", input.alias);
  if (typeof input.promotedBy !== "string" || input.promotedBy === "") {
    throw new StoreError("a promotion needs who promoted (promotedBy)");
  }
  return checkMetrics(input.metrics);
}

/** The promotion itself; call inside a write transaction, after checking the run exists. */
export function promoteInTransaction(db: Db, input: PromoteModelInput, metricsJson: string): ModelPromotion {
  const now = Date.now();
  let row = db.prepare("SELECT * FROM model_versions WHERE name = ? AND run_id = ?").get(input.name, input.runId) as
    VersionRow | undefined;
  let newVersion = false;
  if (row === undefined) {
    const next =
      (
        db.prepare("SELECT MAX(version) AS v FROM model_versions WHERE name = ?").get(input.name) as {
          v: number | null;
        }
      ).v ?? 0;
    row = { name: input.name, version: next + 1, run_id: input.runId, created_at: now, created_by: input.promotedBy };
    db.prepare("INSERT INTO model_versions (name, version, run_id, created_at, created_by) VALUES (?, ?, ?, ?, ?)").run(
      row.name,
      row.version,
      row.run_id,
      row.created_at,
      row.created_by,
    );
    newVersion = true;
  }
  const previous = db
    .prepare(
      `SELECT a.version AS version, v.run_id AS run_id FROM model_aliases a
       JOIN model_versions v ON v.name = a.name AND v.version = a.version
       WHERE a.name = ? AND a.alias = ?`,
    )
    .get(input.name, input.alias) as { version: number; run_id: string } | undefined;
  db.prepare(
    `INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by`,
  ).run(input.name, input.alias, row.version, now, input.promotedBy);
  const seq = db
    .prepare(
      `INSERT INTO model_promotions (name, alias, version, run_id, new_version, previous_version, previous_run_id,
         promoted_at, promoted_by, metrics_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      input.name,
      input.alias,
      row.version,
      input.runId,
      newVersion ? 1 : 0,
      previous?.version ?? null,
      previous?.run_id ?? null,
      now,
      input.promotedBy,
      metricsJson,
      input.note ?? null,
    ).lastInsertRowid;
  return toPromotion(db.prepare("SELECT * FROM model_promotions WHERE seq = ?").get(seq) as PromotionRow);
}

export function getModelAlias(db: Db, name: string, alias: string): ModelAlias | null {
  const row = db
    .prepare(
      `SELECT a.name, a.alias, a.version, v.run_id, a.updated_at, a.updated_by FROM model_aliases a
       JOIN model_versions v ON v.name = a.name AND v.version = a.version WHERE a.name = ? AND a.alias = ?`,
    )
    .get(name, alias) as AliasRow | undefined;
  return row === undefined ? null : toAlias(row);
}

export function getModelVersion(db: Db, name: string, version: number): ModelVersion | null {
  const row = db.prepare("SELECT * FROM model_versions WHERE name = ? AND version = ?").get(name, version) as
    VersionRow | undefined;
  return row === undefined ? null : toVersion(row);
}

export function listModelVersions(db: Db, name: string): ModelVersion[] {
  return (db.prepare("SELECT * FROM model_versions WHERE name = ? ORDER BY version").all(name) as VersionRow[]).map(
    toVersion,
  );
}

export function modelHistory(db: Db, name: string): ModelPromotion[] {
  return (db.prepare("SELECT * FROM model_promotions WHERE name = ? ORDER BY seq").all(name) as PromotionRow[]).map(
    toPromotion,
  );
}

export function listModels(db: Db): RegisteredModel[] {
  const heads = db
    .prepare(
      `SELECT name, MIN(created_at) AS created_at, COUNT(*) AS versions, MAX(version) AS latest
       FROM model_versions GROUP BY name ORDER BY name`,
    )
    .all() as Array<{ name: string; created_at: number; versions: number; latest: number }>;
  const aliases = (
    db
      .prepare(
        `SELECT a.name, a.alias, a.version, v.run_id, a.updated_at, a.updated_by FROM model_aliases a
         JOIN model_versions v ON v.name = a.name AND v.version = a.version ORDER BY a.name, a.alias`,
      )
      .all() as AliasRow[]
  ).map(toAlias);
  return heads.map((h) => ({
    name: h.name,
    createdAt: h.created_at,
    versions: h.versions,
    latest: getModelVersion(db, h.name, h.latest)!,
    aliases: aliases.filter((a) => a.name === h.name),
  }));
}
