/**
 * The noise floor: how much a metric moves between seed replicates of the same spec (`mlloop run
 * --repeat N` tags them with one `replicate_group`). The spread is the sample standard deviation
 * across the group's finished runs. A delta between two runs "exceeds the noise floor" when it is
 * larger than 2·√2·σ: the difference of two independent replicates has standard deviation √2·σ,
 * and two of those is the usual 95% reach. Replicates differ in every seeded choice (split, data
 * subsample, model), so σ measures the whole run-to-run variation, not only the evaluation sample's.
 */
import { meanStd, queryRuns } from "../track/query.js";
import type { RunSummary, Store } from "../track/store.js";

export const REPLICATE_TAG = "replicate_group";

export interface ReplicateSpread {
  readonly group: string;
  readonly metric: string;
  readonly split: string;
  /** Finished replicates with a value. */
  readonly runs: number;
  readonly mean: number;
  readonly std: number;
}

export interface NoiseFloor {
  readonly groups: readonly ReplicateSpread[];
  /** Pooled σ of the groups (variances weighted by their degrees of freedom). */
  readonly std: number;
  /** 2·√2·σ. */
  readonly threshold: number;
  readonly delta: number;
  readonly exceeds: boolean;
}

/** The replicate spread of each metric on `split` for the run's replicate group; empty when it has none. */
export async function replicateSpreads(
  store: Store,
  run: RunSummary,
  split: string,
  metrics: readonly string[],
): Promise<Map<string, ReplicateSpread>> {
  const out = new Map<string, ReplicateSpread>();
  const group = run.tags[REPLICATE_TAG];
  if (group === undefined) return out;
  const runs = await queryRuns(
    store,
    { kind: "and", left: tagIs(REPLICATE_TAG, group), right: statusFinished },
    { fields: metrics.map((m) => `metrics.${split}.${m}`) },
  );
  for (const metric of metrics) {
    const xs = runs
      .map((r) => r.values[`metrics.${split}.${metric}`])
      .filter((v): v is number => typeof v === "number");
    const s = meanStd(xs);
    if (s.count >= 2) out.set(metric, { group, metric, split, runs: s.count, mean: s.mean, std: s.std });
  }
  return out;
}

const statusFinished = {
  kind: "cmp",
  field: { kind: "column", column: "status" },
  op: "=",
  value: { type: "string", value: "finished" },
} as const;

function tagIs(key: string, value: string) {
  return { kind: "cmp", field: { kind: "tag", key }, op: "=", value: { type: "string", value } } as const;
}

/** Reads a delta against the spreads of the replicate groups behind the two runs (null when there are none). */
export function noiseFloor(delta: number, spreads: readonly ReplicateSpread[]): NoiseFloor | null {
  const unique = spreads.filter((s, i) => spreads.findIndex((t) => t.group === s.group) === i);
  if (unique.length === 0) return null;
  let ss = 0;
  let df = 0;
  for (const s of unique) {
    ss += s.std * s.std * (s.runs - 1);
    df += s.runs - 1;
  }
  const std = Math.sqrt(ss / df);
  const threshold = 2 * Math.SQRT2 * std;
  return { groups: unique, std, threshold, delta, exceeds: Math.abs(delta) > threshold };
}
