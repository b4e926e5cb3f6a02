/**
 * The tracking API for code that trains models — `mlloop run` and users' own training scripts
 * alike (the counterpart of mlflow.start_run): start a run, log metrics, predictions and
 * artifacts, end it. Provenance is captured and a heartbeat is kept without being asked. A run
 * the script leaves open is ended with the process: `finished` when the event loop empties (the
 * script simply ended), `failed` with the error on an uncaught exception, with the signal on
 * SIGINT/SIGTERM/SIGHUP, and with the exit code on a non-zero process.exit().
 *
 * Runs without a spec (training code of its own) get what a spec run records from its data: the
 * classes (declared at startRun, else inferred from the logged labels and decisions), and at the
 * end, for every split with logged decisions, the metrics the lineage commands rank by (accuracy,
 * F1 of the positive class or macro F1…) — unless the script logged a metric of that name itself.
 */
import { StoreError } from "../errors.js";
import { classReport } from "../evaluate/confusion.js";
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
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
  Provenance,
  RunRecord,
  SpecRecord,
  Store,
} from "./store.js";

export interface StartRunOptions {
  readonly experiment: string;
  /** Create the run with this id (see RunInit.id); default a new one. */
  readonly id?: RunId;
  /** The resolved spec; stored as canonical JSON with its hash (src/spec/canonical.ts). */
  readonly spec?: object;
  /** The spec's hash when the caller already has it (default: specHash(spec)). */
  readonly specHash?: string;
  /** The SpecPatch from the parent's spec. */
  readonly specPatch?: unknown;
  /** Free-form parameters, for training code without a spec. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Parent run: a full id or a unique prefix, or "auto": the experiment's latest finished run (none when there is none). */
  readonly parent?: string | null;
  readonly name?: string;
  readonly notes?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly seeds?: Readonly<Record<string, number>>;
  readonly dataInfo?: DataInfo;
  /** Capture git and environment (default true) — from this folder (default process.cwd()). */
  readonly provenance?: boolean | { readonly cwd?: string; readonly maxPatchBytes?: number };
  /**
   * Provenance captured already (a sweep captures it once per process: git and the environment do
   * not change between its trials, and capturing runs git several times); replaces `provenance`.
   */
  readonly provenanceRecord?: Provenance;
  /** Heartbeat interval in ms (default 2,000); `false` for none (the run will then be marked crashed after the stale threshold). */
  readonly heartbeat?: number | false;
  /** Beat from the background only once the run has lasted this long (HeartbeatOptions.threadAfterMs; default at once). */
  readonly heartbeatThreadAfterMs?: number;
  /** End the run as failed when an exception goes uncaught (default true). */
  readonly failOnUncaughtException?: boolean;
  /**
   * End the run with the process when the script did not (default true): finished when the event
   * loop empties, failed on SIGINT/SIGTERM/SIGHUP or a non-zero process.exit().
   */
  readonly endOnExit?: boolean;
  /** The label values, in order (default: inferred from the logged predictions). */
  readonly classes?: readonly string[];
  /** For binary labels: the positive class (default: 1/true/yes/spam/positive when one of the two). */
  readonly positiveClass?: string;
  /** The metric that ranks this run (default: f1 — F1 of the positive class, or macro F1 for multiclass). */
  readonly primaryMetric?: string;
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

/**
 * Runs to end with the process. `beforeExit` fires when the event loop has emptied — the script
 * is done — and may still do asynchronous work, so those runs end normally (finished). `exit`
 * (process.exit) allows synchronous work only: the SQLite store's writes are synchronous at heart
 * and complete there; a store that needs the event loop does not get the final status and its run
 * is marked crashed once its heartbeat is stale, as before. Signals fail the runs, then the
 * process dies of the signal as it would have without us (unless the program has its own handler).
 */
const runsToEndOnExit = new Set<ActiveRun>();
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function onBeforeExit(): void {
  const runs = [...runsToEndOnExit];
  if (runs.length === 0) return;
  // the loop is empty and the heartbeat worker unreferenced: hold the process until the runs are recorded
  const keepAlive = setInterval(() => undefined, 1_000);
  void Promise.all(
    runs.map((run) =>
      run.end("finished").catch((error: unknown) => {
        console.error(`mlloop: could not end run ${run.id}: ${errorText(error).message}`);
      }),
    ),
  ).finally(() => clearInterval(keepAlive));
}

function onExit(code: number): void {
  for (const run of [...runsToEndOnExit]) {
    runsToEndOnExit.delete(run);
    run.endNow(code === 0 ? "finished" : "failed", code === 0 ? undefined : `the process exited with code ${code}`);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const runs = [...runsToEndOnExit];
  runsToEndOnExit.clear();
  void Promise.all(
    runs.map((run) => {
      const recorded = run.fail(new Error(`interrupted by ${signal}`)).catch((error: unknown) => {
        console.error(`mlloop: could not record run ${run.id} as failed: ${errorText(error).message}`);
      });
      run.interrupted = { signal, recorded };
      return recorded;
    }),
  ).then(() => {
    stopEndingOnExit();
    // nobody else handles it: die of the signal, as the process would have without this handler
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

let endingOnExit = false;

function endOnExit(run: ActiveRun): void {
  runsToEndOnExit.add(run);
  if (endingOnExit) return;
  endingOnExit = true;
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  for (const signal of EXIT_SIGNALS) process.on(signal, onSignal);
}

function stopEndingOnExit(): void {
  if (!endingOnExit) return;
  endingOnExit = false;
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
  for (const signal of EXIT_SIGNALS) process.off(signal, onSignal);
}

function stopEndingOnExitIfIdle(): void {
  if (runsToEndOnExit.size === 0) stopEndingOnExit();
}

/** What a run without a spec logged as predictions: per split, labels and decisions, for its summary. */
interface LoggedSplit {
  readonly labels: string[];
  readonly decisions: string[];
}

export class ActiveRun {
  private ended = false;
  /**
   * Set when a signal's handler ends the run: the signal, and the recording of the run as failed:
   * interrupted by it. Code that kept the event loop busy while the signal arrived (a fit on the
   * calling thread) stops when it sees this, once the run is recorded.
   */
  interrupted: { readonly signal: NodeJS.Signals; readonly recorded: Promise<void> } | null = null;
  private readonly loggedMetrics = new Set<string>();
  private readonly logged = new Map<string, LoggedSplit>();
  private readonly seenClasses = new Set<string>();
  private dataInfo: DataInfo | null;

  constructor(
    readonly store: Store,
    readonly record: RunRecord,
    private readonly heartbeat: Heartbeat | null,
    failOnUncaughtException: boolean,
    private readonly summary: {
      readonly enabled: boolean;
      readonly classes: readonly string[] | null;
      readonly positiveClass: string | null;
      readonly primaryMetric: string | null;
    } = { enabled: false, classes: null, positiveClass: null, primaryMetric: null },
    endWithProcess = false,
  ) {
    this.dataInfo = record.dataInfo;
    if (failOnUncaughtException) failOnCrash(this);
    if (endWithProcess) endOnExit(this);
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
    for (const r of rows) this.loggedMetrics.add(`${r.split ?? ""}\u0000${r.name}`);
    await this.store.logMetrics(this.id, rows);
  }

  async logPredictions(rows: readonly PredictionRow[]): Promise<void> {
    this.ensureActive("log predictions");
    await this.store.logPredictions(this.id, rows);
    if (this.summary.enabled) for (const row of rows) this.notePrediction(row);
  }

  private notePrediction(row: PredictionRow): void {
    if (row.label !== null) this.seenClasses.add(row.label);
    if (row.decision !== undefined && row.decision !== null) this.seenClasses.add(row.decision);
    const scores = row.scores;
    if (scores && !Array.isArray(scores)) for (const c of Object.keys(scores)) this.seenClasses.add(c);
    const decision = row.decision ?? argmaxClass(scores, this.summary.classes);
    if (row.label === null || decision === null) return;
    let split = this.logged.get(row.split);
    if (split === undefined) this.logged.set(row.split, (split = { labels: [], decisions: [] }));
    split.labels.push(row.label);
    split.decisions.push(decision);
  }

  /** The classes, positive class and primary metric of a run without a spec, and its metrics from its logged decisions. */
  private async recordSummary(): Promise<void> {
    if (!this.summary.enabled) return;
    const classes = this.summary.classes ?? [...this.seenClasses].sort();
    if (classes.length === 0) return;
    const positive =
      this.summary.positiveClass ??
      (classes.length === 2 ? (classes.find((c) => POSITIVE_GUESSES.includes(c.toLowerCase())) ?? null) : null);
    // two classes and no positive one: the run is read as multiclass (macro F1), not guessed at
    const primary = taskPrimaryMetric(
      this.summary.primaryMetric,
      positive === null && classes.length === 2 ? 3 : classes.length,
    );
    const rows: MetricRow[] = [];
    const computed: string[] = [];
    for (const [split, logged] of this.logged) {
      const report = classReport(
        logged.labels.map((label, i) => ({ label, decision: logged.decisions[i]! })),
        classes,
      );
      const correct = report.classes.reduce((a, _c, i) => a + report.matrix[i]![i]!, 0);
      const values: Record<string, number> = { accuracy: correct / report.n, error_rate: 1 - correct / report.n };
      if (positive !== null) {
        const p = report.perClass.find((c) => c.name === positive)!;
        Object.assign(values, { precision: p.precision, recall: p.recall, f1: p.f1 });
      } else {
        values["macro_f1"] = report.macroF1;
        values["weighted_f1"] = report.perClass.reduce((a, c) => a + c.support * c.f1, 0) / report.n;
      }
      for (const [name, value] of Object.entries(values)) {
        if (this.loggedMetrics.has(`${split}\u0000${name}`)) continue;
        rows.push({ split, name, value });
        computed.push(`${split}.${name}`);
      }
    }
    if (rows.length > 0) await this.store.logMetrics(this.id, rows);
    if (!Array.isArray(this.dataInfo?.classes)) {
      this.dataInfo = { ...(this.dataInfo ?? {}), classes };
      await this.store.updateRun(this.id, { dataInfo: this.dataInfo });
    }
    await this.store.updateRun(this.id, {
      extras: { positiveClass: positive, primaryMetric: primary, metricsFromPredictions: computed },
    });
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
    this.dataInfo = dataInfo;
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
    runsToEndOnExit.delete(this);
    stopEndingOnExitIfIdle();
    await this.heartbeat?.stop();
    await this.recordSummary();
    await this.store.finishRun(this.id, status, error ?? null);
  }

  /**
   * Ends the run from process.on("exit"), where nothing asynchronous runs: each store call is
   * started in order without waiting (the SQLite store's writes complete synchronously).
   */
  endNow(status: FinalStatus, error?: string): void {
    if (this.ended) return;
    this.ended = true;
    stopFailingOnCrash(this);
    const fail = (e: unknown): void => console.error(`mlloop: could not end run ${this.id}: ${errorText(e).message}`);
    void this.heartbeat?.stop().catch(fail);
    void this.recordSummary().catch(fail);
    void this.store.finishRun(this.id, status, error ?? null).catch(fail);
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
    options.parent === undefined || options.parent === null
      ? null
      : options.parent === "auto"
        ? ((await store.listRuns({ experiment: options.experiment, status: "finished", limit: 1 }))[0]?.id ?? null)
        : (await store.getRun(options.parent)).id;
  const spec: SpecRecord | null =
    options.spec === undefined
      ? null
      : { json: canonicalJson(options.spec), hash: options.specHash ?? specHash(options.spec) };
  const provenanceOption = options.provenance ?? true;
  const provenance =
    options.provenanceRecord ??
    (provenanceOption === false ? null : await captureProvenance(provenanceOption === true ? {} : provenanceOption));
  const record = await store.createRun({
    ...(options.id === undefined ? {} : { id: options.id }),
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
    dataInfo:
      options.dataInfo ??
      (options.classes !== undefined && options.spec === undefined ? { classes: options.classes } : null),
  });
  let heartbeat: Heartbeat | null = null;
  if (options.heartbeat !== false) {
    try {
      heartbeat = await store.startHeartbeat(record.id, {
        intervalMs: options.heartbeat,
        ...(options.heartbeatThreadAfterMs === undefined ? {} : { threadAfterMs: options.heartbeatThreadAfterMs }),
        onError: (message) => console.error(`mlloop: ${message}`),
      });
    } catch (error) {
      await store.finishRun(record.id, "failed", `could not start the heartbeat: ${errorText(error).message}`);
      throw error;
    }
  }
  if (
    options.classes !== undefined &&
    options.positiveClass !== undefined &&
    !options.classes.includes(options.positiveClass)
  ) {
    throw new StoreError(
      `positiveClass "${options.positiveClass}" is not one of the declared classes (${options.classes.join(", ")})`,
    );
  }
  return new ActiveRun(
    store,
    record,
    heartbeat,
    options.failOnUncaughtException ?? true,
    {
      enabled: options.spec === undefined,
      classes: options.classes ?? null,
      positiveClass: options.positiveClass ?? null,
      primaryMetric: options.primaryMetric ?? null,
    },
    options.endOnExit ?? true,
  );
}

const POSITIVE_GUESSES = ["1", "true", "yes", "spam", "positive"];

/** The class with the highest score (the first on ties), or null without scores. */
function argmaxClass(scores: PredictionRow["scores"], classes: readonly string[] | null): string | null {
  if (scores === undefined || scores === null) return null;
  const entries: Array<[string, number]> = Array.isArray(scores)
    ? classes === null
      ? []
      : (scores as number[]).map((v, i) => [classes[i]!, v])
    : Object.entries(scores as Record<string, number>);
  let best: [string, number] | null = null;
  for (const e of entries) if (best === null || e[1] > best[1]) best = e;
  return best?.[0] ?? null;
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
