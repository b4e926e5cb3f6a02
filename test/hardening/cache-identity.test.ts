/**
 * Defect 1 of issue #12: stale results recorded as valid. The cache key must follow the content of
 * every input: a pipe (`--set data.path=/dev/stdin`) is never served from a cache entry keyed on a
 * constant, and an eml folder or CSV file changed in place with its size and mtime kept is re-read.
 */
import { spawn } from "node:child_process";
import { mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { datasetKey } from "../../src/loop/cache-keys.js";
import { dataSchema } from "../../src/spec/schema.js";
import { BIN, tempDir, type CliResult } from "../cli/cli-helpers.js";

function csv(labels: (i: number) => string): string {
  const rows = ["id,text,label"];
  for (let i = 0; i < 60; i++) {
    const spam = labels(i) === "spam";
    rows.push(`m${i},${spam ? "cheap pills offer win" : "meeting notes lunch team"} w${i % 7},${labels(i)}`);
  }
  return `${rows.join("\n")}\n`;
}

/** The CLI reading a real pipe on stdin, the way `cat a.csv | mlloop run …` does. */
function runWithStdin(args: string[], stdin: string, cwd: string): Promise<CliResult> {
  const input = join(cwd, `stdin-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(input, stdin);
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("bash", ["-c", `cat '${input}' | ${quoted}`], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("cache keys follow content", () => {
  it("a pipe as data.path is never served from the cache: the second, one-class input is read and refused", async () => {
    const dir = tempDir("mlloop-pipe-");
    writeFileSync(
      join(dir, "spec.yaml"),
      [
        "experiment: pipe",
        "data:",
        "  source: csv",
        "  path: data.csv",
        "  columns: { id: id, label: label, text: [text] }",
        "features:",
        "  words: { fields: [text] }",
        "model: { family: logistic_regression }",
        "evaluate: { positive_class: spam }",
        "",
      ].join("\n"),
    );
    const args = ["run", "spec.yaml", "--store", join(dir, "mlloop.db"), "--set", "data.path=/dev/stdin"];
    const first = await runWithStdin(
      args,
      csv((i) => (i % 3 === 0 ? "spam" : "ham")),
      dir,
    );
    expect(first.code, first.stderr).toBe(0);
    const second = await runWithStdin(
      args,
      csv(() => "ham"),
      dir,
    );
    // one class only: the data (not a cache entry of the first input) must be what the run sees
    expect(second.stdout).not.toContain("cached");
    expect(second.code, second.stdout + second.stderr).not.toBe(0);
    expect(second.stderr).toMatch(/one class|only one|single class|1 class/i);
  }, 60_000);

  it("an eml folder changed in place with sizes and mtimes kept gets a new key", () => {
    const dir = tempDir("mlloop-eml-key-");
    mkdirSync(join(dir, "mail", "ham"), { recursive: true });
    const file = join(dir, "mail", "ham", "a.eml");
    writeFileSync(file, "Subject: hello\n\nsee you at lunch\n");
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const spec = dataSchema.parse({ source: "eml", path: "mail" });
    const before = datasetKey(spec, dir, 0);
    const st = statSync(file);
    writeFileSync(file, "Subject: hellO\n\nsee you at LUNCH\n");
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(statSync(file).mtimeMs).toBe(st.mtimeMs);
    expect(statSync(file).size).toBe(st.size);
    expect(datasetKey(spec, dir, 0)).not.toBe(before);
  });

  it("a CSV file changed in place with size and mtime kept gets a new key", () => {
    const dir = tempDir("mlloop-csv-key-");
    const file = join(dir, "d.csv");
    writeFileSync(
      file,
      csv((i) => (i % 2 === 0 ? "spam" : "ham")),
    );
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const spec = dataSchema.parse({ source: "csv", path: "d.csv", columns: { label: "label", text: ["text"] } });
    const before = datasetKey(spec, dir, 0);
    const st = statSync(file);
    writeFileSync(
      file,
      csv((i) => (i % 2 === 1 ? "spam" : "ham")),
    );
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(statSync(file).size).toBe(st.size);
    expect(datasetKey(spec, dir, 0)).not.toBe(before);
  });
});
