/** Synthetic runs written straight through the Store API, for compare/log/ledger tests without training. */
import type { PredictionRow, RunId, Store } from "../../src/track/store.js";

export interface SyntheticRun {
  readonly experiment?: string;
  readonly parent?: RunId | null;
  readonly name?: string;
  readonly spec?: Record<string, unknown>;
  /** Per dev example: [id, label, score]; decisions use the threshold. */
  readonly dev: ReadonlyArray<readonly [string, string, number]>;
  readonly threshold?: number;
  readonly policy?: string;
  readonly devFingerprint?: string;
  readonly tags?: Record<string, string>;
  readonly positiveClass?: string;
}

export const BASE_SPEC = {
  experiment: "spam",
  seed: 0,
  data: { source: "spamassassin" },
  features: { words: { fields: ["subject", "body"], min_df: 1 } },
  model: { family: "logistic_regression", C: 1, max_iter: 100 },
  evaluate: {
    positive_class: "spam",
    primary_metric: "accuracy",
    equivalence_band: 0.005,
    threshold: { policy: "fixed", value: 0.5 },
    costs: { fp: 1, fn: 1 },
  },
};

export async function writeRun(store: Store, r: SyntheticRun): Promise<RunId> {
  const threshold = r.threshold ?? 0.5;
  const positive = r.positiveClass ?? "spam";
  const spec = r.spec ?? BASE_SPEC;
  const run = await store.createRun({
    experiment: r.experiment ?? "spam",
    parentId: r.parent ?? null,
    name: r.name ?? null,
    tags: r.tags,
    spec: { json: JSON.stringify(spec), hash: `hash-${JSON.stringify(spec).length}-${Math.random()}` },
    dataInfo: { classes: ["ham", "spam"], splits: { dev: r.devFingerprint ?? "f".repeat(64) } },
    extras: { threshold: { value: threshold, policy: r.policy ?? "fixed", chosenOn: "dev" }, positiveClass: positive },
  });
  const rows: PredictionRow[] = r.dev.map(([id, label, score]) => {
    const decision = score >= threshold ? positive : positive === "spam" ? "ham" : "spam";
    return { exampleId: id, split: "dev", label, score, decision, correct: decision === label };
  });
  await store.logPredictions(run.id, rows);
  const n = rows.length;
  const acc = rows.filter((p) => p.correct).length / n;
  await store.logMetrics(run.id, [{ split: "dev", name: "accuracy", value: acc }]);
  await store.finishRun(run.id, "finished");
  return run.id;
}

/**
 * Dev predictions for n examples ("spam-2/00001"…"easy-ham-1/…"), labels alternating by group; a
 * run is described by which examples it gets wrong.
 */
export function devSet(n: number, wrong: (i: number) => boolean): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (let i = 0; i < n; i++) {
    const spam = i % 3 === 0;
    const id = `${spam ? "spam-2" : i % 3 === 1 ? "easy-ham-1" : "hard-ham-1"}/${String(i).padStart(5, "0")}`;
    const label = spam ? "spam" : "ham";
    // a confident right answer, or a confident wrong one; scores vary a little so rankings are not all ties
    const margin = 0.3 + ((i * 37) % 17) / 100;
    const right = spam ? 0.5 + margin : 0.5 - margin;
    const score = wrong(i) ? 1 - right : right;
    out.push([id, label, score]);
  }
  return out;
}
