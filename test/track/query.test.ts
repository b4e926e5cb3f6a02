import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  compareForSort,
  fieldKey,
  groupRuns,
  matchesRun,
  meanStd,
  parseField,
  parseQuery,
  parseSort,
  queryRuns,
  type QueryExpr,
  type RunView,
} from "../../src/track/query.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import type { RunId } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { FIELD_POOL, fillQueryFixture, randomExpr } from "./query-fixture.js";

function parseError(expr: string, what = "query"): string {
  try {
    parseQuery(expr, what);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`"${expr}" parsed without error`);
}

describe("query parser", () => {
  it("parses precedence NOT > AND > OR, parentheses and every operator", () => {
    const e = parseQuery('spec.model.C >= 1 AND NOT tags.owner = "ann" OR metrics.dev.f1 ~ /^0\\.9/i');
    expect(e).toEqual({
      kind: "or",
      left: {
        kind: "and",
        left: {
          kind: "cmp",
          field: { kind: "spec", path: ["model", "C"] },
          op: ">=",
          value: { type: "number", value: 1 },
        },
        right: {
          kind: "not",
          operand: {
            kind: "cmp",
            field: { kind: "tag", key: "owner" },
            op: "=",
            value: { type: "string", value: "ann" },
          },
        },
      },
      right: {
        kind: "cmp",
        field: { kind: "metric", split: "dev", name: "f1" },
        op: "~",
        value: { type: "regex", source: "^0\\.9", flags: "i" },
      },
    });
    const grouped = parseQuery("(status = finished || status = failed) && !(spec.seed != 0)");
    expect(grouped.kind).toBe("and");
    expect((grouped as { left: QueryExpr }).left.kind).toBe("or");
    expect((grouped as { right: QueryExpr }).right).toEqual({
      kind: "not",
      operand: { kind: "cmp", field: { kind: "spec", path: ["seed"] }, op: "!=", value: { type: "number", value: 0 } },
    });
  });

  it("types literals: numbers, bare words, quoted text, booleans, null, ISO dates for times", () => {
    const cmp = (s: string): unknown => (parseQuery(s) as { value: unknown }).value;
    expect(cmp("spec.model.C = 1e-3")).toEqual({ type: "number", value: 0.001 });
    expect(cmp("spec.model.family = naive_bayes")).toEqual({ type: "string", value: "naive_bayes" });
    expect(cmp("spec.model.C = '10'")).toEqual({ type: "string", value: "10" });
    expect(cmp("spec.features.words.lowercase = TRUE")).toEqual({ type: "boolean", value: true });
    expect(cmp("tags.x != null")).toEqual({ type: "null" });
    expect(cmp("created >= 2026-05-01")).toEqual({ type: "number", value: Date.UTC(2026, 4, 1) });
    expect(cmp('ended < "2026-05-01T12:30:00Z"')).toEqual({ type: "number", value: Date.UTC(2026, 4, 1, 12, 30) });
    expect(cmp("spec.model.C ~ 10")).toEqual({ type: "string", value: "10" });
    expect(parseQuery('spec.features.words.ngram_range.1 = 2 AND tags."a.b" = x')).toMatchObject({
      left: { field: { kind: "spec", path: ["features", "words", "ngram_range", "1"] } },
      right: { field: { kind: "tag", key: "a.b" } },
    });
  });

  it("points at the offending character", () => {
    expect(parseError("spec.model.C > 1 AND metrics.dev.f1 0.9")).toBe(
      'query: expected an operator (= != < <= > >= ~) after "metrics.dev.f1" (at column 37)\n' +
        "  spec.model.C > 1 AND metrics.dev.f1 0.9\n" +
        "                                      ^",
    );
    expect(parseError("(status = finished OR status = failed", "--where")).toBe(
      "--where: missing ')' to close the '(' opened here (at column 1)\n" +
        "  (status = finished OR status = failed\n" +
        "  ^",
    );
    expect(parseError("specs.model.C = 1")).toBe(
      'query: unknown field "specs.model.C" — did you mean "spec"? (fields: spec.<key>, params.<key>, metrics.<split>.<name>, tags.<key>, id, name, notes, parent, status, experiment, created, ended, spec_hash) (at column 1)\n' +
        "  specs.model.C = 1\n" +
        "  ^",
    );
    expect(parseError("status = finshed")).toBe(
      'query: "finshed" is not a run status — did you mean "finished"? (statuses: running, finished, failed, crashed) (at column 10)\n' +
        "  status = finshed\n" +
        "           ^",
    );
    expect(parseError("created > yesterday")).toBe(
      'query: "yesterday" is not a date: use ISO dates like 2026-05-01 or 2026-05-01T14:30:00Z (at column 11)\n' +
        "  created > yesterday\n" +
        "            ^",
    );
    expect(parseError("metrics.f1 > 0.9")).toContain(
      '"metrics.f1": metrics are named metrics.<split>.<name>, e.g. metrics.dev.f1',
    );
    expect(parseError("tags.x < null")).toContain("null can only be compared with = or != (at column 10)");
    expect(parseError("tags.x = /a/")).toContain("a /regex/ is for the ~ operator only (got =)");
    expect(parseError("tags.x ~ /a(/")).toContain("invalid regular expression /a(/");
    expect(parseError('name = "open')).toContain('unterminated string: no closing " (at column 8)');
    expect(parseError("status = finished)")).toContain("unbalanced ')': no '(' to close (at column 18)");
    expect(parseError("status = finished spec.seed = 1")).toContain(
      'expected AND, OR or the end of the expression, found "spec.seed = "',
    );
    expect(parseError("   ")).toBe("query: the expression is empty (at column 1)\n     \n  ^");
    expect(parseError("status =")).toContain("expected a value after the operator (at column 9)");
  });

  it("parses sort keys and fields", () => {
    expect(parseSort("metrics.dev.f1:desc, created,-spec.model.C")).toEqual([
      { field: { kind: "metric", split: "dev", name: "f1" }, descending: true },
      { field: { kind: "column", column: "created" }, descending: false },
      { field: { kind: "spec", path: ["model", "C"] }, descending: true },
    ]);
    expect(() => parseSort("created,bogus:desc")).toThrow(
      /--sort: unknown field "bogus"[^\n]*\(at column 9\)\n {2}created,bogus:desc\n {10}\^/,
    );
    expect(fieldKey(parseField("tags.owner"))).toBe("tags.owner");
  });

  it("reads params.<key> as the run's params, like spec.<key>", () => {
    expect(parseField("params.net.depth")).toEqual({ kind: "param", path: ["net", "depth"] });
    expect(fieldKey(parseField("params.lr"))).toBe("params.lr");
    expect(() => parseField("params")).toThrow(/params needs a key path, e\.g\. params\.lr/);
    expect(() => parseField("parms.lr")).toThrow(/did you mean "params"\?/);
  });
});

// ── the SQLite compiler against the reference evaluator ──────────────────────────────────────────

interface Fixture {
  store: SqliteStore;
  views: RunView[];
  dir: string;
}

async function buildFixture(count: number, seed: number): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "mlloop-query-"));
  const store = await openSqliteStore(join(dir, "mlloop.db"));
  return { store, views: await fillQueryFixture(store, count, seed), dir };
}

describe("SQLite query compiler = reference evaluator", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await buildFixture(120, 7);
  });
  afterAll(async () => {
    await fx.store.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it("selects the same runs for 600 random expressions", async () => {
    const rng = createRng(11);
    const sorted = fx.views.map((v) => v.summary.createdAt).sort((a, b) => a - b);
    let nonTrivial = 0;
    for (let k = 0; k < 600; k++) {
      const text = randomExpr(rng, 3, sorted[rng.int(sorted.length)]!);
      const expr = parseQuery(text);
      const expected = fx.views.filter((v) => matchesRun(expr, v)).map((v) => v.summary.id);
      const got = (await fx.store.queryRuns({ where: expr })).map((r) => r.id);
      expect(got, text).toEqual(expected);
      if (expected.length > 0 && expected.length < fx.views.length) nonTrivial++;
    }
    // the generator must exercise selective expressions, not only all-or-nothing ones
    expect(nonTrivial).toBeGreaterThan(100);
  });

  it("orders the same way for random sort keys (missing last, then newest first)", async () => {
    const rng = createRng(5);
    for (let k = 0; k < 60; k++) {
      const keys = Array.from({ length: 1 + rng.int(2) }, () => {
        const f = FIELD_POOL[rng.int(FIELD_POOL.length)]!;
        return rng.next() < 0.5 ? `${f}:desc` : f;
      }).join(",");
      const sort = parseSort(keys);
      const expected = [...fx.views].sort((a, b) => compareForSort(a, b, sort)).map((v) => v.summary.id);
      const got = (await fx.store.queryRuns({ sort })).map((r) => r.id);
      expect(got, keys).toEqual(expected);
    }
  });

  it("returns requested values typed as in the spec, with limit and offset", async () => {
    const fields = [
      "spec.features.words.lowercase",
      "spec.features.words.fields",
      "spec.model.C",
      "metrics.dev.f1",
      "tags.owner",
    ];
    const runs = await queryRuns(fx.store, "spec.model.family = logistic_regression", {
      sort: "metrics.dev.f1:desc",
      fields,
      limit: 5,
      offset: 1,
    });
    const all = await queryRuns(fx.store, "spec.model.family = logistic_regression", { sort: "metrics.dev.f1:desc" });
    expect(runs.map((r) => r.id)).toEqual(all.slice(1, 6).map((r) => r.id));
    for (const r of runs) {
      const view = fx.views.find((v) => v.summary.id === r.id)!;
      const spec = view.spec as { features: { words: { lowercase: boolean; fields: string[] } }; model: { C: number } };
      expect(r.values["spec.features.words.lowercase"]).toBe(spec.features.words.lowercase);
      expect(r.values["spec.features.words.fields"]).toEqual(spec.features.words.fields);
      expect(r.values["spec.model.C"]).toBe(spec.model.C);
      expect(r.values["metrics.dev.f1"]).toBe(view.metrics["dev"]?.["f1"]);
      expect(r.values["tags.owner"]).toBe(view.summary.tags["owner"]);
      expect(r.tags).toEqual(view.summary.tags);
    }
  });

  it("groups by a spec key with count, mean and sample std", async () => {
    const runs = await queryRuns(fx.store, "", { fields: ["spec.model.C", "metrics.dev.f1"] });
    const groups = groupRuns(runs, parseField("spec.model.C"), parseField("metrics.dev.f1"));
    expect(groups.reduce((a, g) => a + g.count, 0)).toBe(fx.views.length);
    expect(groups.map((g) => g.value)).toEqual([0.1, 1, 10, 100, undefined]);
    for (const g of groups) {
      const xs = fx.views
        .filter((v) => g.runIds.includes(v.summary.id))
        .map((v) => v.metrics["dev"]?.["f1"])
        .filter((x): x is number => x !== undefined);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      expect(g.n).toBe(xs.length);
      expect(g.mean).toBeCloseTo(mean, 12);
      expect(g.std).toBeCloseTo(std, 12);
    }
  });
});

describe("meanStd", () => {
  it("is numpy's mean and std(ddof=1), ignoring non-finite values", () => {
    // numpy: np.mean([1, 2, 4]) = 2.3333333333333335, np.std([1, 2, 4], ddof=1) = 1.5275252316519468
    const s = meanStd([1, 2, NaN, 4]);
    expect(s.count).toBe(3);
    expect(s.mean).toBeCloseTo(2.3333333333333335, 15);
    expect(s.std).toBeCloseTo(1.5275252316519468, 15);
    expect(Number.isNaN(meanStd([3]).std)).toBe(true);
  });
});

describe("status filters see crashed runs", () => {
  it("marks a dead running run crashed before filtering", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlloop-query-crash-"));
    const store = await openSqliteStore(join(dir, "mlloop.db"), { staleAfterMs: 1 });
    try {
      const run = await store.createRun({ experiment: "e" });
      await new Promise((r) => setTimeout(r, 20));
      // a run of this (alive) process is stale by heartbeat age only
      const crashed = await store.queryRuns({ where: parseQuery("status = crashed") });
      const running = await store.queryRuns({ where: parseQuery("status = running") });
      expect(crashed.map((r) => r.id as RunId)).toEqual([run.id]);
      expect(running).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
