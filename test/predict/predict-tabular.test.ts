/**
 * Prediction on a CSV/JSONL run: new rows without the label column score as the run scored its dev
 * rows, and the data contract is enforced — a CSV missing a column and a JSONL row with a value of
 * the wrong type each stop with ONE clear error naming file:line (library and CLI; no stack trace).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { loadPipeline } from "../../src/predict/pipeline.js";
import { readInputs } from "../../src/predict/inputs.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { runCli, tempDir } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-predict-tab-");
const dbPath = join(dir, "mlloop.db");
let store: Store;
let runId: string;
const rows: Array<{ id: string; label: string; text: string; amount: number | null; color: string }> = [];

beforeAll(async () => {
  const rng = createRng(11);
  const colors = ["red", "green", "blue"];
  for (let i = 0; i < 400; i++) {
    const pos = rng.next() < 0.4;
    const words = Array.from({ length: 6 + rng.int(6) }, () => `${pos === rng.next() < 0.8 ? "p" : "n"}${rng.int(30)}`);
    rows.push({
      id: `r${i}`,
      label: pos ? "yes" : "no",
      text: words.join(" "),
      amount: rng.next() < 0.05 ? null : Math.round((pos ? 50 : 30) + rng.next() * 40),
      color: colors[rng.int(3)]!,
    });
  }
  const csv = [
    "id,label,text,amount,color",
    ...rows.map((r) => `${r.id},${r.label},${r.text},${r.amount ?? ""},${r.color}`),
  ];
  writeFileSync(join(dir, "train.csv"), csv.join("\n") + "\n");
  store = await openStore(dbPath);
  const spec = parseSpec({
    experiment: "tabular",
    seed: 1,
    data: {
      source: "csv",
      path: "train.csv",
      columns: { id: "id", label: "label", text: ["text"], numeric: ["amount"], categorical: ["color"] },
      split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 },
    },
    features: { words: { fields: ["text"] }, numeric: { columns: ["amount"] }, categorical: { columns: ["color"] } },
    model: { family: "logistic_regression", C: 1 },
    evaluate: { positive_class: "yes", threshold: { policy: "fixed", value: 0.5 } },
  });
  runId = (await runExperiment({ spec, baseDir: dir, store, cache: false })).runId;
});

afterAll(async () => {
  await store.close();
});

describe("predict on tabular data", () => {
  it("dev rows in a new CSV without the label, and as JSONL, score as the run scored them", async () => {
    const dev = await store.getPredictions(runId as never, "dev");
    const byId = new Map(rows.map((r) => [r.id, r]));
    const devRows = dev.map((p) => byId.get(p.exampleId)!);
    // columns in another order, no label column
    writeFileSync(
      join(dir, "new.csv"),
      ["color,amount,text,id", ...devRows.map((r) => `${r.color},${r.amount ?? "NA"},${r.text},${r.id}`)].join("\n"),
    );
    writeFileSync(
      join(dir, "new.jsonl"),
      devRows.map((r) => JSON.stringify({ id: r.id, text: r.text, amount: r.amount, color: r.color })).join("\n"),
    );
    const pipeline = await loadPipeline(store, runId);
    for (const file of ["new.csv", "new.jsonl"]) {
      const { examples } = await readInputs([join(dir, file)], pipeline.contract);
      const predictions = pipeline.predict(examples);
      expect(predictions).toHaveLength(dev.length);
      predictions.forEach((p, k) => {
        expect(p.id).toBe(dev[k]!.exampleId);
        expect(Math.abs(p.score - dev[k]!.score!)).toBeLessThanOrEqual(1e-9);
        expect(p.decision).toBe(dev[k]!.decision);
      });
    }
  });

  it("a multiclass run: the most probable class and its probability, as the run recorded them", async () => {
    const rng = createRng(5);
    const lines = ["id,label,text,amount"];
    for (let i = 0; i < 300; i++) {
      const k = rng.int(3);
      const words = Array.from({ length: 8 }, () => `${rng.next() < 0.7 ? "abc"[k] : "abc"[rng.int(3)]}${rng.int(20)}`);
      lines.push(`m${i},class_${k},${words.join(" ")},${k * 10 + rng.next() * 15}`);
    }
    writeFileSync(join(dir, "three.csv"), lines.join("\n") + "\n");
    const spec = parseSpec({
      experiment: "three",
      seed: 2,
      data: {
        source: "csv",
        path: "three.csv",
        columns: { id: "id", label: "label", text: ["text"], numeric: ["amount"] },
        split: { method: "stratified", train: 0.6, dev: 0.2, test: 0.2 },
      },
      features: { words: { fields: ["text"] }, numeric: { columns: ["amount"] } },
      model: { family: "logistic_regression", C: 1 },
    });
    const id = (await runExperiment({ spec, baseDir: dir, store, cache: false })).runId;
    const pipeline = await loadPipeline(store, id);
    expect(pipeline.classes).toEqual(["class_0", "class_1", "class_2"]);
    expect(pipeline.threshold).toBeNull();
    const dev = await store.getPredictions(id as never, "dev");
    const { examples } = await readInputs([join(dir, "three.csv")], pipeline.contract);
    const byId = new Map(pipeline.predict(examples).map((p) => [p.id, p]));
    for (const d of dev) {
      const p = byId.get(d.exampleId)!;
      expect(Math.abs(p.score - d.score!)).toBeLessThanOrEqual(1e-9);
      expect(p.decision).toBe(d.decision);
      const probs = Object.values(p.probabilities);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(p.score).toBe(Math.max(...probs));
    }
  });

  it("a CSV with a missing column: one DataError naming file:line and the column", async () => {
    const file = join(dir, "missing.csv");
    writeFileSync(file, "id,text,colour\nx1,p1 p2,red\n");
    const pipeline = await loadPipeline(store, runId);
    const err = await readInputs([file], pipeline.contract).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).where).toBe(`${file}:1`);
    expect((err as DataError).message).toContain(`${file}:1: missing numeric column "amount"`);
    expect((err as DataError).message).toContain(`missing categorical column "color" (did you mean "colour"?)`);

    const r = await runCli(["--store", dbPath, "predict", runId, file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:1: missing numeric column "amount"`),
    );
  });

  it("a JSONL row with a value of the wrong type: one DataError naming file:line and the column", async () => {
    const file = join(dir, "wrong-type.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ id: "a", text: "p1", amount: 12, color: "red" }),
        "",
        JSON.stringify({ id: "b", text: "p2", amount: "lots", color: "red" }),
      ].join("\n"),
    );
    const pipeline = await loadPipeline(store, runId);
    const err = await readInputs([file], pipeline.contract).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).where).toBe(`${file}:3:amount`);
    expect((err as DataError).message).toBe(
      `${file}:3: column "amount" is numeric, but the value is the string "lots" (allowed: a number, or empty, NA, NaN, null for missing)`,
    );

    const r = await runCli(["--store", dbPath, "predict", runId, file, "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([`error: ${(err as DataError).message}`]);
  });

  it("an email input to a tabular model is refused, saying what the model takes", async () => {
    const file = join(dir, "message.eml");
    writeFileSync(file, "Subject: hi\n\nhello\n");
    const pipeline = await loadPipeline(store, runId);
    await expect(readInputs([file], pipeline.contract)).rejects.toThrow(
      /read as eml, but the model takes rows with the columns text: text; numeric: amount; categorical: color/,
    );
  });
});
