/**
 * The example HTTP service (examples/service/app.ts) through Hono's app.request (no socket): a
 * posted raw message and a JSON batch score exactly as loadPipeline does, bad bodies are 400s that
 * say what is wrong, and the service follows its alias when `mlloop model promote` moves it.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, PipelineHolder } from "../../examples/service/app.js";
import { readSpamAssassinText, spamAssassinFiles } from "../../src/data/sources/spamassassin.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { messageExample } from "../../src/predict/contract.js";
import { loadPipeline } from "../../src/predict/pipeline.js";
import { promoteRun } from "../../src/predict/registry.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { tempDir } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-service-");
let store: Store;
const runs: string[] = [];
const messages: string[] = [];

beforeAll(async () => {
  store = await openStore(join(dir, "mlloop.db"));
  for (const C of [1, 0.05]) {
    const spec = parseSpec({
      experiment: "service",
      seed: 5,
      data: { source: "spamassassin", limit: 400, split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 } },
      features: { words: { fields: ["subject", "body"], min_df: 2 }, headers: {} },
      model: { family: "logistic_regression", C },
      evaluate: { positive_class: "spam" },
    });
    runs.push((await runExperiment({ spec, baseDir: dir, store, cache: false })).runId);
  }
  const { dir: corpus } = spamAssassinFiles(["spam-1"]);
  for (const p of (await store.getPredictions(runs[0] as never, "dev")).slice(0, 4)) {
    const slash = p.exampleId.indexOf("/");
    messages.push(readSpamAssassinText(corpus, p.exampleId.slice(0, slash), p.exampleId.slice(slash + 1)));
  }
  await promoteRun(store, runs[0]!, "spam-filter@production", { by: "test" });
});

afterAll(async () => {
  await store.close();
});

describe("examples/service", () => {
  it("scores a posted raw message and a JSON batch exactly as loadPipeline does", async () => {
    const holder = await PipelineHolder.open(store, "spam-filter@production", 0);
    const app = createApp(holder);
    const pipeline = await loadPipeline(store, runs[0]!);
    const want = pipeline.predict(messages.map((m, i) => messageExample(`m${i}`, m)));

    const one = await app.request("/score", {
      method: "POST",
      body: messages[0]!,
      headers: { "content-type": "message/rfc822" },
    });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { score: number; decision: string; model: { version: number; runId: string } };
    expect(body.score).toBe(want[0]!.score);
    expect(body.decision).toBe(want[0]!.decision);
    expect(body.model).toMatchObject({ version: 1, runId: runs[0] });

    const batch = await app.request("/score?explain=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: messages.map((raw, i) => ({ id: `m${i}`, raw })) }),
    });
    expect(batch.status).toBe(200);
    const out = (await batch.json()) as { predictions: Array<{ id: string; score: number; top: unknown[] }> };
    expect(out.predictions.map((p) => [p.id, p.score])).toEqual(want.map((p) => [p.id, p.score]));
    expect(out.predictions[0]!.top.length).toBeGreaterThan(0);
  });

  it("answers bad bodies with a 400 that says what is wrong", async () => {
    const app = createApp(await PipelineHolder.open(store, runs[0]!), { maxExamples: 2 });
    const cases: Array<[RequestInit, RegExp]> = [
      [{ body: "   " }, /the body is empty/],
      [{ body: "{not json", headers: { "content-type": "application/json" } }, /not valid JSON/],
      [
        { body: JSON.stringify({ rows: [] }), headers: { "content-type": "application/json" } },
        /"messages" is missing/,
      ],
      [
        { body: JSON.stringify({ messages: [{ id: "a", raw: 3 }] }), headers: { "content-type": "application/json" } },
        /messages\[0\]\.raw: expected the raw message as a string/,
      ],
      [
        { body: JSON.stringify({ messages: [1, 2, 3] }), headers: { "content-type": "application/json" } },
        /3 examples in one request; at most 2/,
      ],
    ];
    for (const [init, message] of cases) {
      const r = await app.request("/score", { method: "POST", ...init });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("follows the alias when it moves", async () => {
    const holder = await PipelineHolder.open(store, "spam-filter@production", 1);
    const app = createApp(holder);
    const health = async (): Promise<{ runId: string; version: number }> =>
      ((await (await app.request("/health")).json()) as { model: { runId: string; version: number } }).model;
    expect(await health()).toMatchObject({ runId: runs[0], version: 1 });
    await promoteRun(store, runs[1]!, "spam-filter@production", { by: "test" });
    await new Promise((r) => setTimeout(r, 5));
    expect(await health()).toMatchObject({ runId: runs[1], version: 2 });
    const r = await app.request("/score", { method: "POST", body: messages[0]! });
    const want = (await loadPipeline(store, runs[1]!)).predict([messageExample("m", messages[0]!)])[0]!;
    expect(((await r.json()) as { score: number }).score).toBe(want.score);
  });
});
