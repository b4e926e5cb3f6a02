/**
 * `diagnoseRun(store, RUN)`: the orchestration of a diagnosis — the run's findings
 * (`src/diagnose/`), then the ranked recommendations (`src/recommend/`), stored as one run result
 * so that a second `diagnose` is a read and `run --apply RUN:N` finds recommendation N. Only
 * `src/loop/` calls both (DESIGN.md §1: diagnose never imports recommend).
 */
import { computeDiagnosis, DIAGNOSIS_KIND, prepareDiagnosis, type DiagnoseOptions } from "../diagnose/diagnose.js";
import type { Findings } from "../diagnose/registry.js";
import { withRecommendations, type Diagnosis } from "../recommend/diagnosis.js";
import { recommend } from "../recommend/recommend.js";
import type { RunId, Store } from "../track/store.js";

export type { DiagnoseOptions } from "../diagnose/diagnose.js";
export type { Diagnosis } from "../recommend/diagnosis.js";
export { latestDiagnosis } from "../recommend/diagnosis.js";

export async function diagnoseRun(
  store: Store,
  runIdOrPrefix: string,
  options: DiagnoseOptions = {},
): Promise<{ diagnosis: Diagnosis; cached: boolean }> {
  const prep = await prepareDiagnosis(store, runIdOrPrefix, options);
  const runId = prep.ctx.run.id as RunId;
  const useCache = options.cache ?? true;
  if (useCache) {
    const hit = await store.getRunResult(runId, DIAGNOSIS_KIND, prep.key);
    if (hit) return { diagnosis: hit.result as Diagnosis, cached: true };
  }
  const { diagnosis: findings, proposals } = await computeDiagnosis(store, prep, options);
  const recommendations = recommend({
    spec: prep.ctx.spec,
    findings: findings as unknown as Findings,
    proposals,
  });
  const diagnosis = withRecommendations(findings, recommendations);
  if (useCache) await store.putRunResult(runId, DIAGNOSIS_KIND, prep.key, diagnosis);
  return { diagnosis, cached: false };
}
