/**
 * The live loop page's feed: a loop or demo in any process writes its runs to the store; the
 * server polls the experiment and, whenever a run appears or changes status, sends the runs, the
 * run tree (`mlloop log`) and the ledger (`mlloop ledger`) as Server-Sent Events.
 */
import { buildLedger, runLog } from "../compare/lineage.js";
import { isMlloopError } from "../errors.js";
import { OUTCOME_KIND, type RecommendationOutcome } from "../recommend/outcome.js";
import type { Store } from "../track/store.js";

export interface LiveSink {
  readonly pollMs: number;
  aborted(): boolean;
  send(event: string, data: unknown): Promise<void>;
  sleep(ms: number): Promise<unknown>;
}

/** One attempt of the loop: a child run made from a recommendation, accepted or not. */
export interface LoopAttempt {
  readonly runId: string;
  readonly parentId: string | null;
  readonly name: string | null;
  readonly status: string;
  readonly createdAt: number;
  readonly recommendation: string | null;
  /** On the ledger's chain of accepted changes. */
  readonly accepted: boolean;
  readonly outcome: RecommendationOutcome | null;
}

export async function experimentSnapshot(store: Store, experiment: string) {
  const runs = await store.listRuns({ experiment });
  const log = await runLog(store, { experiment });
  let ledger = null;
  let ledgerUnavailable: string | null = null;
  try {
    ledger = await buildLedger(store, experiment);
  } catch (e) {
    if (!isMlloopError(e)) throw e;
    ledgerUnavailable = e.message;
  }
  const chain = new Set((ledger?.entries ?? []).map((e) => e.run.id));
  const outcomes = new Map<string, RecommendationOutcome>();
  for (const parent of new Set(runs.map((r) => r.parentId).filter((p): p is NonNullable<typeof p> => p !== null))) {
    for (const r of await store.listRunResults(parent, OUTCOME_KIND)) {
      const o = r.result as RecommendationOutcome;
      outcomes.set(o.childRunId, o);
    }
  }
  const attempts: LoopAttempt[] = runs
    .filter((r) => r.tags.attribution === undefined)
    .map((r) => ({
      runId: r.id,
      parentId: r.parentId,
      name: r.name,
      status: r.status,
      createdAt: r.createdAt,
      recommendation: r.tags.recommendation ?? null,
      accepted: chain.has(r.id),
      outcome: outcomes.get(r.id) ?? null,
    }));
  return { experiment, at: Date.now(), attempts, log, ledger, ledgerUnavailable };
}

export type ExperimentSnapshot = Awaited<ReturnType<typeof experimentSnapshot>>;

export async function watchExperiment(store: Store, experiment: string, sink: LiveSink): Promise<void> {
  let last = "";
  while (!sink.aborted()) {
    const runs = await store.listRuns({ experiment });
    const signature = runs.map((r) => `${r.id}:${r.status}:${r.endedAt ?? ""}`).join(",");
    if (signature !== last) {
      last = signature;
      await sink.send("snapshot", await experimentSnapshot(store, experiment));
    } else {
      await sink.send("heartbeat", { at: Date.now() });
    }
    await sink.sleep(sink.pollMs);
  }
}
