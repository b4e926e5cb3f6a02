/**
 * `mlloop run --apply RUN:N`: the spec of recommendation N of RUN's latest diagnosis — the parent's
 * stored spec with the recommendation's SpecPatch applied (and any --set overrides on top),
 * validated — ready to run as a child of RUN.
 */
import { latestDiagnosis } from "./diagnosis.js";
import { runBaseDir } from "../diagnose/context.js";
import { StoreError, UsageError } from "../errors.js";
import { applyOverridesNoted, applyPatchNoted, parseSpec } from "../spec/load.js";
import type { Spec } from "../spec/schema.js";
import type { RunId, Store } from "../track/store.js";
import type { Recommendation } from "./recommend.js";

export interface AppliedRecommendation {
  readonly parentRunId: RunId;
  readonly recommendation: Recommendation;
  readonly spec: Spec;
  readonly baseDir: string;
  /** Tags for the child run: which recommendation it executes. */
  readonly tags: Record<string, string>;
  /** What applying did besides the patch (keys dropped by a model family switch), for the user. */
  readonly notes: readonly string[];
}

export function parseApplyRef(ref: string): { run: string; n: number } {
  const m = /^([0-9a-f]{1,20}):(\d+)$/i.exec(ref.trim());
  if (!m || Number(m[2]) < 1) {
    throw new UsageError(
      `--apply ${ref}: expected RUN:N, a run id (or prefix) and a recommendation number, e.g. 01a21dc7:1`,
    );
  }
  return { run: m[1]!.toLowerCase(), n: Number(m[2]) };
}

export async function resolveApply(
  store: Store,
  ref: string,
  overrides: readonly string[] = [],
  options: { baseDir?: string } = {},
): Promise<AppliedRecommendation> {
  const { run: prefix, n } = parseApplyRef(ref);
  const run = await store.getRun(prefix);
  const diagnosis = await latestDiagnosis(store, run.id);
  if (diagnosis === null) {
    throw new UsageError(`run ${run.id} has no diagnosis yet: run \`mlloop diagnose ${prefix}\` first`);
  }
  const recs = diagnosis.recommendations;
  const rec = recs[n - 1];
  if (rec === undefined) {
    throw new UsageError(
      `run ${run.id} has ${recs.length} recommendation${recs.length === 1 ? "" : "s"}; there is no number ${n}` +
        (recs.length > 0 ? ` (1–${recs.length})` : ""),
    );
  }
  if (rec.patch === null) {
    throw new UsageError(
      `recommendation ${n} of run ${run.id} ("${rec.title}") is an action, not a spec change: ${rec.action ?? "see mlloop diagnose"}`,
    );
  }
  if (run.specJson === null) throw new StoreError(`run ${run.id} has no stored spec to apply the recommendation to`);
  const patched = applyPatchNoted(JSON.parse(run.specJson) as unknown, rec.patch);
  const overridden = applyOverridesNoted(patched.raw, overrides);
  const spec = parseSpec(overridden.raw, `run ${run.id.slice(0, 12)} + recommendation ${n}`);
  return {
    parentRunId: run.id,
    recommendation: rec,
    spec,
    baseDir: runBaseDir(run, options.baseDir),
    tags: { recommendation: `${run.id}:${n}`, recommendation_id: rec.id },
    notes: [...patched.notes, ...overridden.notes],
  };
}
