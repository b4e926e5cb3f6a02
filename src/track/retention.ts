/**
 * Retention: deleting runs and collecting the artifact files no run refers to any more, the same
 * on every backend. Artifacts are content-addressed and shared — two runs that saved the same
 * model share one file — so deleting a run deletes its rows only; `gc` then removes the files
 * that no remaining run names (and temporary files left by killed writers). A run that is a
 * registered model version is not deleted: the registry would point at nothing.
 */
import { existsSync, readdirSync, rmSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { MlloopError, StoreError } from "../errors.js";
import { artifactUsers } from "./artifact-files.js";
import { openStore } from "./open.js";
import type { RunId } from "./run-id.js";
import type { Store } from "./store.js";
import { isTransferStore, type RunTransferStore } from "./transfer-types.js";

/** Temporary artifact files younger than this may belong to a writer still running. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface DeletePlan {
  readonly runs: readonly RunId[];
  /** Runs that stay but whose parent is deleted (their lineage keeps the parent's id). */
  readonly orphaned: readonly RunId[];
}

export async function planDelete(store: Store & RunTransferStore, ids: readonly RunId[]): Promise<DeletePlan> {
  const registered = await store.modelVersionsOf(ids);
  if (registered.length > 0) {
    const list = registered.map((v) => `${v.runId} is ${v.name} version ${v.version}`).join("; ");
    throw new StoreError(`refusing to delete registered model versions: ${list} (the registry would point at nothing)`);
  }
  const doomed = new Set(ids);
  const orphaned: RunId[] = [];
  for (const id of ids) {
    for (const child of await store.listRuns({ parentId: id })) if (!doomed.has(child.id)) orphaned.push(child.id);
  }
  return { runs: [...ids], orphaned };
}

export interface GcFile {
  readonly sha256: string;
  readonly path: string;
  readonly bytes: number;
}

export interface GcReport {
  readonly root: string | null;
  readonly kept: { readonly files: number; readonly bytes: number };
  readonly freed: { readonly files: number; readonly bytes: number };
  readonly removed: readonly GcFile[];
  readonly staleTemporaryFiles: number;
  readonly dryRun: boolean;
  /** Other stores that keep files in the same directory; what they refer to was kept too. */
  readonly sharedWith: readonly string[];
}

/**
 * The artifact hashes the other stores using `root` refer to (see artifactUsers). A store whose
 * file is gone refers to nothing (its marker goes, unless dry run); one that cannot be opened
 * stops gc: its files cannot be told from garbage.
 */
async function otherStoresReferences(
  root: string,
  self: string,
  dryRun: boolean,
): Promise<{ hashes: Set<string>; sharedWith: string[] }> {
  const hashes = new Set<string>();
  const sharedWith: string[] = [];
  for (const user of artifactUsers(root)) {
    if (user.location === self) continue;
    const url = /^postgres(ql)?:\/\//i.test(user.location);
    if (!url && !existsSync(user.location)) {
      if (!dryRun) rmSync(user.marker, { force: true });
      continue;
    }
    let other: Store;
    try {
      other = await openStore(user.location, { env: {} });
    } catch (error) {
      const reason = error instanceof MlloopError ? error.message : String(error);
      throw new StoreError(
        `gc: artifacts directory ${root} is also used by store ${user.location}, which cannot be opened (${reason}); ` +
          `gc here would remove files that store may need. Run gc where that store can be opened, or, if it is ` +
          `gone for good, remove ${user.marker}`,
      );
    }
    try {
      if (!isTransferStore(other)) throw new StoreError(`store ${user.location} cannot list its artifacts`);
      for (const h of await other.referencedArtifactHashes()) hashes.add(h);
      sharedWith.push(user.location);
    } finally {
      await other.close();
    }
  }
  return { hashes, sharedWith };
}

/** Finds (and unless `dryRun`, removes) artifact files no run refers to. */
export async function collectArtifacts(store: Store & RunTransferStore, dryRun: boolean): Promise<GcReport> {
  const root = store.artifactsRoot;
  const empty = { files: 0, bytes: 0 };
  if (root === null)
    return { root, kept: empty, freed: empty, removed: [], staleTemporaryFiles: 0, dryRun, sharedWith: [] };
  // Read the references before listing files: a file written after this point is never a candidate
  // unless it is also older than the listing — and artifact files are written before their rows.
  const referenced = await store.referencedArtifactHashes();
  const others = await otherStoresReferences(root, store.location, dryRun);
  for (const h of others.hashes) referenced.add(h);
  const started = Date.now();
  const dir = join(root, "artifacts");
  const unreferenced: GcFile[] = [];
  const temporary: string[] = [];
  const kept = { files: 0, bytes: 0 };
  let folders: string[];
  try {
    folders = readdirSync(dir).filter((f) => /^[0-9a-f]{2}$/.test(f));
  } catch {
    folders = [];
  }
  for (const folder of folders.sort()) {
    for (const name of readdirSync(join(dir, folder)).sort()) {
      const path = join(dir, folder, name);
      const st = statSync(path);
      if (name.startsWith(".tmp-")) {
        if (started - st.mtimeMs > STALE_TEMP_MS) temporary.push(path);
        continue;
      }
      const sha256 = folder + name;
      // A file newer than the reference list may belong to a run being written right now.
      if (referenced.has(sha256) || st.mtimeMs >= started - 1000) {
        kept.files++;
        kept.bytes += st.size;
      } else unreferenced.push({ sha256, path, bytes: st.size });
    }
  }
  if (!dryRun) {
    for (const f of unreferenced) unlinkSync(f.path);
    for (const t of temporary) unlinkSync(t);
  }
  return {
    root,
    kept,
    freed: { files: unreferenced.length, bytes: unreferenced.reduce((a, f) => a + f.bytes, 0) },
    removed: unreferenced,
    staleTemporaryFiles: temporary.length,
    dryRun,
    sharedWith: others.sharedWith,
  };
}
