/**
 * Lineage: choosing a run's parent (`--parent auto`), the run tree of an experiment with each
 * edge's change and measured effect (`mlloop log`), and the ledger — the chain of accepted changes
 * from the first run to the best one, each with its effect ± CI and attribution.
 *
 * Edge effects are comparisons on one metric and split, stored in the store after the first
 * computation (compare-runs.ts caches them), so a second `log` reads instead of resampling.
 */
import { CompareError, StoreError } from "../errors.js";
import { diffSpecs } from "../spec/patch.js";
import { queryRuns, type QueryExpr } from "../track/query.js";
import type { RunRecord, RunSummary, Store } from "../track/store.js";
import { formatChange, type RunChange } from "./change.js";
import { compareRuns, comparisonSettings, storedAttributions, type AttributionSummary } from "./compare-runs.js";
import { higherIsBetter } from "./kernels.js";
import type { Verdict } from "./verdict.js";

export interface ClosestParent {
  readonly runId: string;
  /** Number of SpecPatch ops from the parent's spec to the new one. */
  readonly distance: number;
}

/**
 * The latest finished run of `experiment` whose spec is closest to `spec` (fewest SpecPatch ops);
 * null when the experiment has no finished run with a spec. Attribution's ablation runs (tagged
 * `attribution`) are not candidates: they are measurements, not steps of the line of work.
 */
export async function closestParent(store: Store, experiment: string, spec: unknown): Promise<ClosestParent | null> {
  const candidates = await queryRuns(store, {
    kind: "and",
    left: {
      kind: "and",
      left: {
        kind: "cmp",
        field: { kind: "column", column: "experiment" },
        op: "=",
        value: { type: "string", value: experiment },
      },
      right: {
        kind: "cmp",
        field: { kind: "column", column: "status" },
        op: "=",
        value: { type: "string", value: "finished" },
      },
    },
    right: { kind: "cmp", field: { kind: "tag", key: "attribution" }, op: "=", value: { type: "null" } },
  });
  const distanceByHash = new Map<string, number>();
  let best: ClosestParent | null = null;
  // newest first: a strictly smaller distance is needed to prefer an older run
  for (const run of candidates) {
    if (run.specHash === null) continue;
    let distance = distanceByHash.get(run.specHash);
    if (distance === undefined) {
      const record = await store.getRun(run.id);
      if (record.specJson === null) continue;
      distance = diffSpecs(JSON.parse(record.specJson) as unknown, spec).length;
      distanceByHash.set(run.specHash, distance);
    }
    if (best === null || distance < best.distance) best = { runId: run.id, distance };
    if (distance === 0) break;
  }
  return best;
}

export interface EdgeEffect {
  readonly metric: string;
  readonly split: string;
  readonly parentValue: number;
  readonly childValue: number;
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly verdict: Verdict;
  readonly paired: boolean;
  /** Replicate noise floor exceeded (undefined without replicates). */
  readonly exceedsNoise?: boolean;
}

export interface Edge {
  readonly change: readonly string[];
  readonly effect: EdgeEffect | null;
  /** Why there is no effect (refused by the guard, no predictions…). */
  readonly effectUnavailable?: string;
  readonly attributions: readonly AttributionSummary[];
}

/** The measured effect of an edge: a paired comparison when possible, an unpaired one (labelled) when the examples differ. */
export async function edgeEffect(
  store: Store,
  parent: string,
  child: string,
  metric: string,
  split: string,
  options: { resamples?: number; seed?: number } = {},
): Promise<{ effect: EdgeEffect | null; reason?: string }> {
  const base = { metrics: [metric], splits: [split], flipLimit: 0, previews: false, git: false, ...options };
  let cmp;
  try {
    cmp = await compareRuns(store, parent, child, { ...base, allowThresholdChange: true });
  } catch (e) {
    if (!(e instanceof CompareError)) throw e;
    if (!/examples differ/.test(e.message) || /positive class/.test(e.message))
      return { effect: null, reason: firstProblem(e.message) };
    try {
      cmp = await compareRuns(store, parent, child, { ...base, allowThresholdChange: true, unpaired: true });
    } catch (e2) {
      if (!(e2 instanceof CompareError)) throw e2;
      return { effect: null, reason: firstProblem(e2.message) };
    }
  }
  const m = cmp.splits[0]?.metrics[0];
  if (m === undefined) return { effect: null, reason: `no ${metric} on ${split}` };
  return {
    effect: {
      metric,
      split,
      parentValue: m.a,
      childValue: m.b,
      delta: m.delta,
      ciLow: m.ciLow,
      ciHigh: m.ciHigh,
      verdict: m.verdict,
      paired: cmp.paired,
      ...(m.noise ? { exceedsNoise: m.noise.exceeds } : {}),
    },
  };
}

function firstProblem(message: string): string {
  const line = message.split("\n").find((l) => l.startsWith("  - "));
  return line === undefined ? message.split("\n")[0]! : line.slice(4);
}

export interface LogNode {
  readonly run: RunSummary;
  readonly value: number | null;
  readonly edge: Edge | null;
  readonly children: LogNode[];
}

export interface RunLog {
  readonly experiment: string | null;
  readonly metric: string;
  readonly split: string;
  readonly roots: readonly LogNode[];
  readonly runs: number;
}

function specChangeLines(child: RunRecord, parent: RunRecord | undefined): string[] {
  if (parent === undefined) return [];
  const change: RunChange = {
    parent: parent.id,
    child: child.id,
    spec:
      parent.specJson !== null && child.specJson !== null
        ? diffSpecs(JSON.parse(parent.specJson) as unknown, JSON.parse(child.specJson) as unknown)
        : ((child.specPatch ?? []) as RunChange["spec"]),
    params: diffSpecs(parent.params ?? {}, child.params ?? {}).map((op) => ({
      ...op,
      path: ["params", ...op.path],
    })) as RunChange["spec"],
    code: {
      from: parent.provenance?.git?.commit ?? null,
      to: child.provenance?.git?.commit ?? null,
      commits: null,
      fromDirty: parent.provenance?.git?.dirty ?? false,
      toDirty: child.provenance?.git?.dirty ?? false,
      patchChanged: (parent.provenance?.git?.patch ?? null) !== (child.provenance?.git?.patch ?? null),
      changed:
        (parent.provenance?.git?.commit ?? null) !== (child.provenance?.git?.commit ?? null) ||
        (parent.provenance?.git?.patch ?? null) !== (child.provenance?.git?.patch ?? null),
    },
    data: {
      fingerprintChanged: (parent.dataInfo?.fingerprint ?? null) !== (child.dataInfo?.fingerprint ?? null),
      from: (parent.dataInfo?.fingerprint as string | undefined) ?? null,
      to: (child.dataInfo?.fingerprint as string | undefined) ?? null,
      splits: [],
      counts: [],
      changed: false,
    },
    env: { keys: [], changed: false },
    unchanged: false,
  };
  return formatChange(change);
}

/** The run tree (of one experiment, or all), each edge with its change and effect on `metric`. */
export async function runLog(
  store: Store,
  options: { experiment?: string; metric?: string; split?: string; resamples?: number; limit?: number } = {},
): Promise<RunLog> {
  const split = options.split ?? "dev";
  const summaries = await store.listRuns({ experiment: options.experiment, limit: options.limit });
  if (summaries.length === 0) {
    return { experiment: options.experiment ?? null, metric: options.metric ?? "f1", split, roots: [], runs: 0 };
  }
  const records = new Map<string, RunRecord>();
  for (const s of summaries) records.set(s.id, await store.getRun(s.id));
  const newest = records.get(summaries[0]!.id)!;
  const metric = options.metric ?? comparisonSettings(newest, newest).primaryMetric;
  const values = await queryRuns(
    store,
    options.experiment === undefined
      ? null
      : {
          kind: "cmp",
          field: { kind: "column", column: "experiment" },
          op: "=",
          value: { type: "string", value: options.experiment },
        },
    { fields: [`metrics.${split}.${metric}`], limit: options.limit },
  );
  const valueOf = new Map(values.map((r) => [r.id, r.values[`metrics.${split}.${metric}`] as number | undefined]));
  const nodes = new Map<string, LogNode>();
  const ordered = [...summaries].reverse(); // oldest first
  for (const s of ordered) nodes.set(s.id, { run: s, value: valueOf.get(s.id) ?? null, edge: null, children: [] });
  const roots: LogNode[] = [];
  for (const s of ordered) {
    const node = nodes.get(s.id)!;
    const parentNode = s.parentId === null ? undefined : nodes.get(s.parentId);
    if (parentNode === undefined) {
      roots.push(node);
      continue;
    }
    const child = records.get(s.id)!;
    const parent = records.get(parentNode.run.id)!;
    let edge: Edge = { change: specChangeLines(child, parent), effect: null, attributions: [] };
    if (parent.status === "finished" && child.status === "finished") {
      const { effect, reason } = await edgeEffect(store, parent.id, child.id, metric, split, {
        resamples: options.resamples,
      });
      edge = { ...edge, effect, ...(reason !== undefined ? { effectUnavailable: reason } : {}) };
    } else edge = { ...edge, effectUnavailable: `${parent.status === "finished" ? "child" : "parent"} not finished` };
    edge = { ...edge, attributions: await storedAttributions(store, parent.id, child.id) };
    (node as { edge: Edge | null }).edge = edge;
    parentNode.children.push(node);
  }
  return { experiment: options.experiment ?? null, metric, split, roots, runs: summaries.length };
}

function idIn(ids: readonly string[]): QueryExpr {
  return ids
    .map((id): QueryExpr => ({
      kind: "cmp",
      field: { kind: "column", column: "id" },
      op: "=",
      value: { type: "string", value: id },
    }))
    .reduce((left, right) => ({ kind: "or", left, right }));
}

export interface LedgerEntry {
  readonly run: RunSummary;
  readonly value: number | null;
  readonly edge: Edge | null;
}

export interface Ledger {
  readonly experiment: string;
  readonly metric: string;
  readonly split: string;
  readonly best: RunSummary;
  readonly bestValue: number;
  /** From the first run of the chain (a root) to the best. */
  readonly entries: readonly LedgerEntry[];
  /** best − first, as measured directly (paired when possible). */
  readonly overall: EdgeEffect | null;
}

/** An experiment the store has no runs of: not found, like an unknown run id (exit 4, HTTP 404). */
export function noRunsOfExperiment(experiment: string, location: string): StoreError {
  return new StoreError(`no runs of experiment "${experiment}" in store ${location}`);
}

/** The chain of accepted changes from the first run to the best one (by `metric` on `split`). */
export async function buildLedger(
  store: Store,
  experiment: string,
  options: { metric?: string; split?: string; resamples?: number } = {},
): Promise<Ledger> {
  const split = options.split ?? "dev";
  const latest = await store.listRuns({ experiment, limit: 1 });
  if (latest.length === 0) throw noRunsOfExperiment(experiment, store.location);
  const newest = await store.getRun(latest[0]!.id);
  const metric = options.metric ?? comparisonSettings(newest, newest).primaryMetric;
  const key = `metrics.${split}.${metric}`;
  // ties go to the run that got there first; attribution's ablation runs are not accepted changes
  const sort = `${key}:${higherIsBetter(metric) ? "desc" : "asc"},created`;
  const ranked = await queryRuns(
    store,
    `experiment = "${experiment.replace(/["\\]/g, "\\$&")}" AND status = finished AND ${key} != null AND tags.attribution = null`,
    {
      sort,
      limit: 1,
      fields: [key],
    },
  );
  if (ranked.length === 0) {
    throw new CompareError(`experiment "${experiment}" has no finished run with ${metric} on ${split}`);
  }
  const best = ranked[0]!;
  const chain: RunRecord[] = [];
  const seen = new Set<string>();
  let cur: RunRecord | null = await store.getRun(best.id);
  while (cur !== null && !seen.has(cur.id)) {
    seen.add(cur.id);
    chain.unshift(cur);
    cur = cur.parentId === null ? null : await store.getRun(cur.parentId).catch(() => null);
  }
  const values = await queryRuns(store, idIn(chain.map((r) => r.id)), { fields: [key] });
  const valueOf = new Map(values.map((r) => [r.id, r.values[key] as number | undefined]));
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < chain.length; i++) {
    const run = chain[i]!;
    let edge: Edge | null = null;
    if (i > 0) {
      const parent = chain[i - 1]!;
      const { effect, reason } = await edgeEffect(store, parent.id, run.id, metric, split, {
        resamples: options.resamples,
      });
      edge = {
        change: specChangeLines(run, parent),
        effect,
        ...(reason !== undefined ? { effectUnavailable: reason } : {}),
        attributions: await storedAttributions(store, parent.id, run.id),
      };
    }
    entries.push({ run, value: valueOf.get(run.id) ?? null, edge });
  }
  const overall =
    chain.length > 1
      ? (await edgeEffect(store, chain[0]!.id, best.id, metric, split, { resamples: options.resamples })).effect
      : null;
  return { experiment, metric, split, best, bestValue: best.values[key] as number, entries, overall };
}
