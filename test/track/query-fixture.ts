/**
 * The shared fixture for query tests: random runs and random query expressions, drawn from seeds,
 * so that every backend's compiler is held to the reference evaluator on the same kind of store.
 */
import type { RunView } from "../../src/track/query.js";
import type { Store } from "../../src/track/store.js";
import { createRng, type Rng } from "../../src/util/random.js";

export const FAMILIES = ["logistic_regression", "naive_bayes"];
export const OWNERS = ["ann", "bob", "Zoë", "10", "2.5", "true", "x.y"];
export const STATUSES = ["finished", "failed"] as const;

function randomSpec(rng: Rng, i: number): Record<string, unknown> {
  const family = FAMILIES[rng.int(2)]!;
  const spec: Record<string, unknown> = {
    experiment: rng.next() < 0.7 ? "spam" : "spam-temporal",
    seed: rng.int(3),
    data: { source: "spamassassin", limit: rng.next() < 0.3 ? undefined : [500, 1500, 3000][rng.int(3)] },
    features: {
      words: {
        fields: rng.next() < 0.5 ? ["subject", "body"] : ["body"],
        lowercase: rng.next() < 0.7,
        ngram_range: [1, 1 + rng.int(2)],
        min_df: [1, 2, 0.01][rng.int(3)],
      },
    },
    model:
      family === "logistic_regression"
        ? { family, C: [0.1, 1, 10, 100][rng.int(4)], max_iter: 100 }
        : { family, alpha: [0.1, 1][rng.int(2)] },
    evaluate: { primary_metric: "f1", equivalence_band: 0.005 },
    notes: i % 5 === 0 ? null : `run ${i}`,
  };
  if (rng.next() < 0.3) (spec.features as Record<string, unknown>).categorical = { columns: ["from_domain"] };
  return JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
}

/**
 * Fills `store` with `count` runs drawn from `seed` (specs, tags, metrics with an older step and
 * NaN, finished or failed) and returns the reference evaluator's view of each, newest first.
 */
export async function fillQueryFixture(store: Store, count: number, seed: number): Promise<RunView[]> {
  const rng = createRng(seed);
  // a stream of its own, so that the specs, tags and metrics stay as they were before params
  const paramRng = createRng(seed + 1000);
  for (let i = 0; i < count; i++) {
    const spec = randomSpec(rng, i);
    const tags: Record<string, string> = {};
    if (rng.next() < 0.6) tags["owner"] = OWNERS[rng.int(OWNERS.length)]!;
    if (rng.next() < 0.3) tags["replicate_group"] = `g${rng.int(3)}`;
    const run = await store.createRun({
      experiment: spec.experiment as string,
      name: rng.next() < 0.5 ? `try ${i}` : null,
      notes: (spec.notes as string | null) ?? null,
      tags,
      spec: { json: JSON.stringify(spec), hash: `h${i}` },
      params: randomParams(paramRng),
    });
    const metrics = [];
    if (rng.next() < 0.9) metrics.push({ name: "f1", split: "dev", value: 0.8 + rng.next() * 0.2 });
    if (rng.next() < 0.2) metrics.push({ name: "f1", split: "dev", value: 0.5, step: -1 }); // older step: ignored
    if (rng.next() < 0.8) metrics.push({ name: "accuracy", split: "test", value: rng.next() < 0.1 ? NaN : rng.next() });
    await store.logMetrics(run.id, metrics);
    await store.finishRun(run.id, STATUSES[rng.int(2)]!);
  }
  const views: RunView[] = [];
  for (const summary of await store.listRuns()) {
    const record = await store.getRun(summary.id);
    const metrics: Record<string, Record<string, number>> = {};
    const steps: Record<string, number> = {};
    for (const m of await store.getMetrics(summary.id)) {
      const k = `${m.split}/${m.name}`;
      if (steps[k] !== undefined && steps[k]! > m.step) continue;
      steps[k] = m.step;
      (metrics[m.split ?? "-"] ??= {})[m.name] = m.value;
    }
    views.push({
      summary,
      notes: record.notes,
      spec: JSON.parse(record.specJson!) as unknown,
      params: record.params,
      metrics,
    });
  }
  return views;
}

/** Params as training code logs them (the tracking API): absent on some runs, nested on others. */
function randomParams(rng: Rng): Record<string, unknown> {
  if (rng.next() < 0.3) return {};
  const params: Record<string, unknown> = {
    lr: [0.01, 0.05, 0.1, 0.5][rng.int(4)],
    optimizer: ["adam", "sgd", "10"][rng.int(3)],
  };
  if (rng.next() < 0.5) params["layers"] = [1, 2, 3][rng.int(3)];
  if (rng.next() < 0.4) params["augment"] = rng.next() < 0.5;
  if (rng.next() < 0.3) params["net"] = { depth: rng.int(4), widths: [16, 32] };
  return params;
}

export const FIELD_POOL = [
  "spec.model.C",
  "spec.model.family",
  "spec.model.alpha",
  "spec.seed",
  "spec.data.limit",
  "spec.features.words.lowercase",
  "spec.features.words.fields",
  "spec.features.words.ngram_range.1",
  "spec.features.words.min_df",
  "spec.features.categorical",
  "spec.notes",
  "params.lr",
  "params.optimizer",
  "params.layers",
  "params.augment",
  "params.net.depth",
  "params.net.widths.1",
  "metrics.dev.f1",
  "metrics.test.accuracy",
  "metrics.train.f1",
  "tags.owner",
  "tags.replicate_group",
  "status",
  "experiment",
  "name",
  "notes",
  "created",
  "parent",
];
export const LITERAL_POOL = [
  "0",
  "1",
  "2",
  "10",
  "0.9",
  "0.5",
  "2.5",
  "1500",
  "0.05",
  "adam",
  "true",
  "false",
  "null",
  "ann",
  '"Zoë"',
  '"10"',
  "naive_bayes",
  "logistic_regression",
  "spam",
  "finished",
  "'[\"body\"]'",
  '"run 1"',
  "g1",
];
export const MATCH_POOL = [
  "/^[a-c]/",
  "/N/i",
  "/\\d$/",
  "10",
  "ann",
  "BODY",
  "naive",
  "/true/",
  '"."',
  "2026",
  "/0\\.9/",
];

export function randomExpr(rng: Rng, depth: number, createdPivot: number): string {
  const r = rng.next();
  if (depth > 0 && r < 0.2)
    return `(${randomExpr(rng, depth - 1, createdPivot)} AND ${randomExpr(rng, depth - 1, createdPivot)})`;
  if (depth > 0 && r < 0.35)
    return `(${randomExpr(rng, depth - 1, createdPivot)} OR ${randomExpr(rng, depth - 1, createdPivot)})`;
  if (depth > 0 && r < 0.45) return `NOT ${randomExpr(rng, depth - 1, createdPivot)}`;
  const field = FIELD_POOL[rng.int(FIELD_POOL.length)]!;
  if (rng.next() < 0.2) return `${field} ~ ${MATCH_POOL[rng.int(MATCH_POOL.length)]}`;
  let literal = LITERAL_POOL[rng.int(LITERAL_POOL.length)]!;
  if (field === "created") literal = String(createdPivot);
  if (field === "status") literal = STATUSES[rng.int(2)]!;
  const ops =
    literal === "null" || literal === "true" || literal === "false" ? ["=", "!="] : ["=", "!=", "<", "<=", ">", ">="];
  return `${field} ${ops[rng.int(ops.length)]} ${literal}`;
}
