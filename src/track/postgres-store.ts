/**
 * The team store: PostgreSQL (through `pg`) behind the Store contract of store.ts, with the
 * content-addressed artifacts in a shared directory (see artifacts-location.ts).
 *
 * - Every write is one transaction on a pooled connection (read committed). A write that loses its
 *   connection or meets a serialization failure is retried whole: PostgreSQL rolled the broken
 *   transaction back, and every write is idempotent when replayed (upserts; a run's id is chosen
 *   before the first attempt; ending a run accepts its own earlier, unacknowledged commit), so a
 *   write is never half-done and never doubled. Retries stop after `maxRetryMs` with a StoreError.
 * - The pool is small (4 connections by default) and is ended by `close()`; idle connections are
 *   closed after 10 s, so many processes logging to one server hold few connections.
 * - Migrations run under an advisory lock (postgres-migrations.ts).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { StoreError } from "../errors.js";
import { checkArtifactName, readArtifactFile, writeArtifactFile } from "./artifact-files.js";
import { crashReason, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_STALE_AFTER_MS, thisHost } from "./liveness.js";
import { redactUrl } from "./redact-url.js";
import { asRunId, newRunId, normaliseRunIdPrefix, RUN_ID_LENGTH, type RunId } from "./run-id.js";
import { POSTGRES_HEARTBEAT_SQL, postgresHeartbeats } from "./postgres-heartbeat.js";
import type { HeartbeatThread } from "./heartbeat-thread.js";
import { MIGRATION_LOCK_KEY, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from "./postgres-migrations.js";
import { compilePostgresRunQuery, decodePostgresFieldValue } from "./postgres-query.js";
import type { RunQuery } from "./query-types.js";
import {
  sameRunRow,
  toJsonNumber,
  type ImportOutcome,
  type MetricData,
  type PredictionData,
  type RunData,
  type RunTransferStore,
} from "./transfer-types.js";
import {
  getModelAlias as registryGetAlias,
  getModelVersion as registryGetVersion,
  listModels as registryListModels,
  listModelVersions as registryListVersions,
  modelHistory as registryHistory,
  promoteInTransaction,
  promotionOfRequest,
} from "./postgres-registry.js";
import { checkModelName, checkPromotion } from "./sqlite-registry.js";
import {
  checkCount,
  checkExampleTag,
  checkMetricRow,
  checkNumberRecord,
  checkPredictionRow,
  checkStatus,
  checkTags,
  MAX_CANDIDATES,
  optionalString,
  parseJson,
  requireString,
  SUMMARY_COLUMNS,
  toArtifactRecord,
  toJson,
  toPairResult,
  toRecord,
  toRunResult,
  toSummary,
  type ArtifactDbRow,
  type ExampleTagRow,
  type FullRunRow,
  type PairResultRow,
  type RunResultRow,
  type RunRow,
} from "./store-rows.js";
import {
  MAX_ROWS_PER_TRANSACTION,
  type Artifact,
  type ArtifactRecord,
  type ClassScores,
  type ExampleTag,
  type FinalStatus,
  type Heartbeat,
  type HeartbeatOptions,
  type ListRunsQuery,
  type MetricQuery,
  type MetricRecord,
  type MetricRow,
  type ModelAlias,
  type ModelPromotion,
  type ModelVersion,
  type PairResult,
  type PromoteModelInput,
  type RegisteredModel,
  type PredictionRecord,
  type PredictionRow,
  type QueriedRun,
  type RunInit,
  type RunRecord,
  type RunResult,
  type RunStatus,
  type RunSummary,
  type RunUpdate,
  type Store,
} from "./store.js";

export interface PostgresStoreOptions {
  /** A running run whose heartbeat is older than this is marked crashed on read (default 30 s). */
  readonly staleAfterMs?: number;
  /** Connections per Store (default 4). */
  readonly poolSize?: number;
  /** How long to keep retrying a statement whose connection was lost (default 60 s). */
  readonly maxRetryMs?: number;
  /** The shared artifacts directory; when absent, the one recorded in the store (if any). */
  readonly artifactsDir?: string;
}

type Queryable = Pick<pg.PoolClient, "query">;

/** BIGINT columns come back as numbers (timestamps and steps are far below 2^53). */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** SQLSTATE classes and socket errors after which the whole transaction can be replayed. */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  // 08P01 (protocol violation) is a bug, not a lost connection
  if ((/^(08|57P)/.test(code) && code !== "08P01") || code === "40001" || code === "40P01" || code === "53300")
    return true;
  if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTCONN"].includes(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i.test(message);
}

function ignoreError(): void {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

interface PredictionDbRow {
  split: string;
  example_id: string;
  label: string | null;
  score: number | null;
  scores_json: string | null;
  decision: string | null;
  correct: boolean | null;
}

/** Dedupes by key keeping the last row, as INSERT OR REPLACE does row by row (ON CONFLICT cannot hit one row twice). */
function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    byKey.delete(k);
    byKey.set(k, row);
  }
  return [...byKey.values()];
}

export class PostgresStore implements Store, RunTransferStore {
  readonly location: string;
  private readonly url: string;
  private readonly pool: pg.Pool;
  private readonly staleAfterMs: number;
  private readonly maxRetryMs: number;
  private artifactsDir: string | null;
  private readonly heartbeats = new Set<Heartbeat>();
  /** One heartbeat thread (and connection) per interval, shared by every running run of this store. */
  private readonly beaters = new Map<number, HeartbeatThread>();
  private closed = false;

  private constructor(url: string, pool: pg.Pool, options: PostgresStoreOptions, artifactsDir: string | null) {
    this.url = url;
    this.location = redactUrl(url);
    this.pool = pool;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
    this.artifactsDir = artifactsDir;
  }

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const location = redactUrl(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 30_000,
      application_name: "mlloop",
      types: TYPES,
    });
    // An idle connection that the server closes must not crash the process: the pool drops it.
    pool.on("error", () => {});
    try {
      await migrate(pool, location, options.maxRetryMs ?? 60_000);
      let artifactsDir = options.artifactsDir ?? null;
      const recorded = await pool.query<{ value: string }>("SELECT value FROM store_settings WHERE key = 'artifacts'");
      if (artifactsDir === null) artifactsDir = recorded.rows[0]?.value ?? null;
      else if (recorded.rows.length === 0) {
        // The first location given is remembered, so that teammates need not repeat it.
        await pool.query(
          "INSERT INTO store_settings (key, value) VALUES ('artifacts', $1) ON CONFLICT (key) DO NOTHING",
          [artifactsDir],
        );
      }
      return new PostgresStore(url, pool, options, artifactsDir);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw translatePgError(error, location);
    }
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  private ensureOpen(): void {
    if (this.closed) throw new StoreError(`store ${this.location} is closed`);
  }

  /**
   * Runs `fn` on one pooled connection, inside a transaction when `transaction` is set, replaying
   * it whole after a lost connection. `attempt` tells `fn` whether an earlier attempt may have
   * committed without the acknowledgement arriving.
   */
  private async withClient<T>(
    what: string,
    transaction: boolean,
    fn: (client: Queryable, attempt: number) => Promise<T>,
  ): Promise<T> {
    this.ensureOpen();
    const start = Date.now();
    let delay = 50;
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient | null = null;
      try {
        client = await this.pool.connect();
        // The server may end the session between two statements (an admin, a failover): that
        // arrives as an 'error' event, which must not crash the process — the next query fails
        // and the attempt is replayed.
        client.removeListener("error", ignoreError);
        client.on("error", ignoreError);
        if (!transaction) {
          const result = await fn(client, attempt);
          client.release();
          return result;
        }
        await client.query("BEGIN");
        try {
          const result = await fn(client, attempt);
          await client.query("COMMIT");
          client.release();
          return result;
        } catch (error) {
          if (!isRetryable(error)) await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      } catch (error) {
        // A broken connection is destroyed, not returned to the pool.
        client?.release(isRetryable(error) ? (error as Error) : undefined);
        if (!isRetryable(error) || this.closed) throw translatePgError(error, this.location);
        const waited = Date.now() - start;
        if (waited >= this.maxRetryMs) {
          throw new StoreError(
            `store ${this.location} was unreachable for ${Math.round(waited / 1000)} s while ${what}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 1_000);
      }
    }
  }

  private read<T>(what: string, fn: (client: Queryable, attempt: number) => Promise<T>): Promise<T> {
    return this.withClient(what, false, fn);
  }

  private write<T>(what: string, fn: (client: Queryable, attempt: number) => Promise<T>): Promise<T> {
    return this.withClient(what, true, fn);
  }

  private async requireRun(
    client: Queryable,
    id: RunId,
    lock = false,
  ): Promise<{ status: RunStatus; pid: number | null; host: string | null }> {
    const result = await client.query<{ status: RunStatus; pid: number | null; host: string | null }>(
      `SELECT status, pid, host FROM runs WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
      [asRunId(id)],
    );
    const row = result.rows[0];
    if (row === undefined) throw new StoreError(`no run with id "${id}" in store ${this.location}`);
    return row;
  }

  private async tagsOf(client: Queryable, ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const tags = new Map<string, Record<string, string>>();
    if (ids.length === 0) return tags;
    const result = await client.query<{ run_id: string; key: string; value: string }>(
      "SELECT run_id, key, value FROM run_tags WHERE run_id = ANY($1::text[]) ORDER BY run_id, key",
      [ids],
    );
    for (const t of result.rows) {
      let forRun = tags.get(t.run_id);
      if (forRun === undefined) tags.set(t.run_id, (forRun = {}));
      forRun[t.key] = t.value;
    }
    return tags;
  }

  /** Marks a dead `running` run crashed (compare-and-set on the heartbeat seen) and returns the row to show. */
  private async reap<R extends RunRow>(client: Queryable, row: R): Promise<R> {
    if (row.status !== "running") return row;
    const reason = crashReason(
      {
        pid: row.pid,
        host: row.host,
        heartbeatAt: row.heartbeat_at,
        startedAt: row.started_at,
        createdAt: row.created_at,
      },
      Date.now(),
      this.staleAfterMs,
    );
    if (reason === null) return row;
    const changed = await client.query(
      `UPDATE runs SET status = 'crashed', ended_at = COALESCE(heartbeat_at, started_at, created_at), error = $1
       WHERE id = $2 AND status = 'running' AND heartbeat_at IS NOT DISTINCT FROM $3`,
      [reason, row.id, row.heartbeat_at],
    );
    if (changed.rowCount !== 1) {
      // A heartbeat landed in between: the run is alive after all.
      const fresh = await client.query<RunRow>(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id = $1`, [row.id]);
      return { ...row, ...fresh.rows[0] };
    }
    const ended = row.heartbeat_at ?? row.started_at ?? row.created_at;
    return { ...row, status: "crashed", ended_at: ended, error: reason };
  }

  private async reapRunning(client: Queryable): Promise<void> {
    const running = await client.query<RunRow>(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE status = 'running'`);
    for (const row of running.rows) await this.reap(client, row);
  }

  private requireArtifactsDir(what: string): string {
    if (this.artifactsDir === null) {
      throw new StoreError(
        `${what}: store ${this.location} has no artifacts location; give a shared directory with --artifacts ` +
          `(or MLLOOP_ARTIFACTS), e.g. --artifacts file:///mnt/team/mlloop (object storage is not supported yet)`,
      );
    }
    return this.artifactsDir;
  }

  /** The shared artifacts directory in use, or null when none is configured. */
  get artifactsLocation(): string | null {
    return this.artifactsDir;
  }

  // ── writes ───────────────────────────────────────────────────────────────────────────────────

  async createRun(init: RunInit): Promise<RunRecord> {
    const experiment = requireString(init.experiment, "experiment");
    const parentId = init.parentId === undefined || init.parentId === null ? null : asRunId(init.parentId);
    const tags = init.tags ?? {};
    checkTags(tags);
    if (init.seeds !== undefined) checkNumberRecord(init.seeds, "seeds");
    const specJson = init.spec === undefined || init.spec === null ? null : requireString(init.spec.json, "spec.json");
    const specHash = init.spec === undefined || init.spec === null ? null : requireString(init.spec.hash, "spec.hash");
    const name = optionalString(init.name, "name");
    const notes = optionalString(init.notes, "notes");
    const specPatch = init.specPatch === undefined ? null : toJson(init.specPatch, "specPatch");
    const provenance =
      init.provenance === undefined || init.provenance === null ? null : toJson(init.provenance, "provenance");
    const seeds = toJson(init.seeds ?? {}, "seeds");
    const params = toJson(init.params ?? {}, "params");
    const dataInfo = init.dataInfo === undefined || init.dataInfo === null ? null : toJson(init.dataInfo, "dataInfo");
    const extras = toJson(init.extras ?? {}, "extras");
    // Chosen once: a replayed attempt inserts the same run (or finds it committed) instead of a second one.
    const now = Date.now();
    const id = init.id === undefined ? newRunId(now) : asRunId(init.id);
    // A given id must be new; checked before the write, whose replay after a lost connection may
    // find its own insert already committed (ON CONFLICT below).
    if (init.id !== undefined && (await this.pool.query("SELECT 1 FROM runs WHERE id = $1", [id])).rowCount !== 0) {
      throw new StoreError(`run ${id} already exists in store ${this.location}`);
    }
    const entries = Object.entries(tags);
    const values = [
      id,
      experiment,
      parentId,
      now,
      process.pid,
      thisHost,
      name,
      notes,
      specJson,
      specHash,
      specPatch,
      provenance,
      seeds,
      params,
      dataInfo,
      extras,
      entries.map(([k]) => k),
      entries.map(([, v]) => v),
    ];
    // One statement, one round trip (a statement is atomic without BEGIN/COMMIT): the parent check,
    // the run and its tags. No row back means the parent is missing or a replay after a lost
    // acknowledgement finds the run committed; the slower path below tells which.
    const inserted = await this.withClient("creating a run", false, async (client) => {
      const result = await client.query<FullRunRow>(
        `WITH parent_ok AS (
           SELECT $3::text IS NULL OR EXISTS (SELECT 1 FROM runs WHERE id = $3::text) AS ok
         ), ins AS (
           INSERT INTO runs (id, experiment, parent_id, status, created_at, started_at, heartbeat_at, pid, host, name,
             notes, spec_json, spec_hash, spec_patch_json, provenance_json, seeds_json, params_json, data_info_json,
             extras_json)
           SELECT $1::text, $2::text, $3::text, 'running', $4::bigint, $4::bigint, $4::bigint, $5::integer, $6::text,
             $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, $13::text, $14::text, $15::text, $16::text
           FROM parent_ok WHERE ok
           ON CONFLICT (id) DO NOTHING
           RETURNING *
         ), tagged AS (
           INSERT INTO run_tags (run_id, key, value)
           SELECT ins.id, k, v FROM ins, unnest($17::text[], $18::text[]) AS t (k, v)
           ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value
         )
         SELECT * FROM ins`,
        values,
      );
      return result.rows[0];
    });
    if (inserted !== undefined) return toRecord(inserted, { ...tags });
    return this.read("reading a run", async (client) => {
      if (parentId !== null) {
        const parent = await client.query("SELECT 1 FROM runs WHERE id = $1", [parentId]);
        if (parent.rowCount === 0) throw new StoreError(`parent run "${parentId}" not found in store ${this.location}`);
      }
      const row = await client.query<FullRunRow>("SELECT * FROM runs WHERE id = $1", [id]);
      if (row.rows[0] === undefined) throw new StoreError(`run ${id} could not be created in store ${this.location}`);
      return toRecord(row.rows[0], (await this.tagsOf(client, [id])).get(id) ?? {});
    });
  }

  async updateRun(id: RunId, update: RunUpdate): Promise<void> {
    if (update.seeds !== undefined) checkNumberRecord(update.seeds, "seeds");
    if (update.timings !== undefined) checkNumberRecord(update.timings, "timings");
    await this.write("updating a run", async (client) => {
      await this.requireRun(client, id, true);
      const sets: Record<string, string | null> = {};
      if (update.name !== undefined) sets.name = optionalString(update.name, "name");
      if (update.notes !== undefined) sets.notes = optionalString(update.notes, "notes");
      if (update.spec !== undefined) {
        sets.spec_json = update.spec === null ? null : requireString(update.spec.json, "spec.json");
        sets.spec_hash = update.spec === null ? null : requireString(update.spec.hash, "spec.hash");
      }
      if (update.specPatch !== undefined) sets.spec_patch_json = toJson(update.specPatch, "specPatch");
      if (update.provenance !== undefined) {
        sets.provenance_json = update.provenance === null ? null : toJson(update.provenance, "provenance");
      }
      if (update.seeds !== undefined) sets.seeds_json = toJson(update.seeds, "seeds");
      if (update.dataInfo !== undefined) {
        sets.data_info_json = update.dataInfo === null ? null : toJson(update.dataInfo, "dataInfo");
      }
      const merged = ["timings", "params", "extras"] as const;
      if (merged.some((key) => update[key] !== undefined)) {
        // The row is locked (FOR UPDATE above): no concurrent merge can be lost in between.
        const current = (
          await client.query<Record<string, string>>(
            "SELECT timings_json, params_json, extras_json FROM runs WHERE id = $1",
            [id],
          )
        ).rows[0]!;
        for (const key of merged) {
          const patch = update[key];
          if (patch === undefined) continue;
          const column = `${key}_json`;
          sets[column] = toJson({ ...(JSON.parse(current[column]!) as object), ...patch }, key);
        }
      }
      const columns = Object.keys(sets);
      if (columns.length === 0) return;
      await client.query(`UPDATE runs SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(", ")} WHERE id = $1`, [
        id,
        ...columns.map((c) => sets[c]),
      ]);
    });
  }

  async finishRun(id: RunId, status: FinalStatus, error: string | null = null): Promise<void> {
    if (status !== "finished" && status !== "failed") {
      throw new StoreError(`a run can be ended as "finished" or "failed", not ${JSON.stringify(status)}`);
    }
    optionalString(error, "error");
    // the common case in one statement: a running run (or one marked crashed that this very
    // process still owns) ends; anything else takes the checked path below for its exact answer
    const ended = await this.withClient("ending a run", false, async (client, attempt) => {
      const now = Date.now();
      const result = await client.query(
        `UPDATE runs SET status = $1, ended_at = $2, heartbeat_at = $2, error = $3
         WHERE id = $4 AND (status = 'running' OR (status = 'crashed' AND pid = $5 AND host = $6))`,
        [status, now, error, asRunId(id), process.pid, thisHost],
      );
      if (result.rowCount === 1) return true;
      if (attempt === 0) return false;
      // a replay after a lost acknowledgement may find its own commit: that is success
      const run = await this.requireRun(client, id);
      return run.status === status && run.pid === process.pid && run.host === thisHost;
    });
    if (ended) return;
    await this.write("ending a run", async (client, attempt) => {
      const run = await this.requireRun(client, id, true);
      if (run.status === "finished" || run.status === "failed") {
        // A replay after a lost acknowledgement finds its own commit: that is success, not a second end.
        if (attempt > 0 && run.status === status && run.pid === process.pid && run.host === thisHost) return;
        throw new StoreError(`run ${id} has already ended (${run.status}); a run's final status is set once`);
      }
      if (run.status === "crashed" && (run.pid !== process.pid || run.host !== thisHost)) {
        throw new StoreError(
          `run ${id} was marked crashed and belongs to process ${run.pid ?? "?"} on ${run.host ?? "?"}; only that process can end it`,
        );
      }
      const now = Date.now();
      await client.query("UPDATE runs SET status = $1, ended_at = $2, heartbeat_at = $2, error = $3 WHERE id = $4", [
        status,
        now,
        error,
        id,
      ]);
    });
  }

  async heartbeat(id: RunId): Promise<void> {
    await this.write("writing a heartbeat", async (client) => {
      const changed = await client.query(POSTGRES_HEARTBEAT_SQL, [Date.now(), asRunId(id), process.pid, thisHost]);
      if (changed.rowCount === 0) {
        const run = await this.requireRun(client, id);
        throw new StoreError(`run ${id} is ${run.status}: heartbeats are only for running runs of this process`);
      }
    });
  }

  async startHeartbeat(id: RunId, options?: HeartbeatOptions): Promise<Heartbeat> {
    await this.heartbeat(id);
    const intervalMs = options?.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    let beater = this.beaters.get(intervalMs);
    if (beater === undefined) {
      beater = postgresHeartbeats(this.url, intervalMs);
      this.beaters.set(intervalMs, beater);
    }
    let beating: Heartbeat;
    try {
      // unlike SQLite's, the first run waits for the thread: a PostgreSQL store that cannot start
      // one says so at once
      await beater.ready;
      beating = beater.add(id, options);
    } catch (e) {
      // a thread that could not start is not kept: the next run tries a new one
      this.beaters.delete(intervalMs);
      throw e;
    }
    const handle: Heartbeat = {
      stop: async () => {
        this.heartbeats.delete(handle);
        await beating.stop();
      },
    };
    this.heartbeats.add(handle);
    return handle;
  }

  async setTag(id: RunId, key: string, value: string): Promise<void> {
    checkTags({ [requireString(key, "a tag key")]: value });
    await this.write("setting a tag", async (client) => {
      await this.requireRun(client, id);
      await client.query(
        "INSERT INTO run_tags (run_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
        [id, key, value],
      );
    });
  }

  async deleteTag(id: RunId, key: string): Promise<void> {
    await this.write("deleting a tag", async (client) => {
      await this.requireRun(client, id);
      await client.query("DELETE FROM run_tags WHERE run_id = $1 AND key = $2", [id, key]);
    });
  }

  /**
   * One statement (atomic on its own): the run's existence and the rows in one round trip; with no
   * rows, only the check. See insertOrUpsert for the two forms.
   */
  private async logRows(
    what: string,
    id: RunId,
    count: number,
    insert: string,
    onConflict: string,
    values: unknown[],
  ): Promise<void> {
    await this.withClient(what, false, async (client) => {
      if (count === 0) {
        await this.requireRun(client, id);
        return;
      }
      const result = await insertOrUpsert(client, insert, onConflict, values);
      if (result.rowCount === 0) await this.requireRun(client, id);
    });
  }

  async logMetrics(id: RunId, rows: readonly MetricRow[]): Promise<void> {
    rows.forEach(checkMetricRow);
    for (let start = 0; start < rows.length || start === 0; start += MAX_ROWS_PER_TRANSACTION) {
      const chunk = lastByKey(rows.slice(start, start + MAX_ROWS_PER_TRANSACTION), (r) =>
        JSON.stringify([r.name, r.split ?? "", r.step ?? 0]),
      );
      await this.logRows(
        "logging metrics",
        id,
        chunk.length,
        `INSERT INTO metrics (run_id, name, split, step, value, logged_at)
           SELECT $1, n, s, st, v, $6 FROM unnest($2::text[], $3::text[], $4::bigint[], $5::float8[]) AS t (n, s, st, v)
           WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1)`,
        "ON CONFLICT (run_id, name, split, step) DO UPDATE SET value = excluded.value, logged_at = excluded.logged_at",
        [
          id,
          chunk.map((r) => r.name),
          chunk.map((r) => r.split ?? ""),
          chunk.map((r) => r.step ?? 0),
          // pg sends numbers as text: NaN and ±Infinity arrive as PostgreSQL's own spellings
          chunk.map((r) => (Number.isNaN(r.value) ? "NaN" : String(r.value))),
          Date.now(),
        ],
      );
    }
  }

  async logPredictions(id: RunId, rows: readonly PredictionRow[]): Promise<void> {
    rows.forEach(checkPredictionRow);
    for (let start = 0; start < rows.length || start === 0; start += MAX_ROWS_PER_TRANSACTION) {
      const chunk = lastByKey(rows.slice(start, start + MAX_ROWS_PER_TRANSACTION), (r) =>
        JSON.stringify([r.split, r.exampleId]),
      );
      await this.logRows(
        "logging predictions",
        id,
        chunk.length,
        `INSERT INTO predictions (run_id, split, example_id, label, score, scores_json, decision, correct)
           SELECT $1, s, e, l, sc, sj, d, c
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::boolean[])
             AS t (s, e, l, sc, sj, d, c)
           WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1)`,
        `ON CONFLICT (run_id, split, example_id) DO UPDATE SET label = excluded.label, score = excluded.score,
             scores_json = excluded.scores_json, decision = excluded.decision, correct = excluded.correct`,
        [
          id,
          chunk.map((r) => r.split),
          chunk.map((r) => r.exampleId),
          chunk.map((r) => r.label ?? null),
          chunk.map((r) => r.score ?? null),
          chunk.map((r) => (r.scores === undefined || r.scores === null ? null : JSON.stringify(r.scores))),
          chunk.map((r) => r.decision ?? null),
          chunk.map((r) => r.correct ?? null),
        ],
      );
    }
  }

  async putArtifact(
    id: RunId,
    name: string,
    content: Uint8Array | string,
    mediaType?: string,
  ): Promise<ArtifactRecord> {
    checkArtifactName(name);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const media =
      mediaType === undefined
        ? typeof content === "string"
          ? "text/plain; charset=utf-8"
          : "application/octet-stream"
        : requireString(mediaType, `artifact "${name}": media type`);
    const dir = this.requireArtifactsDir(`artifact "${name}" of run ${id}`);
    await this.read("checking a run", (client) => this.requireRun(client, id));
    // The file goes first: a crash in between leaves an unreferenced file, never a dangling row.
    const { sha256, size } = writeArtifactFile(dir, bytes, this.location);
    const record: ArtifactRecord = { name, sha256, size, mediaType: media, createdAt: Date.now() };
    await this.write("recording an artifact", async (client) => {
      await this.requireRun(client, id);
      await client.query(
        `INSERT INTO artifacts (run_id, name, sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (run_id, name) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
           media_type = excluded.media_type, created_at = excluded.created_at`,
        [id, name, sha256, size, media, record.createdAt],
      );
    });
    return record;
  }

  // ── reads ────────────────────────────────────────────────────────────────────────────────────

  async getRun(idOrPrefix: string): Promise<RunRecord> {
    const prefix = normaliseRunIdPrefix(idOrPrefix);
    return this.read("reading a run", async (client) => {
      let row: FullRunRow | undefined;
      if (prefix.length === RUN_ID_LENGTH) {
        row = (await client.query<FullRunRow>("SELECT * FROM runs WHERE id = $1", [prefix])).rows[0];
        if (row === undefined) throw new StoreError(`no run with id "${prefix}" in store ${this.location}`);
      } else {
        // Ids are hex, and "g" sorts after every hex digit: [prefix, prefix+"g") is exactly the prefix's range.
        const matches = (
          await client.query<RunRow>(
            `SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id >= $1 AND id < $2 ORDER BY id LIMIT $3`,
            [prefix, `${prefix}g`, MAX_CANDIDATES + 1],
          )
        ).rows;
        if (matches.length === 0) {
          throw new StoreError(`no run id starts with "${prefix}" in store ${this.location}`);
        }
        if (matches.length > 1) {
          const n = Number(
            (
              await client.query<{ n: string }>("SELECT count(*) AS n FROM runs WHERE id >= $1 AND id < $2", [
                prefix,
                `${prefix}g`,
              ])
            ).rows[0]!.n,
          );
          const shown = matches.slice(0, MAX_CANDIDATES);
          const lines = shown.map(
            (r) =>
              `  ${r.id}  ${r.experiment}  ${r.status}  ${new Date(r.created_at).toISOString()}${r.name === null ? "" : `  ${r.name}`}`,
          );
          const more = n > shown.length ? `\n  … and ${n - shown.length} more` : "";
          throw new StoreError(
            `run id prefix "${prefix}" is ambiguous: ${n} runs match; type more characters. Candidates:\n${lines.join("\n")}${more}`,
          );
        }
        row = (await client.query<FullRunRow>("SELECT * FROM runs WHERE id = $1", [matches[0]!.id])).rows[0]!;
      }
      const shown = await this.reap(client, row);
      return toRecord(shown, (await this.tagsOf(client, [shown.id])).get(shown.id) ?? {});
    });
  }

  async listRuns(query: ListRunsQuery = {}): Promise<RunSummary[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.experiment !== undefined) {
      params.push(requireString(query.experiment, "experiment"));
      where.push(`experiment = $${params.length}`);
    }
    if (query.status !== undefined) {
      params.push(checkStatus(query.status));
      where.push(`status = $${params.length}`);
    }
    if (query.parentId !== undefined) {
      params.push(asRunId(query.parentId));
      where.push(`parent_id = $${params.length}`);
    }
    const limit = checkCount(query.limit, "limit");
    const offset = checkCount(query.offset, "offset");
    const sql =
      `SELECT ${SUMMARY_COLUMNS} FROM runs` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY id DESC LIMIT ${limit ?? "ALL"} OFFSET ${offset ?? 0}`;
    return this.read("listing runs", async (client) => {
      const rows: RunRow[] = [];
      for (const row of (await client.query<RunRow>(sql, params)).rows) rows.push(await this.reap(client, row));
      const tags = await this.tagsOf(
        client,
        rows.map((r) => r.id),
      );
      // A status filter applies to the stored status; a run just found crashed no longer matches "running".
      const shown = query.status === undefined ? rows : rows.filter((r) => r.status === query.status);
      return shown.map((row) => toSummary(row, tags.get(row.id) ?? {}));
    });
  }

  async getMetrics(id: RunId, query: MetricQuery = {}): Promise<MetricRecord[]> {
    const where = ["run_id = $1"];
    const params: string[] = [id];
    if (query.name !== undefined) {
      params.push(query.name);
      where.push(`name = $${params.length}`);
    }
    if (query.split !== undefined) {
      params.push(query.split ?? "");
      where.push(`split = $${params.length}`);
    }
    return this.read("reading metrics", async (client) => {
      await this.requireRun(client, id);
      const rows = await client.query<{ name: string; split: string; step: number; value: number; logged_at: number }>(
        `SELECT name, split, step, value, logged_at FROM metrics WHERE ${where.join(" AND ")} ORDER BY name, split, step`,
        params,
      );
      return rows.rows.map((r) => ({
        name: r.name,
        value: r.value,
        split: r.split === "" ? null : r.split,
        step: r.step,
        loggedAt: r.logged_at,
      }));
    });
  }

  async getPredictions(id: RunId, split?: string): Promise<PredictionRecord[]> {
    return this.read("reading predictions", async (client) => {
      await this.requireRun(client, id);
      const columns = "split, example_id, label, score, scores_json, decision, correct";
      const rows =
        split === undefined
          ? await client.query<PredictionDbRow>(
              `SELECT ${columns} FROM predictions WHERE run_id = $1 ORDER BY split, example_id`,
              [id],
            )
          : await client.query<PredictionDbRow>(
              `SELECT ${columns} FROM predictions WHERE run_id = $1 AND split = $2 ORDER BY example_id`,
              [id, split],
            );
      return rows.rows.map((r) => ({
        exampleId: r.example_id,
        split: r.split,
        label: r.label,
        score: r.score,
        scores: parseJson<ClassScores>(r.scores_json),
        decision: r.decision,
        correct: r.correct,
      }));
    });
  }

  async getArtifact(id: RunId, name: string): Promise<Artifact> {
    checkArtifactName(name);
    const record = await this.read("reading an artifact", async (client) => {
      await this.requireRun(client, id);
      const row = (
        await client.query<ArtifactDbRow>(
          "SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = $1 AND name = $2",
          [id, name],
        )
      ).rows[0];
      if (row === undefined) {
        const names = (
          await client.query<{ name: string }>("SELECT name FROM artifacts WHERE run_id = $1 ORDER BY name", [id])
        ).rows.map((r) => r.name);
        throw new StoreError(
          `run ${id} has no artifact "${name}"` +
            (names.length === 0 ? " (it has no artifacts)" : ` (it has: ${names.join(", ")})`),
        );
      }
      return toArtifactRecord(row);
    });
    const dir = this.requireArtifactsDir(`artifact "${name}" of run ${id}`);
    const bytes = readArtifactFile(dir, record.sha256, `artifact "${name}" of run ${id}`);
    return { record, bytes };
  }

  async listArtifacts(id: RunId): Promise<ArtifactRecord[]> {
    return this.read("listing artifacts", async (client) => {
      await this.requireRun(client, id);
      const rows = await client.query<ArtifactDbRow>(
        "SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = $1 ORDER BY name",
        [id],
      );
      return rows.rows.map(toArtifactRecord);
    });
  }

  // ── queries and derived results ──────────────────────────────────────────────────────────────

  async queryRuns(query: RunQuery): Promise<QueriedRun[]> {
    const limit = checkCount(query.limit, "limit");
    const offset = checkCount(query.offset, "offset");
    const compiled = compilePostgresRunQuery({ ...query, limit, offset }, SUMMARY_COLUMNS);
    return this.read("querying runs", async (client) => {
      // Dead running runs are marked first, so that a status filter sees what a reader would.
      await this.reapRunning(client);
      let rows: Array<RunRow & Record<string, unknown>>;
      try {
        rows = (await client.query<RunRow & Record<string, unknown>>(compiled.sql, compiled.params)).rows;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        if (e.code === "2201B") {
          throw new StoreError(
            `a /regex/ in the query is not supported by PostgreSQL (${e.message ?? "invalid regular expression"}); ` +
              "PostgreSQL runs the regular expressions both engines share (classes, \\d \\w \\s, anchors, groups, lookahead), " +
              "not JavaScript-only syntax such as named groups or \\p{…}",
            { cause: error },
          );
        }
        throw error;
      }
      const tags = await this.tagsOf(
        client,
        rows.map((r) => r.id),
      );
      return rows.map((row) => {
        const values: Record<string, unknown> = {};
        for (const f of compiled.fields) {
          const v = decodePostgresFieldValue(row[f.value], f.type === null ? null : row[f.type]);
          if (v !== undefined) values[f.key] = v;
        }
        return { ...toSummary(row, tags.get(row.id) ?? {}), values };
      });
    });
  }

  async putPairResult(kind: string, key: string, runA: RunId, runB: RunId, result: unknown): Promise<void> {
    requireString(kind, "a pair result's kind");
    requireString(key, "a pair result's key");
    const json = toJson(result, `${kind} result`);
    await this.write(`storing a ${kind} result`, async (client) => {
      await this.requireRun(client, runA);
      await this.requireRun(client, runB);
      await client.query(
        `INSERT INTO pair_results (kind, key, run_a, run_b, result_json, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, key) DO UPDATE SET run_a = excluded.run_a, run_b = excluded.run_b,
           result_json = excluded.result_json, created_at = excluded.created_at`,
        [kind, key, runA, runB, json, Date.now()],
      );
    });
  }

  async getPairResult(kind: string, key: string): Promise<PairResult | null> {
    return this.read(`reading a ${kind} result`, async (client) => {
      const row = (
        await client.query<PairResultRow>(
          "SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results WHERE kind = $1 AND key = $2",
          [kind, key],
        )
      ).rows[0];
      return row === undefined ? null : toPairResult(row);
    });
  }

  async listPairResults(kind: string, runIds: readonly RunId[]): Promise<PairResult[]> {
    if (runIds.length === 0) return [];
    return this.read(`listing ${kind} results`, async (client) => {
      const rows = await client.query<PairResultRow>(
        `SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results
         WHERE kind = $1 AND (run_a = ANY($2::text[]) OR run_b = ANY($2::text[]))
         ORDER BY created_at, key`,
        [kind, runIds],
      );
      return rows.rows.map(toPairResult);
    });
  }

  async putRunResult(id: RunId, kind: string, key: string, result: unknown): Promise<void> {
    requireString(kind, "a run result's kind");
    requireString(key, "a run result's key");
    const json = toJson(result, `${kind} result`);
    await this.write(`storing a ${kind} result`, async (client) => {
      await this.requireRun(client, id);
      await client.query(
        `INSERT INTO run_results (run_id, kind, key, result_json, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run_id, kind, key) DO UPDATE SET result_json = excluded.result_json, created_at = excluded.created_at`,
        [id, kind, key, json, Date.now()],
      );
    });
  }

  async getRunResult(id: RunId, kind: string, key: string): Promise<RunResult | null> {
    return this.read(`reading a ${kind} result`, async (client) => {
      const row = (
        await client.query<RunResultRow>(
          "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = $1 AND kind = $2 AND key = $3",
          [id, kind, key],
        )
      ).rows[0];
      return row === undefined ? null : toRunResult(row);
    });
  }

  async listRunResults(id: RunId, kind: string): Promise<RunResult[]> {
    return this.read(`listing ${kind} results`, async (client) =>
      (
        await client.query<RunResultRow>(
          "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = $1 AND kind = $2 ORDER BY created_at, key",
          [id, kind],
        )
      ).rows.map(toRunResult),
    );
  }

  async addExampleTags(
    experiment: string,
    exampleId: string,
    tags: readonly string[],
    options: { runId?: RunId | null; note?: string | null } = {},
  ): Promise<void> {
    requireString(experiment, "an experiment");
    requireString(exampleId, "an example id");
    for (const t of tags) checkExampleTag(t);
    const note = optionalString(options.note, "a tag note");
    const runId = options.runId === undefined || options.runId === null ? null : asRunId(options.runId);
    await this.write("tagging an example", async (client) => {
      const now = Date.now();
      for (const t of new Set(tags)) {
        await client.query(
          `INSERT INTO example_tags (experiment, example_id, tag, run_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (experiment, example_id, tag) DO UPDATE SET note = COALESCE(excluded.note, example_tags.note)`,
          [experiment, exampleId, t, runId, note, now],
        );
      }
    });
  }

  async removeExampleTags(experiment: string, exampleId: string, tags: readonly string[]): Promise<number> {
    return this.write("untagging an example", async (client) => {
      const result = await client.query(
        "DELETE FROM example_tags WHERE experiment = $1 AND example_id = $2 AND tag = ANY($3::text[])",
        [experiment, exampleId, [...tags]],
      );
      return result.rowCount ?? 0;
    });
  }

  async listExampleTags(experiment: string, exampleIds?: readonly string[]): Promise<ExampleTag[]> {
    return this.read("listing example tags", async (client) => {
      const rows =
        exampleIds === undefined
          ? await client.query<ExampleTagRow>(
              "SELECT * FROM example_tags WHERE experiment = $1 ORDER BY example_id, tag",
              [experiment],
            )
          : await client.query<ExampleTagRow>(
              "SELECT * FROM example_tags WHERE experiment = $1 AND example_id = ANY($2::text[]) ORDER BY example_id, tag",
              [experiment, [...exampleIds]],
            );
      return rows.rows.map((r) => ({
        experiment: r.experiment,
        exampleId: r.example_id,
        tag: r.tag,
        runId: r.run_id as RunId | null,
        note: r.note,
        createdAt: r.created_at,
      }));
    });
  }

  // ── model registry (see the Store's "Model registry" section; SQL in postgres-registry.ts) ──────

  async promoteModel(input: PromoteModelInput): Promise<ModelPromotion> {
    const metricsJson = checkPromotion(input);
    const runId = asRunId(input.runId);
    // Chosen once: a replay after a lost commit acknowledgement finds the promotion it made
    // instead of recording a second one in the history.
    const requestId = randomUUID();
    return this.write(`promoting run ${runId} to ${input.name}@${input.alias}`, async (client, attempt) => {
      if (attempt > 0) {
        const done = await promotionOfRequest(client, requestId);
        if (done !== null) return done;
      }
      await this.requireRun(client, runId);
      return promoteInTransaction(client, { ...input, runId }, metricsJson, requestId);
    });
  }

  async getModelAlias(name: string, alias: string): Promise<ModelAlias | null> {
    checkModelName("name", name);
    checkModelName("alias", alias);
    return this.read(`reading ${name}@${alias}`, (client) => registryGetAlias(client, name, alias));
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | null> {
    checkModelName("name", name);
    return this.read(`reading ${name} version ${version}`, (client) => registryGetVersion(client, name, version));
  }

  async listModels(): Promise<RegisteredModel[]> {
    return this.read("listing models", (client) => registryListModels(client));
  }

  async listModelVersions(name: string): Promise<ModelVersion[]> {
    checkModelName("name", name);
    return this.read(`listing versions of ${name}`, (client) => registryListVersions(client, name));
  }

  async modelHistory(name: string): Promise<ModelPromotion[]> {
    checkModelName("name", name);
    return this.read(`reading the history of ${name}`, (client) => registryHistory(client, name));
  }

  // ── moving and removing runs (transfer-types.ts: export/import and retention) ────────────────

  get artifactsRoot(): string | null {
    return this.artifactsDir;
  }

  async exportRunData(id: RunId): Promise<RunData> {
    return this.read("exporting a run", async (client) => {
      const run = (await client.query<FullRunRow>("SELECT * FROM runs WHERE id = $1", [asRunId(id)])).rows[0];
      if (run === undefined) throw new StoreError(`no run with id "${id}" in store ${this.location}`);
      const all = async <T extends object>(sql: string): Promise<T[]> => (await client.query<T>(sql, [id])).rows;
      return {
        run,
        tags: (
          await all<{ key: string; value: string }>("SELECT key, value FROM run_tags WHERE run_id = $1 ORDER BY key")
        ).map((t): [string, string] => [t.key, t.value]),
        metrics: (
          await all<MetricData & { value: number }>(
            "SELECT name, split, step, value, logged_at FROM metrics WHERE run_id = $1 ORDER BY name, split, step",
          )
        ).map((m) => ({ ...m, value: toJsonNumber(m.value) })),
        predictions: await all<PredictionData>(
          `SELECT split, example_id, label, score, scores_json, decision, correct FROM predictions WHERE run_id = $1
           ORDER BY split, example_id`,
        ),
        artifacts: await all<ArtifactDbRow>(
          "SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = $1 ORDER BY name",
        ),
        runResults: await all<RunResultRow>(
          "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = $1 ORDER BY kind, key",
        ),
        pairResults: await all<PairResultRow>(
          "SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results WHERE run_a = $1 ORDER BY kind, key",
        ),
      };
    });
  }

  async importRunData(data: RunData): Promise<ImportOutcome> {
    const id = asRunId(data.run.id);
    return this.write("importing a run", async (client): Promise<ImportOutcome> => {
      // Two importers of one bundle at once: the second waits here, then finds the run present.
      await client.query("SELECT pg_advisory_xact_lock(1836084332, hashtext($1))", [id]);
      const existing = (await client.query<FullRunRow>("SELECT * FROM runs WHERE id = $1", [id])).rows[0];
      if (existing !== undefined) {
        const difference = sameRunRow(data.run, existing);
        return difference === null ? { kind: "present" } : { kind: "conflict", reason: difference };
      }
      const columns = Object.keys(data.run) as Array<keyof FullRunRow>;
      await client.query(
        `INSERT INTO runs (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
        columns.map((c) => data.run[c]),
      );
      if (data.tags.length > 0) {
        await client.query(
          "INSERT INTO run_tags (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t (k, v)",
          [id, data.tags.map(([k]) => k), data.tags.map(([, v]) => v)],
        );
      }
      for (let i = 0; i < data.metrics.length; i += MAX_ROWS_PER_TRANSACTION) {
        const chunk = data.metrics.slice(i, i + MAX_ROWS_PER_TRANSACTION);
        await client.query(
          `INSERT INTO metrics (run_id, name, split, step, value, logged_at)
           SELECT $1, n, s, st, v, l FROM unnest($2::text[], $3::text[], $4::bigint[], $5::float8[], $6::bigint[])
             AS t (n, s, st, v, l)`,
          [
            id,
            chunk.map((m) => m.name),
            chunk.map((m) => m.split),
            chunk.map((m) => m.step),
            chunk.map((m) => String(m.value)),
            chunk.map((m) => m.logged_at),
          ],
        );
      }
      for (let i = 0; i < data.predictions.length; i += MAX_ROWS_PER_TRANSACTION) {
        const chunk = data.predictions.slice(i, i + MAX_ROWS_PER_TRANSACTION);
        await client.query(
          `INSERT INTO predictions (run_id, split, example_id, label, score, scores_json, decision, correct)
           SELECT $1, s, e, l, sc, sj, d, c
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::boolean[])
             AS t (s, e, l, sc, sj, d, c)`,
          [
            id,
            chunk.map((p) => p.split),
            chunk.map((p) => p.example_id),
            chunk.map((p) => p.label),
            chunk.map((p) => p.score),
            chunk.map((p) => p.scores_json),
            chunk.map((p) => p.decision),
            chunk.map((p) => p.correct),
          ],
        );
      }
      for (const a of data.artifacts) {
        await client.query(
          "INSERT INTO artifacts (run_id, name, sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
          [id, a.name, a.sha256, a.size, a.media_type, a.created_at],
        );
      }
      for (const r of data.runResults) {
        await client.query(
          "INSERT INTO run_results (run_id, kind, key, result_json, created_at) VALUES ($1, $2, $3, $4, $5)",
          [id, r.kind, r.key, r.result_json, r.created_at],
        );
      }
      return { kind: "added" };
    });
  }

  async importPairResults(rows: readonly PairResultRow[]): Promise<number> {
    return this.write("importing pair results", async (client) => {
      let n = 0;
      for (const r of rows) {
        const result = await client.query(
          `INSERT INTO pair_results (kind, key, run_a, run_b, result_json, created_at)
           SELECT $1, $2, $3, $4, $5, $6
           WHERE EXISTS (SELECT 1 FROM runs WHERE id = $3) AND EXISTS (SELECT 1 FROM runs WHERE id = $4)
           ON CONFLICT (kind, key) DO NOTHING`,
          [r.kind, r.key, r.run_a, r.run_b, r.result_json, r.created_at],
        );
        n += result.rowCount ?? 0;
      }
      return n;
    });
  }

  async deleteRunData(ids: readonly RunId[]): Promise<void> {
    await this.write("deleting runs", async (client) => {
      await client.query("DELETE FROM runs WHERE id = ANY($1::text[])", [ids.map((id) => asRunId(id))]);
    });
  }

  async referencedArtifactHashes(): Promise<Set<string>> {
    return this.read("listing artifact hashes", async (client) => {
      const rows = await client.query<{ sha256: string }>("SELECT DISTINCT sha256 FROM artifacts");
      return new Set(rows.rows.map((r) => r.sha256));
    });
  }

  async modelVersionsOf(ids: readonly RunId[]): Promise<Array<{ name: string; version: number; runId: RunId }>> {
    if (ids.length === 0) return [];
    return this.read("reading model versions", async (client) =>
      (
        await client.query<{ name: string; version: number; run_id: string }>(
          "SELECT name, version, run_id FROM model_versions WHERE run_id = ANY($1::text[]) ORDER BY name, version",
          [[...ids]],
        )
      ).rows.map((r) => ({ name: r.name, version: r.version, runId: r.run_id as RunId })),
    );
  }

  /** The applied schema version. */
  async schemaVersion(): Promise<number> {
    return this.read("reading the schema version", async (client) =>
      Number((await client.query<{ version: number }>("SELECT version FROM mlloop_schema")).rows[0]?.version ?? 0),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.heartbeats].map((h) => h.stop()));
    await Promise.all([...this.beaters.values()].map((b) => b.close()));
    this.beaters.clear();
    this.closed = true;
    await this.pool.end();
  }
}

function translatePgError(error: unknown, location: string): unknown {
  if (error instanceof StoreError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (code === "3D000")
    return new StoreError(`store ${location}: ${message} (create it first: createdb)`, { cause: error });
  if (code === "28P01" || code === "28000") return new StoreError(`store ${location}: ${message}`, { cause: error });
  if (code === "42501") return new StoreError(`store ${location}: permission denied (${message})`, { cause: error });
  if (code === "53100") return new StoreError(`store ${location}: the server's disk is full`, { cause: error });
  if (isRetryable(error) || code === "ENOTFOUND") {
    return new StoreError(`store ${location} is unreachable: ${message}`, { cause: error });
  }
  return error;
}

async function migrate(pool: pg.Pool, location: string, maxRetryMs: number): Promise<void> {
  const start = Date.now();
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    const client = await pool.connect().catch((error: unknown) => {
      throw translatePgError(error, location);
    });
    try {
      await client.query("BEGIN");
      // One migrator at a time; the others wait here and then find the work done.
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await client.query("CREATE TABLE IF NOT EXISTS mlloop_schema (version INTEGER NOT NULL)");
      const row = (await client.query<{ version: number }>("SELECT version FROM mlloop_schema")).rows[0];
      const current = row?.version ?? 0;
      if (row === undefined) await client.query("INSERT INTO mlloop_schema (version) VALUES (0)");
      if (current > POSTGRES_SCHEMA_VERSION) {
        throw new StoreError(
          `store ${location} has schema version ${current}, newer than this mlloop understands (${POSTGRES_SCHEMA_VERSION}): upgrade mlloop`,
        );
      }
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query("UPDATE mlloop_schema SET version = $1", [migration.version]);
      }
      await client.query("COMMIT");
      client.release();
      return;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(isRetryable(error) ? (error as Error) : undefined);
      if (!isRetryable(error) || Date.now() - start > maxRetryMs) throw translatePgError(error, location);
      await sleep(delay);
    }
  }
}

export function openPostgresStore(url: string, options?: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(url, options);
}

/**
 * A plain INSERT, and the same INSERT with its ON CONFLICT clause only when a row is already there
 * (logging a metric or prediction again replaces it): the upsert's speculative insertion costs
 * about a quarter of a 1,000-row write, and a first write never conflicts. Outside a transaction
 * the failed statement leaves nothing behind.
 */
async function insertOrUpsert(client: Queryable, insert: string, onConflict: string, values: unknown[]) {
  try {
    return await client.query(insert, values);
  } catch (error) {
    if ((error as { code?: string }).code !== "23505") throw error;
    return client.query(`${insert}\n${onConflict}`, values);
  }
}
