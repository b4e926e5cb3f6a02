/** The tracking stage's public surface. */
export * from "./store.js";
export { asRunId, isRunId, newRunId, runIdTime, RUN_ID_LENGTH } from "./run-id.js";
export {
  openStore,
  resolveStoreLocation,
  redactUrl,
  STORE_ENV_VAR,
  type OpenStoreOptions,
  type StoreLocation,
} from "./open.js";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION, type PostgresMigration } from "./postgres-migrations.js";
export { ARTIFACTS_ENV_VAR, resolveArtifactsLocation } from "./artifacts-location.js";
export { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION, type SqliteMigration } from "./sqlite-migrations.js";
export { captureEnvironment, captureGit, captureProvenance, type ProvenanceOptions } from "./provenance.js";
export { ActiveRun, startRun, withRun, type LogMetricOptions, type StartRunOptions } from "./run-logger.js";
export { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_STALE_AFTER_MS } from "./liveness.js";
export * from "./query.js";
