/**
 * The tracking API for code that trains models — `mlloop run` and users' own training scripts
 * alike (the counterpart of mlflow.start_run): start a run, log metrics, predictions and
 * artifacts, end it. Provenance is captured and a heartbeat is kept without being asked, and an
 * uncaught exception ends the run as `failed` with its message before the process exits.
 */
import { StoreError } from "../errors.js";
import { canonicalJson, specHash } from "../spec/canonical.js";
import { captureProvenance } from "./provenance.js";
import type { RunId } from "./run-id.js";
import type {
  ArtifactRecord,
  DataInfo,
  FinalStatus,
  Heartbeat,
  MetricRow,
  PredictionRow,
  RunRecord,
  SpecRecord,
  Store,
} from "./store.js";

export interface StartRunOptions {
  readonly experiment: string;
  /** The resolved spec; stored as canonical JSON with its hash (src/spec/canonical.ts). */
  readonly spec?: object;
  /** The spec's hash when the caller already has it (default: specHash(spec)). */
  readonly specHash?: string;
  /** The SpecPatch from the parent's spec. */
  readonly specPatch?: unknown;
  /** Free-form parameters, for training code without a spec. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Parent run: a full id or a unique prefix. */
  readonly parent?: string | null;
  readonly name?: string;
  readonly notes?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly seeds?: Readonly<Record<string, number>>;
  readonly dataInfo?: DataInfo;
  /** Capture git and environment (default true) — from this folder (default process.cwd()). */
  readonly provenance?: boolean | { readonly cwd?: string; readonly maxPatchBytes?: number };
  /** Heartbeat interval in ms (default 2,000); `false` for none (the run will then be marked crashed after the stale threshold). */
  readonly heartbeat?: number | false;
  /** End the run as failed when an exception goes uncaught (default true). */
  readonly failOnUncaughtException?: boolean;
}

export interface LogMetricOptions {
  readonly split?: string;
  readonly step?: number;
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  json: "application/json",
  jsonl: "application/x-ndjson",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  yaml: "application/yaml",
  yml: "application/yaml",
};

function mediaTypeFor(name: string, content: unknown): string {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : MEDIA_TYPES[extension];
  if (known !== undefined) return known;
  if (content instanceof Uint8Array) return "application/octet-stream";
  return typeof content === "string" ? "text/plain; charset=utf-8" : "application/json";
}

function errorText(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) {
    return { message: error.message === "" ? error.name : error.message, stack: error.stack };
  }
  return { message: String(error) };
}

/**
 * Runs to end as failed if an exception goes uncaught. One process-wide listener serves them all,
 * installed only while there are such runs: listening replaces Node's default handler, so once the
 * runs are recorded it does what Node would have done (print, exit 1) unless the program has
 * uncaughtException handlers of its own.
 */
const runsToFailOnCrash = new Set<ActiveRun>();
let recordingCrash = false;

function onUncaughtException(error: unknown): void {
  if (recordingCrash) return;
  recordingCrash = true;
  const runs = [...runsToFailOnCrash];
  runsToFailOnCrash.clear();
  void Promise.all(
    runs.map((run) =>
      run.fail(error).catch((failure: unknown) => {
        console.error(`mlloop: could not record run ${run.id} as failed: ${errorText(failure).message}`);
      }),
    ),
  ).then(() => {
    process.off("uncaughtException", onUncaughtException);
    recordingCrash = false;
    if (process.listenerCount("uncaughtException") === 0) {
      console.error(error);
      process.exit(1);
    }
  });
}

function failOnCrash(run: ActiveRun): void {
  if (runsToFailOnCrash.size === 0 && !recordingCrash) process.on("uncaughtException", onUncaughtException);
  runsToFailOnCrash.add(run);
}

function stopFailingOnCrash(run: ActiveRun): void {
  if (!runsToFailOnCrash.delete(run)) return;
  if (runsToFailOnCrash.size === 0 && !recordingCrash) process.off("uncaughtException", onUncaughtException);
}

export class ActiveRun {
  private ended = false;

  constructor(
    readonly store: Store,
    readonly record: RunRecord,
    private readonly heartbeat: Heartbeat | null,
    failOnUncaughtException: boolean,
  ) {
    if (failOnUncaughtException) failOnCrash(this);
  }

  get id(): RunId {
    return this.record.id;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private ensureActive(what: string): void {
    if (this.ended) throw new StoreError(`cannot ${what}: run ${this.id} has already ended`);
  }

  async logMetric(name: string, value: number, options: LogMetricOptions = {}): Promise<void> {
    await this.logMetrics([{ name, value, split: options.split, step: options.step }]);
  }

  /** Either rows, or a name → value map that shares one split and step. */
  async logMetrics(
    metrics: readonly MetricRow[] | Readonly<Record<string, number>>,
    options: LogMetricOptions = {},
  ): Promise<void> {
    this.ensureActive("log metrics");
    const rows: readonly MetricRow[] = Array.isArray(metrics)
      ? (metrics as readonly MetricRow[])
      : Object.entries(metrics).map(([name, value]) => ({ name, value, split: options.split, step: options.step }));
    await this.store.logMetrics(this.id, rows);
  }

  async logPredictions(rows: readonly PredictionRow[]): Promise<void> {
    this.ensureActive("log predictions");
    await this.store.logPredictions(this.id, rows);
  }

  /** Bytes as they are, a string as UTF-8 text, anything else as JSON. */
  async logArtifact(name: string, content: Uint8Array | string | object, mediaType?: string): Promise<ArtifactRecord> {
    this.ensureActive("log an artifact");
    const bytes =
      content instanceof Uint8Array || typeof content === "string" ? content : JSON.stringify(content, null, 2);
    return this.store.putArtifact(this.id, name, bytes, mediaType ?? mediaTypeFor(name, content));
  }

  async setDataInfo(dataInfo: DataInfo): Promise<void> {
    this.ensureActive("set data info");
    await this.store.updateRun(this.id, { dataInfo });
  }

  /** Milliseconds per stage, merged with the stages already recorded. */
  async setTimings(timings: Readonly<Record<string, number>>): Promise<void> {
    this.ensureActive("set timings");
    await this.store.updateRun(this.id, { timings });
  }

  async setParams(params: Readonly<Record<string, unknown>>): Promise<void> {
    this.ensureActive("set params");
    await this.store.updateRun(this.id, { params });
  }

  /** Merged key by key with the extras already recorded (diagnostics, training reports…). */
  async setExtras(extras: Readonly<Record<string, unknown>>): Promise<void> {
    this.ensureActive("set extras");
    await this.store.updateRun(this.id, { extras });
  }

  async setTag(key: string, value: string): Promise<void> {
    this.ensureActive("set a tag");
    await this.store.setTag(this.id, key, value);
  }

  /** Ends the run (default `finished`). Stops the heartbeat first so that no beat follows the end. */
  async end(status: FinalStatus = "finished", error?: string): Promise<void> {
    this.ensureActive("end the run");
    this.ended = true;
    stopFailingOnCrash(this);
    await this.heartbeat?.stop();
    await this.store.finishRun(this.id, status, error ?? null);
  }

  /** Ends the run as failed with the error's message (its stack goes to extras.errorStack). */
  async fail(error: unknown): Promise<void> {
    const { message, stack } = errorText(error);
    if (stack !== undefined && !this.ended) await this.store.updateRun(this.id, { extras: { errorStack: stack } });
    await this.end("failed", message);
  }
}

export async function startRun(store: Store, options: StartRunOptions): Promise<ActiveRun> {
  const parentId =
    options.parent === undefined || options.parent === null ? null : (await store.getRun(options.parent)).id;
  const spec: SpecRecord | null =
    options.spec === undefined
      ? null
      : { json: canonicalJson(options.spec), hash: options.specHash ?? specHash(options.spec) };
  const provenanceOption = options.provenance ?? true;
  const provenance =
    provenanceOption === false ? null : await captureProvenance(provenanceOption === true ? {} : provenanceOption);
  const record = await store.createRun({
    experiment: options.experiment,
    parentId,
    name: options.name ?? null,
    notes: options.notes ?? null,
    tags: options.tags,
    spec,
    specPatch: options.specPatch,
    provenance,
    seeds: options.seeds,
    params: options.params,
    dataInfo: options.dataInfo ?? null,
  });
  let heartbeat: Heartbeat | null = null;
  if (options.heartbeat !== false) {
    try {
      heartbeat = await store.startHeartbeat(record.id, {
        intervalMs: options.heartbeat,
        onError: (message) => console.error(`mlloop: ${message}`),
      });
    } catch (error) {
      await store.finishRun(record.id, "failed", `could not start the heartbeat: ${errorText(error).message}`);
      throw error;
    }
  }
  return new ActiveRun(store, record, heartbeat, options.failOnUncaughtException ?? true);
}

/**
 * Runs `body` inside a run: finished when it returns, failed (and rethrown) when it throws.
 */
export async function withRun<T>(
  store: Store,
  options: StartRunOptions,
  body: (run: ActiveRun) => Promise<T> | T,
): Promise<T> {
  const run = await startRun(store, options);
  let result: T;
  try {
    result = await body(run);
  } catch (error) {
    if (!run.isEnded) await run.fail(error);
    throw error;
  }
  if (!run.isEnded) await run.end("finished");
  return result;
}
