/**
 * The model registry on PostgreSQL (the Store's "Model registry" section), the twin of
 * sqlite-registry.ts: plain functions over one connection, called by PostgresStore inside its
 * write transactions. A promotion first takes a transaction-scoped advisory lock on the model's
 * name, so concurrent promotes of one name (any processes) are serialized exactly as SQLite's
 * single write lock serializes them: version numbers without gaps or duplicates, and each event's
 * `previous` is what the alias held just before it.
 */
import type pg from "pg";
import type { RunId } from "./run-id.js";
import type {
  ModelAlias,
  ModelPromotion,
  ModelVersion,
  PromoteModelInput,
  PromotionMetrics,
  RegisteredModel,
} from "./store.js";

type Queryable = Pick<pg.PoolClient, "query">;

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
  new_version: boolean;
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
  newVersion: r.new_version,
  previousVersion: r.previous_version,
  previousRunId: r.previous_run_id as RunId | null,
  promotedAt: r.promoted_at,
  promotedBy: r.promoted_by,
  metrics: JSON.parse(r.metrics_json) as PromotionMetrics,
  note: r.note,
});

const ALIAS_SELECT = `SELECT a.name, a.alias, a.version, v.run_id, a.updated_at, a.updated_by FROM model_aliases a
  JOIN model_versions v ON v.name = a.name AND v.version = a.version`;

/** The promotion itself; call inside a write transaction, after checking the run exists. */
export async function promoteInTransaction(
  client: Queryable,
  input: PromoteModelInput,
  metricsJson: string,
  requestId: string,
): Promise<ModelPromotion> {
  // 1836016741 = 0x6d6f6465 ("mode"): the registry's lock space, keyed by the name's hash.
  await client.query("SELECT pg_advisory_xact_lock(1836016741, hashtext($1))", [input.name]);
  const now = Date.now();
  let row = (
    await client.query<VersionRow>("SELECT * FROM model_versions WHERE name = $1 AND run_id = $2", [
      input.name,
      input.runId,
    ])
  ).rows[0];
  let newVersion = false;
  if (row === undefined) {
    const max = (
      await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM model_versions WHERE name = $1", [
        input.name,
      ])
    ).rows[0]!.v;
    row = {
      name: input.name,
      version: (max ?? 0) + 1,
      run_id: input.runId,
      created_at: now,
      created_by: input.promotedBy,
    };
    await client.query(
      "INSERT INTO model_versions (name, version, run_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
      [row.name, row.version, row.run_id, row.created_at, row.created_by],
    );
    newVersion = true;
  }
  const previous = (
    await client.query<{ version: number; run_id: string }>(
      `SELECT a.version AS version, v.run_id AS run_id FROM model_aliases a
       JOIN model_versions v ON v.name = a.name AND v.version = a.version
       WHERE a.name = $1 AND a.alias = $2`,
      [input.name, input.alias],
    )
  ).rows[0];
  await client.query(
    `INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by`,
    [input.name, input.alias, row.version, now, input.promotedBy],
  );
  const inserted = await client.query<PromotionRow>(
    `INSERT INTO model_promotions (name, alias, version, run_id, new_version, previous_version, previous_run_id,
       promoted_at, promoted_by, metrics_json, note, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING *`,
    [
      input.name,
      input.alias,
      row.version,
      input.runId,
      newVersion,
      previous?.version ?? null,
      previous?.run_id ?? null,
      now,
      input.promotedBy,
      metricsJson,
      input.note ?? null,
      requestId,
    ],
  );
  return toPromotion(inserted.rows[0]!);
}

/** The promotion a request made, when an earlier attempt of it committed (see promoteModel). */
export async function promotionOfRequest(client: Queryable, requestId: string): Promise<ModelPromotion | null> {
  const row = (await client.query<PromotionRow>("SELECT * FROM model_promotions WHERE request_id = $1", [requestId]))
    .rows[0];
  return row === undefined ? null : toPromotion(row);
}

export async function getModelAlias(client: Queryable, name: string, alias: string): Promise<ModelAlias | null> {
  const row = (await client.query<AliasRow>(`${ALIAS_SELECT} WHERE a.name = $1 AND a.alias = $2`, [name, alias]))
    .rows[0];
  return row === undefined ? null : toAlias(row);
}

export async function getModelVersion(client: Queryable, name: string, version: number): Promise<ModelVersion | null> {
  const row = (
    await client.query<VersionRow>("SELECT * FROM model_versions WHERE name = $1 AND version = $2", [name, version])
  ).rows[0];
  return row === undefined ? null : toVersion(row);
}

export async function listModelVersions(client: Queryable, name: string): Promise<ModelVersion[]> {
  return (
    await client.query<VersionRow>("SELECT * FROM model_versions WHERE name = $1 ORDER BY version", [name])
  ).rows.map(toVersion);
}

export async function modelHistory(client: Queryable, name: string): Promise<ModelPromotion[]> {
  return (
    await client.query<PromotionRow>("SELECT * FROM model_promotions WHERE name = $1 ORDER BY seq", [name])
  ).rows.map(toPromotion);
}

export async function listModels(client: Queryable): Promise<RegisteredModel[]> {
  const heads = (
    await client.query<{ name: string; created_at: number; versions: number; latest: number }>(
      `SELECT name, MIN(created_at) AS created_at, COUNT(*)::int AS versions, MAX(version) AS latest
       FROM model_versions GROUP BY name ORDER BY name`,
    )
  ).rows;
  const aliases = (await client.query<AliasRow>(`${ALIAS_SELECT} ORDER BY a.name, a.alias`)).rows.map(toAlias);
  const out: RegisteredModel[] = [];
  for (const h of heads) {
    out.push({
      name: h.name,
      createdAt: h.created_at,
      versions: h.versions,
      latest: (await getModelVersion(client, h.name, h.latest))!,
      aliases: aliases.filter((a) => a.name === h.name),
    });
  }
  return out;
}
