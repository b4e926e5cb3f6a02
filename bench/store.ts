/**
 * npm run bench:store — the store's write throughput and query speed, SQLite and PostgreSQL side
 * by side, each against raw better-sqlite3 / pg inserts of the same rows (one run, one machine).
 *
 *   writes:  RUNS runs, each with 1,000 predictions and 100 metric points, through the Store
 *            (createRun, logPredictions, logMetrics, finishRun) vs the same rows inserted raw
 *            (one transaction per run, prepared statement / one multi-row unnest insert)
 *   queries: a --where and a --group-by query on a QUERY_RUNS-run store (median of 5)
 *
 * Needs MLLOOP_TEST_PG_URL (the script runs inside scripts/with-services.sh). Results go to
 * bench/results/store-<date>.json and are printed. Sizes: MLLOOP_BENCH_RUNS (default 50),
 * MLLOOP_BENCH_QUERY_RUNS (default 10000).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openPostgresStore } from "../src/track/postgres-store.js";
import { openSqliteStore } from "../src/track/sqlite-store.js";
import { groupRuns, parseField, queryRuns } from "../src/track/query.js";
import type { PredictionRow, Store } from "../src/track/store.js";

const RUNS = Number(process.env["MLLOOP_BENCH_RUNS"] ?? 50);
const QUERY_RUNS = Number(process.env["MLLOOP_BENCH_QUERY_RUNS"] ?? 10_000);
const PREDICTIONS = 1000;
const METRICS = 100;
const admin = process.env["MLLOOP_TEST_PG_URL"];
if (!admin) throw new Error("MLLOOP_TEST_PG_URL is not set: run through npm run bench:store");

function rows(r: number): PredictionRow[] {
  return Array.from({ length: PREDICTIONS }, (_, i) => ({
    exampleId: `ex${i}`,
    split: "dev",
    label: i % 3 === 0 ? "spam" : "ham",
    score: ((i * 7919 + r) % 1000) / 1000,
    decision: "ham",
    correct: i % 3 !== 0,
  }));
}

async function freshDb(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin!);
  u.pathname = `/${name}`;
  return u.toString();
}

async function storeWrites(store: Store): Promise<number> {
  const start = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const run = await store.createRun({ experiment: "bench", params: { r } });
    await store.logPredictions(run.id, rows(r));
    await store.logMetrics(
      run.id,
      Array.from({ length: METRICS }, (_, s) => ({ name: "loss", value: 1 / (s + 1), split: "train", step: s })),
    );
    await store.finishRun(run.id, "finished");
  }
  return (performance.now() - start) / 1000;
}

function rawSqlite(path: string): number {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT, created_at INTEGER);
    CREATE TABLE predictions (run_id TEXT, split TEXT, example_id TEXT, label TEXT, score REAL, decision TEXT, correct INTEGER, PRIMARY KEY (run_id, split, example_id)) WITHOUT ROWID;
    CREATE TABLE metrics (run_id TEXT, name TEXT, split TEXT, step INTEGER, value REAL, PRIMARY KEY (run_id, name, split, step)) WITHOUT ROWID;`);
  const run = db.prepare("INSERT INTO runs VALUES (?, ?, ?)");
  const pred = db.prepare("INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?)");
  const met = db.prepare("INSERT INTO metrics VALUES (?, ?, ?, ?, ?)");
  const start = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const id = `run${r}`;
    db.transaction(() => run.run(id, "bench", Date.now()))();
    db.transaction(() => {
      for (const p of rows(r)) pred.run(id, p.split, p.exampleId, p.label, p.score, p.decision, p.correct ? 1 : 0);
    })();
    db.transaction(() => {
      for (let s = 0; s < METRICS; s++) met.run(id, "loss", "train", s, 1 / (s + 1));
    })();
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return seconds;
}

async function rawPg(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT, created_at BIGINT);
    CREATE TABLE predictions (run_id TEXT, split TEXT, example_id TEXT, label TEXT, score FLOAT8, decision TEXT, correct BOOLEAN, PRIMARY KEY (run_id, split, example_id));
    CREATE TABLE metrics (run_id TEXT, name TEXT, split TEXT, step BIGINT, value FLOAT8, PRIMARY KEY (run_id, name, split, step));`);
  const start = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const id = `run${r}`;
    await c.query("INSERT INTO runs VALUES ($1, $2, $3)", [id, "bench", Date.now()]);
    const ps = rows(r);
    await c.query(
      `INSERT INTO predictions SELECT $1, s, e, l, sc, d, k FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::boolean[]) AS t (s, e, l, sc, d, k)`,
      [
        id,
        ps.map((p) => p.split),
        ps.map((p) => p.exampleId),
        ps.map((p) => p.label),
        ps.map((p) => p.score),
        ps.map((p) => p.decision),
        ps.map((p) => p.correct),
      ],
    );
    const steps = Array.from({ length: METRICS }, (_, s) => s);
    await c.query(
      "INSERT INTO metrics SELECT $1, 'loss', 'train', st, 1.0 / (st + 1) FROM unnest($2::bigint[]) AS t (st)",
      [id, steps],
    );
  }
  const seconds = (performance.now() - start) / 1000;
  await c.end();
  return seconds;
}

async function fillForQueries(store: Store): Promise<void> {
  for (let r = 0; r < QUERY_RUNS; r++) {
    const run = await store.createRun({
      experiment: r % 2 === 0 ? "spam" : "iris",
      spec: { json: JSON.stringify({ model: { C: [0.1, 1, 10, 100][r % 4] } }), hash: `h${r}` },
      tags: { owner: ["ann", "bob"][r % 2]! },
    });
    await store.logMetrics(run.id, [{ name: "f1", value: (r % 97) / 100, split: "dev" }]);
    await store.finishRun(run.id, "finished");
  }
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

async function queries(store: Store): Promise<{ whereMs: number; groupByMs: number }> {
  const whereMs = await median(() =>
    queryRuns(store, "spec.model.C >= 1 AND metrics.dev.f1 > 0.5 AND tags.owner = ann", {
      sort: "metrics.dev.f1:desc",
      limit: 50,
    }),
  );
  const groupByMs = await median(async () =>
    groupRuns(
      await queryRuns(store, "", { fields: ["spec.model.C", "metrics.dev.f1"] }),
      parseField("spec.model.C"),
      parseField("metrics.dev.f1"),
    ),
  );
  return { whereMs, groupByMs };
}

const load = loadavg().map((x) => x.toFixed(2));
const dir = mkdtempSync(join(tmpdir(), "mlloop-bench-store-"));
const points = RUNS * (PREDICTIONS + METRICS);
try {
  const sqlite = await openSqliteStore(join(dir, "w", "mlloop.db"));
  const sqliteStore = await storeWrites(sqlite);
  await sqlite.close();
  const sqliteRaw = rawSqlite(join(dir, "raw.db"));
  const pgStore = await openPostgresStore(await freshDb("mlloop_bench_w"));
  const postgresStore = await storeWrites(pgStore);
  await pgStore.close();
  const postgresRaw = await rawPg(await freshDb("mlloop_bench_raw"));

  const qs = await openSqliteStore(join(dir, "q", "mlloop.db"));
  await fillForQueries(qs);
  const sqliteQ = await queries(qs);
  await qs.close();
  const qp = await openPostgresStore(await freshDb("mlloop_bench_q"));
  await fillForQueries(qp);
  const postgresQ = await queries(qp);
  await qp.close();

  const result = {
    date: new Date().toISOString(),
    loadAverage: { before: load, after: loadavg().map((x) => x.toFixed(2)) },
    runs: RUNS,
    rowsPerRun: PREDICTIONS + METRICS,
    queryRuns: QUERY_RUNS,
    sqlite: {
      storeRowsPerSecond: points / sqliteStore,
      rawRowsPerSecond: points / sqliteRaw,
      ratio: sqliteRaw / sqliteStore,
      ...sqliteQ,
    },
    postgres: {
      storeRowsPerSecond: points / postgresStore,
      rawRowsPerSecond: points / postgresRaw,
      ratio: postgresRaw / postgresStore,
      ...postgresQ,
    },
  };
  const file = join("bench", "results", `store-${result.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const f = (n: number): string => Math.round(n).toLocaleString("en");
  process.stdout.write(
    `store writes: ${RUNS} runs × (${PREDICTIONS} predictions + ${METRICS} metric points); queries on ${QUERY_RUNS} runs; load ${load.join(" ")}\n` +
      `| backend | store rows/s | raw rows/s | store/raw | --where (ms, median of 5) | --group-by (ms) |\n|---|---|---|---|---|---|\n` +
      `| SQLite | ${f(result.sqlite.storeRowsPerSecond)} | ${f(result.sqlite.rawRowsPerSecond)} | ${result.sqlite.ratio.toFixed(2)} | ${sqliteQ.whereMs.toFixed(1)} | ${sqliteQ.groupByMs.toFixed(1)} |\n` +
      `| PostgreSQL | ${f(result.postgres.storeRowsPerSecond)} | ${f(result.postgres.rawRowsPerSecond)} | ${result.postgres.ratio.toFixed(2)} | ${postgresQ.whereMs.toFixed(1)} | ${postgresQ.groupByMs.toFixed(1)} |\n` +
      `saved to ${file}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
