/// <reference lib="dom" />
/**
 * `npm run bench:ui`: the dashboard's runs page on a 10,000-run store, measured in Debian's
 * Chromium (a benchmark, not a timed test).
 *
 *   npm run bench:ui                       # 10,000 runs, 20 filters
 *   npx tsx bench/ui-runs.ts --runs 2000   # a smaller store
 *
 * 1. A SQLite store with N runs written through the Store API (4 model families, C on a log grid,
 *    min_df, owners as tags, dev/test F1 and accuracy, a few failed and running runs), seeded.
 * 2. `mlloop ui`'s server on it and Chromium (MLLOOP_TEST_CHROMIUM, else /usr/bin/chromium).
 * 3. First paint: from navigation start to the first rows of the table painted (and the browser's
 *    first-contentful-paint). Targets: under 1 s.
 * 4. For 20 distinct filters typed into the search box: from the input event to the filtered rows
 *    painted (the table's data-rendered marker names the query, then two animation frames).
 *    Target: median under 300 ms.
 * Results: printed, and saved to bench/results/ui-runs.json with the load average.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startUiServer } from "../src/server/serve.js";
import { openSqliteStore } from "../src/track/sqlite-store.js";
import type { Store } from "../src/track/store.js";
import { createRng } from "../src/util/random.js";
import { loadAverage, machine, median, round } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const FAMILIES = ["logistic_regression", "naive_bayes", "linear_svm", "gradient_boosting"];
const OWNERS = ["ann", "bob", "carla", "dmitri", "annika"];

export const FILTERS = [
  "metrics.dev.f1 > 0.9",
  "spec.model.family = naive_bayes",
  "spec.model.C >= 1",
  "spec.model.C < 0.1 AND metrics.dev.f1 > 0.85",
  "tags.owner ~ /^ann/i",
  "status = failed",
  "status = running OR status = crashed",
  'name ~ "sweep 12"',
  "metrics.test.f1 >= 0.93",
  "spec.features.words.min_df = 5",
  "NOT spec.model.family = logistic_regression",
  "metrics.dev.accuracy > 0.97 AND tags.owner = bob",
  "spec.model.family = linear_svm AND spec.model.C > 3",
  "metrics.dev.f1 < 0.8",
  "tags.owner = carla OR tags.owner = dmitri",
  "spec.model.C = 1",
  "metrics.dev.f1 > 0.95 AND spec.features.words.min_df <= 2",
  "experiment = sweep AND metrics.dev.accuracy < 0.9",
  'notes ~ "learning rate"',
  "spec.model.family = gradient_boosting AND metrics.dev.f1 >= 0.9",
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function seed(store: Store, n: number): Promise<void> {
  const rng = createRng(7);
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const family = FAMILIES[rng.int(FAMILIES.length)]!;
    const C = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30][rng.int(8)]!;
    const minDf = [1, 2, 3, 5][rng.int(4)]!;
    const spec = { experiment: "sweep", seed: i, model: { family, C }, features: { words: { min_df: minDf } } };
    const run = await store.createRun({
      experiment: i % 10 === 0 ? "baseline" : "sweep",
      name: `sweep ${i}`,
      notes: i % 7 === 0 ? "tried a different learning rate" : null,
      tags: { owner: OWNERS[rng.int(OWNERS.length)]! },
      spec: { json: JSON.stringify(spec), hash: `h${i}` },
    });
    const f1 = 0.75 + 0.23 * rng.next();
    await store.logMetrics(run.id, [
      { split: "dev", name: "f1", value: f1 },
      { split: "dev", name: "accuracy", value: Math.min(0.999, f1 + 0.02 * rng.next()) },
      { split: "test", name: "f1", value: f1 - 0.02 + 0.04 * rng.next() },
    ]);
    if (i % 50 !== 1) await store.finishRun(run.id, i % 40 === 3 ? "failed" : "finished");
    if (i % 1000 === 999)
      process.stderr.write(`  seeded ${i + 1} runs (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

async function main(): Promise<void> {
  const nRuns = arg("--runs", 10_000);
  const dir = mkdtempSync(join(tmpdir(), "mlloop-bench-ui-"));
  const storePath = join(dir, "mlloop.db");
  // a long stale threshold: the seeded "running" runs belong to no live process, and marking them
  // crashed on the first read is a write the measurement should not include
  const store = await openSqliteStore(storePath, { staleAfterMs: 24 * 3600_000 });
  process.stderr.write(`seeding ${nRuns} runs into ${storePath}\n`);
  await seed(store, nRuns);
  const server = await startUiServer({ store, storeLocation: storePath, port: 0 });
  const executablePath = process.env.MLLOOP_TEST_CHROMIUM || "/usr/bin/chromium";
  const browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const load = { before: loadAverage(), after: [0, 0, 0] as [number, number, number] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // warm-up load (HTTP cache of the bundle, SQLite page cache), then the measured cold page loads
    const firstPaints: Array<{ rows: number; fcp: number }> = [];
    for (let k = 0; k < 6; k++) {
      await page.goto(`${server.origin}/runs`, { waitUntil: "commit" });
      await page.waitForSelector(".runs-scroll [data-run]");
      const t = await page.evaluate(
        () =>
          new Promise<{ rows: number; fcp: number }>((resolve) => {
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
                resolve({ rows: performance.now(), fcp });
              }),
            );
          }),
      );
      if (k > 0) firstPaints.push(t);
    }
    const filters: Array<{ filter: string; ms: number; total: number }> = [];
    for (const filter of FILTERS) {
      const r = await page.evaluate(
        (where) =>
          new Promise<{ ms: number; total: number }>((resolve, reject) => {
            const input = document.querySelector<HTMLInputElement>("#runs-where")!;
            const table = document.querySelector<HTMLElement>(".runs-table")!;
            const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
            const timer = setTimeout(() => reject(new Error(`no result for ${where}`)), 30_000);
            const observer = new MutationObserver(() => {
              const rendered = table.dataset.rendered ?? "";
              if (!rendered.startsWith(JSON.stringify([where]).slice(0, -1))) return;
              observer.disconnect();
              requestAnimationFrame(() =>
                requestAnimationFrame(() => {
                  clearTimeout(timer);
                  resolve({ ms: performance.now() - t0, total: Number(table.dataset.total) });
                }),
              );
            });
            observer.observe(table, { attributes: true, subtree: false });
            const t0 = performance.now();
            setValue.call(input, where);
            input.dispatchEvent(new Event("input", { bubbles: true }));
          }),
        filter,
      );
      filters.push({ filter, ...r });
    }
    load.after = loadAverage();
    const fp = firstPaints.map((f) => f.rows);
    const result = {
      date: new Date().toISOString(),
      machine: machine(),
      loadAverage: load,
      runs: nRuns,
      firstPaintMs: { median: round(median(fp), 1), samples: fp.map((x) => round(x, 1)) },
      firstContentfulPaintMs: round(median(firstPaints.map((f) => f.fcp)), 1),
      filterMs: {
        median: round(median(filters.map((f) => f.ms)), 1),
        max: round(Math.max(...filters.map((f) => f.ms)), 1),
        min: round(Math.min(...filters.map((f) => f.ms)), 1),
      },
      filters: filters.map((f) => ({ ...f, ms: round(f.ms, 1) })),
      targets: { firstPaintMs: 1000, filterMedianMs: 300 },
    };
    console.log(
      `runs page on a ${nRuns.toLocaleString("en")}-run store (load ${load.before.join(" ")} → ${load.after.join(" ")})`,
    );
    console.log(
      `first rows painted: median ${result.firstPaintMs.median} ms of ${fp.length} loads (FCP ${result.firstContentfulPaintMs} ms); target < 1000 ms`,
    );
    console.log(
      `filter input → rows painted: median ${result.filterMs.median} ms (min ${result.filterMs.min}, max ${result.filterMs.max}) over ${filters.length} filters; target < 300 ms`,
    );
    console.log("| filter | matching runs | ms |\n|---|---:|---:|");
    for (const f of result.filters) console.log(`| \`${f.filter}\` | ${f.total} | ${f.ms} |`);
    mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
    writeFileSync(join(ROOT, "bench", "results", "ui-runs.json"), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.close();
    await store.close();
  }
}

await main();
