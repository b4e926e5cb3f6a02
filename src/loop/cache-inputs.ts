/**
 * The load → split → features stages of a run, through the stage cache. A features hit (only a model
 * hyperparameter changed) serves all three from one entry — the split, labels, example ids and the
 * three matrices — without reading the data; a dataset hit (only the split or the features changed)
 * skips parsing. On a miss, the stages run as usual and their outputs are written for next time.
 */
import type { BadRow, Dataset, DatasetFields, Example } from "../data/example.js";
import { ByteWriter } from "../data/example-codec.js";
import { keepTextFields } from "../data/kept-fields.js";
import { SPLIT_NAMES, type SplitName, type SplitResult } from "../data/split.js";
import { csrEmpty, type CsrMatrix } from "../features/csr.js";
import { releaseMemory } from "../util/collect-garbage.js";
import type { FamilyCost, FamilyMemo, FittedFeatures } from "../features/pipeline.js";
import type { Spec } from "../spec/schema.js";
import type { CacheEntry, StageCache } from "./cache.js";
import { DATASET_KIND, datasetEntryWriter, readDatasetEntry, type DatasetEntryWriter } from "./cache-dataset.js";
import { datasetKey, featuresKey } from "./cache-keys.js";
import { groupThousands } from "../util/format.js";

// The loaders and the feature families (and the packages they read: tldts, nspell, csv-parse…) are
// imported only when a stage actually runs: a run served from the cache never loads them.
const dataLoaders = () => import("../data/load.js");
const splitter = () => import("../data/split.js");
const parallelLoader = () => import("./parallel-load.js");
const featurePipeline = () => import("../features/pipeline.js");

export const FEATURES_KIND = "features";
const SPLITS = SPLIT_NAMES;

export type StageRunner = <T>(name: string, fn: () => T | Promise<T>, detail?: (r: T) => string) => Promise<T>;

/** What a run records about the cache: which stages were served from it. */
export interface CacheReport {
  readonly enabled: boolean;
  readonly dir: string | null;
  /** hit: read from the cache; miss: computed and written; corrupt: a damaged entry was dropped and recomputed; skipped: not needed (features hit); off: --no-cache. */
  dataset: "hit" | "miss" | "corrupt" | "skipped" | "off";
  features: "hit" | "miss" | "corrupt" | "off";
  /** The run's train profile (drift reference), when it went through the cache (see train-profile-cache.ts). */
  trainProfile?: "hit" | "miss" | "corrupt";
  readonly keys: { dataset: string | null; features: string | null };
  readMs: number;
  writeMs: number;
  bytesRead: number;
  bytesWritten: number;
  readonly notes: string[];
}

/** The dataset as the rest of a run needs it (the examples themselves are loaded on demand). */
export interface DatasetSummary {
  readonly description: string;
  readonly fingerprint: string;
  readonly classes: readonly string[];
  readonly size: number;
  /** At most the first 1,000 bad rows. */
  readonly badRows: readonly BadRow[];
  readonly badRowCount: number;
  readonly fields: DatasetFields | null;
}

export interface FeaturesOutput {
  readonly nFeatures: number;
  readonly families: FamilyCost[];
  /** The fitted featurizer (restored from its saved state on a cache hit). */
  fitted(): Promise<FittedFeatures>;
  /** `serialize()` of the fitted featurizer as JSON text (the run's features.json artifact). */
  json(): string;
}

export interface RunInputs {
  readonly dataset: DatasetSummary;
  readonly split: SplitResult;
  /** Example id per dataset position. */
  readonly ids: readonly string[];
  /** Class index per dataset position. */
  readonly y: Int32Array;
  readonly idx: Record<SplitName, Int32Array>;
  readonly X: Record<SplitName, CsrMatrix>;
  readonly features: FeaturesOutput;
  readonly cache: CacheReport;
  /** The full examples (read from the dataset cache, or loaded again, when the run was served from the features cache). */
  examples(): Promise<readonly Example[]>;
}

export interface InputsOptions {
  readonly spec: Spec;
  readonly baseDir: string;
  readonly seeds: { readonly data: number; readonly split: number };
  /** null: no caching (--no-cache). */
  readonly cache: StageCache | null;
  readonly stage: StageRunner;
  readonly onProgress?: (done: number, total: number) => void;
  /** Worker threads for parsing (default: the pool's default; 0 parses on the calling thread). */
  readonly workers?: number;
  /**
   * Screening: only the training split's features are needed. A features entry is still served
   * when there is one; otherwise the features are fitted on train and neither dev nor test is
   * transformed nor the entry written (of the many variants screened, only the one that wins a full
   * run needs them, and that run computes them) — X.dev and X.test come back empty (0 rows).
   */
  readonly trainOnly?: boolean;
  /** Parsed datasets kept in memory across calls (by dataset cache key), so screening decodes the parse cache once. */
  readonly datasetMemo?: Map<string, Promise<Dataset>>;
  /**
   * Screening (with trainOnly): fitted feature families kept in memory across calls, per dataset
   * and training split, so that specs differing in one family refit only that family.
   */
  readonly familyMemo?: Map<string, FamilyMemo>;
  /**
   * Keep the parsed examples in memory after featurisation so that `examples()` returns them at
   * once (default true). A run that does not need them (no cross-validation) passes false: the
   * corpus is then parsed keeping only what the features read of each message (keptOfExamples;
   * the parse cache still gets whole messages), released once the matrices are built, and
   * `examples()` loads it again, whole, through the parse cache.
   */
  readonly retainExamples?: boolean;
  /** Called once it is known that the features are not served from the cache: the data will be loaded and featurised. */
  readonly onFeaturesMiss?: () => void;
}

interface FeaturesMeta {
  readonly dataset: DatasetSummary;
  readonly split: Omit<SplitResult, "assignment">;
  readonly nFeatures: number;
  readonly families: FamilyCost[];
  readonly shapes: Record<SplitName, { rows: number; cols: number }>;
}

const MAX_BAD_ROWS = 1000;

function indicesOf(assignment: Int8Array, split: number): Int32Array {
  let n = 0;
  for (let i = 0; i < assignment.length; i++) if (assignment[i] === split) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < assignment.length; i++) if (assignment[i] === split) out[k++] = i;
  return out;
}

function summarize(d: Dataset): DatasetSummary {
  return {
    description: d.description,
    fingerprint: d.fingerprint,
    classes: d.classes,
    size: d.examples.length,
    badRows: d.badRows.slice(0, MAX_BAD_ROWS),
    badRowCount: d.badRows.length,
    fields: d.fields ?? null,
  };
}

const splitDetail = (s: SplitResult): string =>
  `train ${s.counts.train} / dev ${s.counts.dev} / test ${s.counts.test}` +
  (s.duplicates.clusters > 0 ? `, ${s.duplicates.clusters} duplicate clusters kept on one side` : "");

function encodeIds(ids: readonly string[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const w = new ByteWriter((c) => chunks.push(c));
  for (const id of ids) w.str(id);
  w.flush();
  return chunks;
}

/**
 * The ids as ByteWriter.str wrote them (a varint of length × 2 + two-byte flag, then latin1 or
 * UTF-16 bytes). The section is decoded as latin1 once and each one-byte id sliced out of it: one
 * Buffer.toString call per id took 9–11 ms for the spam corpus's 6,046 ids in a fresh process, this
 * 2.5 ms. Same strings; a malformed section throws RangeError as ByteReader would.
 */
function decodeIds(bytes: Uint8Array, n: number): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = buf.toString("latin1");
  const ids = new Array<string>(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let head = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= buf.length || shift > 49) throw new RangeError(`bad varint at offset ${pos} of the example ids`);
      const b = buf[pos++]!;
      head += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const len = Math.floor(head / 2);
    const twoByte = head % 2 === 1;
    const end = pos + (twoByte ? 2 * len : len);
    if (end > buf.length) throw new RangeError(`example id ${i} runs past the end of its section`);
    ids[i] = twoByte ? buf.toString("utf16le", pos, end) : latin1.slice(pos, end);
    pos = end;
  }
  if (pos !== buf.length) throw new RangeError(`${buf.length - pos} bytes left after ${n} example ids`);
  return ids;
}

function readMatrix(entry: CacheEntry, name: SplitName, shape: { rows: number; cols: number }): CsrMatrix {
  const indptr = entry.i32(`${name}.indptr`);
  const indices = entry.i32(`${name}.indices`);
  const data = entry.f64(`${name}.data`);
  const nnz = indptr[shape.rows];
  if (indptr.length !== shape.rows + 1 || nnz !== indices.length || nnz !== data.length) {
    throw new RangeError(`matrix ${name} does not match its shape ${shape.rows} × ${shape.cols}`);
  }
  return { rows: shape.rows, cols: shape.cols, indptr, indices, data };
}

/** A features entry back as run inputs; throws RangeError if its content is inconsistent. */
function inputsFromEntry(entry: CacheEntry, report: CacheReport, reload: () => Promise<readonly Example[]>): RunInputs {
  const meta = entry.meta as FeaturesMeta;
  const n = meta.dataset.size;
  const assignment = entry.i8("assignment");
  const y = entry.i32("y");
  if (assignment.length !== n || y.length !== n) throw new RangeError("split or labels do not match the dataset size");
  const ids = decodeIds(entry.bytes("ids"), n);
  const X = {
    train: readMatrix(entry, "train", meta.shapes.train),
    dev: readMatrix(entry, "dev", meta.shapes.dev),
    test: readMatrix(entry, "test", meta.shapes.test),
  };
  const idx = { train: indicesOf(assignment, 0), dev: indicesOf(assignment, 1), test: indicesOf(assignment, 2) };
  for (const s of SPLITS) if (idx[s].length !== X[s].rows) throw new RangeError(`split ${s} does not match its matrix`);
  const featuresJson = Buffer.from(entry.bytes("featurizer")).toString("utf8");
  let fitted: Promise<FittedFeatures> | null = null;
  return {
    dataset: meta.dataset,
    split: { ...meta.split, assignment },
    ids,
    y,
    idx,
    X,
    features: {
      nFeatures: meta.nFeatures,
      families: meta.families,
      fitted: () => (fitted ??= featurePipeline().then((m) => m.loadFeatures(featuresJson))),
      json: () => featuresJson,
    },
    cache: report,
    examples: reload,
  };
}

function timer(report: CacheReport): <T>(kind: "readMs" | "writeMs", fn: () => T) => T {
  return (kind, fn) => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      report[kind] += performance.now() - t0;
    }
  };
}

type DatasetOptions = Pick<InputsOptions, "spec" | "baseDir" | "seeds" | "onProgress" | "workers"> & {
  /** What a run keeps of each parsed corpus message (keptOfExamples); absent: everything. */
  readonly keep?: (ex: Example) => Example;
};

/**
 * What the run's features read of an email example, when every family in the spec is known to read
 * nothing else: the text fields of words and spelling (numeric and categorical columns are kept
 * whole). Everything else a parsed message carries — the raw message, its header block and parsed
 * headers, HTML, links — is dropped: 83 of the spam corpus's 98 MB of strings. Null when a family
 * reads the parsed message itself (routing, urls, html, headers): the examples are kept whole.
 * An example that lacks one of the fields is kept whole, so the family's error names the fields it has.
 */
export function keptOfExamples(features: Spec["features"]): ((ex: Example) => Example) | null {
  const fields = new Set<string>();
  for (const [name, params] of Object.entries(features)) {
    if (params === undefined || name === "numeric" || name === "categorical") continue;
    if (name !== "words" && name !== "spelling") return null;
    for (const f of (params as { readonly fields: readonly string[] }).fields) fields.add(f);
  }
  const wanted = [...fields];
  return (ex) => keepTextFields(ex, wanted);
}

/** Parses the run's data (the SpamAssassin corpus on worker threads), feeding `sink` when given. */
async function parseDataset(opts: DatasetOptions, sink?: DatasetEntryWriter): Promise<Dataset> {
  const { spec } = opts;
  const loadOptions = { baseDir: opts.baseDir, seed: opts.seeds.data, onProgress: opts.onProgress };
  if (spec.data.source === "spamassassin") {
    const { loadSpamAssassinParallel } = await parallelLoader();
    return loadSpamAssassinParallel(spec.data, { ...loadOptions, workers: opts.workers, sink, keep: opts.keep });
  }
  const { loadDataset } = await dataLoaders();
  const ds = await loadDataset(spec.data, loadOptions);
  await sink?.encode(ds.examples);
  return ds;
}

/** The dataset from its cache entry, or parsed (and then written to the cache). */
async function loadDatasetThroughCache(
  opts: DatasetOptions,
  cache: StageCache | null,
  dataKey: string | null,
  report: CacheReport,
): Promise<Dataset> {
  const timed = timer(report);
  if (cache === null || dataKey === null) return parseDataset(opts);
  const found = timed("readMs", () => cache.read(DATASET_KIND, dataKey));
  if (found.status === "hit") {
    try {
      const ds = timed("readMs", () => readDatasetEntry(found.entry, opts.keep));
      report.dataset = "hit";
      report.bytesRead += found.bytes;
      return ds;
    } catch (e) {
      report.notes.push(`dataset entry ${dataKey.slice(0, 12)} is inconsistent (${(e as Error).message}); recomputed`);
      report.dataset = "corrupt";
    }
  } else if (found.status === "corrupt") {
    report.notes.push(found.reason);
    report.dataset = "corrupt";
  }
  let sink: ReturnType<typeof datasetEntryWriter>;
  try {
    sink = datasetEntryWriter(cache, dataKey);
  } catch (e) {
    report.notes.push(`could not write the parse cache: ${(e as Error).message}`);
    return parseDataset(opts);
  }
  let ds: Dataset;
  try {
    ds = await parseDataset(opts, sink);
  } catch (e) {
    sink.abort();
    throw e;
  }
  const bytes = await sink.commit(ds);
  report.writeMs += sink.ms;
  if (bytes !== null) report.bytesWritten += bytes;
  else report.notes.push(`could not write the parse cache: ${sink.error}`);
  return ds;
}

function emptyReport(cache: StageCache | null, notes: string[]): CacheReport {
  return {
    enabled: cache !== null,
    dir: cache?.dir ?? null,
    dataset: cache === null ? "off" : "miss",
    features: cache === null ? "off" : "miss",
    keys: { dataset: null, features: null },
    readMs: 0,
    writeMs: 0,
    bytesRead: 0,
    bytesWritten: 0,
    notes,
  };
}

/**
 * Only the load stage of a run, through the same cache entry and parallel parser as
 * `prepareInputs`: what `diagnose` needs to rebuild a run's examples.
 */
export async function cachedDataset(opts: DatasetOptions & { readonly cache: StageCache | null }): Promise<Dataset> {
  const dataKey = opts.cache === null ? null : datasetKey(opts.spec.data, opts.baseDir, opts.seeds.data);
  const cache = dataKey === null ? null : opts.cache;
  return loadDatasetThroughCache(opts, cache, dataKey, emptyReport(cache, []));
}

/**
 * The split and features stages of a run on a parsed dataset. A function of its own so that the
 * closures that read the examples die with it: what prepareInputs returns must not keep the corpus
 * reachable when the run does not need it any more (InputsOptions.retainExamples).
 */
async function splitAndFeaturize(opts: InputsOptions, dataset: Dataset) {
  const { spec, stage } = opts;
  const { splitDataset } = await splitter();
  const split = await stage("split", () => splitDataset(dataset, spec.data.split, opts.seeds.split), splitDetail);
  const classes = dataset.classes;
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(dataset.examples.length);
  dataset.examples.forEach((ex, i) => (y[i] = classIndex.get(ex.label)!));
  const idx = {
    train: indicesOf(split.assignment, 0),
    dev: indicesOf(split.assignment, 1),
    test: indicesOf(split.assignment, 2),
  };
  const examplesOf = (s: SplitName): Example[] => Array.from(idx[s], (i) => dataset.examples[i]!);

  // fit on train (one tokenisation pass for train), then transform dev and test only
  const { fitTransformFeatures, FamilyMemo: NewMemo } = await featurePipeline();
  const featurized = await stage(
    "features",
    () => {
      // one memo per dataset content and training rows (a data move such as "more data" changes them)
      let memo: FamilyMemo | undefined;
      if (opts.trainOnly === true && opts.familyMemo !== undefined) {
        const key = `${dataset.fingerprint}:${split.fingerprints.train}`;
        memo = opts.familyMemo.get(key);
        if (memo === undefined) opts.familyMemo.set(key, (memo = new NewMemo()));
      }
      const { features: fitted, train } = fitTransformFeatures(spec.features, examplesOf("train"), {
        maxFeaturesPerFamily: spec.limits?.features_per_family,
        ...(memo === undefined ? {} : { memo }),
      });
      if (opts.trainOnly === true) {
        const none = csrEmpty(0, train.cols);
        return { fitted, train, dev: none, test: none };
      }
      return { fitted, train, dev: fitted.transform(examplesOf("dev")), test: fitted.transform(examplesOf("test")) };
    },
    (f) => `${groupThousands(f.fitted.featureNames.length)} features`,
  );
  return { split, y, idx, featurized };
}

/** `examples()` of inputs that keep the parsed corpus (its own function: see splitAndFeaturize). */
function keptExamples(dataset: Dataset): () => Promise<readonly Example[]> {
  return async () => dataset.examples;
}

/** Runs (or serves from the cache) the load, split and features stages of a run. */
export async function prepareInputs(opts: InputsOptions): Promise<RunInputs> {
  const { spec, stage } = opts;
  // A source without content identity (a pipe, /dev/stdin, a device) is read once and not cached:
  // a key on its path alone would serve the first input's data for every later one.
  const dataKey = opts.cache === null ? null : datasetKey(spec.data, opts.baseDir, opts.seeds.data);
  const uncacheable = opts.cache !== null && dataKey === null;
  const cache = uncacheable ? null : opts.cache;
  const featKey =
    dataKey === null
      ? null
      : featuresKey(dataKey, spec.data.split, opts.seeds.split, spec.features, spec.limits?.features_per_family);
  const report = emptyReport(
    cache,
    uncacheable ? ["data.path is not a regular file (a pipe or device): read once and not cached"] : [],
  );
  report.keys.dataset = dataKey;
  report.keys.features = featKey;
  const timed = timer(report);
  const datasetThroughCache = (): Promise<Dataset> => loadDatasetThroughCache(opts, cache, dataKey, report);

  /** The features entry as run inputs, or null on a miss (a damaged entry is noted and dropped). */
  const servedFromCache = (): RunInputs | null => {
    if (cache === null || featKey === null) return null;
    const found = timed("readMs", () => cache.read(FEATURES_KIND, featKey!));
    if (found.status === "corrupt") {
      report.notes.push(found.reason);
      report.features = "corrupt";
      return null;
    }
    if (found.status !== "hit") return null;
    try {
      const inputs = timed("readMs", () =>
        inputsFromEntry(found.entry, report, async () => (await datasetThroughCache()).examples),
      );
      report.features = "hit";
      report.dataset = "skipped";
      report.bytesRead += found.bytes;
      return inputs;
    } catch (e) {
      report.notes.push(
        `features entry ${featKey!.slice(0, 12)} is inconsistent (${(e as Error).message}); recomputed`,
      );
      report.features = "corrupt";
      return null;
    }
  };

  // A features hit serves every stage up to the model from one entry.
  const memoised = (): Promise<Dataset> => {
    const memo = opts.datasetMemo;
    if (memo === undefined || dataKey === null) return datasetThroughCache();
    let ds = memo.get(dataKey);
    if (ds === undefined) {
      ds = datasetThroughCache();
      memo.set(dataKey, ds);
      ds.catch(() => memo.delete(dataKey));
    }
    return ds;
  };
  // A run that does not keep the examples (retainExamples false) keeps only what its features read
  // of each message from the start; a reload (examples()) and the parse cache get them whole.
  const parseKept = (): Promise<Dataset> | null => {
    if (opts.retainExamples !== false || opts.datasetMemo !== undefined) return null;
    const keep = keptOfExamples(spec.features);
    if (keep === null) return null;
    return loadDatasetThroughCache({ ...opts, keep }, cache, dataKey, report).then(async (ds) => {
      // a parse-cache hit decoded every message whole (and read the whole entry): give that memory
      // back before featurisation, as a parse does (parallel-load.ts)
      if (report.dataset === "hit") await releaseMemory();
      return ds;
    });
  };
  const loaded = await stage(
    "load",
    async () => {
      const hit = servedFromCache();
      if (hit !== null) return hit;
      opts.onFeaturesMiss?.();
      return parseKept() ?? memoised();
    },
    (r) =>
      "ids" in r
        ? `${groupThousands(r.dataset.size)} examples (features cached)`
        : `${groupThousands(r.examples.length)} examples, ${r.classes.length} classes` +
          (report.dataset === "hit" ? " (parse cached)" : ""),
  );
  if ("ids" in loaded) {
    // a block-scoped copy: no closure below may capture `loaded`, or the parsed corpus would stay
    // reachable through this function's context for as long as the returned inputs
    const hit = loaded;
    await stage(
      "split",
      () => hit.split,
      (s) => `${splitDetail(s)} (cached)`,
    );
    await stage(
      "features",
      () => hit.features,
      (f) => `${groupThousands(f.nFeatures)} features (cached)`,
    );
    return hit;
  }
  const dataset: Dataset = loaded;
  const { split, y, idx, featurized } = await splitAndFeaturize(opts, dataset);
  const X = { train: featurized.train, dev: featurized.dev, test: featurized.test };
  const summary = summarize(dataset);
  let json: string | null = null;
  const features: FeaturesOutput = {
    nFeatures: featurized.fitted.featureNames.length,
    families: featurized.fitted.families,
    fitted: () => Promise.resolve(featurized.fitted),
    json: () => (json ??= JSON.stringify(featurized.fitted.serialize())),
  };
  const ids = dataset.examples.map((e) => e.id);

  if (cache !== null && featKey !== null && opts.trainOnly !== true) {
    let w: ReturnType<StageCache["writer"]> | null = null;
    try {
      // opening the temporary file can fail too (a full disk, a read-only folder): never fatal
      w = cache.writer(FEATURES_KIND, featKey);
      const t0 = performance.now();
      {
        const { assignment, ...splitInfo } = split;
        w.array("assignment", assignment).array("y", y);
        w.begin("ids");
        for (const c of encodeIds(ids)) w.append(c);
        w.end();
        for (const s of SPLITS) {
          w.array(`${s}.indptr`, X[s].indptr).array(`${s}.indices`, X[s].indices).array(`${s}.data`, X[s].data);
        }
        w.begin("featurizer").append(Buffer.from(features.json(), "utf8")).end();
        const meta: FeaturesMeta = {
          dataset: summary,
          split: splitInfo,
          nFeatures: features.nFeatures,
          families: features.families,
          shapes: {
            train: { rows: X.train.rows, cols: X.train.cols },
            dev: { rows: X.dev.rows, cols: X.dev.cols },
            test: { rows: X.test.rows, cols: X.test.cols },
          },
        };
        report.bytesWritten += await w.commit(meta);
      }
      report.writeMs += performance.now() - t0;
    } catch (e) {
      void w?.abort();
      report.notes.push(`could not write the features cache: ${(e as Error).message}`);
    }
  }

  return {
    dataset: summary,
    split,
    ids,
    y,
    idx,
    X,
    features,
    cache: report,
    examples: opts.retainExamples === false ? async () => (await memoised()).examples : keptExamples(dataset),
  };
}
