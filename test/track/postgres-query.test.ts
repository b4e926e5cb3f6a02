/**
 * The query language on PostgreSQL: the same random runs are written to a SQLite store and a
 * PostgreSQL store, and 600 random --where expressions, 60 random --sort keys, returned values
 * and --group-by summaries must come out the same from both — and equal to the reference
 * evaluator's answer (query.ts), which is what SQLite is held to as well.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { openPostgresStore } from "../../src/track/postgres-store.js";
import {
  compareForSort,
  groupRuns,
  matchesRun,
  parseField,
  parseQuery,
  parseSort,
  queryRuns,
  type RunView,
} from "../../src/track/query.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { Store } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { createTestDatabase, type TestDatabase } from "./pg-test-db.js";
import { FIELD_POOL, fillQueryFixture, randomExpr } from "./query-fixture.js";

interface Side {
  store: Store;
  views: RunView[];
  /** Run id → index of the run in creation order (the same run in both stores). */
  index: Map<string, number>;
}

function side(store: Store, views: RunView[]): Side {
  const byAge = [...views].sort((a, b) => (a.summary.id < b.summary.id ? -1 : 1));
  return { store, views, index: new Map(byAge.map((v, i) => [v.summary.id, i])) };
}

describe("PostgreSQL query compiler = SQLite = reference evaluator", () => {
  let dir: string;
  let db: TestDatabase;
  let lite: Side;
  let pg: Side;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mlloop-pgquery-"));
    db = await createTestDatabase("mlloop_query");
    const a = await openSqliteStore(join(dir, "mlloop.db"));
    const b = await openPostgresStore(db.url);
    lite = side(a, await fillQueryFixture(a, 120, 7));
    pg = side(b, await fillQueryFixture(b, 120, 7));
  }, 120_000);
  afterAll(async () => {
    await lite?.store.close();
    await pg?.store.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("selects the same runs for 600 random expressions", async () => {
    const rng = createRng(11);
    const created = pg.views.map((v) => v.summary.createdAt).sort((x, y) => x - y);
    let nonTrivial = 0;
    let crossChecked = 0;
    for (let k = 0; k < 600; k++) {
      const pivot = rng.int(created.length);
      const text = randomExpr(rng, 3, created[pivot]!);
      const expr = parseQuery(text);
      const expected = pg.views.filter((v) => matchesRun(expr, v)).map((v) => v.summary.id);
      const got = (await pg.store.queryRuns({ where: expr })).map((r) => r.id);
      expect(got, text).toEqual(expected);
      if (expected.length > 0 && expected.length < pg.views.length) nonTrivial++;
      // Creation times differ between the two stores; every other field is the same run by run.
      if (!text.includes("created")) {
        const fromSqlite = (await lite.store.queryRuns({ where: expr })).map((r) => lite.index.get(r.id));
        expect(
          got.map((id) => pg.index.get(id)),
          text,
        ).toEqual(fromSqlite);
        crossChecked++;
      }
    }
    expect(nonTrivial).toBeGreaterThan(100);
    expect(crossChecked).toBeGreaterThan(400);
  });

  it("orders the same way for random sort keys (missing last, numbers before text, then newest first)", async () => {
    const rng = createRng(5);
    for (let k = 0; k < 60; k++) {
      const keys = Array.from({ length: 1 + rng.int(2) }, () => {
        const f = FIELD_POOL[rng.int(FIELD_POOL.length)]!;
        return rng.next() < 0.5 ? `${f}:desc` : f;
      }).join(",");
      const sort = parseSort(keys);
      const expected = [...pg.views].sort((a, b) => compareForSort(a, b, sort)).map((v) => v.summary.id);
      const got = (await pg.store.queryRuns({ sort })).map((r) => r.id);
      expect(got, keys).toEqual(expected);
      if (!keys.includes("created")) {
        const fromSqlite = (await lite.store.queryRuns({ sort })).map((r) => lite.index.get(r.id));
        expect(
          got.map((id) => pg.index.get(id)),
          keys,
        ).toEqual(fromSqlite);
      }
    }
  });

  it("returns the same typed values, pages and groups as SQLite", async () => {
    const fields = [
      "spec.features.words.lowercase",
      "spec.features.words.fields",
      "spec.features.categorical",
      "spec.model.C",
      "spec.notes",
      "metrics.dev.f1",
      "metrics.test.accuracy",
      "tags.owner",
      "status",
    ];
    const options = { sort: "metrics.dev.f1:desc", fields, limit: 7, offset: 3 };
    const where = "spec.model.family = logistic_regression OR tags.owner ~ /^z/i";
    const a = await queryRuns(lite.store, where, options);
    const b = await queryRuns(pg.store, where, options);
    expect(b.length).toBe(7);
    expect(b.map((r) => pg.index.get(r.id))).toEqual(a.map((r) => lite.index.get(r.id)));
    expect(b.map((r) => r.values)).toEqual(a.map((r) => r.values));
    expect(b.map((r) => r.tags)).toEqual(a.map((r) => r.tags));

    const all = { fields: ["spec.model.C", "metrics.dev.f1"] };
    const groupsA = groupRuns(
      await queryRuns(lite.store, "", all),
      parseField("spec.model.C"),
      parseField("metrics.dev.f1"),
    );
    const groupsB = groupRuns(
      await queryRuns(pg.store, "", all),
      parseField("spec.model.C"),
      parseField("metrics.dev.f1"),
    );
    expect(groupsB.map((g) => [g.value, g.count, g.n])).toEqual(groupsA.map((g) => [g.value, g.count, g.n]));
    for (let i = 0; i < groupsA.length; i++) {
      expect(groupsB[i]!.mean).toBeCloseTo(groupsA[i]!.mean, 12);
    }
  });

  it("refuses JavaScript-only regex syntax with a message that says so", async () => {
    const error = await pg.store.queryRuns({ where: parseQuery("name ~ /(?<n>try)/") }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/^a \/regex\/ in the query is not supported by PostgreSQL \(/);
  });
});
