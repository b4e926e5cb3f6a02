/**
 * Store timings for the report (not a test: timings are measured, never asserted).
 *   npx tsx test/track/measure-store.ts
 * Prints medians of: logging 6,000 predictions in one call, creating a run, listing 10,000 runs,
 * listing one experiment's 1,000 runs and its newest 50, and reading 6,000 predictions back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { PredictionRow, RunRecord } from "../../src/track/store.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timed(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const root = mkdtempSync(join(tmpdir(), "mlloop-measure-"));
const store = await openSqliteStore(join(root, "mlloop.db"));
try {
  const rows: PredictionRow[] = Array.from({ length: 6_000 }, (_, i) => ({
    exampleId: `spam-2/${String(i).padStart(5, "0")}.${(i * 2654435761) % 1e9}`,
    split: i % 5 === 0 ? "test" : i % 5 === 1 ? "dev" : "train",
    label: i % 3 === 0 ? "spam" : "ham",
    score: ((i * 7919) % 1000) / 1000,
    decision: i % 2 === 0 ? "spam" : "ham",
    correct: i % 4 !== 0,
  }));
  const runs: RunRecord[] = [];
  for (let i = 0; i < 11; i++) runs.push(await store.createRun({ experiment: "predictions" }));
  let k = 0;
  const logMs = await timed(11, () => store.logPredictions(runs[k++]!.id, rows));
  const readMs = await timed(11, () => store.getPredictions(runs[0]!.id));

  const N = 10_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const run = await store.createRun({
      experiment: `exp-${i % 10}`,
      name: `run ${i}`,
      tags: { seed: String(i % 5), family: i % 2 === 0 ? "logreg" : "nb" },
      spec: { json: `{"i":${i}}`, hash: `h${i}` },
    });
    await store.finishRun(run.id, "finished");
  }
  const createMs = (performance.now() - t0) / N;
  const listAllMs = await timed(7, () => store.listRuns());
  const listExperimentMs = await timed(7, () => store.listRuns({ experiment: "exp-3" }));
  const listPageMs = await timed(7, () => store.listRuns({ experiment: "exp-3", limit: 50 }));
  const counts = [(await store.listRuns()).length, (await store.listRuns({ experiment: "exp-3" })).length];

  console.log(`log 6,000 predictions (one call):        median ${logMs.toFixed(1)} ms over 11`);
  console.log(`read 6,000 predictions:                  median ${readMs.toFixed(1)} ms over 11`);
  console.log(`create + finish one run:                 mean ${createMs.toFixed(3)} ms over ${N}`);
  console.log(`list all ${counts[0]} runs (with tags):     median ${listAllMs.toFixed(1)} ms over 7`);
  console.log(`list one experiment (${counts[1]} runs):      median ${listExperimentMs.toFixed(1)} ms over 7`);
  console.log(`list one experiment, newest 50:          median ${listPageMs.toFixed(2)} ms over 7`);
} finally {
  await store.close();
  rmSync(root, { recursive: true, force: true });
}
