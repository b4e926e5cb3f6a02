/**
 * Run bundles: `mlloop export` writes runs to one tar file and `mlloop import` adds them to any
 * store (SQLite or PostgreSQL), ids preserved.
 *
 *   manifest.json      format, version, the runs, and the sha256 and size of every other file
 *   runs.jsonl         one line per run: every stored column (times, status, spec, lineage…) and tags
 *   metrics.jsonl      one line per metric point (NaN and ±Infinity as text)
 *   predictions.jsonl  one line per per-example prediction
 *   artifacts.jsonl    one line per artifact name → sha256
 *   results.jsonl      stored run and pair results (diagnoses, comparisons)
 *   objects/<sha256>   artifact contents, once each
 *
 * Import checks the whole bundle before writing anything — tar headers, every file's checksum,
 * every object's hash, every line's shape and that each row names a run of the bundle — so a
 * damaged bundle is refused with nothing written. Then each run is added in one transaction: a run
 * already there with the same stored row is left alone (importing twice adds nothing), one with
 * a different row is reported as a conflict and left alone.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { StoreError } from "../errors.js";
import { sha256Hex } from "../util/hash.js";
import { readArtifactFile, writeArtifactFile } from "./artifact-files.js";
import { isRunId, type RunId } from "./run-id.js";
import type { ArtifactDbRow, FullRunRow, PairResultRow, RunResultRow } from "./store-rows.js";
import type { Store } from "./store.js";
import { readTar, writeTar, type TarEntry } from "./tar.js";
import {
  isTransferStore,
  type ImportOutcome,
  type MetricData,
  type PredictionData,
  type RunData,
  type RunTransferStore,
} from "./transfer-types.js";

export const BUNDLE_FORMAT = "mlloop-bundle";
export const BUNDLE_VERSION = 1;

interface Manifest {
  format: string;
  version: number;
  createdAt: number;
  source: string;
  runs: string[];
  files: Record<string, { sha256: string; size: number }>;
}

export interface ExportSummary {
  readonly path: string;
  readonly runs: readonly RunId[];
  readonly objects: number;
  readonly bytes: number;
  /** Runs of the bundle whose parent is not in it (lineage is kept as the parent's id). */
  readonly parentsOutside: ReadonlyArray<{ run: RunId; parent: RunId }>;
}

export interface ImportSummary {
  readonly added: readonly RunId[];
  readonly present: readonly RunId[];
  readonly conflicts: ReadonlyArray<{ run: RunId; reason: string }>;
  readonly pairResults: number;
}

export function transferStore(store: Store): Store & RunTransferStore {
  if (!isTransferStore(store)) throw new StoreError(`store ${store.location} cannot export or import runs`);
  return store;
}

/** Which runs `mlloop export A B…` means: run ids or prefixes, or experiment names (all runs when none). */
export async function selectRuns(store: Store, selectors: readonly string[]): Promise<RunId[]> {
  if (selectors.length === 0) return (await store.listRuns()).map((r) => r.id).reverse();
  const chosen = new Set<RunId>();
  for (const s of selectors) {
    const ofExperiment = await store.listRuns({ experiment: s });
    if (ofExperiment.length > 0) {
      for (const r of ofExperiment.reverse()) chosen.add(r.id);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,20}$/.test(s.trim())) {
      throw new StoreError(`"${s}" is neither an experiment of store ${store.location} nor a run id`);
    }
    chosen.add((await store.getRun(s)).id);
  }
  return [...chosen].sort();
}

function jsonl(rows: readonly unknown[]): Uint8Array {
  return Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(""), "utf8");
}

export async function exportBundle(store: Store, ids: readonly RunId[], path: string): Promise<ExportSummary> {
  const source = transferStore(store);
  const runs: Array<FullRunRow & { tags: Array<[string, string]> }> = [];
  const metrics: Array<MetricData & { run_id: string }> = [];
  const predictions: Array<PredictionData & { run_id: string }> = [];
  const artifacts: Array<ArtifactDbRow & { run_id: string }> = [];
  const results: Array<{ type: "run"; row: RunResultRow } | { type: "pair"; row: PairResultRow }> = [];
  const objects = new Map<string, Uint8Array>();
  for (const id of [...ids].sort()) {
    const data = await source.exportRunData(id);
    runs.push({ ...data.run, tags: data.tags });
    for (const m of data.metrics) metrics.push({ run_id: id, ...m });
    for (const p of data.predictions) predictions.push({ run_id: id, ...p });
    for (const a of data.artifacts) {
      artifacts.push({ run_id: id, ...a });
      if (!objects.has(a.sha256)) {
        const root = source.artifactsRoot;
        if (root === null)
          throw new StoreError(`run ${id} has artifacts but store ${store.location} has no artifacts location`);
        // re-hashed on read: a corrupt file is refused here rather than shipped
        objects.set(a.sha256, readArtifactFile(root, a.sha256, `artifact "${a.name}" of run ${id}`));
      }
    }
    for (const r of data.runResults) results.push({ type: "run", row: r });
    for (const r of data.pairResults) results.push({ type: "pair", row: r });
  }
  const files: TarEntry[] = [
    { name: "runs.jsonl", bytes: jsonl(runs) },
    { name: "metrics.jsonl", bytes: jsonl(metrics) },
    { name: "predictions.jsonl", bytes: jsonl(predictions) },
    { name: "artifacts.jsonl", bytes: jsonl(artifacts) },
    { name: "results.jsonl", bytes: jsonl(results) },
    ...[...objects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([sha, bytes]) => ({ name: `objects/${sha}`, bytes })),
  ];
  const createdAt = Date.now();
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt,
    source: store.location,
    runs: runs.map((r) => r.id),
    files: Object.fromEntries(files.map((f) => [f.name, { sha256: sha256Hex(f.bytes), size: f.bytes.length }])),
  };
  const tar = writeTar(
    [{ name: "manifest.json", bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8") }, ...files],
    Math.floor(createdAt / 1000),
  );
  // written whole, then renamed: a reader never sees half a bundle
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, tar);
  renameSync(temporary, path);
  const inBundle = new Set(runs.map((r) => r.id));
  return {
    path,
    runs: runs.map((r) => r.id as RunId),
    objects: objects.size,
    bytes: tar.length,
    parentsOutside: runs
      .filter((r) => r.parent_id !== null && !inBundle.has(r.parent_id))
      .map((r) => ({ run: r.id as RunId, parent: r.parent_id as RunId })),
  };
}

interface ParsedBundle {
  manifest: Manifest;
  runs: RunData[];
  pairResults: PairResultRow[];
  objects: Map<string, Uint8Array>;
}

/** Reads and checks a whole bundle; throws a StoreError that says what is damaged and where. */
export function readBundle(path: string): ParsedBundle {
  const what = `bundle ${path}`;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    throw new StoreError(`cannot read ${what}: ${(error as Error).message}`, { cause: error });
  }
  const entries = new Map<string, Uint8Array>();
  for (const e of readTar(data, what)) {
    if (entries.has(e.name)) throw new StoreError(`${what} is damaged: "${e.name}" appears twice`);
    entries.set(e.name, e.bytes);
  }
  const manifestBytes = entries.get("manifest.json");
  if (manifestBytes === undefined) throw new StoreError(`${what} is not an mlloop bundle: it has no manifest.json`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8")) as Manifest;
  } catch (error) {
    throw new StoreError(`${what} is damaged: manifest.json is not JSON (${(error as Error).message})`);
  }
  if (manifest.format !== BUNDLE_FORMAT)
    throw new StoreError(`${what} is not an mlloop bundle (format "${String(manifest.format)}")`);
  if (manifest.version !== BUNDLE_VERSION) {
    throw new StoreError(
      `${what} has bundle version ${String(manifest.version)}; this mlloop reads version ${BUNDLE_VERSION}`,
    );
  }
  for (const [name, info] of Object.entries(manifest.files ?? {})) {
    const bytes = entries.get(name);
    if (bytes === undefined) throw new StoreError(`${what} is damaged: ${name} is listed in the manifest but missing`);
    const actual = sha256Hex(bytes);
    if (actual !== info.sha256 || bytes.length !== info.size) {
      throw new StoreError(
        `${what} is damaged: ${name} has sha256 ${actual} (${bytes.length} bytes), the manifest says ${info.sha256} (${info.size} bytes)`,
      );
    }
    if (name.startsWith("objects/") && name !== `objects/${actual}`) {
      throw new StoreError(`${what} is damaged: ${name} holds content with sha256 ${actual}`);
    }
  }
  for (const name of entries.keys()) {
    if (name !== "manifest.json" && manifest.files[name] === undefined) {
      throw new StoreError(`${what} is damaged: ${name} is not listed in the manifest`);
    }
  }
  const lines = <T>(name: string): Array<{ row: T; line: number }> => {
    const bytes = entries.get(name);
    if (bytes === undefined) throw new StoreError(`${what} is damaged: ${name} is missing`);
    const out: Array<{ row: T; line: number }> = [];
    Buffer.from(bytes)
      .toString("utf8")
      .split("\n")
      .forEach((text, i) => {
        if (text === "") return;
        try {
          out.push({ row: JSON.parse(text) as T, line: i + 1 });
        } catch (error) {
          throw new StoreError(`${what} is damaged: ${name}:${i + 1} is not JSON (${(error as Error).message})`);
        }
      });
    return out;
  };
  const byId = new Map<string, RunData>();
  for (const { row, line } of lines<FullRunRow & { tags: Array<[string, string]> }>("runs.jsonl")) {
    if (
      typeof row.id !== "string" ||
      !isRunId(row.id) ||
      typeof row.experiment !== "string" ||
      !Array.isArray(row.tags)
    ) {
      throw new StoreError(
        `${what} is damaged: runs.jsonl:${line} is not a run (id, experiment and tags are required)`,
      );
    }
    const { tags, ...run } = row;
    byId.set(row.id, { run, tags, metrics: [], predictions: [], artifacts: [], runResults: [], pairResults: [] });
  }
  const owner = (name: string, line: number, id: unknown): RunData => {
    const run = typeof id === "string" ? byId.get(id) : undefined;
    if (run === undefined)
      throw new StoreError(
        `${what} is damaged: ${name}:${line} names run ${JSON.stringify(id)}, which is not in the bundle`,
      );
    return run;
  };
  for (const { row, line } of lines<MetricData & { run_id: string }>("metrics.jsonl")) {
    const { run_id, ...m } = row;
    owner("metrics.jsonl", line, run_id).metrics.push(m);
  }
  for (const { row, line } of lines<PredictionData & { run_id: string }>("predictions.jsonl")) {
    const { run_id, ...p } = row;
    owner("predictions.jsonl", line, run_id).predictions.push(p);
  }
  const objects = new Map<string, Uint8Array>();
  for (const { row, line } of lines<ArtifactDbRow & { run_id: string }>("artifacts.jsonl")) {
    const { run_id, ...a } = row;
    const bytes = entries.get(`objects/${a.sha256}`);
    if (bytes === undefined)
      throw new StoreError(
        `${what} is damaged: artifacts.jsonl:${line} refers to content ${a.sha256}, which is missing`,
      );
    objects.set(a.sha256, bytes);
    owner("artifacts.jsonl", line, run_id).artifacts.push(a);
  }
  const pairResults: PairResultRow[] = [];
  for (const { row, line } of lines<{ type: string; row: RunResultRow | PairResultRow }>("results.jsonl")) {
    if (row.type === "run") {
      const r = row.row as RunResultRow;
      owner("results.jsonl", line, r.run_id).runResults.push(r);
    } else if (row.type === "pair") pairResults.push(row.row as PairResultRow);
    else throw new StoreError(`${what} is damaged: results.jsonl:${line} has unknown type ${JSON.stringify(row.type)}`);
  }
  return { manifest, runs: [...byId.values()].sort((a, b) => (a.run.id < b.run.id ? -1 : 1)), pairResults, objects };
}

export async function importBundle(store: Store, path: string): Promise<ImportSummary> {
  const target = transferStore(store);
  const bundle = readBundle(path);
  if (bundle.objects.size > 0) {
    const root = target.artifactsRoot;
    if (root === null) {
      throw new StoreError(
        `bundle ${path} has artifacts but store ${store.location} has no artifacts location: give one with --artifacts`,
      );
    }
    // Content first (content-addressed, so never wrong): a run row never points at a missing file.
    for (const [sha, bytes] of bundle.objects) {
      if (writeArtifactFile(root, bytes, store.location).sha256 !== sha)
        throw new StoreError(`bundle ${path}: object ${sha} changed while importing`);
    }
  }
  const added: RunId[] = [];
  const present: RunId[] = [];
  const conflicts: Array<{ run: RunId; reason: string }> = [];
  for (const data of bundle.runs) {
    const id = data.run.id as RunId;
    const outcome: ImportOutcome = await target.importRunData(data);
    if (outcome.kind === "added") added.push(id);
    else if (outcome.kind === "present") present.push(id);
    else
      conflicts.push({ run: id, reason: `a different run with this id is already in the store (${outcome.reason})` });
  }
  const pairResults = await target.importPairResults(bundle.pairResults);
  return { added, present, conflicts, pairResults };
}
