/**
 * Switching the model family with one key: `--set model.family=mlp` on a spec that sets
 * logistic-regression keys drops those keys (they mean nothing to an MLP) instead of failing on the
 * leftover `model.C`, and says which keys it dropped. A key neither family knows is still an error.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli, tempDir } from "./cli-helpers.js";

const dir = tempDir("mlloop-switch-");
const store = join(dir, "mlloop.db");

function csv(): string {
  const rows = ["id,text,label"];
  const pos = ["cheap", "offer", "win", "prize"];
  const neg = ["meeting", "notes", "lunch", "report"];
  for (let i = 0; i < 60; i++) {
    const words = i % 2 === 0 ? pos : neg;
    rows.push(`r${i},${words[i % 4]} ${words[(i + 1) % 4]} ${neg[(i * 3) % 4]},${i % 2}`);
  }
  return `${rows.join("\n")}\n`;
}

writeFileSync(join(dir, "data.csv"), csv());
const SPEC = join(dir, "spec.yaml");
writeFileSync(
  SPEC,
  [
    "experiment: switch",
    "data: { source: csv, path: data.csv, columns: { id: id, label: label, text: [text] } }",
    "features: { words: { fields: [text] } }",
    "model: { family: logistic_regression, C: 10, penalty: l2, max_iter: 200 }",
    "",
  ].join("\n"),
);

interface RunJson {
  runId: string;
}

async function storedModel(runId: string): Promise<Record<string, unknown>> {
  const r = await runCli(["show", runId, "--store", store, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  const shown = json<{ specJson: string }>(r);
  return (JSON.parse(shown.specJson) as { model: Record<string, unknown> }).model;
}

describe("--set model.family switches the family with one key", () => {
  it("drops the old family's keys, says which, and runs", async () => {
    const r = await runCli(["run", SPEC, "--store", store, "--set", "model.family=mlp", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "note: --set model.family=mlp drops model.C, model.penalty (logistic_regression keys that mlp does not have)",
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(json<{ specNotes: string[] }>(r).specNotes).toEqual([
      "--set model.family=mlp drops model.C, model.penalty (logistic_regression keys that mlp does not have)",
    ]);
    const model = await storedModel(json<RunJson>(r).runId);
    expect(model.family).toBe("mlp");
    expect(model).not.toHaveProperty("C");
    expect(model).not.toHaveProperty("penalty");
    // a key both families have is kept as written
    expect(model.max_iter).toBe(200);
  });

  it("names only the keys the new family lacks, and nothing when the family is unchanged", async () => {
    const r = await runCli(["run", SPEC, "--store", store, "--set", "model.family=linear_svm", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("drops model.penalty (logistic_regression keys that linear_svm does not have)");
    const same = await runCli(["run", SPEC, "--store", store, "--set", "model.family=logistic_regression", "--json"]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain("note:");
  });

  it("still reports a key that neither family knows, and records nothing", async () => {
    const before = json<unknown[]>(await runCli(["runs", "--store", store, "--json"])).length;
    const r = await runCli(["run", SPEC, "--store", store, "--set", "model.Cc=3", "--set", "model.family=mlp"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown key "model\.Cc"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = json<unknown[]>(await runCli(["runs", "--store", store, "--json"])).length;
    expect(after).toBe(before);
  });

  it("a family the schema does not have is one clear error naming the allowed ones", async () => {
    const r = await runCli(["run", SPEC, "--store", store, "--set", "model.family=random_forest"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /model\.family: "random_forest" is not allowed \(allowed: logistic_regression, naive_bayes/,
    );
  });
});
