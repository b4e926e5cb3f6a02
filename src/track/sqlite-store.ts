/**
 * The default Store: one SQLite file (better-sqlite3) plus content-addressed artifact files beside
 * it. One connection per Store object; every write is a short BEGIN IMMEDIATE transaction retried
 * on SQLITE_BUSY, so concurrent processes queue for the write lock instead of failing with
 * "database is locked" (the failure MLflow and Optuna users know). The contract is in store.ts.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { checkArtifactName, readArtifactFile, writeArtifactFile } from "./artifact-files.js";
import { crashReason, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_STALE_AFTER_MS, thisHost } from "./liveness.js";
import { asRunId, newRunId, normaliseRunIdPrefix, RUN_ID_LENGTH, type RunId } from "./run-id.js";
import { HEARTBEAT_SQL, sqliteHeartbeats } from "./sqlite-heartbeat.js";
import type { HeartbeatThread } from "./heartbeat-thread.js";
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from "./sqlite-migrations.js";
import {
  checkModelName,
  checkPromotion,
  getModelAlias as registryGetAlias,
  getModelVersion as registryGetVersion,
  listModels as registryListModels,
  listModelVersions as registryListVersions,
  modelHistory as registryHistory,
  promoteInTransaction,
} from "./sqlite-registry.js";
import { compileRunQuery, decodeFieldValue, registerQueryFunctions } from "./sqlite-query.js";
import type { RunQuery } from "./query-types.js";
import {
  fromJsonNumber,
  sameRunRow,
  toJsonNumber,
  type ImportOutcome,
  type MetricData,
  type PredictionData,
  type RunData,
  type RunTransferStore,
} from "./transfer-types.js";
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
  type FinalStatus,
  type Heartbeat,
  type HeartbeatOptions,
  type ListRunsQuery,
  type MetricQuery,
  type MetricRecord,
  type MetricRow,
  type PairResult,
  type RunResult,
  type ExampleTag,
  type ModelAlias,
  type ModelPromotion,
  type ModelVersion,
  type PromoteModelInput,
  type RegisteredModel,
  type PredictionRecord,
  type QueriedRun,
  type PredictionRow,
  type RunInit,
  type RunRecord,
  type RunStatus,
  type RunSummary,
  type RunUpdate,
  type Store,
} from "./store.js";

export interface SqliteStoreOptions {
  /** A running run whose heartbeat is older than this is marked crashed on read (default 30 s). */
  readonly staleAfterMs?: number;
  /** SQLite's own wait for a lock before it returns SQLITE_BUSY (default 30 s). */
  readonly busyTimeoutMs?: number;
  /** Total time to keep retrying a write that gets SQLITE_BUSY before giving up (default 120 s). */
  readonly maxBusyWaitMs?: number;
}

type Db = Database.Database;

interface MetricDbRow {
  name: string;
  split: string;
  step: number;
  value: number | null;
  logged_at: number;
}

interface PredictionDbRow {
  split: string;
  example_id: string;
  label: string | null;
  score: number | null;
  scores_json: string | null;
  decision: string | null;
  correct: number | null;
}

function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

export class SqliteStore implements Store, RunTransferStore {
  readonly location: string;
  /** The folder holding the database file and the artifacts/ folder. */
  readonly storeDir: string;
  private readonly db: Db;
  private readonly staleAfterMs: number;
  private readonly busyTimeoutMs: number;
  private readonly maxBusyWaitMs: number;
  private readonly heartbeats = new Set<Heartbeat>();
  /** One heartbeat thread per interval, shared by every running run of this store. */
  private readonly beaters = new Map<number, HeartbeatThread>();
  private closed = false;

  private readonly statements: {
    runExists: Database.Statement<[string], { status: RunStatus; pid: number | null; host: string | null }>;
    fullRun: Database.Statement<[string], FullRunRow>;
    tagsOf: Database.Statement<[string], { key: string; value: string }>;
    insertTag: Database.Statement<[string, string, string]>;
    insertMetric: Database.Statement<[string, string, string, number, number | null, number]>;
    insertPrediction: Database.Statement<
      [string, string, string, string | null, number | null, string | null, string | null, number | null]
    >;
    heartbeat: Database.Statement<[number, string, number, string]>;
    markCrashed: Database.Statement<[string, string, number | null]>;
  };

  /** Use {@link openSqliteStore}: opening may have to wait for other processes' migrations. */
  /** Opened from a read-only file or folder: reads work, every write is a "read-only" StoreError. */
  readonly readOnly: boolean;

  private constructor(dbPath: string, db: Db, options: Required<SqliteStoreOptions>, readOnly = false) {
    this.readOnly = readOnly || !canWrite(dbPath);
    this.location = dbPath;
    this.storeDir = dirname(dbPath);
    this.db = db;
    this.staleAfterMs = options.staleAfterMs;
    this.busyTimeoutMs = options.busyTimeoutMs;
    this.maxBusyWaitMs = options.maxBusyWaitMs;
    registerQueryFunctions(db);
    this.statements = {
      runExists: db.prepare("SELECT status, pid, host FROM runs WHERE id = ?"),
      fullRun: db.prepare("SELECT * FROM runs WHERE id = ?"),
      tagsOf: db.prepare("SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key"),
      insertTag: db.prepare("INSERT OR REPLACE INTO run_tags (run_id, key, value) VALUES (?, ?, ?)"),
      insertMetric: db.prepare(
        "INSERT OR REPLACE INTO metrics (run_id, name, split, step, value, logged_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      insertPrediction: db.prepare(
        `INSERT OR REPLACE INTO predictions (run_id, split, example_id, label, score, scores_json, decision, correct)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      heartbeat: db.prepare(HEARTBEAT_SQL),
      markCrashed: db.prepare(
        `UPDATE runs SET status = 'crashed', ended_at = COALESCE(heartbeat_at, started_at, created_at), error = ?
         WHERE id = ? AND status = 'running' AND heartbeat_at IS ?`,
      ),
    };
  }

  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const dbPath = resolve(path);
    const resolved: Required<SqliteStoreOptions> = {
      staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      busyTimeoutMs: options.busyTimeoutMs ?? 30_000,
      maxBusyWaitMs: options.maxBusyWaitMs ?? 120_000,
    };
    try {
      mkdirSync(dirname(dbPath), { recursive: true });
    } catch (error) {
      throw new StoreError(`cannot create the store folder ${dirname(dbPath)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let db: Db;
    try {
      db = new Database(dbPath);
    } catch (error) {
      throw new StoreError(`cannot open store ${dbPath}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const retry = <T>(what: string, fn: () => T): Promise<T> =>
        retryWhileBusy(dbPath, what, resolved.maxBusyWaitMs, fn);
      db.pragma(`busy_timeout = ${resolved.busyTimeoutMs}`);
      // Before anything writes: switching on WAL or migrating another application's database
      // would change a file that is not ours.
      checkIsMlloopStore(db, dbPath);
      // Changing the journal mode of a fresh file needs an exclusive lock: other openers may hold it.
      const mode = await retry("enabling WAL", () => db.pragma("journal_mode = WAL", { simple: true }) as string);
      if (mode !== "wal") {
        throw new StoreError(`store ${dbPath} cannot use write-ahead logging (journal mode stays "${mode}")`);
      }
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      await migrate(db, dbPath, retry);
    } catch (error) {
      db.close();
      if (isReadOnlyFolderError(error)) return SqliteStore.openFromReadOnlyFolder(dbPath, resolved);
      throw translateSqliteError(error, dbPath);
    }
    return new SqliteStore(dbPath, db, resolved);
  }

  /**
   * A store whose folder cannot be written (a mounted backup, a shared read-only folder): SQLite
   * cannot create the -shm file a WAL database needs even to be read. Such a store is read from a
   * copy in memory (its header marked rollback-journal, which is how a copy is read), read-only:
   * every write is a "read-only" StoreError. Writes left in a -wal file would be missed: refused.
   */
  private static openFromReadOnlyFolder(dbPath: string, resolved: Required<SqliteStoreOptions>): SqliteStore {
    let bytes: Buffer;
    try {
      if (statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size)
        throw new StoreError(
          `store ${dbPath} is in a read-only folder and has writes not yet merged (${dbPath}-wal): ` +
            "open it once where its folder can be written, or copy the folder",
        );
      bytes = readFileSync(dbPath);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot read store ${dbPath}: ${(error as Error).message}`, { cause: error });
    }
    if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
    const db = new Database(bytes, { readonly: true });
    try {
      checkIsMlloopStore(db, dbPath);
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version !== SQLITE_SCHEMA_VERSION)
        throw new StoreError(
          `store ${dbPath} is read-only and has schema version ${version}; this mlloop reads version ` +
            `${SQLITE_SCHEMA_VERSION}: open it once where it can be written (it is upgraded then)`,
        );
    } catch (error) {
      db.close();
      throw translateSqliteError(error, dbPath);
    }
    return new SqliteStore(dbPath, db, resolved, true);
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  private ensureOpen(): void {
    if (this.closed) throw new StoreError(`store ${this.location} is closed`);
  }

  private async run<T>(what: string, fn: () => T): Promise<T> {
    this.ensureOpen();
    try {
      return await retryWhileBusy(this.location, what, this.maxBusyWaitMs, fn);
    } catch (error) {
      throw translateSqliteError(error, this.location);
    }
  }

  /** A write transaction that takes the write lock up front (no deadlock-prone lock upgrade). */
  private write<T>(what: string, fn: () => T): Promise<T> {
    return this.run(what, () => this.db.transaction(fn).immediate());
  }

  private requireRun(id: RunId): { status: RunStatus; pid: number | null; host: string | null } {
    const row = this.statements.runExists.get(asRunId(id));
    if (row === undefined) throw new StoreError(`no run with id "${id}" in store ${this.location}`);
    return row;
  }

  private tagsOf(id: string): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const { key, value } of this.statements.tagsOf.all(id)) tags[key] = value;
    return tags;
  }

  /** Marks dead `running` runs crashed (compare-and-set on the heartbeat seen) and returns the row to show. */
  private reap<R extends RunRow>(row: R): R {
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
    let changed = true;
    try {
      changed =
        this.db
          .transaction(() => this.statements.markCrashed.run(reason, row.id, row.heartbeat_at).changes)
          .immediate() === 1;
    } catch (error) {
      // A read-only or busy store still answers the read; the next reader persists the mark.
      if (!isBusyError(error) && (error as { code?: string }).code !== "SQLITE_READONLY") throw error;
    }
    if (!changed) {
      // A heartbeat landed in between: the run is alive after all.
      const fresh = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id = ?`).get(row.id) as RunRow;
      return { ...row, ...fresh };
    }
    const ended = row.heartbeat_at ?? row.started_at ?? row.created_at;
    return { ...row, status: "crashed", ended_at: ended, error: reason };
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
    const values = {
      experiment,
      parent_id: parentId,
      name: optionalString(init.name, "name"),
      notes: optionalString(init.notes, "notes"),
      spec_json: specJson,
      spec_hash: specHash,
      spec_patch_json: init.specPatch === undefined ? null : toJson(init.specPatch, "specPatch"),
      provenance_json:
        init.provenance === undefined || init.provenance === null ? null : toJson(init.provenance, "provenance"),
      seeds_json: toJson(init.seeds ?? {}, "seeds"),
      params_json: toJson(init.params ?? {}, "params"),
      data_info_json: init.dataInfo === undefined || init.dataInfo === null ? null : toJson(init.dataInfo, "dataInfo"),
      extras_json: toJson(init.extras ?? {}, "extras"),
    };
    const id = await this.write("creating a run", () => {
      if (parentId !== null && this.statements.runExists.get(parentId) === undefined) {
        throw new StoreError(`parent run "${parentId}" not found in store ${this.location}`);
      }
      const now = Date.now();
      const newId = init.id === undefined ? newRunId(now) : asRunId(init.id);
      if (init.id !== undefined && this.statements.runExists.get(newId) !== undefined) {
        throw new StoreError(`run ${newId} already exists in store ${this.location}`);
      }
      this.db
        .prepare(
          `INSERT INTO runs (id, experiment, parent_id, status, created_at, started_at, heartbeat_at, pid, host, name,
             notes, spec_json, spec_hash, spec_patch_json, provenance_json, seeds_json, params_json, data_info_json,
             extras_json)
           VALUES (@id, @experiment, @parent_id, 'running', @now, @now, @now, @pid, @host, @name, @notes, @spec_json,
             @spec_hash, @spec_patch_json, @provenance_json, @seeds_json, @params_json, @data_info_json, @extras_json)`,
        )
        .run({ ...values, id: newId, now, pid: process.pid, host: thisHost });
      for (const [key, value] of Object.entries(tags)) this.statements.insertTag.run(newId, key, value);
      return newId;
    });
    return this.run("reading a run", () => toRecord(this.statements.fullRun.get(id)!, this.tagsOf(id)));
  }

  async updateRun(id: RunId, update: RunUpdate): Promise<void> {
    if (update.seeds !== undefined) checkNumberRecord(update.seeds, "seeds");
    if (update.timings !== undefined) checkNumberRecord(update.timings, "timings");
    await this.write("updating a run", () => {
      this.requireRun(id);
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
        const current = this.db
          .prepare("SELECT timings_json, params_json, extras_json FROM runs WHERE id = ?")
          .get(id) as Record<string, string>;
        for (const key of merged) {
          const patch = update[key];
          if (patch === undefined) continue;
          const column = `${key}_json`;
          sets[column] = toJson({ ...(JSON.parse(current[column]!) as object), ...patch }, key);
        }
      }
      const columns = Object.keys(sets);
      if (columns.length === 0) return;
      this.db
        .prepare(`UPDATE runs SET ${columns.map((c) => `${c} = @${c}`).join(", ")} WHERE id = @id`)
        .run({ ...sets, id });
    });
  }

  async finishRun(id: RunId, status: FinalStatus, error: string | null = null): Promise<void> {
    if (status !== "finished" && status !== "failed") {
      throw new StoreError(`a run can be ended as "finished" or "failed", not ${JSON.stringify(status)}`);
    }
    optionalString(error, "error");
    await this.write("ending a run", () => {
      const run = this.requireRun(id);
      if (run.status === "finished" || run.status === "failed") {
        throw new StoreError(`run ${id} has already ended (${run.status}); a run's final status is set once`);
      }
      if (run.status === "crashed" && (run.pid !== process.pid || run.host !== thisHost)) {
        throw new StoreError(
          `run ${id} was marked crashed and belongs to process ${run.pid ?? "?"} on ${run.host ?? "?"}; only that process can end it`,
        );
      }
      const now = Date.now();
      this.db
        .prepare("UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ?, error = ? WHERE id = ?")
        .run(status, now, now, error, id);
    });
  }

  async heartbeat(id: RunId): Promise<void> {
    await this.write("writing a heartbeat", () => {
      const changes = this.statements.heartbeat.run(Date.now(), asRunId(id), process.pid, thisHost).changes;
      if (changes === 0) {
        const run = this.requireRun(id);
        throw new StoreError(`run ${id} is ${run.status}: heartbeats are only for running runs of this process`);
      }
    });
  }

  async startHeartbeat(id: RunId, options?: HeartbeatOptions): Promise<Heartbeat> {
    await this.heartbeat(id);
    const intervalMs = options?.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const beat = (): Heartbeat => {
      let beater = this.beaters.get(intervalMs);
      if (beater === undefined) {
        beater = sqliteHeartbeats({ dbPath: this.location, busyTimeoutMs: this.busyTimeoutMs }, intervalMs);
        this.beaters.set(intervalMs, beater);
      }
      return beater.add(id, options);
    };
    let beating: Heartbeat | null = null;
    let deferred: NodeJS.Timeout | null = null;
    const after = options?.threadAfterMs ?? 0;
    if (after > 0 && !this.beaters.has(intervalMs)) {
      deferred = setTimeout(() => {
        deferred = null;
        beating = beat();
      }, after);
      // a run that is over does not wait for it (stop clears it; readers mark a forgotten run crashed)
      deferred.unref();
    } else {
      beating = beat();
    }
    const handle: Heartbeat = {
      stop: async () => {
        this.heartbeats.delete(handle);
        if (deferred !== null) clearTimeout(deferred);
        deferred = null;
        await beating?.stop();
      },
    };
    this.heartbeats.add(handle);
    return handle;
  }

  async setTag(id: RunId, key: string, value: string): Promise<void> {
    checkTags({ [requireString(key, "a tag key")]: value });
    await this.write("setting a tag", () => {
      this.requireRun(id);
      this.statements.insertTag.run(id, key, value);
    });
  }

  async deleteTag(id: RunId, key: string): Promise<void> {
    await this.write("deleting a tag", () => {
      this.requireRun(id);
      this.db.prepare("DELETE FROM run_tags WHERE run_id = ? AND key = ?").run(id, key);
    });
  }

  async logMetrics(id: RunId, rows: readonly MetricRow[]): Promise<void> {
    rows.forEach(checkMetricRow);
    for (let start = 0; start < rows.length || start === 0; start += MAX_ROWS_PER_TRANSACTION) {
      const chunk = rows.slice(start, start + MAX_ROWS_PER_TRANSACTION);
      await this.write("logging metrics", () => {
        this.requireRun(id);
        const now = Date.now();
        const insert = this.statements.insertMetric;
        for (const row of chunk) {
          // SQLite stores NaN as NULL; the read side maps NULL back to NaN.
          const value = Number.isNaN(row.value) ? null : row.value;
          insert.run(id, row.name, row.split ?? "", row.step ?? 0, value, now);
        }
      });
    }
  }

  async logPredictions(id: RunId, rows: readonly PredictionRow[]): Promise<void> {
    rows.forEach(checkPredictionRow);
    for (let start = 0; start < rows.length || start === 0; start += MAX_ROWS_PER_TRANSACTION) {
      const end = Math.min(rows.length, start + MAX_ROWS_PER_TRANSACTION);
      await this.write("logging predictions", () => {
        this.requireRun(id);
        const insert = this.statements.insertPrediction;
        for (let i = start; i < end; i++) {
          const row = rows[i]!;
          insert.run(
            id,
            row.split,
            row.exampleId,
            row.label ?? null,
            row.score ?? null,
            row.scores === undefined || row.scores === null ? null : JSON.stringify(row.scores),
            row.decision ?? null,
            row.correct === undefined || row.correct === null ? null : row.correct ? 1 : 0,
          );
        }
      });
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
    await this.run("checking a run", () => this.requireRun(id));
    // The file goes first: a crash in between leaves an unreferenced file, never a dangling row.
    const { sha256, size } = writeArtifactFile(this.storeDir, bytes, this.location);
    const record: ArtifactRecord = { name, sha256, size, mediaType: media, createdAt: Date.now() };
    await this.write("recording an artifact", () => {
      this.requireRun(id);
      this.db
        .prepare(
          "INSERT OR REPLACE INTO artifacts (run_id, name, sha256, size, media_type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(id, name, sha256, size, media, record.createdAt);
    });
    return record;
  }

  // ── reads ────────────────────────────────────────────────────────────────────────────────────

  async getRun(idOrPrefix: string): Promise<RunRecord> {
    const prefix = normaliseRunIdPrefix(idOrPrefix);
    return this.run("reading a run", () => {
      let row: FullRunRow | undefined;
      if (prefix.length === RUN_ID_LENGTH) {
        row = this.statements.fullRun.get(prefix);
        if (row === undefined) throw new StoreError(`no run with id "${prefix}" in store ${this.location}`);
      } else {
        // Ids are hex, and "g" sorts after every hex digit: [prefix, prefix+"g") is exactly the prefix's range.
        const matches = this.db
          .prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`)
          .all(prefix, `${prefix}g`, MAX_CANDIDATES + 1) as RunRow[];
        if (matches.length === 0) {
          throw new StoreError(`no run id starts with "${prefix}" in store ${this.location}`);
        }
        if (matches.length > 1) {
          const { n } = this.db
            .prepare("SELECT count(*) AS n FROM runs WHERE id >= ? AND id < ?")
            .get(prefix, `${prefix}g`) as { n: number };
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
        row = this.statements.fullRun.get(matches[0]!.id)!;
      }
      const shown = this.reap(row);
      return toRecord(shown, this.tagsOf(shown.id));
    });
  }

  async listRuns(query: ListRunsQuery = {}): Promise<RunSummary[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.experiment !== undefined) {
      where.push("experiment = ?");
      params.push(requireString(query.experiment, "experiment"));
    }
    if (query.status !== undefined) {
      where.push("status = ?");
      params.push(checkStatus(query.status));
    }
    if (query.parentId !== undefined) {
      where.push("parent_id = ?");
      params.push(asRunId(query.parentId));
    }
    const limit = checkCount(query.limit, "limit");
    const offset = checkCount(query.offset, "offset");
    const sql =
      `SELECT ${SUMMARY_COLUMNS} FROM runs` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY id DESC LIMIT ${limit ?? -1} OFFSET ${offset ?? 0}`;
    return this.run("listing runs", () => {
      const rows = (this.db.prepare(sql).all(...params) as RunRow[]).map((row) => this.reap(row));
      const tags = new Map<string, Record<string, string>>();
      if (rows.length > 0) {
        const tagRows = this.db
          .prepare("SELECT run_id, key, value FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?))")
          .all(JSON.stringify(rows.map((r) => r.id))) as { run_id: string; key: string; value: string }[];
        for (const t of tagRows) {
          let forRun = tags.get(t.run_id);
          if (forRun === undefined) tags.set(t.run_id, (forRun = {}));
          forRun[t.key] = t.value;
        }
      }
      // A status filter applies to the stored status; a run just found crashed no longer matches "running".
      const shown = query.status === undefined ? rows : rows.filter((r) => r.status === query.status);
      return shown.map((row) => toSummary(row, tags.get(row.id) ?? {}));
    });
  }

  async getMetrics(id: RunId, query: MetricQuery = {}): Promise<MetricRecord[]> {
    const where = ["run_id = ?"];
    const params: string[] = [id];
    if (query.name !== undefined) {
      where.push("name = ?");
      params.push(query.name);
    }
    if (query.split !== undefined) {
      where.push("split = ?");
      params.push(query.split ?? "");
    }
    return this.run("reading metrics", () => {
      this.requireRun(id);
      const rows = this.db
        .prepare(
          `SELECT name, split, step, value, logged_at FROM metrics WHERE ${where.join(" AND ")} ORDER BY name, split, step`,
        )
        .all(...params) as MetricDbRow[];
      return rows.map((r) => ({
        name: r.name,
        value: r.value ?? Number.NaN,
        split: r.split === "" ? null : r.split,
        step: r.step,
        loggedAt: r.logged_at,
      }));
    });
  }

  async getPredictions(id: RunId, split?: string): Promise<PredictionRecord[]> {
    return this.run("reading predictions", () => {
      this.requireRun(id);
      const columns = "split, example_id, label, score, scores_json, decision, correct";
      const rows = (
        split === undefined
          ? this.db.prepare(`SELECT ${columns} FROM predictions WHERE run_id = ? ORDER BY split, example_id`).all(id)
          : this.db
              .prepare(`SELECT ${columns} FROM predictions WHERE run_id = ? AND split = ? ORDER BY example_id`)
              .all(id, split)
      ) as PredictionDbRow[];
      return rows.map((r) => ({
        exampleId: r.example_id,
        split: r.split,
        label: r.label,
        score: r.score,
        scores: parseJson<ClassScores>(r.scores_json),
        decision: r.decision,
        correct: r.correct === null ? null : r.correct === 1,
      }));
    });
  }

  async getArtifact(id: RunId, name: string): Promise<Artifact> {
    checkArtifactName(name);
    const record = await this.run("reading an artifact", () => {
      this.requireRun(id);
      const row = this.db
        .prepare("SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = ? AND name = ?")
        .get(id, name) as ArtifactDbRow | undefined;
      if (row === undefined) {
        const names = (
          this.db.prepare("SELECT name FROM artifacts WHERE run_id = ? ORDER BY name").all(id) as { name: string }[]
        ).map((r) => r.name);
        throw new StoreError(
          `run ${id} has no artifact "${name}"` +
            (names.length === 0 ? " (it has no artifacts)" : ` (it has: ${names.join(", ")})`),
        );
      }
      return toArtifactRecord(row);
    });
    const bytes = readArtifactFile(this.storeDir, record.sha256, `artifact "${name}" of run ${id}`);
    return { record, bytes };
  }

  async listArtifacts(id: RunId): Promise<ArtifactRecord[]> {
    return this.run("listing artifacts", () => {
      this.requireRun(id);
      const rows = this.db
        .prepare("SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = ? ORDER BY name")
        .all(id) as ArtifactDbRow[];
      return rows.map(toArtifactRecord);
    });
  }

  // ── queries and derived results ──────────────────────────────────────────────────────────────

  async queryRuns(query: RunQuery): Promise<QueriedRun[]> {
    const limit = checkCount(query.limit, "limit");
    const offset = checkCount(query.offset, "offset");
    const compiled = compileRunQuery({ ...query, limit, offset }, SUMMARY_COLUMNS);
    return this.run("querying runs", () => {
      // Dead running runs are marked first, so that a status filter sees what a reader would.
      for (const row of this.db
        .prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE status = 'running'`)
        .all() as RunRow[]) {
        this.reap(row);
      }
      const rows = this.db.prepare(compiled.sql).all(...compiled.params) as Array<RunRow & Record<string, unknown>>;
      const tags = new Map<string, Record<string, string>>();
      if (rows.length > 0) {
        const tagRows = this.db
          .prepare("SELECT run_id, key, value FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?))")
          .all(JSON.stringify(rows.map((r) => r.id))) as { run_id: string; key: string; value: string }[];
        for (const t of tagRows) {
          let forRun = tags.get(t.run_id);
          if (forRun === undefined) tags.set(t.run_id, (forRun = {}));
          forRun[t.key] = t.value;
        }
      }
      return rows.map((row) => {
        const values: Record<string, unknown> = {};
        for (const f of compiled.fields) {
          const v = decodeFieldValue(row[f.value], f.type === null ? null : row[f.type]);
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
    await this.write(`storing a ${kind} result`, () => {
      this.requireRun(runA);
      this.requireRun(runB);
      this.db
        .prepare(
          "INSERT OR REPLACE INTO pair_results (kind, key, run_a, run_b, result_json, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(kind, key, runA, runB, json, Date.now());
    });
  }

  async getPairResult(kind: string, key: string): Promise<PairResult | null> {
    return this.run(`reading a ${kind} result`, () => {
      const row = this.db
        .prepare("SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results WHERE kind = ? AND key = ?")
        .get(kind, key) as PairResultRow | undefined;
      return row === undefined ? null : toPairResult(row);
    });
  }

  async listPairResults(kind: string, runIds: readonly RunId[]): Promise<PairResult[]> {
    if (runIds.length === 0) return [];
    return this.run(`listing ${kind} results`, () => {
      const ids = JSON.stringify(runIds);
      const rows = this.db
        .prepare(
          `SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results
           WHERE kind = ? AND (run_a IN (SELECT value FROM json_each(?)) OR run_b IN (SELECT value FROM json_each(?)))
           ORDER BY created_at, key`,
        )
        .all(kind, ids, ids) as PairResultRow[];
      return rows.map(toPairResult);
    });
  }

  async putRunResult(id: RunId, kind: string, key: string, result: unknown): Promise<void> {
    requireString(kind, "a run result's kind");
    requireString(key, "a run result's key");
    const json = toJson(result, `${kind} result`);
    await this.write(`storing a ${kind} result`, () => {
      this.requireRun(id);
      this.db
        .prepare(
          "INSERT OR REPLACE INTO run_results (run_id, kind, key, result_json, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(id, kind, key, json, Date.now());
    });
  }

  async getRunResult(id: RunId, kind: string, key: string): Promise<RunResult | null> {
    return this.run(`reading a ${kind} result`, () => {
      const row = this.db
        .prepare(
          "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = ? AND kind = ? AND key = ?",
        )
        .get(id, kind, key) as RunResultRow | undefined;
      return row === undefined ? null : toRunResult(row);
    });
  }

  async listRunResults(id: RunId, kind: string): Promise<RunResult[]> {
    return this.run(`listing ${kind} results`, () =>
      (
        this.db
          .prepare(
            "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = ? AND kind = ? ORDER BY created_at, key",
          )
          .all(id, kind) as RunResultRow[]
      ).map(toRunResult),
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
    await this.write("tagging an example", () => {
      const now = Date.now();
      const insert = this.db.prepare(
        `INSERT INTO example_tags (experiment, example_id, tag, run_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (experiment, example_id, tag) DO UPDATE SET note = COALESCE(excluded.note, note)`,
      );
      for (const t of tags) insert.run(experiment, exampleId, t, runId, note, now);
    });
  }

  async removeExampleTags(experiment: string, exampleId: string, tags: readonly string[]): Promise<number> {
    return this.write("untagging an example", () => {
      const del = this.db.prepare("DELETE FROM example_tags WHERE experiment = ? AND example_id = ? AND tag = ?");
      let n = 0;
      for (const t of tags) n += del.run(experiment, exampleId, t).changes;
      return n;
    });
  }

  async listExampleTags(experiment: string, exampleIds?: readonly string[]): Promise<ExampleTag[]> {
    return this.run("listing example tags", () => {
      const rows =
        exampleIds === undefined
          ? (this.db
              .prepare("SELECT * FROM example_tags WHERE experiment = ? ORDER BY example_id, tag")
              .all(experiment) as ExampleTagRow[])
          : (this.db
              .prepare(
                "SELECT * FROM example_tags WHERE experiment = ? AND example_id IN (SELECT value FROM json_each(?)) ORDER BY example_id, tag",
              )
              .all(experiment, JSON.stringify(exampleIds)) as ExampleTagRow[]);
      return rows.map((r) => ({
        experiment: r.experiment,
        exampleId: r.example_id,
        tag: r.tag,
        runId: r.run_id as RunId | null,
        note: r.note,
        createdAt: r.created_at,
      }));
    });
  }

  // ── model registry (see the Store's "Model registry" section; SQL in sqlite-registry.ts) ────────

  async promoteModel(input: PromoteModelInput): Promise<ModelPromotion> {
    const metricsJson = checkPromotion(input);
    const runId = asRunId(input.runId);
    return this.write(`promoting run ${runId} to ${input.name}@${input.alias}`, () => {
      this.requireRun(runId);
      return promoteInTransaction(this.db, { ...input, runId }, metricsJson);
    });
  }

  async getModelAlias(name: string, alias: string): Promise<ModelAlias | null> {
    checkModelName("name", name);
    checkModelName("alias", alias);
    return this.run(`reading ${name}@${alias}`, () => registryGetAlias(this.db, name, alias));
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | null> {
    checkModelName("name", name);
    return this.run(`reading ${name} version ${version}`, () => registryGetVersion(this.db, name, version));
  }

  async listModels(): Promise<RegisteredModel[]> {
    return this.run("listing models", () => registryListModels(this.db));
  }

  async listModelVersions(name: string): Promise<ModelVersion[]> {
    checkModelName("name", name);
    return this.run(`listing versions of ${name}`, () => registryListVersions(this.db, name));
  }

  async modelHistory(name: string): Promise<ModelPromotion[]> {
    checkModelName("name", name);
    return this.run(`reading the history of ${name}`, () => registryHistory(this.db, name));
  }

  // ── moving and removing runs (transfer-types.ts: export/import and retention) ────────────────

  get artifactsRoot(): string {
    return this.storeDir;
  }

  async exportRunData(id: RunId): Promise<RunData> {
    return this.run("exporting a run", () => {
      const run = this.statements.fullRun.get(asRunId(id));
      if (run === undefined) throw new StoreError(`no run with id "${id}" in store ${this.location}`);
      const all = <T>(sql: string): T[] => this.db.prepare(sql).all(id) as T[];
      return {
        run,
        tags: all<{ key: string; value: string }>("SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key").map(
          (t): [string, string] => [t.key, t.value],
        ),
        metrics: all<MetricData & { value: number | null }>(
          "SELECT name, split, step, value, logged_at FROM metrics WHERE run_id = ? ORDER BY name, split, step",
        ).map((m) => ({ ...m, value: m.value === null ? "NaN" : toJsonNumber(m.value) })),
        predictions: all<PredictionData & { correct: number | null }>(
          `SELECT split, example_id, label, score, scores_json, decision, correct FROM predictions WHERE run_id = ?
           ORDER BY split, example_id`,
        ).map((p) => ({ ...p, correct: p.correct === null ? null : p.correct === 1 })),
        artifacts: all<ArtifactDbRow>(
          "SELECT name, sha256, size, media_type, created_at FROM artifacts WHERE run_id = ? ORDER BY name",
        ),
        runResults: all<RunResultRow>(
          "SELECT run_id, kind, key, result_json, created_at FROM run_results WHERE run_id = ? ORDER BY kind, key",
        ),
        pairResults: all<PairResultRow>(
          "SELECT kind, key, run_a, run_b, result_json, created_at FROM pair_results WHERE run_a = ? ORDER BY kind, key",
        ),
      };
    });
  }

  async importRunData(data: RunData): Promise<ImportOutcome> {
    const id = asRunId(data.run.id);
    return this.write("importing a run", (): ImportOutcome => {
      const existing = this.statements.fullRun.get(id);
      if (existing !== undefined) {
        const difference = sameRunRow(data.run, existing);
        return difference === null ? { kind: "present" } : { kind: "conflict", reason: difference };
      }
      const columns = Object.keys(data.run);
      this.db
        .prepare(`INSERT INTO runs (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`)
        .run(data.run);
      for (const [key, value] of data.tags) this.statements.insertTag.run(id, key, value);
      for (const m of data.metrics) {
        const value = fromJsonNumber(m.value);
        this.statements.insertMetric.run(id, m.name, m.split, m.step, Number.isNaN(value) ? null : value, m.logged_at);
      }
      for (const p of data.predictions) {
        this.statements.insertPrediction.run(
          id,
          p.split,
          p.example_id,
          p.label,
          p.score,
          p.scores_json,
          p.decision,
          p.correct === null ? null : p.correct ? 1 : 0,
        );
      }
      const artifact = this.db.prepare(
        "INSERT INTO artifacts (run_id, name, sha256, size, media_type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const a of data.artifacts) artifact.run(id, a.name, a.sha256, a.size, a.media_type, a.created_at);
      const result = this.db.prepare(
        "INSERT INTO run_results (run_id, kind, key, result_json, created_at) VALUES (?, ?, ?, ?, ?)",
      );
      for (const r of data.runResults) result.run(id, r.kind, r.key, r.result_json, r.created_at);
      // A pair result needs both runs: the importer adds these once every run of the bundle is in.
      return { kind: "added" };
    });
  }

  /** Adds pair results whose two runs exist (others are skipped); returns how many were added. */
  async importPairResults(rows: readonly PairResultRow[]): Promise<number> {
    return this.write("importing pair results", () => {
      let n = 0;
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO pair_results (kind, key, run_a, run_b, result_json, created_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?) AND EXISTS (SELECT 1 FROM runs WHERE id = ?)`,
      );
      for (const r of rows) {
        n += insert.run(r.kind, r.key, r.run_a, r.run_b, r.result_json, r.created_at, r.run_a, r.run_b).changes;
      }
      return n;
    });
  }

  async deleteRunData(ids: readonly RunId[]): Promise<void> {
    await this.write("deleting runs", () => {
      const del = this.db.prepare("DELETE FROM runs WHERE id = ?");
      for (const id of ids) del.run(asRunId(id));
    });
  }

  async referencedArtifactHashes(): Promise<Set<string>> {
    return this.run("listing artifact hashes", () => {
      const rows = this.db.prepare("SELECT DISTINCT sha256 FROM artifacts").all() as { sha256: string }[];
      return new Set(rows.map((r) => r.sha256));
    });
  }

  async modelVersionsOf(ids: readonly RunId[]): Promise<Array<{ name: string; version: number; runId: RunId }>> {
    if (ids.length === 0) return [];
    return this.run("reading model versions", () =>
      (
        this.db
          .prepare(
            "SELECT name, version, run_id FROM model_versions WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY name, version",
          )
          .all(JSON.stringify(ids)) as { name: string; version: number; run_id: string }[]
      ).map((r) => ({ name: r.name, version: r.version, runId: r.run_id as RunId })),
    );
  }

  /** The applied schema version (PRAGMA user_version). */
  async schemaVersion(): Promise<number> {
    return this.run("reading the schema version", () => this.db.pragma("user_version", { simple: true }) as number);
  }

  /** `PRAGMA integrity_check`: "ok" or SQLite's list of problems. */
  async integrityCheck(): Promise<string> {
    return this.run("checking integrity", () =>
      (this.db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("\n"),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.heartbeats].map((h) => h.stop()));
    await Promise.all([...this.beaters.values()].map((b) => b.close()));
    this.beaters.clear();
    this.closed = true;
    this.db.close();
  }
}

async function retryWhileBusy<T>(location: string, what: string, maxWaitMs: number, fn: () => T): Promise<T> {
  const start = Date.now();
  let delay = 5;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      const waited = Date.now() - start;
      if (waited >= maxWaitMs) {
        throw new StoreError(
          `store ${location} stayed locked for ${Math.round(waited / 1000)} s while ${what}: another process holds its write lock (is one stuck?)`,
          { cause: error },
        );
      }
      // Jitter keeps processes that collided from colliding again in lockstep.
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Opening a WAL store in a folder where its -shm file cannot be made. */
function isReadOnlyFolderError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_READONLY_CANTINIT";
}

function translateSqliteError(error: unknown, location: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const message = (error as Error).message;
  if (code === "SQLITE_NOTADB") {
    return new StoreError(`${location} is not an mlloop store: not a SQLite database`, { cause: error });
  }
  if (code.startsWith("SQLITE_CORRUPT")) {
    return new StoreError(`store ${location} is corrupt: ${message}`, { cause: error });
  }
  if (code === "SQLITE_FULL") return new StoreError(`store ${location}: the disk is full`, { cause: error });
  if (code.startsWith("SQLITE_READONLY")) {
    return new StoreError(`store ${location} is read-only: it can be read, not written (${message})`, {
      cause: error,
    });
  }
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR")) {
    return new StoreError(`store ${location}: ${message}`, { cause: error });
  }
  return error;
}

/** `PRAGMA application_id` of an mlloop store: "mllp". Stamped when the store is created. */
export const MLLOOP_APPLICATION_ID = 0x6d6c6c70;

/**
 * Refuses a database that is not an mlloop store, before anything is written to it: one stamped
 * with mlloop's application id, an empty database (a new store), or one made before the stamp
 * (user_version set and mlloop's `runs` table present) is accepted; anything else is another
 * application's file.
 */
function checkIsMlloopStore(db: Db, location: string): void {
  // One read transaction for the three reads: a process creating the store at the same moment
  // commits between separate statements, and a half-seen store (a version but no tables yet) looked
  // like another application's file.
  const { appId, tables, version } = db.transaction(() => ({
    appId: db.pragma("application_id", { simple: true }) as number,
    tables: db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[],
    version: db.pragma("user_version", { simple: true }) as number,
  }))();
  if (appId === MLLOOP_APPLICATION_ID) return;
  if (appId === 0 && tables.length === 0 && version === 0) return;
  const legacy = appId === 0 && version >= 1 && tables.includes("runs") && tables.includes("metrics");
  if (legacy) return;
  const shown = tables.slice(0, 8).map((t) => JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}…` : t));
  throw new StoreError(
    `${location} is not an mlloop store: a SQLite database of another application` +
      ` (application_id ${appId}, user_version ${version}, tables ${shown.join(", ")}${tables.length > 8 ? ", …" : ""}); ` +
      "it was left untouched. Pass --store a new file or folder, or an existing mlloop store",
    { where: location },
  );
}

async function migrate(db: Db, location: string, retry: <T>(what: string, fn: () => T) => Promise<T>): Promise<void> {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw new StoreError(
      `store ${location} has schema version ${current}, newer than this mlloop understands (${SQLITE_SCHEMA_VERSION}): upgrade mlloop`,
    );
  }
  for (const migration of SQLITE_MIGRATIONS) {
    if (migration.version <= current) continue;
    await retry(`migrating to schema version ${migration.version}`, () =>
      db
        .transaction(() => {
          // Re-read inside the write lock: another process may have migrated while we waited.
          const version = db.pragma("user_version", { simple: true }) as number;
          if (version >= migration.version) return;
          if (version === 0) db.pragma(`application_id = ${MLLOOP_APPLICATION_ID}`);
          db.exec(migration.sql);
          db.pragma(`user_version = ${migration.version}`);
        })
        .immediate(),
    );
  }
}

export function openSqliteStore(path: string, options?: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(path, options);
}
