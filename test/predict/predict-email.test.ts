/**
 * `mlloop predict` and `loadPipeline` on an email run: the run's dev messages, copied from the
 * corpus package into new .eml files under new names (nothing read back from the store but the
 * run's stored dev scores to compare with), score exactly as the run scored them — by the library
 * and by the built CLI, by run id and by alias — and the same messages in an mbox, a maildir and on
 * stdin score the same again.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSpamAssassinText, spamAssassinFiles } from "../../src/data/sources/spamassassin.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { loadPipeline } from "../../src/predict/pipeline.js";
import { readInputs } from "../../src/predict/inputs.js";
import { messageExample } from "../../src/predict/contract.js";
import { promoteRun } from "../../src/predict/registry.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { PredictionRecord, Store } from "../../src/track/store.js";
import { json, runCli, tempDir } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-predict-");
const dbPath = join(dir, "store", "mlloop.db");
const emlDir = join(dir, "new-mail");
let store: Store;
let runId: string;
let dev: PredictionRecord[];
/** new file name → the run's stored dev score of the message it copies */
const expected = new Map<string, number>();
const expectedDecision = new Map<string, string>();

beforeAll(async () => {
  store = await openStore(dbPath);
  const spec = parseSpec({
    experiment: "predict-test",
    seed: 3,
    data: { source: "spamassassin", limit: 700, split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 } },
    features: {
      words: { fields: ["subject", "body"], min_df: 2, weighting: "tfidf", sublinear_tf: true },
      routing: {},
      urls: {},
      html: {},
      headers: {},
    },
    model: { family: "logistic_regression", C: 1 },
    evaluate: { positive_class: "spam", threshold: { policy: "max_f1" } },
  });
  const outcome = await runExperiment({ spec, baseDir: dir, store, cache: false });
  runId = outcome.runId;
  dev = await store.getPredictions(outcome.runId, "dev");
  const { dir: corpus } = spamAssassinFiles(["easy-ham-1"]);
  mkdirSync(emlDir, { recursive: true });
  dev.forEach((p, k) => {
    const slash = p.exampleId.indexOf("/");
    const text = readSpamAssassinText(corpus, p.exampleId.slice(0, slash), p.exampleId.slice(slash + 1));
    const name = join(emlDir, `incoming-${String(k).padStart(4, "0")}.eml`);
    writeFileSync(name, text);
    expected.set(name, p.score!);
    expectedDecision.set(name, p.decision!);
  });
});

afterAll(async () => {
  await store.close();
});

function maxDifference(scores: ReadonlyArray<{ id: string; score: number }>): number {
  let worst = 0;
  for (const s of scores) {
    const want = expected.get(s.id);
    if (want === undefined) throw new Error(`unexpected id ${s.id}`);
    worst = Math.max(worst, Math.abs(s.score - want));
  }
  return worst;
}

describe("predict on copies of the run's dev messages", () => {
  it("loadPipeline gives the run's stored dev scores and decisions (to 1e-9), without the training data", async () => {
    expect(dev.length).toBeGreaterThan(100);
    const pipeline = await loadPipeline(store, runId.slice(0, 10));
    const { examples, warnings } = await readInputs([emlDir], pipeline.contract);
    expect(warnings).toEqual([]);
    expect(examples).toHaveLength(dev.length);
    const predictions = pipeline.predict(examples);
    expect(maxDifference(predictions)).toBeLessThanOrEqual(1e-9);
    for (const p of predictions) expect(p.decision).toBe(expectedDecision.get(p.id));
    // both classes occur, so the threshold really decided something
    expect(new Set(predictions.map((p) => p.decision)).size).toBe(2);
    expect(pipeline.threshold!.policy).toBe("max_f1");
  });

  it("the CLI prints the same scores (--json), by run id and by alias", async () => {
    const byRun = await runCli(["--store", dbPath, "predict", runId, emlDir, "--json"]);
    expect(byRun.code, byRun.stderr).toBe(0);
    const out = json<{ runId: string; predictions: Array<{ id: string; score: number; decision: string }> }>(byRun);
    expect(out.runId).toBe(runId);
    expect(out.predictions).toHaveLength(dev.length);
    expect(maxDifference(out.predictions)).toBeLessThanOrEqual(1e-9);

    await promoteRun(store, runId, "spam-filter@production", { by: "test" });
    const byAlias = await runCli(["--store", dbPath, "predict", "spam-filter@production", emlDir, "--csv"]);
    expect(byAlias.code, byAlias.stderr).toBe(0);
    const lines = byAlias.stdout.trim().split("\n");
    expect(lines[0]).toBe("id,score,decision");
    const rows = lines.slice(1).map((l) => {
      const [id, score, decision] = l.split(",");
      return { id: id!, score: Number(score), decision: decision! };
    });
    expect(rows).toHaveLength(dev.length);
    expect(maxDifference(rows)).toBeLessThanOrEqual(1e-9);
  });

  it("an mbox (with a quoted >From line), a maildir and stdin give the same scores", async () => {
    const pipeline = await loadPipeline(store, runId);
    const names = [...expected.keys()].slice(0, 6);
    // mboxrd: a body line starting "From " is written as ">From "; the reader unquotes it
    const bodies = names.map((n) => readFileSync(n, "utf8"));
    const quoted = bodies.map((b) => b.replace(/^(>*From )/gm, ">$1"));
    const mbox = join(dir, "box.mbox");
    writeFileSync(mbox, quoted.map((b) => `From sender@example.com Thu Jan  1 00:00:00 2026\n${b}\n`).join(""));
    const fromMbox = pipeline.predict((await readInputs([mbox], pipeline.contract)).examples);
    expect(fromMbox.map((p) => p.id)).toEqual(names.map((_, k) => `${mbox}#${k + 1}`));
    fromMbox.forEach((p, k) => expect(Math.abs(p.score - expected.get(names[k]!)!)).toBeLessThanOrEqual(1e-9));

    const maildir = join(dir, "Maildir");
    for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(maildir, sub), { recursive: true });
    writeFileSync(join(maildir, "cur", "1700000000.1.host:2,S"), bodies[0]!);
    writeFileSync(join(maildir, "new", "1700000001.2.host"), bodies[1]!);
    writeFileSync(join(maildir, "tmp", "being-delivered"), "not a message yet");
    const fromMaildir = pipeline.predict((await readInputs([maildir], pipeline.contract)).examples);
    expect(fromMaildir).toHaveLength(2);
    expect(Math.abs(fromMaildir[0]!.score - expected.get(names[0]!)!)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(fromMaildir[1]!.score - expected.get(names[1]!)!)).toBeLessThanOrEqual(1e-9);

    const fromStdin = pipeline.predict(
      (await readInputs(["-"], pipeline.contract, { stdin: () => Promise.resolve(Buffer.from(bodies[2]!)) })).examples,
    );
    // corpus messages begin with an mbox "From " envelope line, so stdin reads as a one-message mbox
    expect(fromStdin.map((p) => p.id)).toEqual(["stdin#1"]);
    expect(Math.abs(fromStdin[0]!.score - expected.get(names[2]!)!)).toBeLessThanOrEqual(1e-9);
  });

  it("explain's contributions add up to the class score, and push towards the decision", async () => {
    const pipeline = await loadPipeline(store, runId);
    const { examples } = await readInputs([[...expected.keys()][0]!], pipeline.contract);
    const e = pipeline.explain(examples[0]!, 5);
    expect(e.top.length).toBeGreaterThan(0);
    expect(e.top.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < e.top.length; i++)
      expect(e.top[i - 1]!.contribution).toBeGreaterThanOrEqual(e.top[i]!.contribution);
    // binary logistic regression: the positive class's score is the log-odds of the score
    const logit = Math.log(e.probabilities["spam"]! / e.probabilities["ham"]!);
    expect(e.classScore).toBeCloseTo(e.decision === "spam" ? logit : -logit, 8);
  });

  it("drift on the dev copies is the run's own train-vs-dev reading, and is not flagged", async () => {
    const pipeline = await loadPipeline(store, runId);
    const { examples } = await readInputs([emlDir], pipeline.contract);
    const drift = pipeline.drift(examples)!;
    expect(drift.families.map((f) => f.family)).toEqual(["words", "routing", "urls", "html", "headers"]);
    for (const f of drift.families) {
      expect(f.jensenShannon).toBeCloseTo(f.devJensenShannon!, 12);
      expect(f.drifted).toBe(false);
    }
  });

  it("drift: a same-source subset is judged at its own size and not flagged; messages unlike the corpus are", async () => {
    const pipeline = await loadPipeline(store, runId);
    const { examples } = await readInputs([emlDir], pipeline.contract);
    // every 7th dev copy: ~40 messages across all corpus groups (the first 40 by id would all be
    // easy-ham-1, which really is a shift against the whole corpus)
    const subset = pipeline.drift(examples.filter((_, i) => i % 7 === 0))!;
    const words = subset.families.find((f) => f.family === "words")!;
    // small samples read higher than dev as a whole; the reference at 40 examples says so
    expect(words.jensenShannon).toBeGreaterThan(words.devJensenShannon!);
    expect(words.reference!).toBeGreaterThan(words.devJensenShannon!);
    expect(subset.families.filter((f) => f.drifted).map((f) => f.family)).toEqual([]);

    const foreign = Array.from({ length: 40 }, (_, i) =>
      messageExample(
        `de-${i}`,
        `From: buchhaltung@firma.example\nSubject: Rechnung ${i}\nContent-Type: text/plain; charset=utf-8\n\n` +
          `Sehr geehrte Kundin, anbei die Rechnung Nummer ${i} für Ihre Bestellung vom Montag. Mit freundlichen Grüßen\n`,
      ),
    );
    const drift = pipeline.drift(foreign)!;
    expect(drift.families.find((f) => f.family === "words")!.drifted).toBe(true);
  });

  it("a run recorded before train-profile.json still predicts the same; its drift says why it is missing", async () => {
    // an older run: the same records and artifacts, without the training profile
    const run = await store.getRun(runId);
    const old = await store.createRun({
      experiment: run.experiment,
      spec: { json: run.specJson!, hash: run.specHash! },
      dataInfo: run.dataInfo,
      extras: run.extras,
    });
    for (const name of ["model.json", "features.json"]) {
      await store.putArtifact(old.id, name, (await store.getArtifact(runId as never, name)).bytes, "application/json");
    }
    await store.finishRun(old.id, "finished");
    const pipeline = await loadPipeline(store, old.id);
    expect(pipeline.trainProfile).toBeNull();
    const { examples } = await readInputs([emlDir], pipeline.contract);
    expect(maxDifference(pipeline.predict(examples))).toBeLessThanOrEqual(1e-9);
    expect(pipeline.drift(examples)).toBeNull();
    const r = await runCli(["--store", dbPath, "predict", old.id, [...expected.keys()][0]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("drift: not available — this run was recorded before mlloop saved a training profile");
  });

  it("a run that is not finished, and an unknown alias, give one clear error", async () => {
    const running = await store.createRun({ experiment: "predict-test" });
    await expect(loadPipeline(store, running.id)).rejects.toThrow(/is running, not finished/);
    await expect(loadPipeline(store, "spam-filter@staging")).rejects.toThrow(
      /spam-filter@staging: no such alias .*the aliases production/,
    );
    const r = await runCli(["--store", dbPath, "predict", "spam-filter@nope", emlDir]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: spam-filter@nope: no such alias/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
