/**
 * The SQLite schema as an append-only list of migrations; `PRAGMA user_version` holds the number
 * of the last one applied. A later feature that needs its own tables (diagnostics, comparisons,
 * attribution) appends a migration here with the next version number — never edit one that has
 * shipped. Each migration runs in its own BEGIN IMMEDIATE transaction that re-reads the version
 * first, so four processes opening one fresh store at once apply each migration exactly once.
 */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: "runs, tags, metrics, predictions, artifacts",
    sql: `
      CREATE TABLE runs (
        id              TEXT PRIMARY KEY,
        experiment      TEXT NOT NULL,
        -- no foreign key: runs imported from another store may arrive before their parent
        parent_id       TEXT,
        status          TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'crashed')),
        created_at      INTEGER NOT NULL,
        started_at      INTEGER,
        ended_at        INTEGER,
        heartbeat_at    INTEGER,
        pid             INTEGER,
        host            TEXT,
        name            TEXT,
        notes           TEXT,
        spec_json       TEXT,
        spec_hash       TEXT,
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

      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX run_tags_by_key ON run_tags (key, value);

      CREATE TABLE metrics (
        run_id    TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        -- '' = no split (a primary key column cannot hold NULL usefully)
        split     TEXT NOT NULL DEFAULT '',
        step      INTEGER NOT NULL DEFAULT 0,
        -- REAL cannot hold NaN (SQLite turns it into NULL): NULL here means NaN
        value     REAL,
        logged_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, name, split, step)
      ) WITHOUT ROWID;

      CREATE TABLE predictions (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        split       TEXT NOT NULL,
        example_id  TEXT NOT NULL,
        label       TEXT,
        score       REAL,
        scores_json TEXT,
        decision    TEXT,
        correct     INTEGER CHECK (correct IN (0, 1)),
        PRIMARY KEY (run_id, split, example_id)
      ) WITHOUT ROWID;

      CREATE TABLE artifacts (
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        sha256     TEXT NOT NULL,
        size       INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, name)
      ) WITHOUT ROWID;
      CREATE INDEX artifacts_by_sha256 ON artifacts (sha256);
    `,
  },
  {
    version: 2,
    name: "pair results (comparisons, attributions); indexes for run queries",
    sql: `
      CREATE TABLE pair_results (
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        run_a       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        run_b       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        result_json TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
      CREATE INDEX pair_results_by_a ON pair_results (run_a, kind);
      CREATE INDEX pair_results_by_b ON pair_results (run_b, kind);
      CREATE INDEX runs_by_created ON runs (created_at);
      CREATE INDEX runs_by_status ON runs (status, id);
    `,
  },
  {
    version: 3,
    name: "run results (diagnoses, recommendation outcomes); manual example tags",
    sql: `
      CREATE TABLE run_results (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        result_json TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (run_id, kind, key)
      ) WITHOUT ROWID;

      -- keyed by experiment and example id, not by run: a tag applies to every run that sees the example
      CREATE TABLE example_tags (
        experiment TEXT NOT NULL,
        example_id TEXT NOT NULL,
        tag        TEXT NOT NULL,
        run_id     TEXT,
        note       TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (experiment, example_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX example_tags_by_tag ON example_tags (experiment, tag);
    `,
  },
  {
    version: 4,
    name: "model registry: versions, aliases, promotion history",
    sql: `
      -- no foreign keys to runs: runs may be imported after the registry that names them, and a
      -- run's version must not vanish with it silently (readers report a dangling version instead)
      CREATE TABLE model_versions (
        name       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        run_id     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (name, version),
        UNIQUE (name, run_id)
      ) WITHOUT ROWID;

      CREATE TABLE model_aliases (
        name       TEXT NOT NULL,
        alias      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
      ) WITHOUT ROWID;

      CREATE TABLE model_promotions (
        -- rowid: grows with each insert (rows are never deleted), so it orders the history
        seq              INTEGER PRIMARY KEY,
        name             TEXT NOT NULL,
        alias            TEXT NOT NULL,
        version          INTEGER NOT NULL,
        run_id           TEXT NOT NULL,
        new_version      INTEGER NOT NULL CHECK (new_version IN (0, 1)),
        previous_version INTEGER,
        previous_run_id  TEXT,
        promoted_at      INTEGER NOT NULL,
        promoted_by      TEXT NOT NULL,
        metrics_json     TEXT NOT NULL,
        note             TEXT
      );
      CREATE INDEX model_promotions_by_name ON model_promotions (name, seq);
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
