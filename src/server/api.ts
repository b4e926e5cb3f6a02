/**
 * The dashboard's HTTP API (GET /api/…, read-mostly). Each route calls the same library function
 * as the CLI command named beside it, so the numbers and the error messages are the CLI's.
 *
 *   GET  /api/meta                          store location, version, experiments, auth mode
 *   GET  /api/runs?where&sort&columns&limit&offset   `mlloop runs --where --sort --columns`
 *   GET  /api/runs/:id                      `mlloop show` (+ spec diff from the parent, artifacts)
 *   GET  /api/runs/:id/artifacts/<name>     an artifact's bytes (images inline, others as downloads)
 *   GET  /api/runs/:id/diagnosis            the stored diagnosis (`mlloop diagnose`), or null
 *   POST /api/runs/:id/apply  {n}           `mlloop run --apply RUN:N` as a child process → job id
 *   GET  /api/jobs/:id/events               the job's progress and outcome (Server-Sent Events)
 *   GET  /api/log?experiment&metric&split   `mlloop log`
 *   GET  /api/ledger?experiment&metric      `mlloop ledger`
 *   GET  /api/compare?runs=a,b[,c…]&split&metric   `mlloop compare`
 *   GET  /api/attributions?a&b              stored `mlloop attribute` results for a pair (or a run)
 *   GET  /api/loop/events?experiment        the experiment's runs, log and ledger, live (SSE)
 *   GET  /api/sweeps                        the store's sweeps (runs tagged sweep=NAME)
 *   GET  /api/sweeps/:name                  `mlloop sweep show NAME --json`
 *   GET  /api/sweeps/:name/parallel.svg     its parallel-coordinates plot (`sweep show --svg`)
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { UsageError } from "../errors.js";
import { compareMany, compareRuns, type CompareOptions } from "../compare/compare-runs.js";
import { formatChange } from "../compare/change.js";
import { buildLedger, runLog } from "../compare/lineage.js";
import { diffSpecs, formatPatch } from "../spec/patch.js";
import { fieldKey, parseField, parseQuery, parseSort, queryRuns, type QueryExpr } from "../track/query.js";
import type { QueryField } from "../track/query-types.js";
import type { RunId, Store } from "../track/store.js";
import { VERSION } from "../version.js";
import { errorResponse } from "./errors.js";
import type { ApplyJobs } from "./apply-jobs.js";
import { watchExperiment } from "./live.js";

export interface ApiOptions {
  readonly store: Store;
  readonly jobs: ApplyJobs;
  /** Whether every API call needs the token (non-loopback bind). */
  readonly tokenRequired: boolean;
  /** Milliseconds between polls of the store for live pages (default 1,000). */
  readonly pollMs?: number;
}

const MAX_PAGE = 1000;

function intParam(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} ${value}: expected an integer from ${min} to ${max}`);
  return n;
}

function listParam(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Counting every matching run on each keystroke is the slow part of a query: cache it briefly. */
class CountCache {
  private readonly entries = new Map<string, { at: number; count: number }>();
  async get(key: string, compute: () => Promise<number>): Promise<number> {
    const hit = this.entries.get(key);
    if (hit !== undefined && Date.now() - hit.at < 2000) return hit.count;
    const count = await compute();
    if (this.entries.size > 200) this.entries.clear();
    this.entries.set(key, { at: Date.now(), count });
    return count;
  }
}

export function apiRoutes(options: ApiOptions): Hono {
  const { store, jobs } = options;
  const api = new Hono();
  const counts = new CountCache();
  api.onError((err, c) => errorResponse(c, err));

  api.get("/meta", async (c) => {
    const runs = await queryRuns(store, null, { fields: ["experiment"] });
    const experiments = new Map<string, { name: string; runs: number; latest: number }>();
    for (const r of runs) {
      const e = experiments.get(r.experiment) ?? { name: r.experiment, runs: 0, latest: 0 };
      e.runs++;
      e.latest = Math.max(e.latest, r.createdAt);
      experiments.set(r.experiment, e);
    }
    return c.json({
      version: VERSION,
      store: store.location,
      tokenRequired: options.tokenRequired,
      runs: runs.length,
      experiments: [...experiments.values()].sort((a, b) => b.latest - a.latest),
    });
  });

  api.get("/runs", async (c) => {
    const whereText = c.req.query("where") ?? "";
    const where: QueryExpr | null = whereText.trim() === "" ? null : parseQuery(whereText, "--where");
    const sortText = c.req.query("sort") ?? "";
    const sort = sortText.trim() === "" ? [] : parseSort(sortText, "--sort");
    const columns: QueryField[] = listParam(c.req.query("columns")).map((f) => parseField(f, "--columns"));
    const limit = intParam("limit", c.req.query("limit"), 100, 1, MAX_PAGE);
    const offset = intParam("offset", c.req.query("offset"), 0, 0, Number.MAX_SAFE_INTEGER);
    const [runs, total] = await Promise.all([
      store.queryRuns({ where, sort, limit, offset, fields: columns }),
      counts.get(whereText.trim(), async () => (await store.queryRuns({ where })).length),
    ]);
    return c.json({
      total,
      offset,
      columns: columns.map(fieldKey),
      runs: runs.map((r) => ({
        id: r.id,
        experiment: r.experiment,
        parentId: r.parentId,
        status: r.status,
        createdAt: r.createdAt,
        endedAt: r.endedAt,
        name: r.name,
        error: r.error,
        tags: r.tags,
        values: r.values,
      })),
    });
  });

  api.get("/runs/:id", async (c) => {
    const run = await store.getRun(c.req.param("id"));
    const [metrics, artifacts] = await Promise.all([store.getMetrics(run.id), store.listArtifacts(run.id)]);
    let parent = null;
    let specDiff: string[] | null = null;
    if (run.parentId !== null) {
      const p = await store.getRun(run.parentId).catch(() => null);
      if (p !== null) {
        parent = { id: p.id, name: p.name, status: p.status };
        if (p.specJson !== null && run.specJson !== null) {
          specDiff = formatPatch(diffSpecs(JSON.parse(p.specJson) as unknown, JSON.parse(run.specJson) as unknown)).map(
            (l) => l.trim(),
          );
        }
      }
    }
    const children = await store.listRuns({ parentId: run.id });
    return c.json({
      run: { ...run, spec: run.specJson === null ? null : (JSON.parse(run.specJson) as unknown), specJson: undefined },
      parent,
      children: children.map((r) => ({ id: r.id, name: r.name, status: r.status })),
      specDiff,
      metrics,
      artifacts,
    });
  });

  api.get("/runs/:id/artifacts/*", async (c) => {
    const run = await store.getRun(c.req.param("id"));
    const prefix = `/runs/${c.req.param("id")}/artifacts/`;
    const path = new URL(c.req.url).pathname;
    const name = decodeURIComponent(path.slice(path.indexOf(prefix) + prefix.length));
    const artifact = await store.getArtifact(run.id, name);
    const type = artifact.record.mediaType;
    // Images are shown with <img> (an SVG there runs no script); everything else is a download.
    const inline = /^image\/(svg\+xml|png|jpeg|gif|webp)$/.test(type);
    const headers: Record<string, string> = {
      "Content-Type": inline ? type : "application/octet-stream",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    };
    if (!inline) headers["Content-Disposition"] = `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`;
    return c.body(Buffer.from(artifact.bytes), 200, headers);
  });

  api.get("/runs/:id/diagnosis", async (c) => {
    const run = await store.getRun(c.req.param("id"));
    // the diagnosis machinery is loaded on the first visit of a Diagnose page only
    const { latestDiagnosis } = await import("../recommend/diagnosis.js");
    const { listOutcomes } = await import("../recommend/outcome.js");
    const { diagnosisView } = await import("../report/diagnosis-view.js");
    const diagnosis = await latestDiagnosis(store, run.id);
    const outcomes = await listOutcomes(store, run.id);
    return c.json({
      runId: run.id,
      // the one view model the terminal and the HTML report render; the dashboard is its third back end
      view: diagnosis === null ? null : diagnosisView(diagnosis, outcomes),
      recommendations:
        diagnosis === null
          ? []
          : diagnosis.recommendations.map((r) => ({ n: r.n, id: r.id, title: r.title, applicable: r.patch !== null })),
      verdict: diagnosis?.verdict.text ?? null,
      outcomes,
    });
  });

  api.post("/runs/:id/apply", async (c) => {
    const run = await store.getRun(c.req.param("id"));
    const body = (await c.req.json().catch(() => null)) as { n?: unknown } | null;
    const n = body?.n;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new UsageError(`apply: expected a JSON body {"n": <recommendation number ≥ 1>}`);
    }
    const job = jobs.start(run.id, n);
    return c.json({ jobId: job.id, ref: job.ref }, 202);
  });

  api.get("/jobs/:id/events", (c) => {
    const job = jobs.get(c.req.param("id"));
    if (job === undefined) throw new UsageError(`no apply job ${c.req.param("id")} on this server`);
    return streamSSE(c, async (stream) => {
      let next = 0;
      for (;;) {
        const events = job.events;
        while (next < events.length) {
          const e = events[next++]!;
          await stream.writeSSE({ event: e.type, data: JSON.stringify(e) });
        }
        if (job.done || stream.aborted) break;
        await job.changed();
      }
    });
  });

  api.get("/log", async (c) => {
    const log = await runLog(store, {
      experiment: c.req.query("experiment") || undefined,
      metric: c.req.query("metric") || undefined,
      split: c.req.query("split") || undefined,
    });
    return c.json(log);
  });

  api.get("/ledger", async (c) => {
    const experiment = c.req.query("experiment");
    if (!experiment) throw new UsageError("ledger: give ?experiment=NAME");
    return c.json(
      await buildLedger(store, experiment, {
        metric: c.req.query("metric") || undefined,
        split: c.req.query("split") || undefined,
      }),
    );
  });

  api.get("/compare", async (c) => {
    const ids = listParam(c.req.query("runs"));
    if (ids.length < 2) throw new UsageError(`compare needs at least two runs (got ${ids.length})`);
    const runIds: RunId[] = [];
    for (const id of ids) runIds.push((await store.getRun(id)).id);
    const compareOptions: CompareOptions = {
      splits: listParam(c.req.query("split") ?? "dev"),
      metrics: c.req.query("metric") ? listParam(c.req.query("metric")) : undefined,
      unpaired: c.req.query("unpaired") === "1",
      allowThresholdChange: c.req.query("allowThresholdChange") === "1",
      flipLimit: intParam("flips", c.req.query("flips"), 20, 0, 500),
    };
    if (runIds.length === 2) {
      const comparison = await compareRuns(store, runIds[0]!, runIds[1]!, compareOptions);
      return c.json({ kind: "pair", comparison, changeLines: formatChange(comparison.change) });
    }
    const many = await compareMany(store, runIds[0]!, runIds.slice(1), {
      ...compareOptions,
      metric: compareOptions.metrics?.[0],
    });
    return c.json({
      kind: "many",
      many: {
        ...many,
        rows: many.rows.map((r) => ({
          ...r,
          comparison: null,
          changeLines: r.comparison === null ? [] : formatChange(r.comparison.change),
        })),
      },
    });
  });

  api.get("/attributions", async (c) => {
    const a = c.req.query("a");
    if (!a) throw new UsageError("attributions: give ?a=RUN (and &b=RUN for one pair)");
    const runA = (await store.getRun(a)).id;
    const bParam = c.req.query("b");
    const runB = bParam ? (await store.getRun(bParam)).id : null;
    const results = await store.listPairResults("attribution", [runA]);
    return c.json({
      attributions: results
        .filter((r) => runB === null || (r.runA === runA && r.runB === runB) || (r.runA === runB && r.runB === runA))
        .map((r) => ({ key: r.key, runA: r.runA, runB: r.runB, createdAt: r.createdAt, record: r.result })),
    });
  });

  api.get("/sweeps", async (c) => {
    const tagged = await store.queryRuns({
      where: { kind: "cmp", field: { kind: "tag", key: "sweep" }, op: "!=", value: { type: "null" } },
    });
    const sweeps = new Map<
      string,
      { name: string; experiment: string; runs: number; running: number; failed: number; latest: number }
    >();
    for (const r of tagged) {
      const name = r.tags["sweep"]!;
      const s = sweeps.get(name) ?? { name, experiment: r.experiment, runs: 0, running: 0, failed: 0, latest: 0 };
      s.runs++;
      if (r.status === "running") s.running++;
      if (r.tags["sweep.state"] === "failed" || r.status === "failed" || r.status === "crashed") s.failed++;
      s.latest = Math.max(s.latest, r.createdAt);
      sweeps.set(name, s);
    }
    return c.json({ sweeps: [...sweeps.values()].sort((a, b) => b.latest - a.latest) });
  });

  api.get("/sweeps/:name", async (c) => {
    const { sweepView } = await import("../loop/sweep-view.js");
    return c.json(await sweepView(store, c.req.param("name")));
  });

  api.get("/sweeps/:name/parallel.svg", async (c) => {
    const { sweepView } = await import("../loop/sweep-view.js");
    const { svgParallel } = await import("../diagnose/parallel-plot.js");
    const view = await sweepView(store, c.req.param("name"));
    if (view.parallel === null) throw new UsageError(`sweep ${view.name} has no complete trial to plot yet`);
    // shown with <img>: an SVG there runs no script (and its text is escaped where it is made)
    return c.body(svgParallel(view.parallel), 200, {
      "Content-Type": "image/svg+xml",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    });
  });

  api.get("/loop/events", (c) => {
    const experiment = c.req.query("experiment");
    if (!experiment) throw new UsageError("loop: give ?experiment=NAME");
    return streamSSE(c, async (stream) => {
      await watchExperiment(store, experiment, {
        pollMs: options.pollMs ?? 1000,
        aborted: () => stream.aborted,
        send: (event, data) => stream.writeSSE({ event, data: JSON.stringify(data) }),
        sleep: (ms) => stream.sleep(ms),
      });
    });
  });

  return api;
}
