/**
 * `mlloop diagnose --json`, `report`, `tag` and `run --apply` end to end through the built CLI on
 * the spam corpus (a seeded 900-message subsample keeps it quick) and a real SQLite store.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../src/recommend/diagnosis.js";
import { renderHtmlReport } from "../../src/report/report-html.js";
import type { RecommendationOutcome } from "../../src/recommend/outcome.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import { json, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const spec = join(ROOT, "examples", "spam", "baseline.yaml");
const dir = tempDir("mlloop-diagnose-cli-");
const store = join(dir, "mlloop.db");
let runId = "";
let diagnosis: Diagnosis & { cached: boolean; outcomes: RecommendationOutcome[] };

beforeAll(async () => {
  const run = await runCli(["run", spec, "--store", store, "--set", "data.limit=900", "--json"]);
  expect(run.code).toBe(0);
  runId = json<{ runId: string }>(run).runId;
  const r = await runCli(["diagnose", runId.slice(0, 10), "--store", store, "--json", "--workers", "2"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  diagnosis = json(r);
});

describe("mlloop diagnose", () => {
  it("--json gives the verdict, the eight diagnoses and ranked recommendations", () => {
    const d = diagnosis;
    expect(d.runId).toBe(runId);
    expect(d.cached).toBe(false);
    expect(d.verdict.kinds.length).toBeGreaterThan(0);
    expect(d.verdict.text).toBe(
      d.verdict.kinds
        .map((k) => (d as unknown as { verdictLabels: Record<string, string> }).verdictLabels[k])
        .join(" + "),
    );
    expect(d.learningCurve!.points).toHaveLength(8);
    expect(d.learningCurve!.folds).toBe(5);
    expect(d.validationCurve!.key).toBe("C");
    expect(d.errorAnalysis!.split).toBe("dev");
    expect(d.errorAnalysis!.errors).toBe(d.errorAnalysis!.fp + d.errorAnalysis!.fn);
    expect(d.slices!.tested).toBeGreaterThan(0);
    expect(d.dataChecks!.balance.map((b) => b.split)).toEqual(["train", "dev", "test"]);
    expect(d.labelIssues.map((l) => l.split)).toEqual(["train", "dev", "test"]);
    expect(d.dynamics.converged).toBe(true);
    expect(d.threshold!.points.map((p) => p.policy)).toEqual([
      "run (fixed)",
      "max_f1",
      "min_cost",
      "max_recall@p≥0.99",
    ]);
    expect(d.recommendations.length).toBeGreaterThan(0);
    d.recommendations.forEach((r, i) => expect(r.n).toBe(i + 1));
    for (let i = 1; i < d.recommendations.length; i++) {
      expect(d.recommendations[i]!.gain).toBeLessThanOrEqual(d.recommendations[i - 1]!.gain);
    }
    expect(d.artifacts).toEqual(expect.arrayContaining(["diagnose/learning-curve.svg", "diagnose/calibration.svg"]));
  });

  it("a second diagnose is read from the cache", async () => {
    const t0 = Date.now();
    const r = await runCli(["diagnose", runId, "--store", store, "--json"]);
    const again = json<Diagnosis & { cached: boolean }>(r);
    expect(again.cached).toBe(true);
    expect(again.key).toBe(diagnosis.key);
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  it("the terminal report puts the verdict first and draws the curves", async () => {
    const r = await runCli(["diagnose", runId, "--store", store]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^diagnosis of run ${runId}`));
    expect(lines[2]).toBe(`VERDICT  ${diagnosis.verdict.text}`);
    expect(r.stdout).toContain("LEARNING CURVE");
    expect(r.stdout).toContain("● train error   ○ validation error");
    expect(r.stdout).toContain(`apply one: mlloop run --apply ${runId.slice(0, 12)}:`);
  });

  it("bad options are usage errors", async () => {
    const r = await runCli(["diagnose", runId, "--store", store, "--train-dev", "0.9"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--train-dev 0.9: expected "cv", "none" or a fraction between 0 and 0.5 (e.g. 0.1)');
    const u = await runCli(["diagnose", "fffff", "--store", store]);
    expect(u.code).toBe(4);
  });
});

describe("mlloop report", () => {
  it("writes one self-contained HTML file with inline SVG and no external request", async () => {
    const file = join(dir, "report.html");
    const r = await runCli(["report", runId, "--store", store, "-o", file]);
    expect(r.code).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script|<link|<iframe|\ssrc=|url\(/i);
    expect(html).toContain(diagnosis.verdict.text);
  });

  it("email content is escaped: a hostile subject stays inert text", () => {
    const id = diagnosis.errorAnalysis!.sample.fn[0]?.id ?? diagnosis.errorAnalysis!.sample.fp[0]!.id;
    const hostile = {
      ...diagnosis,
      previews: {
        ...diagnosis.previews,
        [id]: { subject: `<script>alert(1)</script><img src=x onerror="alert(2)">`, snippet: "a & b" },
      },
    };
    const html = renderHtmlReport(hostile);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(html).toContain("a &amp; b");
  });
});

describe("mlloop tag", () => {
  it("tags an example of the experiment and the diagnosis counts the manual tag", async () => {
    const err = diagnosis.errorAnalysis!.sample.fn[0] ?? diagnosis.errorAnalysis!.sample.fp[0]!;
    const t = await runCli([
      "tag",
      runId,
      err.id,
      "mislabeled",
      "checked",
      "--note",
      "read it",
      "--store",
      store,
      "--json",
    ]);
    expect(t.code).toBe(0);
    expect(json(t)).toEqual({ experiment: "spam", example: err.id, tags: ["checked", "mislabeled"] });
    const list = await runCli(["tag", runId, "--list", "--store", store, "--json"]);
    expect(
      json<Array<{ exampleId: string; tag: string; note: string }>>(list).map((x) => [x.exampleId, x.tag, x.note]),
    ).toEqual([
      [err.id, "checked", "read it"],
      [err.id, "mislabeled", "read it"],
    ]);
    const d = json<Diagnosis & { cached: boolean }>(
      await runCli(["diagnose", runId, "--store", store, "--json", "--workers", "2"]),
    );
    // the tags changed: the cheap part is recomputed (the cross-validated part comes from the cache)
    expect(d.cached).toBe(false);
    expect(d.timings["learning curve"]).toBeUndefined();
    expect(d.errorAnalysis!.tags.find((x) => x.tag === "mislabeled")).toMatchObject({ source: "manual", errors: 1 });
    const rm = await runCli(["tag", runId, err.id, "checked", "--remove", "--store", store]);
    expect(rm.stdout).toBe(`removed 1 tag from ${err.id}\n`);
  });

  it("an unknown example is a clear error", async () => {
    const r = await runCli(["tag", runId, "spam-9/nope", "x", "--store", store]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`run ${runId} has no prediction for example "spam-9/nope"`);
  });
});

describe("mlloop run --apply", () => {
  it("runs recommendation N as a child run and records whether it held", async () => {
    const n = diagnosis.recommendations.find((r) => r.patch !== null)!.n;
    const rec = diagnosis.recommendations[n - 1]!;
    const r = await runCli(["run", "--apply", `${runId.slice(0, 12)}:${n}`, "--store", store, "--json"]);
    expect(r.code).toBe(0);
    const child = json<{
      runId: string;
      parentId: string;
      patch: unknown;
      recommendationOutcome: RecommendationOutcome;
    }>(r);
    expect(child.parentId).toBe(runId);
    expect(child.patch).toEqual(rec.patch);
    const o = child.recommendationOutcome;
    expect(o.n).toBe(n);
    expect(o.recommendationId).toBe(rec.id);
    expect(o.childRunId).toBe(child.runId);
    expect(o.devErrorDelta).toBeCloseTo(o.child.devError - o.parent.devError, 12);
    expect(["improved", "worse", "no_significant_change"]).toContain(o.verdict);
    const opened = await openSqliteStore(store);
    try {
      expect((await opened.getRun(child.runId)).tags).toMatchObject({
        recommendation: `${runId}:${n}`,
        recommendation_id: rec.id,
      });
    } finally {
      await opened.close();
    }
    const d = json<{ outcomes: RecommendationOutcome[] }>(
      await runCli(["diagnose", runId, "--store", store, "--json"]),
    );
    expect(d.outcomes.map((x) => [x.n, x.childRunId])).toEqual([[n, child.runId]]);
  });

  it("refuses a bad reference, a missing recommendation and an action without a patch", async () => {
    const bad = await runCli(["run", "--apply", "zz", "--store", store]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain(
      "--apply zz: expected RUN:N, a run id (or prefix) and a recommendation number, e.g. 01a21dc7:1",
    );
    const many = await runCli(["run", "--apply", `${runId}:99`, "--store", store]);
    expect(many.code).toBe(64);
    expect(many.stderr).toContain(
      `run ${runId} has ${diagnosis.recommendations.length} recommendations; there is no number 99`,
    );
    const both = await runCli(["run", spec, "--apply", `${runId}:1`, "--store", store]);
    expect(both.code).toBe(64);
    const action = diagnosis.recommendations.find((r) => r.patch === null);
    if (action) {
      const a = await runCli(["run", "--apply", `${runId}:${action.n}`, "--store", store]);
      expect(a.code).toBe(64);
      expect(a.stderr).toContain(
        `recommendation ${action.n} of run ${runId} ("${action.title}") is an action, not a spec change`,
      );
    }
  });
});
