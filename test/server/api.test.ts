/**
 * The dashboard's API against a real SQLite store seeded through the CLI and the Store API: each
 * route answers what the CLI command answers (same numbers, same error message), and the security
 * rules hold (token, Host, same-origin POST, no CORS, CSP).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import { createUiApp } from "../../src/server/app.js";
import { startUiServer } from "../../src/server/serve.js";
import { CONTENT_SECURITY_POLICY } from "../../src/server/security.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { Store } from "../../src/track/store.js";
import { json, runCli, tempDir } from "../cli/cli-helpers.js";
import { seedStore, type Seeded } from "./seed.js";

const TOKEN = "test-token-0123456789abcdef";
let seeded: Seeded;
let store: Store;
let app: Hono;
const ORIGIN = "http://127.0.0.1:7077";

beforeAll(async () => {
  seeded = await seedStore(tempDir("mlloop-ui-api-"));
  store = await openSqliteStore(seeded.storePath);
  app = createUiApp({ store, storeLocation: seeded.storePath, host: "127.0.0.1", token: TOKEN }).app;
});

afterAll(async () => {
  await store?.close();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return app.request(`${ORIGIN}${path}`, { headers: { host: "127.0.0.1:7077", ...headers } });
}

async function body<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The message the CLI prints for the same mistake (after "error: "). */
async function cliError(args: string[]): Promise<string> {
  const r = await runCli([...args, "--store", seeded.storePath]);
  expect(r.code).not.toBe(0);
  return r.stderr.replace(/^error: /, "").trimEnd();
}

describe("GET /api/runs", () => {
  it("filters, sorts and pages with the runs query language, like mlloop runs", async () => {
    const where = "experiment = lineage AND metrics.dev.accuracy >= 0.9";
    const res = await get(
      `/api/runs?where=${encodeURIComponent(where)}&sort=metrics.dev.accuracy:desc,created&columns=metrics.dev.accuracy&limit=3`,
    );
    expect(res.status).toBe(200);
    const page = await body<{ total: number; runs: Array<{ id: string; values: Record<string, number> }> }>(res);
    const cli = json<Array<{ id: string }>>(
      await runCli([
        "runs",
        "--where",
        where,
        "--sort",
        "metrics.dev.accuracy:desc,created",
        "--limit",
        "0",
        "--json",
        "--store",
        seeded.storePath,
      ]),
    );
    expect(page.total).toBe(cli.length);
    expect(page.runs.map((r) => r.id)).toEqual(cli.slice(0, 3).map((r) => r.id));
    // the seeded accuracies: 0.96 (twice: "both changes" and its coalition run), then 0.95
    expect(page.runs.map((r) => r.values["metrics.dev.accuracy"])).toEqual([0.96, 0.96, 0.95]);
    const next = await body<{ runs: Array<{ id: string }> }>(
      await get(`/api/runs?where=${encodeURIComponent(where)}&sort=metrics.dev.accuracy:desc,created&limit=3&offset=3`),
    );
    expect(next.runs.map((r) => r.id)).toEqual(cli.slice(3, 6).map((r) => r.id));
  });

  it("a bad query is a 400 with the CLI's message (caret and all)", async () => {
    const res = await get(`/api/runs?where=${encodeURIComponent("metrics.dev.f1 >")}`);
    expect(res.status).toBe(400);
    const err = (await body<{ error: { kind: string; message: string } }>(res)).error;
    expect(err.kind).toBe("usage");
    expect(err.message).toBe(await cliError(["runs", "--where", "metrics.dev.f1 >"]));
    const status = await body<{ error: { message: string } }>(
      await get(`/api/runs?where=${encodeURIComponent("status = finised")}`),
    );
    expect(status.error.message).toContain('did you mean "finished"');
  });
});

describe("runs, lineage, compare, attribution", () => {
  it("GET /api/runs/:id: the run, its metrics, the spec diff from its parent; unknown ids are 404 with the CLI's words", async () => {
    const res = await body<{
      run: { id: string; name: string };
      specDiff: string[];
      metrics: Array<{ name: string; split: string; value: number }>;
    }>(await get(`/api/runs/${seeded.lineage.child.slice(0, 14)}`));
    expect(res.run.id).toBe(seeded.lineage.child);
    expect(res.specDiff).toEqual(["model.C: 1 → 10"]);
    expect(res.metrics.find((m) => m.name === "accuracy" && m.split === "dev")!.value).toBe(
      seeded.lineage.accuracies[1],
    );
    const missing = await get("/api/runs/ffff0000");
    expect(missing.status).toBe(404);
    expect((await body<{ error: { message: string } }>(missing)).error.message).toBe(
      await cliError(["show", "ffff0000"]),
    );
  });

  it("GET /api/compare answers what mlloop compare --json answers; the identity refusal in the CLI's words", async () => {
    const res = await body<{
      comparison: {
        splits: Array<{ metrics: Array<{ metric: string; delta: number; ciLow: number; ciHigh: number }> }>;
      };
    }>(await get(`/api/compare?runs=${seeded.mailA},${seeded.mailB}&flips=10`));
    const cli = json<{
      splits: Array<{ metrics: Array<{ metric: string; delta: number; ciLow: number; ciHigh: number }> }>;
    }>(await runCli(["compare", seeded.mailA, seeded.mailB, "--json", "--store", seeded.storePath]));
    const pick = (c: typeof cli) => c.splits[0]!.metrics.map((m) => [m.metric, m.delta, m.ciLow, m.ciHigh]);
    expect(pick(res.comparison)).toEqual(pick(cli));
    const refused = await get(`/api/compare?runs=${seeded.mailA},${seeded.lineage.root}`);
    expect(refused.status).toBe(422);
    expect((await body<{ error: { message: string } }>(refused)).error.message).toBe(
      await cliError(["compare", seeded.mailA, seeded.lineage.root]),
    );
  });

  it("GET /api/log and /api/ledger: the tree and the chain of accepted changes", async () => {
    const log = await body<{
      runs: number;
      roots: Array<{
        run: { id: string };
        children: Array<{ run: { id: string }; edge: { effect: { delta: number } } }>;
      }>;
    }>(await get("/api/log?experiment=lineage"));
    const cliLog = json<typeof log>(await runCli(["log", "lineage", "--json", "--store", seeded.storePath]));
    expect(log.runs).toBe(cliLog.runs);
    const root = log.roots.find((r) => r.run.id === seeded.lineage.root)!;
    const child = root.children.find((c) => c.run.id === seeded.lineage.child)!;
    expect(child.edge.effect.delta).toBeCloseTo(seeded.lineage.accuracies[1] - seeded.lineage.accuracies[0], 12);
    const ledger = await body<{ best: { id: string }; entries: Array<{ run: { id: string } }> }>(
      await get("/api/ledger?experiment=lineage"),
    );
    expect(ledger.best.id).toBe(seeded.lineage.child);
    expect(ledger.entries.map((e) => e.run.id)).toEqual([seeded.lineage.root, seeded.lineage.child]);
  });

  it("GET /api/attributions: the stored Shapley values equal the hand-computed ones", async () => {
    const res = await body<{
      attributions: Array<{ record: { attribution: { players: Array<{ player: string; value: number }> } } }>;
    }>(await get(`/api/attributions?a=${seeded.attribution.a}&b=${seeded.attribution.b}`));
    expect(res.attributions).toHaveLength(1);
    const { values: v, labels } = seeded.attribution;
    // two players: φ_i = ½[(v{i} − v∅) + (v{i,j} − v{j})]
    const maskOf = (player: string): number => Number(Object.entries(labels).find(([, l]) => l === `+${player}`)![0]);
    for (const p of res.attributions[0]!.record.attribution.players) {
      const i = maskOf(p.player);
      const j = 3 - i;
      expect(p.value).toBeCloseTo(0.5 * (v[i]! - v[0]! + (v[3]! - v[j]!)), 12);
    }
  });
});

describe("security", () => {
  it("every response carries the CSP; no CORS header even when another origin asks", async () => {
    const res = await get("/api/meta", { origin: "http://evil.example" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const page = await get("/runs");
    expect(page.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain(`<meta name="mlloop-token" content="${TOKEN}">`);
  });

  it("a loopback server refuses other Host names (DNS rebinding)", async () => {
    const res = await get("/api/meta", { host: "evil.example:7077" });
    expect(res.status).toBe(403);
  });

  it("POST needs the token and the same origin", async () => {
    const post = (headers: Record<string, string>) =>
      app.request(`${ORIGIN}/api/runs/${seeded.mailA}/apply`, {
        method: "POST",
        headers: { host: "127.0.0.1:7077", "content-type": "application/json", ...headers },
        body: JSON.stringify({ n: 1 }),
      });
    expect((await post({ origin: ORIGIN })).status).toBe(401);
    expect((await post({ origin: ORIGIN, authorization: "Bearer wrong-token-0000000000" })).status).toBe(401);
    expect((await post({ origin: "http://evil.example", authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    expect(
      (await post({ origin: ORIGIN, authorization: `Bearer ${TOKEN}`, "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
  });

  it("Apply of a recommendation that does not exist streams the CLI's error", async () => {
    const start = await app.request(`${ORIGIN}/api/runs/${seeded.mailA}/apply`, {
      method: "POST",
      headers: { host: "127.0.0.1:7077", origin: ORIGIN, authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ n: 99 }),
    });
    expect(start.status).toBe(202);
    const { jobId } = await body<{ jobId: string }>(start);
    const events = await (await get(`/api/jobs/${jobId}/events`)).text();
    const done = events
      .split("\n\n")
      .filter((e) => e.startsWith("event: done"))
      .map((e) => JSON.parse(e.split("\ndata: ")[1]!) as { ok: boolean; error: string })[0]!;
    expect(done.ok).toBe(false);
    expect(done.error).toBe(await cliError(["run", "--apply", `${seeded.mailA}:99`]));
  });

  it("artifacts other than images are downloads, never rendered; names cannot escape", async () => {
    const res = await get(`/api/runs/${seeded.mailA}/artifacts/model.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment/);
    const escape = await get(`/api/runs/${seeded.mailA}/artifacts/..%2F..%2Fmlloop.db`);
    expect(escape.status).toBeGreaterThanOrEqual(400);
  });

  it("bound to a non-loopback address, every API call without the token gets 401", async () => {
    const server = await startUiServer({
      store,
      storeLocation: seeded.storePath,
      host: "0.0.0.0",
      port: 0,
      env: {},
    });
    try {
      expect(server.tokenRequired).toBe(true);
      expect(server.url).toContain(`#token=${server.token}`);
      const url = `${server.origin}/api/meta`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(`${server.origin}/api/runs`)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: "Bearer nope-nope-nope-nope" } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${server.token}` } })).status).toBe(200);
      // the page itself carries no token when anyone on the network can load it
      expect(await (await fetch(`${server.origin}/runs`)).text()).not.toContain(server.token);
    } finally {
      await server.close();
    }
    const fromEnv = await startUiServer({
      store,
      storeLocation: seeded.storePath,
      host: "0.0.0.0",
      port: 0,
      env: { MLLOOP_UI_TOKEN: "env-token-abcdefghijklmnop" },
    });
    try {
      expect(fromEnv.tokenFromEnv).toBe(true);
      expect(
        (await fetch(`${fromEnv.origin}/api/meta`, { headers: { authorization: "Bearer env-token-abcdefghijklmnop" } }))
          .status,
      ).toBe(200);
    } finally {
      await fromEnv.close();
    }
  });
});

describe("mlloop ui (the command)", () => {
  it("serves on the printed URL; off loopback it prints the token once and needs it", async () => {
    const { startCli } = await import("../cli/cli-helpers.js");
    for (const host of ["127.0.0.1", "0.0.0.0"]) {
      const child = startCli(["ui", "--store", seeded.storePath, "--port", "0", "--host", host], {
        env: { MLLOOP_UI_TOKEN: "" },
      });
      try {
        let out = "";
        child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
        await expect.poll(() => out, { timeout: 30_000 }).toContain("Ctrl-C to stop");
        const url = /mlloop ui (\S+)/.exec(out)![1]!;
        const origin = new URL(url).origin;
        if (host === "127.0.0.1") {
          expect(url).toBe(`${origin}/`);
          expect((await fetch(`${origin}/api/meta`)).status).toBe(200);
        } else {
          const token = /token \(shown once; every API call needs it\): (\S+)/.exec(out)![1]!;
          expect(url).toBe(`${origin}/#token=${token}`);
          expect((await fetch(`${origin}/api/meta`)).status).toBe(401);
          expect((await fetch(`${origin}/api/meta`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
            200,
          );
        }
      } finally {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("close", r));
      }
    }
  });
});
