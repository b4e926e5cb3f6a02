/**
 * `mlloop loop` on bad input: one clear message on stderr (what, where, what is allowed), a
 * non-zero exit code of the error's kind, no stack trace — and nothing recorded in the store. Bad
 * limits and spec errors are caught before the store is even opened; data errors before any run is
 * created.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli, tempDir, type CliResult } from "./cli-helpers.js";

const dir = tempDir("mlloop-loop-errors-");

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const rows = ["id,text,label", ...Array.from({ length: 60 }, (_, i) => `r${i},w${i % 3} x${i % 5},${i % 2}`)];
write("data.csv", `${rows.join("\n")}\n`);
write("one.csv", `${["id,text,label", ...Array.from({ length: 30 }, (_, i) => `r${i},w${i % 3},1`)].join("\n")}\n`);

const spec = (over: { path?: string; label?: string; words?: string; family?: string } = {}): string =>
  [
    `data: { source: csv, path: ${over.path ?? "data.csv"}, columns: { id: id, label: ${over.label ?? "label"}, text: [text] } }`,
    `features: { words: { fields: [text]${over.words ?? ""} } }`,
    `model: { family: ${over.family ?? "logistic_regression"}, C: 10 }`,
    "",
  ].join("\n");

const GOOD = write("good.yaml", spec());

/** The user-error contract: the exit code, one "error:" message, no stack, the store untouched. */
function expectOneError(r: CliResult, code: number, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  expect(errors, r.stderr).toHaveLength(1);
  if (typeof message === "string") expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

async function expectNothingRecorded(store: string): Promise<void> {
  if (!existsSync(store)) return;
  const runs = await runCli(["runs", "--store", store, "--json"]);
  expect(runs.code, runs.stderr).toBe(0);
  expect(json<unknown[]>(runs)).toEqual([]);
}

const ALLOWED_METRICS = "allowed: f1, accuracy, error_rate, precision, recall, roc_auc, average_precision, log_loss";

describe("mlloop loop: bad limits are usage errors, checked before the store is opened", () => {
  const cases: Array<{ args: string[]; message: string }> = [
    { args: ["--target", "f2>=0.9"], message: `--target "f2>=0.9": unknown metric "f2" (${ALLOWED_METRICS}` },
    { args: ["--target", "F1>=0.9"], message: 'unknown metric "F1"' },
    {
      args: ["--target", "f1=>0.9"],
      message: `--target "f1=>0.9": expected METRIC OP VALUE, e.g. 'f1>=0.97' (OP is >=, >, <= or <)`,
    },
    { args: ["--target", "f1>="], message: "expected METRIC OP VALUE" },
    { args: ["--budget", "0"], message: '--budget "0": expected a whole number of full runs, at least 1' },
    { args: ["--budget", "2.5"], message: '--budget "2.5": expected a whole number of full runs' },
    { args: ["--budget", "lots"], message: '--budget "lots": expected a whole number' },
    { args: ["--time", "-5m"], message: '--time "-5m": expected a positive duration such as 90s, 10m or 1h' },
    { args: ["--time", "0"], message: '--time "0": expected a positive duration' },
    { args: ["--time", "soon"], message: '--time "soon": expected a positive duration' },
    { args: ["--time", "10 days"], message: '--time "10 days": expected a positive duration' },
    { args: ["--workers", "-1"], message: '--workers "-1": expected a whole number (0 runs screening inline)' },
  ];
  it.each(cases)("loop $args", async ({ args, message }) => {
    const store = join(dir, `usage-${args.join("_").replace(/[^a-z0-9_]/gi, "")}.db`);
    const r = await runCli(["loop", GOOD, "--store", store, ...args]);
    expectOneError(r, 64, message);
    expect(existsSync(store)).toBe(false);
  });
});

describe("mlloop loop: a spec with errors records nothing", () => {
  it("typos in keys and values: every problem named, with suggestions", async () => {
    const store = join(dir, "spec.db");
    const file = write("typo.yaml", spec({ words: ", ngram: [1, 2]", family: "logistic_regresion" }));
    const r = await runCli(["loop", file, "--store", store, "--budget", "2"]);
    expectOneError(r, 2, "invalid spec (");
    expect(r.stderr).toContain('unknown key "features.words.ngram" — did you mean "features.words.ngram_range"?');
    expect(r.stderr).toContain(
      'model.family: "logistic_regresion" is not allowed — did you mean "logistic_regression"? (allowed: logistic_regression, naive_bayes',
    );
    expect(existsSync(store)).toBe(false);
  });

  it("a bad --set override and a YAML syntax error", async () => {
    const store = join(dir, "set.db");
    const r = await runCli(["loop", GOOD, "--store", store, "--set", "model.C=-1"]);
    expectOneError(r, 2, /model\.C: -1 — /);
    const yaml = write("broken.yaml", "data: { source: csv\n");
    const y = await runCli(["loop", yaml, "--store", store]);
    expectOneError(y, 2, /YAML syntax error in .*broken\.yaml:2:1/);
    expect(existsSync(store)).toBe(false);
  });

  it("data errors (a missing column, a missing file, one class) stop the loop before its first run", async () => {
    const store = join(dir, "data.db");
    const col = await runCli(["loop", write("col.yaml", spec({ label: "lbl" })), "--store", store, "--budget", "2"]);
    expectOneError(
      col,
      3,
      'column "lbl" (data.columns.label) not found; the file\'s columns are: "id", "text", "label"',
    );
    const file = await runCli(["loop", write("nofile.yaml", spec({ path: "nope.csv" })), "--store", store]);
    expectOneError(file, 3, /data file not found: .*nope\.csv \(from data\.path = "nope\.csv"\)/);
    const one = await runCli(["loop", write("one.yaml", spec({ path: "one.csv" })), "--store", store]);
    expectOneError(one, 3, "only one class in the data: '1' (30 examples); a classifier needs at least two");
    await expectNothingRecorded(store);
  });

  it("the same store still takes a good loop afterwards", async () => {
    const store = join(dir, "data.db");
    const r = await runCli(["loop", GOOD, "--store", store, "--budget", "1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = json<{ runsUsed: number; stopReason: string }>(r);
    expect(result.runsUsed).toBe(1);
    expect(result.stopReason).toBe("used the budget of 1 full runs");
  });
});
