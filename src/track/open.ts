/**
 * Choosing the store: `--store` (passed in as `location`), else the MLLOOP_STORE environment
 * variable, else the nearest `.mlloop/mlloop.db` in the working directory or one above it (as git
 * finds `.git`: `cd examples/spam && mlloop runs` reads the project's store), else
 * `.mlloop/mlloop.db` under the working directory (created on first use).
 *
 * A location is a PostgreSQL URL (postgres:// or postgresql://), a database file (ends in .db,
 * .sqlite or .sqlite3; artifacts go in an artifacts/ folder beside it), or otherwise a store
 * folder that holds mlloop.db and artifacts/.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreError, UsageError } from "../errors.js";
import { ARTIFACTS_ENV_VAR, resolveArtifactsLocation } from "./artifacts-location.js";
import type { PostgresStoreOptions } from "./postgres-store.js";
import { redactUrl } from "./redact-url.js";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
import type { Store } from "./store.js";

export { redactUrl };

export const STORE_ENV_VAR = "MLLOOP_STORE";
export const DEFAULT_STORE_DIR = ".mlloop";
export const DEFAULT_DB_FILE = "mlloop.db";

export type StoreLocation =
  { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

export interface OpenStoreOptions extends SqliteStoreOptions, Pick<PostgresStoreOptions, "poolSize" | "maxRetryMs"> {
  /**
   * A PostgreSQL store's shared artifacts directory (path or file:// URL; default $MLLOOP_ARTIFACTS,
   * else the one the store recorded when it was first given).
   */
  readonly artifacts?: string;
  /** Base for relative paths and the default location (default: process.cwd()). */
  readonly cwd?: string;
  /** Environment to read MLLOOP_STORE from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The nearest `.mlloop/mlloop.db` in `cwd` or a folder above it, or null when there is none up to the root. */
export function findStoreUpwards(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_STORE_DIR, DEFAULT_DB_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Where HTML reports go (`mlloop report`, `mlloop demo`): `reports/` beside a SQLite store's
 * database file; `.mlloop/reports` under the working directory for a PostgreSQL store.
 */
export function reportsDirFor(storeLocation: string, cwd = process.cwd()): string {
  if (/^postgres(ql)?:\/\//i.test(storeLocation)) return resolve(cwd, DEFAULT_STORE_DIR, "reports");
  return join(dirname(resolve(cwd, storeLocation)), "reports");
}

export function resolveStoreLocation(location?: string, options: OpenStoreOptions = {}): StoreLocation {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  // `--store ""` (an unset shell variable, `--store "$STORE"`) must not silently mean the default store
  if (location !== undefined && location.trim() === "")
    throw new UsageError(`--store is empty: give a SQLite file or folder path, or a postgres:// URL`, {
      where: "--store",
    });
  const given = location?.trim() || env[STORE_ENV_VAR]?.trim() || "";
  if (given === "")
    return { kind: "sqlite", path: findStoreUpwards(cwd) ?? resolve(cwd, DEFAULT_STORE_DIR, DEFAULT_DB_FILE) };
  if (/^postgres(ql)?:\/\//i.test(given)) return { kind: "postgres", url: given };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    throw new StoreError(
      `unsupported store URL "${redactUrl(given)}": use a SQLite file or folder path, or a postgres:// URL`,
    );
  }
  const path = resolve(cwd, given);
  return /\.(db|sqlite3?)$/i.test(path)
    ? { kind: "sqlite", path }
    : { kind: "sqlite", path: join(path, DEFAULT_DB_FILE) };
}

export async function openStore(location?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const resolved = resolveStoreLocation(location, options);
  if (resolved.kind === "postgres") {
    const env = options.env ?? process.env;
    const artifacts = options.artifacts?.trim() || env[ARTIFACTS_ENV_VAR]?.trim() || "";
    // loaded here only: pg and its dependencies took ~70 ms of every SQLite command's start-up
    const { openPostgresStore } = await import("./postgres-store.js");
    return openPostgresStore(resolved.url, {
      staleAfterMs: options.staleAfterMs,
      poolSize: options.poolSize,
      maxRetryMs: options.maxRetryMs,
      artifactsDir: artifacts === "" ? undefined : resolveArtifactsLocation(artifacts, options.cwd ?? process.cwd()),
    });
  }
  return openSqliteStore(resolved.path, options);
}
