/**
 * `diagnoseRun(store, RUN)`: the orchestration of a diagnosis — the run's findings
 * (`src/diagnose/`), then the ranked recommendations (`src/recommend/`), stored as one run result
 * so that a second `diagnose` is a read and `run --apply RUN:N` finds recommendation N. Only
 * `src/loop/` calls both (DESIGN.md §1: diagnose never imports recommend).
 */
import { computeDiagnosis, DIAGNOSIS_KIND, prepareDiagnosis, type DiagnoseOptions } from "../diagnose/diagnose.js";
import type { DatasetLoader } from "../diagnose/context.js";
import type { Findings } from "../diagnose/registry.js";
import { withRecommendations, type Diagnosis } from "../recommend/diagnosis.js";
import { recommend } from "../recommend/recommend.js";
import type { RunId, Store } from "../track/store.js";
import { cacheDirFor, cacheMaxBytesFromEnv, StageCache } from "./cache.js";
import { cachedDataset } from "./cache-inputs.js";

export type { DiagnoseOptions } from "../diagnose/diagnose.js";
export type { Diagnosis } from "../recommend/diagnosis.js";
export { latestDiagnosis } from "../recommend/diagnosis.js";

/**
 * The dataset through the stage cache runs use (`cache/` beside the store) and the parallel
 * parser: a diagnosis of a run whose data was parsed before reads the parsed examples back.
 */
function cachedLoader(store: Store, workers: number | undefined): DatasetLoader {
  return (spec, o) =>
    cachedDataset({
      spec,
      baseDir: o.baseDir,
      seeds: { data: o.seed, split: 0 },
      cache: new StageCache(cacheDirFor(store.location), cacheMaxBytesFromEnv()),
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
      ...(workers === undefined ? {} : { workers }),
    });
}

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
  const { diagnosis: findings, proposals } = await computeDiagnosis(store, prep, {
    ...options,
    loadDataset: options.loadDataset ?? cachedLoader(store, options.workers),
  });
  const recommendations = recommend({
    spec: prep.ctx.spec,
    findings: findings as unknown as Findings,
    proposals,
  });
  const diagnosis = withRecommendations(findings, recommendations);
  // a read-only store (a mounted backup) still gets its diagnosis, printed and not kept
  if (useCache && !store.readOnly) await store.putRunResult(runId, DIAGNOSIS_KIND, prep.key, diagnosis);
  return { diagnosis, cached: false };
}
