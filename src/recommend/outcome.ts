/**
 * Did a recommendation do what it said? When the child run of `mlloop run --apply RUN:N` finishes,
 * its dev predictions are paired with the parent's (same examples, by id): the change of dev error
 * and of the primary metric, McNemar's exact test on the examples that flipped, and a verdict —
 * improved / worse (p < 0.05) or no significant change — set against the expected effect. The
 * outcome is stored on the parent run (run result kind "recommendation-outcome", key N) and shown
 * by `mlloop diagnose`.
 */
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import { mcnemarExact } from "../evaluate/paired.js";
import { StoreError } from "../errors.js";
import type { RunId, Store } from "../track/store.js";
import type { ExpectedEffect, Recommendation } from "./recommend.js";

export const OUTCOME_KIND = "recommendation-outcome";

export interface RecommendationOutcome {
  readonly parentRunId: string;
  readonly n: number;
  readonly recommendationId: string;
  readonly title: string;
  readonly childRunId: string;
  readonly expected: ExpectedEffect;
  readonly primaryMetric: string;
  readonly parent: { readonly devError: number; readonly devMetric: number | null };
  readonly child: { readonly devError: number; readonly devMetric: number | null };
  readonly devErrorDelta: number;
  readonly devMetricDelta: number | null;
  /** Examples the parent got right and the child wrong (b), and the reverse (c). */
  readonly flips: { readonly worse: number; readonly better: number };
  readonly mcnemarP: number;
  readonly verdict: "improved" | "worse" | "no_significant_change";
  /** The measured change went the expected way (and significantly so when an improvement was expected). */
  readonly held: boolean;
  readonly summary: string;
  readonly recordedAt: number;
}

export async function measureOutcome(
  store: Store,
  parentRunId: RunId,
  rec: Recommendation,
  childRunId: RunId,
): Promise<RecommendationOutcome> {
  const [a, b] = await Promise.all([store.getPredictions(parentRunId, "dev"), store.getPredictions(childRunId, "dev")]);
  if (a.length === 0 || b.length === 0) {
    throw new StoreError(
      `runs ${parentRunId} and ${childRunId} need dev predictions to measure the recommendation's outcome`,
    );
  }
  const child = new Map(b.map((p) => [p.exampleId, p]));
  let n = 0;
  let errA = 0;
  let errB = 0;
  let worse = 0;
  let better = 0;
  for (const p of a) {
    const q = child.get(p.exampleId);
    if (!q || p.correct === null || q.correct === null) continue;
    n++;
    if (!p.correct) errA++;
    if (!q.correct) errB++;
    if (p.correct && !q.correct) worse++;
    if (!p.correct && q.correct) better++;
  }
  const [runA, runB] = await Promise.all([store.getRun(parentRunId), store.getRun(childRunId)]);
  const spec = runB.specJson ? (JSON.parse(runB.specJson) as { evaluate?: { primary_metric?: string } }) : {};
  const recorded = (runB.extras as Record<string, unknown>)["primaryMetric"];
  const primary =
    typeof recorded === "string"
      ? recorded
      : taskPrimaryMetric(spec.evaluate?.primary_metric, (runB.dataInfo?.classes as unknown[] | undefined)?.length);
  const metricOf = async (id: RunId): Promise<number | null> =>
    (await store.getMetrics(id, { name: primary, split: "dev" })).find((m) => m.step === 0)?.value ?? null;
  const [mA, mB] = await Promise.all([metricOf(runA.id), metricOf(runB.id)]);
  const devErrorA = n > 0 ? errA / n : NaN;
  const devErrorB = n > 0 ? errB / n : NaN;
  const delta = devErrorB - devErrorA;
  const p = mcnemarExact(worse, better);
  const verdict = p < 0.05 ? (delta < 0 ? "improved" : "worse") : "no_significant_change";
  const expectImprovement = rec.expected.devErrorDelta < 0;
  const held = expectImprovement ? verdict === "improved" : verdict !== "worse";
  const metricDelta = mA !== null && mB !== null ? mB - mA : null;
  const f = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pt`;
  const summary =
    `dev error ${(devErrorA * 100).toFixed(2)}% → ${(devErrorB * 100).toFixed(2)}% (${f(delta)}, expected ${f(rec.expected.devErrorDelta)})` +
    (metricDelta !== null ? `, dev ${primary} ${mA!.toFixed(4)} → ${mB!.toFixed(4)}` : "") +
    `; ${better} examples fixed, ${worse} broken, McNemar p = ${p.toPrecision(2)}: ` +
    (held ? "the prediction held" : "the prediction did not hold");
  return {
    parentRunId,
    n: rec.n,
    recommendationId: rec.id,
    title: rec.title,
    childRunId,
    expected: rec.expected,
    primaryMetric: primary,
    parent: { devError: devErrorA, devMetric: mA },
    child: { devError: devErrorB, devMetric: mB },
    devErrorDelta: delta,
    devMetricDelta: metricDelta,
    flips: { worse, better },
    mcnemarP: p,
    verdict,
    held,
    summary,
    recordedAt: Date.now(),
  };
}

export async function recordOutcome(store: Store, outcome: RecommendationOutcome): Promise<void> {
  await store.putRunResult(outcome.parentRunId as RunId, OUTCOME_KIND, String(outcome.n), outcome);
}

export async function listOutcomes(store: Store, runId: RunId): Promise<RecommendationOutcome[]> {
  return (await store.listRunResults(runId, OUTCOME_KIND)).map((r) => r.result as RecommendationOutcome);
}
