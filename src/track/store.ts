/**
 * The Store: where every run, its metrics, per-example predictions and artifacts are recorded.
 * Every backend (SQLite file, later PostgreSQL) honours the contract below, and one test suite
 * (test/track/store-contract.ts) checks it against each of them.
 *
 * ## Durability
 * - Every call whose promise has resolved is durable against the death of the calling process,
 *   SIGKILL included: a reader that opens the store afterwards sees it. (SQLite runs with WAL and
 *   synchronous=NORMAL: a power cut or OS crash may lose the last transactions, never corrupt.)
 * - A call is atomic: it is seen whole or not at all. The one exception is `logPredictions` and
 *   `logMetrics` with more than {@link MAX_ROWS_PER_TRANSACTION} rows, written in atomic chunks of
 *   that size so that no single transaction holds the write lock for long.
 * - A run whose process dies while it is `running` is never left `running` forever: the writer
 *   heartbeats (see `startHeartbeat`), and any read (`getRun`, `listRuns`) that meets a `running`
 *   run whose process is gone (same host, pid dead) or whose heartbeat is older than the stale
 *   threshold (30 s by default) marks it `crashed`, persists that, and returns it as `crashed`.
 *   A heartbeat or `finishRun` from the owning process (same pid and host) revives a run that was
 *   wrongly marked `crashed` (a laptop that slept), so the mark is always honest in the end.
 *
 * ## Concurrency
 * - Several processes (and threads, each with its own Store) may write to one store at once. Each
 *   writes only the runs it created; the store does not arbitrate two writers on the same run.
 * - Reads see committed data only (read-committed, and read-your-writes within one Store object).
 * - No caller ever sees "database is locked": SQLite runs in WAL mode with a busy timeout, takes
 *   the write lock up front (BEGIN IMMEDIATE) in short transactions, and retries on SQLITE_BUSY
 *   for up to two minutes before failing with a StoreError that says which store was held.
 * - Opening a store migrates its schema; several processes opening one fresh store at once agree
 *   on one schema version (each migration runs in its own write transaction and re-checks the
 *   version inside it).
 *
 * ## Ids
 * - A RunId is 20 lowercase hex characters: 12 of creation time in milliseconds, then 8 random.
 *   Ids sort by creation time (and strictly increase within one process).
 * - `getRun` accepts a unique prefix, like git: an unknown prefix and an ambiguous one are
 *   StoreErrors that say so, the latter listing the candidates.
 *
 * ## Artifacts
 * - Content is stored once per sha256 under `<store dir>/artifacts/ab/cdef…` (never elsewhere);
 *   a run maps names to hashes. A name is a relative path of plain segments ("model.json",
 *   "plots/roc.svg"): `..`, `.`, leading `/`, backslashes and control characters are refused.
 *   Reading an artifact re-checks its hash.
 */
import type { RunQuery } from "./query-types.js";
import type { RunId } from "./run-id.js";

export type { RunId } from "./run-id.js";

export const RUN_STATUSES = ["running", "finished", "failed", "crashed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a run can be ended with. `crashed` is set by readers, not by the run itself. */
export type FinalStatus = "finished" | "failed";

/** Rows per write transaction for batched metrics and predictions. */
export const MAX_ROWS_PER_TRANSACTION = 10_000;

/** A run's spec as the spec module resolves it: canonical JSON and its hash. */
export interface SpecRecord {
  readonly json: string;
  readonly hash: string;
}

export interface GitInfo {
  /** Absolute path of the repository's top level. */
  readonly root: string;
  /** null when the repository has no commit yet. */
  readonly commit: string | null;
  /** null on a detached HEAD. */
  readonly branch: string | null;
  /** Tracked files differ from HEAD (staged or not). Untracked files are listed separately. */
  readonly dirty: boolean;
  /** `git diff HEAD` (empty string when clean), cut at the cap with a marker line. */
  readonly patch: string | null;
  readonly patchTruncated: boolean;
  /** Size of the full patch in bytes, even when truncated. */
  readonly patchBytes: number;
  readonly untracked: readonly string[];
  readonly untrackedTruncated: boolean;
}

export interface EnvInfo {
  readonly node: string;
  readonly mlloop: string;
  /** e.g. "Linux 6.1.0-18-amd64" */
  readonly os: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly hostname: string;
  readonly totalMemoryBytes: number;
}

export interface Provenance {
  /** null when the working directory is not in a git repository or git is unavailable. */
  readonly git: GitInfo | null;
  /** Why `git` is null ("not a git repository", "git not installed", git's own message…). */
  readonly gitUnavailable?: string;
  readonly env: EnvInfo;
  readonly cwd: string;
  readonly argv: readonly string[];
  readonly capturedAt: number;
}

/**
 * What a run knows about its data. The keys below are the convention the runner and readers share;
 * more may be added (it is stored as JSON).
 */
export interface DataInfo {
  /** Where the data came from, e.g. "spamassassin (6046 messages)". */
  readonly description?: string;
  /** SHA-256 over every example's (id, content hash, label): changes when any example changes. */
  readonly fingerprint?: string;
  readonly classes?: readonly string[];
  readonly examples?: number;
  /** Split name → fingerprint of the split's examples: equal fingerprints = same examples. */
  readonly splits?: Readonly<Record<string, string>>;
  /** Split name → number of examples. */
  readonly counts?: Readonly<Record<string, number>>;
  readonly duplicates?: unknown;
  /** The first bad rows skipped (capped); `badRowCount` has the total. */
  readonly badRows?: readonly unknown[];
  readonly badRowCount?: number;
  readonly [key: string]: unknown;
}

/** Everything a run is created with. Only `experiment` is required. */
export interface RunInit {
  readonly experiment: string;
  /**
   * The id to create the run with, for callers that derive ids (a sweep's trial from (sweep,
   * trial number), so that a retried trial reclaims its id instead of adding a second run). Creating
   * a run whose id exists fails. Default: a new id.
   */
  readonly id?: RunId;
  readonly parentId?: RunId | null;
  readonly name?: string | null;
  readonly notes?: string | null;
  readonly tags?: Readonly<Record<string, string>>;
  readonly spec?: SpecRecord | null;
  /** The SpecPatch from the parent's spec to this one (JSON-safe). */
  readonly specPatch?: unknown;
  readonly provenance?: Provenance | null;
  readonly seeds?: Readonly<Record<string, number>>;
  /** Free-form parameters for runs without a spec (user training code). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly dataInfo?: DataInfo | null;
  readonly extras?: Readonly<Record<string, unknown>>;
}

/**
 * A partial update. `timings`, `params` and `extras` are merged key by key into what is stored
 * (so that stages and later features add their own keys without clobbering others); the other
 * fields replace what is stored.
 */
export interface RunUpdate {
  readonly name?: string | null;
  readonly notes?: string | null;
  readonly spec?: SpecRecord | null;
  readonly specPatch?: unknown;
  readonly provenance?: Provenance | null;
  readonly seeds?: Readonly<Record<string, number>>;
  readonly dataInfo?: DataInfo | null;
  readonly timings?: Readonly<Record<string, number>>;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** What `listRuns` returns: the light columns only (no spec, provenance, data info). */
export interface RunSummary {
  readonly id: RunId;
  readonly experiment: string;
  readonly parentId: RunId | null;
  readonly status: RunStatus;
  /** Milliseconds since the epoch, like every timestamp in the store. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly heartbeatAt: number | null;
  readonly pid: number | null;
  readonly host: string | null;
  readonly name: string | null;
  readonly specHash: string | null;
  /** Why a run failed or was marked crashed. */
  readonly error: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RunRecord extends RunSummary {
  readonly notes: string | null;
  readonly specJson: string | null;
  readonly specPatch: unknown;
  readonly provenance: Provenance | null;
  readonly seeds: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, unknown>>;
  readonly dataInfo: DataInfo | null;
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
  readonly extras: Readonly<Record<string, unknown>>;
}

export interface ListRunsQuery {
  readonly experiment?: string;
  readonly status?: RunStatus;
  readonly parentId?: RunId;
  /** Newest first; no limit by default. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface MetricRow {
  readonly name: string;
  /** NaN and ±Infinity are kept. */
  readonly value: number;
  readonly split?: string | null;
  /** Training step or epoch for curves; 0 when absent. Logging the same (name, split, step) again replaces the value. */
  readonly step?: number;
}

export interface MetricRecord {
  readonly name: string;
  readonly value: number;
  readonly split: string | null;
  readonly step: number;
  readonly loggedAt: number;
}

export interface MetricQuery {
  readonly name?: string;
  /** `null` selects metrics logged without a split. */
  readonly split?: string | null;
}

/** Class scores for multiclass predictions: one number per class, by index or by label. */
export type ClassScores = readonly number[] | Readonly<Record<string, number>>;

export interface PredictionRow {
  readonly exampleId: string;
  readonly split: string;
  /** The true label (null when unknown). */
  readonly label: string | null;
  /** Binary: the positive-class score. */
  readonly score?: number | null;
  /** Multiclass: every class's score. */
  readonly scores?: ClassScores | null;
  /** The predicted label after the threshold policy. */
  readonly decision?: string | null;
  readonly correct?: boolean | null;
}

export interface PredictionRecord {
  readonly exampleId: string;
  readonly split: string;
  readonly label: string | null;
  readonly score: number | null;
  readonly scores: ClassScores | null;
  readonly decision: string | null;
  readonly correct: boolean | null;
}

export interface ArtifactRecord {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly createdAt: number;
}

export interface Artifact {
  readonly record: ArtifactRecord;
  readonly bytes: Uint8Array;
}

/** A run found by `queryRuns`: its summary and the field values that were asked for. */
export interface QueriedRun extends RunSummary {
  /** Keyed by field text ("spec.model.C", "metrics.dev.f1", "tags.owner"); missing values are absent. */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * A result derived from two runs (a comparison, an attribution), stored so that `log`, `compare`
 * and the ledger need not recompute it. `key` identifies the computation (runs, split, options,
 * algorithm version); storing the same key again replaces the result.
 */
export interface PairResult {
  readonly kind: string;
  readonly key: string;
  readonly runA: RunId;
  readonly runB: RunId;
  readonly result: unknown;
  readonly createdAt: number;
}

/**
 * A result derived from one run (a diagnosis, a recommendation's outcome), stored so that it need
 * not be recomputed. `key` identifies the computation (options, algorithm version); storing the
 * same (run, kind, key) again replaces it. Deleted with the run.
 */
export interface RunResult {
  readonly runId: RunId;
  readonly kind: string;
  readonly key: string;
  readonly result: unknown;
  readonly createdAt: number;
}

/**
 * A manual tag on an example, for error analysis. Tags belong to an experiment and an example id
 * (not to a run): examples keep their ids across runs, so a tag given once applies to every run of
 * the experiment that sees the example.
 */
export interface ExampleTag {
  readonly experiment: string;
  readonly exampleId: string;
  readonly tag: string;
  /** The run the tag was given from (for the record), if any. */
  readonly runId: RunId | null;
  readonly note: string | null;
  readonly createdAt: number;
}

/** A running heartbeat; `stop` resolves once no further beat will be written. */
export interface Heartbeat {
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  /** Milliseconds between beats (default 2,000). */
  readonly intervalMs?: number;
  /** Called (at most once per distinct message) when a beat could not be written. */
  readonly onError?: (message: string) => void;
  /**
   * Start beating from the background only once the run has lasted this long (default 0: at once),
   * when the store's heartbeat thread is not running yet: a run that ends sooner never pays for
   * starting it (a Node instance and the driver, ~60 ms of CPU on the SQLite store). Until then the
   * beat written by `startHeartbeat` keeps the run fresh, far inside the stale threshold. A timer
   * of the calling thread starts the thread, so this is only for callers that do not block that
   * thread for long meanwhile (`mlloop run`'s short holdout fits); the PostgreSQL store starts its
   * thread at once regardless (it waits for it, to report a connection that fails).
   */
  readonly threadAfterMs?: number;
}

// ── Model registry (issue #14: named model versions with aliases) ────────────────────────────────
//
// A registered model is a name ("spam-filter"); each run promoted under that name becomes one of its
// versions (1, 2, 3… in order of first promotion; a run has at most one version per name). An alias
// ("production", "staging") points at one version of a name. `promoteModel` registers the run's
// version if needed, moves the alias and appends a history event in ONE atomic write: concurrent
// promotes of one alias (any processes, any backend) are serialized, each event's `previous` is
// exactly the version the alias held just before it, and version numbers have no gaps or duplicates.
// Names: 1–64 characters of letters, digits, ".", "_", "-", starting with a letter or digit.
// Aliases: the same characters, starting with a letter (so "name@3" can never be read as a version).

/** One version of a registered model: a run under a name. */
export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  readonly runId: RunId;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** Where an alias points now. */
export interface ModelAlias {
  readonly name: string;
  readonly alias: string;
  readonly version: number;
  readonly runId: RunId;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

/** The run's metrics at the moment of a promotion, by split then metric name ({ dev: { f1: 0.93 } }). */
export type PromotionMetrics = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface PromoteModelInput {
  readonly name: string;
  readonly alias: string;
  readonly runId: RunId;
  /** Who promoted ("alice@laptop"). */
  readonly promotedBy: string;
  readonly metrics: PromotionMetrics;
  readonly note?: string | null;
}

/** One alias move, as recorded in a model's history. */
export interface ModelPromotion {
  /** Increases with every promotion in the store (the order of history). */
  readonly seq: number;
  readonly name: string;
  readonly alias: string;
  readonly version: number;
  readonly runId: RunId;
  /** True when this promotion registered the version (the run's first promotion under this name). */
  readonly newVersion: boolean;
  /** The version the alias pointed at just before (null when the alias is new). */
  readonly previousVersion: number | null;
  readonly previousRunId: RunId | null;
  readonly promotedAt: number;
  readonly promotedBy: string;
  readonly metrics: PromotionMetrics;
  readonly note: string | null;
}

export interface RegisteredModel {
  readonly name: string;
  readonly createdAt: number;
  readonly versions: number;
  readonly latest: ModelVersion;
  /** Its aliases, by alias name. */
  readonly aliases: readonly ModelAlias[];
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MODEL_ALIAS = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** The StoreError every backend gives for a bad model name or alias (null when fine). */
export function modelNameProblem(what: "name" | "alias", value: unknown): string | null {
  const ok = typeof value === "string" && (what === "name" ? MODEL_NAME : MODEL_ALIAS).test(value);
  if (ok) return null;
  const rule =
    what === "name"
      ? "1–64 letters, digits, '.', '_' or '-', starting with a letter or digit"
      : "1–64 letters, digits, '.', '_' or '-', starting with a letter";
  return `model ${what} ${JSON.stringify(value)} is not allowed (${rule})`;
}

/** The registry part of the Store (see the section comment above). */
export interface ModelRegistryStore {
  /** Registers the run as a version of `name` (once) and points `alias` at it, atomically; the run must exist. */
  promoteModel(input: PromoteModelInput): Promise<ModelPromotion>;
  /** Where `name@alias` points, or null when there is no such alias. */
  getModelAlias(name: string, alias: string): Promise<ModelAlias | null>;
  getModelVersion(name: string, version: number): Promise<ModelVersion | null>;
  /** Every registered model, by name. */
  listModels(): Promise<RegisteredModel[]>;
  /** A model's versions, oldest first (empty for an unknown name). */
  listModelVersions(name: string): Promise<ModelVersion[]>;
  /** A model's promotions, oldest first (empty for an unknown name). */
  modelHistory(name: string): Promise<ModelPromotion[]>;
}

export interface Store extends ModelRegistryStore {
  /** Where the store is (file path or URL without password), for messages. */
  readonly location: string;
  /** True when the store can be read but not written (a read-only file or folder): derived results are not cached. */
  readonly readOnly?: boolean;

  /**
   * Creates a `running` run owned by this process (pid, host) and returns it. The owner must keep
   * it alive with `startHeartbeat` (the run logger does) or it reads as crashed once the stale
   * threshold has passed.
   */
  createRun(init: RunInit): Promise<RunRecord>;
  updateRun(id: RunId, update: RunUpdate): Promise<void>;
  /** Sets the final status; a run ends once (a second call is a StoreError). */
  finishRun(id: RunId, status: FinalStatus, error?: string | null): Promise<void>;
  /** Records that the owning process is alive (and revives a run wrongly marked crashed). */
  heartbeat(id: RunId): Promise<void>;
  /** Beats every `intervalMs` off the caller's thread, so a busy event loop does not stop it. */
  startHeartbeat(id: RunId, options?: HeartbeatOptions): Promise<Heartbeat>;
  setTag(id: RunId, key: string, value: string): Promise<void>;
  deleteTag(id: RunId, key: string): Promise<void>;

  logMetrics(id: RunId, rows: readonly MetricRow[]): Promise<void>;
  /** Inserts or replaces by (split, exampleId). */
  logPredictions(id: RunId, rows: readonly PredictionRow[]): Promise<void>;
  putArtifact(id: RunId, name: string, bytes: Uint8Array | string, mediaType?: string): Promise<ArtifactRecord>;

  /** A full id or a unique prefix of one. */
  getRun(idOrPrefix: string): Promise<RunRecord>;
  listRuns(query?: ListRunsQuery): Promise<RunSummary[]>;
  /** Ordered by name, split, step. */
  getMetrics(id: RunId, query?: MetricQuery): Promise<MetricRecord[]>;
  /** Ordered by split, then example id. */
  getPredictions(id: RunId, split?: string): Promise<PredictionRecord[]>;
  getArtifact(id: RunId, name: string): Promise<Artifact>;
  listArtifacts(id: RunId): Promise<ArtifactRecord[]>;

  /**
   * Runs matching a query (src/track/query.ts states the language and its semantics), ordered and
   * paged, with the requested field values. Like `listRuns`, it first marks dead running runs crashed.
   */
  queryRuns(query: RunQuery): Promise<QueriedRun[]>;
  /** Stores (or replaces) a result derived from two runs; both must exist. */
  putPairResult(kind: string, key: string, runA: RunId, runB: RunId, result: unknown): Promise<void>;
  getPairResult(kind: string, key: string): Promise<PairResult | null>;
  /** Results of one kind that involve any of the runs (as A or B), oldest first. */
  listPairResults(kind: string, runIds: readonly RunId[]): Promise<PairResult[]>;

  /** Stores (or replaces) a result derived from one run; the run must exist. */
  putRunResult(id: RunId, kind: string, key: string, result: unknown): Promise<void>;
  getRunResult(id: RunId, kind: string, key: string): Promise<RunResult | null>;
  /** The run's results of one kind, oldest first. */
  listRunResults(id: RunId, kind: string): Promise<RunResult[]>;

  /**
   * Adds manual tags to an example of an experiment (a tag already there is kept, its note
   * replaced when a new one is given). Tags are 1–64 printable characters without spaces.
   */
  addExampleTags(
    experiment: string,
    exampleId: string,
    tags: readonly string[],
    options?: { readonly runId?: RunId | null; readonly note?: string | null },
  ): Promise<void>;
  /** Removes tags from an example; returns how many were there. */
  removeExampleTags(experiment: string, exampleId: string, tags: readonly string[]): Promise<number>;
  /** The experiment's manual tags (of the given examples only, when listed), by example id then tag. */
  listExampleTags(experiment: string, exampleIds?: readonly string[]): Promise<ExampleTag[]>;

  /** Stops this store's heartbeats and closes its connections. Idempotent. */
  close(): Promise<void>;
}
