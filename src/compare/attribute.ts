/**
 * `attributeRuns(store, A, B)`: which of the changes from A to B moved the metric, and by how much.
 *
 * The changes are grouped into players (players.ts); every coalition S of players is a spec (A's
 * spec with S's changes applied) and a run. A itself is ∅ and B is N when their stored spec hashes
 * match the rebuilt specs; any finished run in the store with a coalition's spec hash is reused
 * too (so an interrupted attribution resumes); the rest are trained as children of A by the
 * runner the caller injects (`src/loop/attribute.ts` gives `runExperiment`: compare never imports
 * loop). Then the pure engine (shapley.ts) computes each player's
 * contribution on the examples all coalition runs share, with joint bootstrap intervals,
 * interactions and the greedy path, and the result is stored with A and B (pair_results, kind
 * "attribution") for `compare`, `log` and the ledger.
 */
import { CompareError, SpecError } from "../errors.js";
import { canonicalJson, specHash } from "../spec/canonical.js";
import { parseSpec } from "../spec/load.js";
import { applyPatch, diffSpecs, formatPatch, type SpecPatch } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";
import { queryRuns } from "../track/query.js";
import type { RunRecord, Store } from "../track/store.js";
import { sha256Hex } from "../util/hash.js";
import { alignPredictions, runEvaluation } from "./aligned.js";
import { DEFAULT_RESAMPLES, DEFAULT_SEED } from "./bootstrap.js";
import { comparisonSettings } from "./compare-runs.js";
import { higherIsBetter, kernelFor, metricsFor, type Kernel } from "./kernels.js";
import { describePlayer, groupPlayers, type Player } from "./players.js";
import {
  attributeFromKernels,
  MAX_EXACT_PLAYERS,
  permutationCoalitions,
  samplePermutations,
  type AttributionResult,
} from "./shapley.js";

export const ATTRIBUTION_VERSION = 1;
export const DEFAULT_PERMUTATIONS = 12;

/** Runs one coalition's spec and returns the new run's id. */
export type CoalitionRunner = (
  spec: Spec,
  info: { readonly mask: number; readonly label: string; readonly tags: Record<string, string> },
) => Promise<string>;

export interface AttributeOptions {
  /** Metric to attribute (default: B's primary metric). */
  readonly metric?: string;
  readonly split?: string;
  /** Key groups that form one player each, e.g. [["model.C", "model.penalty"]]. */
  readonly groups?: readonly (readonly string[])[];
  readonly resamples?: number;
  readonly seed?: number;
  readonly ci?: number;
  /** Permutations sampled when there are more than 6 players (default 12, drawn in antithetic pairs). */
  readonly permutations?: number;
  /** Plan only: say which runs would be trained, train nothing. */
  readonly dryRun?: boolean;
  /**
   * Coalition runs trained at once (default 1): the runner is then called this many times without
   * waiting, e.g. when it sends each run to a queue of workers.
   */
  readonly parallel?: number;
  readonly events?: {
    plan?(plan: AttributionPlan): void;
    runStart?(index: number, total: number, label: string): void;
    runDone?(index: number, total: number, label: string, runId: string): void;
  };
}

export interface CoalitionPlan {
  readonly mask: number;
  readonly players: readonly string[];
  readonly specHash: string;
  /** Runs without a spec: the coalition's params (the run to look for, or to ask for). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** An existing run with this spec, or null when it must be trained. */
  readonly runId: string | null;
  readonly reused: "A" | "B" | "store" | null;
}

export interface AttributionPlan {
  readonly runA: string;
  readonly runB: string;
  readonly metric: string;
  readonly split: string;
  readonly players: ReadonlyArray<{ name: string; change: string }>;
  readonly ignored: readonly string[];
  readonly mode: "exact" | "sampled";
  readonly coalitions: readonly CoalitionPlan[];
  /** Coalitions that need a new run. */
  readonly toTrain: number;
}

export interface AttributionRecord {
  readonly version: number;
  readonly runA: string;
  readonly runB: string;
  readonly metric: string;
  readonly split: string;
  readonly plan: AttributionPlan;
  readonly coalitionRuns: ReadonlyArray<{ mask: number; players: readonly string[]; runId: string }>;
  readonly attribution: AttributionResult;
  readonly warnings: readonly string[];
  readonly key: string;
}

function specOf(run: RunRecord): Record<string, unknown> {
  if (run.specJson === null) {
    throw new CompareError(`run ${run.id.slice(0, 12)} has no spec: attribution rebuilds specs, so both runs need one`);
  }
  return JSON.parse(run.specJson) as Record<string, unknown>;
}

function coalitionOps(players: readonly Player[], mask: number): SpecPatch {
  return players.filter((_, i) => (mask & (1 << i)) !== 0).flatMap((p) => p.ops);
}

function coalitionLabel(players: readonly Player[], mask: number): string {
  const names = players.filter((_, i) => (mask & (1 << i)) !== 0).map((p) => p.name);
  return names.length === 0 ? "(none)" : names.map((n) => `+${n}`).join(" ");
}

function settings(options: AttributeOptions): { resamples: number; seed: number; ci: number; permutations: number } {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const ci = options.ci ?? 0.95;
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new CompareError(`resamples must be an integer >= 1, got ${resamples}`);
  if (!Number.isInteger(seed) || seed < 0) throw new CompareError(`seed must be an integer >= 0, got ${seed}`);
  if (!(ci > 0 && ci < 1)) throw new CompareError(`ci must lie strictly between 0 and 1, got ${ci}`);
  if (!Number.isInteger(permutations) || permutations < 2) {
    throw new CompareError(`permutations must be an integer >= 2, got ${permutations}`);
  }
  return { resamples, seed, ci, permutations };
}

/** Plans the attribution: players, coalitions, which runs exist and which must be trained. */
export async function planAttribution(
  store: Store,
  a: string,
  b: string,
  options: AttributeOptions = {},
): Promise<{
  plan: AttributionPlan;
  specs: Map<number, Spec>;
  players: Player[];
  runA: RunRecord;
  runB: RunRecord;
  permutations: number[][] | null;
}> {
  const { seed, permutations } = settings(options);
  const runA = await store.getRun(a);
  const runB = await store.getRun(b);
  if (runA.id === runB.id) throw new CompareError("attribution needs two different runs");
  for (const r of [runA, runB]) {
    if (r.status !== "finished")
      throw new CompareError(`run ${r.id.slice(0, 12)} is ${r.status}: attribution needs finished runs`);
  }
  if (runA.specJson === null && runB.specJson === null) {
    return { ...(await planParamAttribution(store, runA, runB, options)), specs: new Map(), runA, runB };
  }
  const specA = specOf(runA);
  const specB = specOf(runB);
  const patch = diffSpecs(specA, specB);
  const { players, ignored } = groupPlayers(patch, options.groups);
  if (players.length === 0) {
    throw new CompareError(
      `runs ${runA.id.slice(0, 12)} and ${runB.id.slice(0, 12)} differ in no key that can change a prediction` +
        (ignored.length > 0 ? ` (only in: ${ignored.map((op) => op.path.join(".")).join(", ")})` : "") +
        ": there is nothing to attribute",
    );
  }
  const k = players.length;
  const exact = k <= MAX_EXACT_PLAYERS;
  const perms = exact ? null : samplePermutations(k, permutations, seed);
  const masks = exact ? Array.from({ length: 1 << k }, (_, m) => m) : permutationCoalitions(k, perms!);
  const full = (1 << k) - 1;
  const specs = new Map<number, Spec>();
  const coalitions: CoalitionPlan[] = [];
  for (const mask of masks) {
    let spec: Spec;
    try {
      spec = parseSpec(applyPatch(specA, coalitionOps(players, mask)), `coalition ${coalitionLabel(players, mask)}`);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      throw new CompareError(
        `${e.message}\nThese changes are only valid together: make them one player with --group ` +
          `(e.g. --group ${players
            .map((p) => p.name)
            .slice(0, 2)
            .join(",")})`,
        { cause: e },
      );
    }
    specs.set(mask, spec);
    const hash = specHash(spec);
    let runId: string | null = null;
    let reused: CoalitionPlan["reused"] = null;
    if (mask === 0 && runA.specHash === hash) [runId, reused] = [runA.id, "A"];
    else if (mask === full && runB.specHash === hash) [runId, reused] = [runB.id, "B"];
    else {
      const existing = await queryRuns(store, `spec_hash = "${hash}" AND status = finished`, { limit: 1 });
      if (existing.length > 0) [runId, reused] = [existing[0]!.id, "store"];
    }
    coalitions.push({
      mask,
      players: players.filter((_, i) => (mask & (1 << i)) !== 0).map((p) => p.name),
      specHash: hash,
      runId,
      reused,
    });
  }
  const settingsAB = comparisonSettings(runA, runB);
  const plan: AttributionPlan = {
    runA: runA.id,
    runB: runB.id,
    metric: options.metric ?? settingsAB.primaryMetric,
    split: options.split ?? "dev",
    players: players.map((p) => ({ name: p.name, change: describePlayer(p) })),
    ignored: formatPatch(ignored).map((l) => l.trim()),
    mode: exact ? "exact" : "sampled",
    coalitions,
    toTrain: coalitions.filter((c) => c.runId === null).length,
  };
  return { plan, specs, players, runA, runB, permutations: perms };
}

/**
 * Attribution for runs logged by training code of its own (no spec, free-form params): mlloop
 * cannot train the in-between runs, so every coalition — A's params with some of the changed
 * params set to B's values — must already be a finished run of the experiment, found by its
 * exact params. Each changed top-level param is a player (--group params.a,params.b joins some).
 * What is missing is listed as the params to run.
 */
async function planParamAttribution(
  store: Store,
  runA: RunRecord,
  runB: RunRecord,
  options: AttributeOptions,
): Promise<{ plan: AttributionPlan; players: Player[]; permutations: number[][] | null }> {
  const { seed, permutations } = settings(options);
  const paramsA = runA.params ?? {};
  const paramsB = runB.params ?? {};
  const patch = diffSpecs(paramsA, paramsB);
  const byKey = new Map<string, SpecPatch[number][]>();
  for (const op of patch) byKey.set(op.path[0]!, [...(byKey.get(op.path[0]!) ?? []), op]);
  const players: Player[] = [];
  const grouped = new Set<string>();
  for (const group of options.groups ?? []) {
    const keys = group.map((k) => k.replace(/^params\./, "").split(".")[0]!).filter((k) => byKey.has(k));
    if (keys.length === 0) continue;
    keys.forEach((k) => grouped.add(k));
    players.push({ name: keys.map((k) => `params.${k}`).join("+"), ops: keys.flatMap((k) => byKey.get(k)!) });
  }
  for (const [key, ops] of byKey) if (!grouped.has(key)) players.push({ name: `params.${key}`, ops });
  if (players.length === 0) {
    throw new CompareError(
      `runs ${runA.id.slice(0, 12)} and ${runB.id.slice(0, 12)} have no spec and the same params: there is nothing to attribute`,
    );
  }
  const k = players.length;
  const exact = k <= MAX_EXACT_PLAYERS;
  const perms = exact ? null : samplePermutations(k, permutations, seed);
  const masks = exact ? Array.from({ length: 1 << k }, (_, m) => m) : permutationCoalitions(k, perms!);
  const full = (1 << k) - 1;
  // the experiment's finished runs without a spec, by their params' canonical JSON (the newest first)
  const candidates = new Map<string, string>();
  for (const r of await queryRuns(
    store,
    `experiment = "${runA.experiment.replace(/["\\]/g, "\\$&")}" AND status = finished AND spec_hash = null`,
  )) {
    const params = (await store.getRun(r.id)).params ?? {};
    const key = canonicalJson(params);
    if (!candidates.has(key)) candidates.set(key, r.id);
  }
  const coalitions: CoalitionPlan[] = masks.map((mask) => {
    const params = applyPatch(paramsA, coalitionOps(players, mask));
    const key = canonicalJson(params);
    let runId: string | null = null;
    let reused: CoalitionPlan["reused"] = null;
    if (mask === 0) [runId, reused] = [runA.id, "A"];
    else if (mask === full) [runId, reused] = [runB.id, "B"];
    else if (candidates.has(key)) [runId, reused] = [candidates.get(key)!, "store"];
    return {
      mask,
      players: players.filter((_, i) => (mask & (1 << i)) !== 0).map((p) => p.name),
      specHash: sha256Hex(key),
      params: params as Record<string, unknown>,
      runId,
      reused,
    };
  });
  const settingsAB = comparisonSettings(runA, runB);
  const plan: AttributionPlan = {
    runA: runA.id,
    runB: runB.id,
    metric: options.metric ?? settingsAB.primaryMetric,
    split: options.split ?? "dev",
    players: players.map((p) => ({ name: p.name, change: describePlayer({ ...p, ops: prefixed(p.ops) }) })),
    ignored: [],
    mode: exact ? "exact" : "sampled",
    coalitions,
    toTrain: coalitions.filter((c) => c.runId === null).length,
  };
  return { plan, players, permutations: perms };
}

function prefixed(ops: SpecPatch): SpecPatch {
  return ops.map((op) => ({ ...op, path: ["params", ...op.path] })) as SpecPatch;
}

/** Trains the coalitions the store lacks with `runner` (runs as children of A), then attributes. */
export async function attributeWithRunner(
  store: Store,
  a: string,
  b: string,
  runner: (runs: { readonly a: RunRecord; readonly b: RunRecord }) => CoalitionRunner,
  options: AttributeOptions = {},
): Promise<AttributionRecord | AttributionPlan> {
  const { resamples, seed, ci } = settings(options);
  const { plan, specs, players, runA, runB, permutations } = await planAttribution(store, a, b, options);
  options.events?.plan?.(plan);
  if (options.dryRun) return plan;
  const missing = plan.coalitions.filter((c) => c.runId === null);
  if (runA.specJson === null && missing.length > 0) {
    throw new CompareError(
      `runs ${runA.id.slice(0, 12)} and ${runB.id.slice(0, 12)} were logged by your own training code (no spec), so mlloop ` +
        `cannot train the in-between runs; ${missing.length} of the ${plan.coalitions.length} combinations of the changed params ` +
        `have no finished run in experiment "${runA.experiment}". Run your script with these params, then attribute again:\n` +
        missing.map((c) => `  ${canonicalJson(c.params)}   (${c.players.map((p) => `+${p}`).join(" ")})`).join("\n"),
    );
  }
  const runCoalition = runner({ a: runA, b: runB });

  const runIds = new Map<number, string>();
  const total = plan.toTrain;
  let started = 0;
  let done = 0;
  const queue: CoalitionPlan[] = [];
  for (const c of plan.coalitions) {
    if (c.runId !== null) runIds.set(c.mask, c.runId);
    else queue.push(c);
  }
  // `parallel` lanes take the coalitions in plan order; one failure stops every lane from starting more
  let failed = false;
  const lane = async (): Promise<void> => {
    for (let c = queue.shift(); c !== undefined && !failed; c = queue.shift()) {
      const label = coalitionLabel(players, c.mask);
      options.events?.runStart?.(started++, total, label);
      try {
        const id = await runCoalition(specs.get(c.mask)!, {
          mask: c.mask,
          label,
          tags: { attribution: `${runA.id}..${runB.id}`, attribution_players: c.players.join(",") || "(none)" },
        });
        done++;
        options.events?.runDone?.(done, total, label, id);
        runIds.set(c.mask, id);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, queue.length)) }, lane);
  // every lane settles before the first error is reported: no run is left writing behind it
  const settled = await Promise.allSettled(lanes);
  const firstError = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (firstError !== undefined) throw firstError.reason;

  const masks = [...runIds.keys()].sort((x, y) => x - y);
  const runs = await Promise.all(masks.map((m) => store.getRun(runIds.get(m)!)));
  const evaluations = runs.map(runEvaluation);
  const positive = new Set(evaluations.map((e) => e.positiveClass));
  if (positive.size > 1) {
    throw new CompareError(
      `the coalition runs disagree on the positive class (${[...positive].join(", ")}): they cannot be compared`,
    );
  }
  const warnings: string[] = [];
  const fingerprints = new Set(evaluations.map((e) => e.splitFingerprints[plan.split]));
  const predictions = await Promise.all(runs.map((r) => store.getPredictions(r.id, plan.split)));
  const aligned = alignPredictions(
    plan.split,
    masks.map((_, j) => ({ evaluation: evaluations[j]!, predictions: predictions[j]! })),
  );
  if (fingerprints.size > 1) {
    warnings.push(
      `the coalition runs were evaluated on different ${plan.split} examples (a data change is among the players): ` +
        `every value is measured on the ${aligned.ids.length} examples they all share`,
    );
  }
  const kernels = new Map<number, Kernel>();
  masks.forEach((m, j) => {
    const kernel = kernelFor(plan.metric, aligned.inputs[j]!);
    if (kernel === undefined) {
      throw new CompareError(
        `metric "${plan.metric}" does not apply to these runs; allowed: ${metricsFor(aligned.inputs[j]!).join(", ")}`,
      );
    }
    kernels.set(m, kernel);
  });
  const attribution = attributeFromKernels({
    players: players.map((p) => p.name),
    n: aligned.ids.length,
    kernels,
    mode: permutations === null ? { kind: "exact" } : { kind: "sampled", permutations },
    higherIsBetter: higherIsBetter(plan.metric),
    resamples,
    seed,
    ci,
  });
  const key = sha256Hex(
    JSON.stringify({
      v: ATTRIBUTION_VERSION,
      a: runA.id,
      b: runB.id,
      metric: plan.metric,
      split: plan.split,
      groups: options.groups ?? [],
      resamples,
      seed,
      ci,
      permutations: permutations?.length ?? 0,
    }),
  );
  const record: AttributionRecord = {
    version: ATTRIBUTION_VERSION,
    runA: runA.id,
    runB: runB.id,
    metric: plan.metric,
    split: plan.split,
    plan,
    coalitionRuns: masks.map((m) => ({
      mask: m,
      players: plan.coalitions.find((c) => c.mask === m)!.players,
      runId: runIds.get(m)!,
    })),
    attribution,
    warnings,
    key,
  };
  if (store.readOnly !== true) await store.putPairResult("attribution", key, runA.id, runB.id, record);
  return record;
}

export function isAttributionRecord(x: AttributionRecord | AttributionPlan): x is AttributionRecord {
  return (x as AttributionRecord).attribution !== undefined;
}
