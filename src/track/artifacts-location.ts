/**
 * Where a team store keeps its artifacts: a directory every machine that logs to the store can
 * reach (an NFS or SMB mount), given as a path or a file:// URL (`--artifacts` or
 * MLLOOP_ARTIFACTS). Content is kept as in a SQLite store folder — `<dir>/artifacts/ab/cdef…`,
 * named by sha256, written to a temporary file and renamed, re-hashed on every read — so the same
 * integrity checks hold. Object storage (s3://, gs://, az://) is not supported yet.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StoreError } from "../errors.js";

export const ARTIFACTS_ENV_VAR = "MLLOOP_ARTIFACTS";

/** The absolute directory named by a path or file:// URL (relative paths against `cwd`). */
export function resolveArtifactsLocation(given: string, cwd: string): string {
  const text = given.trim();
  if (/^file:\/\//i.test(text)) {
    try {
      return fileURLToPath(text);
    } catch (error) {
      throw new StoreError(`invalid artifacts URL "${text}": ${(error as Error).message}; use file:///absolute/path`, {
        cause: error,
      });
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme !== undefined) {
    throw new StoreError(
      `artifacts location "${text}": ${scheme}:// is not supported yet; object storage is not supported yet — ` +
        "use a shared directory every machine mounts, as a path or file:///mnt/team/mlloop",
    );
  }
  if (text === "") throw new StoreError("the artifacts location is empty: give a directory path or a file:// URL");
  return resolve(cwd, text);
}
