/**
 * Timing of run queries and comparisons on a store of 10,000 runs (not a test: numbers for the
 * README and the issue). Builds the store once through the Store API (realistic spam specs, 17
 * metrics per split on dev and test, tags), then times each query as the median of 7 calls.
 *
 *   npx tsx test/track/measure-query.ts [store-dir] [runs]
 *
 * The store is kept (default /tmp/mlloop-10k) so the CLI can be timed against it too, e.g.
 *   time node bin/mlloop.js runs --store /tmp/mlloop-10k/mlloop.db --where "spec.model.C >= 1 AND metrics.dev.f1 > 0.9"
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { compareRuns } from "../../src/compare/compare-runs.js";
import { closestParent } from "../../src/compare/lineage.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { canonicalize, specHash } from "../../src/spec/canonical.js";
import { groupRuns, parseField, queryRuns } from "../../src/track/query.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import type { PredictionRow, RunId } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";

const dir = process.argv[2] ?? "/tmp/mlloop-10k";
const count = Number(process.argv[3] ?? 10_000);
const METRICS = [
  "accuracy",
  "error_rate",
  "precision",
  "recall",
  "f1",
  "roc_auc",
  "average_precision",
  "log_loss",
  "brier",
  "tp",
  "fp",
  "tn",
  "fn",
  "n",
  "positives",
  "threshold",
];

async function build(store: SqliteStore): Promise<RunId[]> {
  const base = canonicalize(
    loadSpecFile(join(import.meta.dirname, "../../examples/spam/baseline.yaml")).spec,
  ) as Record<string, unknown>;
  const rng = createRng(1);
  const ids: RunId[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const spec = structuredClone(base) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    spec.seed = rng.int(5);
    spec.experiment = `spam-${rng.int(20)}`;
    spec.model.C = [0.01, 0.1, 0.3, 1, 3, 10, 30][rng.int(7)];
    spec.features.words.min_df = [1, 2, 3, 5][rng.int(4)];
    spec.features.words.ngram_range = [1, 1 + rng.int(2)];
    const run = await store.createRun({
      experiment: spec.experiment,
      parentId: ids.length > 0 && rng.next() < 0.8 ? ids[rng.int(ids.length)]! : null,
      name: rng.next() < 0.3 ? `try ${i}` : null,
      tags: rng.next() < 0.5 ? { owner: ["ann", "bob", "chen", "dora"][rng.int(4)]! } : {},
      spec: { json: JSON.stringify(spec), hash: specHash(spec) },
      dataInfo: {
        classes: ["ham", "spam"],
        splits: { dev: "d".repeat(64), test: "t".repeat(64), train: "r".repeat(64) },
      },
    });
    const rows = [];
    for (const split of ["dev", "test"])
      for (const name of METRICS)
        rows.push({ split, name, value: name === "f1" ? 0.8 + rng.next() * 0.19 : rng.next() });
    await store.logMetrics(run.id, rows);
    // the first two runs are the pair `compare` is timed on: finished, so their comparison is stored
    await store.finishRun(run.id, i < 2 || rng.next() < 0.95 ? "finished" : "failed");
    ids.push(run.id);
    if ((i + 1) % 2000 === 0)
      console.log(`  ${i + 1} runs written (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  // two runs with 1,200 dev predictions each, for compare
  for (const id of ids.slice(0, 2)) {
    const preds: PredictionRow[] = [];
    for (let k = 0; k < 1200; k++) {
      const label = k % 3 === 0 ? "spam" : "ham";
      const score = Math.min(1, Math.max(0, (label === "spam" ? 0.75 : 0.25) + rng.normal() * 0.2));
      const decision = score >= 0.5 ? "spam" : "ham";
      preds.push({ exampleId: `g/${k}`, split: "dev", label, score, decision, correct: decision === label });
    }
    await store.updateRun(id, {
      extras: { threshold: { value: 0.5, policy: "fixed", chosenOn: "dev" }, positiveClass: "spam" },
    });
    await store.logPredictions(id, preds);
  }
  return ids;
}

async function time(label: string, fn: () => Promise<unknown>, reps = 7): Promise<void> {
  const ms: number[] = [];
  let result: unknown;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const n = Array.isArray(result) ? ` (${result.length} rows)` : "";
  console.log(
    `${label.padEnd(78)} median ${ms[Math.floor(reps / 2)]!.toFixed(1).padStart(7)} ms, min ${ms[0]!.toFixed(1)} ms${n}`,
  );
}

const fresh = !existsSync(join(dir, "mlloop.db"));
mkdirSync(dir, { recursive: true });
const store = await openSqliteStore(join(dir, "mlloop.db"));
let ids: RunId[];
if (fresh) {
  console.log(`building ${count} runs in ${dir} …`);
  ids = await build(store);
} else ids = (await store.listRuns()).map((r) => r.id).reverse();
console.log(`store: ${ids.length} runs`);

const q1 = "spec.model.C >= 1 AND metrics.dev.f1 > 0.9";
await time(`queryRuns "${q1}" (newest 50)`, () =>
  queryRuns(store, q1, { limit: 50, fields: ["metrics.dev.f1", "metrics.test.f1"] }),
);
await time(`queryRuns "${q1}" (all matches)`, () => queryRuns(store, q1, { fields: ["metrics.dev.f1"] }));
await time(`  … sorted by metrics.dev.f1:desc, top 50`, () =>
  queryRuns(store, q1, { sort: "metrics.dev.f1:desc", limit: 50, fields: ["metrics.dev.f1"] }),
);
const q2 = "(tags.owner ~ /^a/i OR status = failed) AND NOT spec.features.words.ngram_range.1 = 2";
await time(`queryRuns "${q2}"`, () => queryRuns(store, q2));
const q3 = `created >= ${new Date(Date.now() - 3600_000).toISOString().slice(0, 10)} AND experiment = spam-3`;
await time(`queryRuns "${q3}"`, () => queryRuns(store, q3));
await time("group-by spec.model.C over all runs (count/mean/std of metrics.dev.f1)", async () =>
  groupRuns(
    await queryRuns(store, null, { fields: ["spec.model.C", "metrics.dev.f1"] }),
    parseField("spec.model.C"),
    parseField("metrics.dev.f1"),
  ),
);
await time("listRuns (all, for reference)", () => store.listRuns());
await time("compareRuns A B, 1,200 dev examples, 9 metrics × 2,000 resamples (no cache)", () =>
  compareRuns(store, ids[0]!, ids[1]!, { cache: false, git: false }),
);
await time("compareRuns A B, stored result", () => compareRuns(store, ids[0]!, ids[1]!, { git: false }));
const target = JSON.parse((await store.getRun(ids[ids.length - 1]!)).specJson!) as unknown;
const experiment = (await store.getRun(ids[ids.length - 1]!)).experiment;
await time(`closestParent in ${experiment} (--parent auto)`, () => closestParent(store, experiment, target), 3);
await store.close();
