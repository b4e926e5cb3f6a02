/**
 * The README's "Using the model" section, run as written: every `npx mlloop …` line of its shell
 * block (with <run-id> filled in, in a folder holding message.eml, inbox.mbox and Maildir/), and
 * the example service started with the command the README gives, answering the curl it shows.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSpamAssassinText, spamAssassinFiles } from "../../src/data/sources/spamassassin.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { messageExample } from "../../src/predict/contract.js";
import { loadPipeline } from "../../src/predict/pipeline.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const cwd = tempDir("mlloop-readme-predict-");
const dbPath = join(cwd, ".mlloop", "mlloop.db");
let store: Store;
let runId: string;
const raw: string[] = [];

function section(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Using the model\n");
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end);
}

beforeAll(async () => {
  store = await openStore(dbPath);
  const spec = parseSpec({
    experiment: "spam",
    seed: 2,
    data: { source: "spamassassin", limit: 300, split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 } },
    features: { words: { fields: ["subject", "body"], min_df: 2 } },
    model: { family: "logistic_regression" },
    evaluate: { positive_class: "spam" },
  });
  runId = (await runExperiment({ spec, baseDir: cwd, store, cache: false })).runId;
  const { dir } = spamAssassinFiles(["spam-2"]);
  for (const p of (await store.getPredictions(runId as never, "test")).slice(0, 3)) {
    const slash = p.exampleId.indexOf("/");
    raw.push(readSpamAssassinText(dir, p.exampleId.slice(0, slash), p.exampleId.slice(slash + 1)));
  }
  writeFileSync(join(cwd, "message.eml"), raw[0]!);
  writeFileSync(
    join(cwd, "inbox.mbox"),
    raw.map((m) => (m.startsWith("From ") ? m : `From x@y Thu Jan 1 00:00:00 2026\n${m}`) + "\n").join(""),
  );
  for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(cwd, "Maildir", sub), { recursive: true });
  writeFileSync(join(cwd, "Maildir", "new", "1.host"), raw[1]!);
});

afterAll(async () => {
  await store.close();
});

describe("README: Using the model", () => {
  it("runs every mlloop command of the section as written", async () => {
    const block = /```sh\n([\s\S]*?)```/.exec(section())![1]!;
    const lines = block
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter((l) => l !== "");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect(line.startsWith("npx mlloop ")).toBe(true);
      let args = line.slice("npx mlloop ".length).replace("<run-id>", runId).split(/\s+/);
      let redirect: string | null = null;
      const gt = args.indexOf(">");
      if (gt >= 0) {
        redirect = args[gt + 1]!;
        args = args.slice(0, gt);
      }
      const r = await runCli(args, { cwd, env: { MLLOOP_STORE: dbPath } });
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      if (redirect !== null) writeFileSync(join(cwd, redirect), r.stdout);
    }
    const csv = readFileSync(join(cwd, "scores.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("id,score,decision");
    expect(csv).toHaveLength(raw.length + 1);
    const history = await store.modelHistory("spam-filter");
    expect(history.map((h) => [h.alias, h.version, h.runId])).toEqual([["production", 1, runId]]);
  });

  it("starts the example service with the command shown and answers the curl shown", async () => {
    const text = section();
    expect(text).toContain("npx tsx examples/service/server.ts spam-filter@production");
    expect(text).toContain("curl --data-binary @message.eml http://127.0.0.1:8787/score");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "examples", "service", "server.ts"), "spam-filter@production"],
      {
        cwd: ROOT,
        env: { ...process.env, MLLOOP_STORE: dbPath, PORT: "0" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => {
          err += d;
          const m = /on (http:\/\/127\.0\.0\.1:\d+\/score)/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
      });
      const r = await fetch(url, { method: "POST", body: readFileSync(join(cwd, "message.eml")) });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { score: number; model: { name: string; version: number } };
      const want = (await loadPipeline(store, runId)).predict([messageExample("m", raw[0]!)])[0]!;
      expect(body.score).toBe(want.score);
      expect(body.model).toMatchObject({ name: "spam-filter", version: 1 });
    } finally {
      child.kill("SIGTERM");
    }
  });
});
