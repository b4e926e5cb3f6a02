/**
 * The PostgreSQL schema as an append-only list of migrations, the twin of sqlite-migrations.ts:
 * the same tables and columns (JSON kept as the exact text the SQLite store keeps, so that a run
 * moved between backends reads back byte for byte), with PostgreSQL types. `mlloop_schema` holds
 * the version applied. Each migration runs in one transaction under a transaction-scoped advisory
 * lock and re-reads the version inside it, so many processes opening one fresh database at once
 * apply each migration exactly once (CREATE TABLE IF NOT EXISTS alone races on the catalogue).
 *
 * Text columns that are compared or sorted use COLLATE "C": byte order of UTF-8 is code-point
 * order, which is what the query language's reference evaluator and SQLite use, whatever locale
 * the team's server was initialised with.
 */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The advisory lock key all mlloop processes take while migrating ("mlloop" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6d6c6c6f6f70;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "runs, tags, metrics, predictions, artifacts",
    sql: `
      CREATE TABLE runs (
        id              TEXT COLLATE "C" PRIMARY KEY,
        experiment      TEXT COLLATE "C" NOT NULL,
        -- no foreign key: runs imported from another store may arrive before their parent
        parent_id       TEXT COLLATE "C",
        status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'crashed')),
        created_at      BIGINT NOT NULL,
        started_at      BIGINT,
        ended_at        BIGINT,
        heartbeat_at    BIGINT,
        pid             INTEGER,
        host            TEXT,
        name            TEXT COLLATE "C",
        notes           TEXT COLLATE "C",
        spec_json       TEXT,
        spec_hash       TEXT COLLATE "C",
        spec_patch_json TEXT,
        provenance_json TEXT,
        seeds_json      TEXT NOT NULL DEFAULT '{}',
        params_json     TEXT NOT NULL DEFAULT '{}',
        data_info_json  TEXT,
        timings_json    TEXT NOT NULL DEFAULT '{}',
        error           TEXT,
        extras_json     TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX runs_by_experiment ON runs (experiment, id);
      CREATE INDEX runs_by_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
      CREATE INDEX runs_by_spec_hash ON runs (spec_hash) WHERE spec_hash IS NOT NULL;
      CREATE INDEX runs_by_created ON runs (created_at);
      CREATE INDEX runs_by_status ON runs (status, id);

      CREATE TABLE run_tags (
        run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key    TEXT COLLATE "C" NOT NULL,
        value  TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_tags_by_key ON run_tags (key, value);

      CREATE TABLE metrics (
        run_id    TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name      TEXT COLLATE "C" NOT NULL,
        -- '' = no split, as in SQLite
        split     TEXT COLLATE "C" NOT NULL DEFAULT '',
        step      BIGINT NOT NULL DEFAULT 0,
        -- double precision holds NaN and ±Infinity as they are
        value     DOUBLE PRECISION NOT NULL,
        logged_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, name, split, step)
      );

      CREATE TABLE predictions (
        run_id      TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        split       TEXT COLLATE "C" NOT NULL,
        example_id  TEXT COLLATE "C" NOT NULL,
        label       TEXT,
        score       DOUBLE PRECISION,
        scores_json TEXT,
        decision    TEXT,
        correct     BOOLEAN,
        PRIMARY KEY (run_id, split, example_id)
      );

      CREATE TABLE artifacts (
        run_id     TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name       TEXT COLLATE "C" NOT NULL,
        sha256     TEXT COLLATE "C" NOT NULL,
        size       BIGINT NOT NULL,
        media_type TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, name)
      );
      CREATE INDEX artifacts_by_sha256 ON artifacts (sha256);

      CREATE TABLE pair_results (
        kind        TEXT COLLATE "C" NOT NULL,
        key         TEXT COLLATE "C" NOT NULL,
        run_a       TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        run_b       TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        result_json TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (kind, key)
      );
      CREATE INDEX pair_results_by_a ON pair_results (run_a, kind);
      CREATE INDEX pair_results_by_b ON pair_results (run_b, kind);

      CREATE TABLE run_results (
        run_id      TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind        TEXT COLLATE "C" NOT NULL,
        key         TEXT COLLATE "C" NOT NULL,
        result_json TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (run_id, kind, key)
      );

      CREATE TABLE example_tags (
        experiment TEXT COLLATE "C" NOT NULL,
        example_id TEXT COLLATE "C" NOT NULL,
        tag        TEXT COLLATE "C" NOT NULL,
        run_id     TEXT COLLATE "C",
        note       TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (experiment, example_id, tag)
      );
      CREATE INDEX example_tags_by_tag ON example_tags (experiment, tag);

      -- store-wide settings (e.g. where the team's artifacts live)
      CREATE TABLE store_settings (
        key   TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "model registry: versions, aliases, promotion history (as SQLite's migration 4)",
    sql: `
      -- no foreign keys to runs: runs may be imported after the registry that names them
      CREATE TABLE model_versions (
        name       TEXT COLLATE "C" NOT NULL,
        version    INTEGER NOT NULL,
        run_id     TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (name, version),
        UNIQUE (name, run_id)
      );

      CREATE TABLE model_aliases (
        name       TEXT COLLATE "C" NOT NULL,
        alias      TEXT COLLATE "C" NOT NULL,
        version    INTEGER NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
      );

      CREATE TABLE model_promotions (
        -- grows with each insert; promotions of one name are serialized, so it orders the history
        seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name             TEXT COLLATE "C" NOT NULL,
        alias            TEXT COLLATE "C" NOT NULL,
        version          INTEGER NOT NULL,
        run_id           TEXT COLLATE "C" NOT NULL,
        new_version      BOOLEAN NOT NULL,
        previous_version INTEGER,
        previous_run_id  TEXT COLLATE "C",
        promoted_at      BIGINT NOT NULL,
        promoted_by      TEXT NOT NULL,
        metrics_json     TEXT NOT NULL,
        note             TEXT
      );
      CREATE INDEX model_promotions_by_name ON model_promotions (name, seq);
    `,
  },
  {
    version: 3,
    name: "metrics and predictions checked against runs once per statement, not once per row",
    // A foreign key checks (and locks the run) once per inserted row: for a run's 1,000 predictions
    // in one INSERT that was a third of the write's time. The same guarantees, once per statement:
    // every run an INSERT names must exist, and is locked FOR KEY SHARE as the foreign key would
    // (a concurrent delete waits for the insert's transaction); deleting runs deletes their rows.
    sql: `
      ALTER TABLE metrics DROP CONSTRAINT metrics_run_id_fkey;
      ALTER TABLE predictions DROP CONSTRAINT predictions_run_id_fkey;

      CREATE FUNCTION mlloop_rows_need_runs() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        missing TEXT;
      BEGIN
        PERFORM 1 FROM runs WHERE id IN (SELECT DISTINCT run_id FROM new_rows) FOR KEY SHARE;
        SELECT n.run_id INTO missing FROM (SELECT DISTINCT run_id FROM new_rows) n
          WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = n.run_id) LIMIT 1;
        IF missing IS NOT NULL THEN
          RAISE EXCEPTION 'insert into % names run %, which is not in runs', TG_TABLE_NAME, missing
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER metrics_need_runs AFTER INSERT ON metrics
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mlloop_rows_need_runs();
      CREATE TRIGGER predictions_need_runs AFTER INSERT ON predictions
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mlloop_rows_need_runs();

      CREATE FUNCTION mlloop_delete_run_rows() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        DELETE FROM metrics WHERE run_id IN (SELECT id FROM old_rows);
        DELETE FROM predictions WHERE run_id IN (SELECT id FROM old_rows);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER runs_delete_rows AFTER DELETE ON runs
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mlloop_delete_run_rows();
    `,
  },
  {
    version: 4,
    name: "promotions carry the request that made them (a replayed promotion is recorded once)",
    sql: `
      ALTER TABLE model_promotions ADD COLUMN request_id TEXT COLLATE "C";
      CREATE UNIQUE INDEX model_promotions_by_request ON model_promotions (request_id) WHERE request_id IS NOT NULL;
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;
