/**
 * Content-addressed artifact files under `<store dir>/artifacts/ab/cdef…` (sha256 hex split after
 * two characters, like git's objects). The path is derived from the hash only, never from the
 * artifact's name, so no name can reach outside the store; names are still checked so that an
 * export to plain files (name → file) stays safe too.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { unlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { StoreError } from "../errors.js";
import { sha256Hex } from "../util/hash.js";

const MAX_NAME_LENGTH = 255;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const ALLOWED_NAMES = 'a relative path of plain segments, e.g. "model.json" or "plots/roc.svg"';

export function checkArtifactName(name: string): void {
  const refuse = (why: string): never => {
    throw new StoreError(`artifact name ${JSON.stringify(name)} is not allowed: ${why}; use ${ALLOWED_NAMES}`);
  };
  if (name.length === 0) refuse("it is empty");
  if (name.length > MAX_NAME_LENGTH) refuse(`it is longer than ${MAX_NAME_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse("it contains a control character");
  if (name.includes("\\")) refuse("it contains a backslash");
  if (name.startsWith("/")) refuse("it is an absolute path");
  if (/^[A-Za-z]:/.test(name)) refuse("it starts with a drive letter");
  for (const segment of name.split("/")) {
    if (segment === "..") refuse('it contains a ".." segment');
    if (segment === ".") refuse('it contains a "." segment');
    if (segment === "") refuse("it contains an empty segment");
  }
}

export function artifactPath(storeDir: string, sha256: string): string {
  if (!SHA256_PATTERN.test(sha256)) throw new StoreError(`invalid artifact hash "${sha256}" in store ${storeDir}`);
  return join(storeDir, "artifacts", sha256.slice(0, 2), sha256.slice(2));
}

/** True when the file at `path` holds exactly `bytes` (compared in 1 MiB pieces; false when unreadable). */
function holdsExactly(path: string, bytes: Uint8Array): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    if (fstatSync(fd).size !== bytes.length) return false;
    const piece = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, bytes.length)));
    for (let offset = 0; offset < bytes.length;) {
      const n = readSync(fd, piece, 0, Math.min(piece.length, bytes.length - offset), offset);
      if (n === 0 || Buffer.compare(piece.subarray(0, n), bytes.subarray(offset, offset + n)) !== 0) return false;
      offset += n;
    }
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the content unless a file with exactly these bytes is already there: to a temporary file
 * first, fsynced, then renamed, so that a killed process never leaves a partial file under a hash
 * name. An existing file is compared, not trusted for its name: a corrupt or truncated one (bit rot,
 * a bad copy) is replaced, so storing the content again repairs every run that shares it.
 */
export function writeArtifactFile(
  storeDir: string,
  bytes: Uint8Array,
  store: string,
): { sha256: string; size: number } {
  registerArtifactUser(storeDir, store);
  const sha256 = sha256Hex(bytes);
  const path = artifactPath(storeDir, sha256);
  if (!existsSync(path) || !holdsExactly(path, bytes)) {
    const folder = join(storeDir, "artifacts", sha256.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    const temporary = join(folder, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    const fd = openSync(temporary, "w", 0o644);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, path);
    } catch (error) {
      unlinkSync(temporary);
      throw error;
    }
  }
  return { sha256, size: bytes.length };
}

export function readArtifactFile(storeDir: string, sha256: string, what: string): Uint8Array {
  const path = artifactPath(storeDir, sha256);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new StoreError(`${what}: content file ${path} is missing or unreadable`, { cause: error });
  }
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    throw new StoreError(`${what}: content file ${path} is corrupt (sha256 ${actual}, expected ${sha256})`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Which stores keep files under one artifacts directory: two SQLite files in one folder, or a team
 * store pointed at a folder another store uses, share it, and `gc` on one must not remove what the
 * other refers to. Each store that writes an artifact leaves a marker `<dir>/artifacts/.stores/<id>`
 * naming its location (a path, or a PostgreSQL URL without its password); `gc` reads them.
 */
const USERS_FOLDER = ".stores";
const registered = new Set<string>();

function markerPath(storeDir: string, location: string): string {
  return join(storeDir, "artifacts", USERS_FOLDER, sha256Hex(location).slice(0, 32));
}

export function registerArtifactUser(storeDir: string, location: string): void {
  const marker = markerPath(storeDir, location);
  if (registered.has(marker)) return;
  if (!existsSync(marker)) {
    mkdirSync(join(storeDir, "artifacts", USERS_FOLDER), { recursive: true });
    const temporary = `${marker}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
    writeFileSync(temporary, `${JSON.stringify({ location })}\n`, { mode: 0o644 });
    renameSync(temporary, marker);
  }
  registered.add(marker);
}

export interface ArtifactUser {
  readonly location: string;
  readonly marker: string;
}

/** The stores that have written artifacts under `storeDir` (unreadable markers are skipped). */
export function artifactUsers(storeDir: string): ArtifactUser[] {
  const dir = join(storeDir, "artifacts", USERS_FOLDER);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[0-9a-f]{32}$/.test(n));
  } catch {
    return [];
  }
  const users: ArtifactUser[] = [];
  for (const name of names.sort()) {
    const marker = join(dir, name);
    try {
      const { location } = JSON.parse(readFileSync(marker, "utf8")) as { location?: unknown };
      if (typeof location === "string") users.push({ location, marker });
    } catch {
      // a marker being written (renamed into place atomically) or damaged: not a store to ask
    }
  }
  return users;
}
