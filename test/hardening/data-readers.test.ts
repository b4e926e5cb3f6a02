/**
 * Issue #12: the CSV/JSONL readers against hostile or careless files — a byte-order mark, labels
 * that are not strings, a file that is not text at all (/proc/self/environ: its tokens must not
 * reach an error message), and a record without an end (memory must not grow with it).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir, type CliResult } from "../cli/cli-helpers.js";

const SECRET = "tok-5e6f7a8b9c0d-never-print";
const dir = tempDir("mlloop-readers-");
const store = join(dir, "mlloop.db");

function spec(source: "csv" | "jsonl", path: string, extra: string[] = []): string {
  const file = join(dir, `${source}-${path.replace(/\W/g, "_")}.yaml`);
  writeFileSync(
    file,
    [
      "experiment: readers",
      "data:",
      `  source: ${source}`,
      `  path: ${JSON.stringify(path)}`,
      "  columns: { id: id, label: label, text: [text] }",
      ...extra.map((l) => `  ${l}`),
      "features:",
      "  words: { fields: [text] }",
      "model: { family: logistic_regression }",
      "",
    ].join("\n"),
  );
  return file;
}

function rows(label: (i: number) => unknown): string[] {
  return Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ id: `e${i}`, text: i % 2 ? `cheap pills ${i}` : `meeting notes ${i}`, label: label(i) }),
  );
}

function expectClean(r: CliResult): void {
  expect(r.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
}

describe("JSONL", () => {
  it("a UTF-8 byte-order mark before the first record is not part of it", async () => {
    writeFileSync(join(dir, "bom.jsonl"), `\ufeff${rows((i) => (i % 2 ? "spam" : "ham")).join("\n")}\n`);
    const r = await runCli(["run", spec("jsonl", "bom.jsonl"), "--store", store]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('labels of mixed types (1, true, "x") are refused, naming the line', async () => {
    writeFileSync(join(dir, "mixed.jsonl"), `${rows((i) => [1, true, "x"][i % 3]).join("\n")}\n`);
    const r = await runCli(["run", spec("jsonl", "mixed.jsonl"), "--store", store]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/mixed\.jsonl:2:label: .*a boolean.*first record's label is a number/);
    expectClean(r);
  });

  it.each([
    ["an object", (i: number) => ({ c: i % 2 })],
    ["an array", (i: number) => [i % 2]],
    ["a fractional number", (i: number) => (i % 2) + 0.5],
  ])("a label that is %s is refused", async (what, label) => {
    const file = `bad-${what.replace(/\W/g, "")}.jsonl`;
    writeFileSync(join(dir, file), `${rows(label).join("\n")}\n`);
    const r = await runCli(["run", spec("jsonl", file), "--store", store]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(":1:label:");
    expect(r.stderr).toContain("a label must be a string, an integer or a boolean");
    expectClean(r);
  });

  it("integer labels (0/1) are fine", async () => {
    writeFileSync(join(dir, "ints.jsonl"), `${rows((i) => i % 2).join("\n")}\n`);
    const r = await runCli(["run", spec("jsonl", "ints.jsonl"), "--store", store]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("a file that is not text (/proc/self/environ)", () => {
  it.each(["csv", "jsonl"] as const)("as %s: refused without quoting it", async (source) => {
    const r = await runCli(
      ["run", spec(source, "x.txt"), "--set", "data.path=/proc/self/environ", "--store", store],
      // the secret first: any cut of the file's start would show it
      { env: { AAA_SECRET_TOKEN: SECRET } },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("NUL byte");
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain("AAA_SECRET");
    expectClean(r);
  });

  it("an invalid JSON line is quoted short, and V8's own quote of it is left out", async () => {
    writeFileSync(join(dir, "notjson.jsonl"), `TOKEN=${SECRET} and more text after it\n`);
    const r = await runCli(["run", spec("jsonl", "notjson.jsonl"), "--store", store]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("invalid JSON");
    expect(r.stderr.split(SECRET.slice(0, 12)).length - 1).toBeLessThanOrEqual(1);
    expect(r.stderr).not.toMatch(/"\.\.\. is not valid JSON/);
    expectClean(r);
  });
});

describe("record size", () => {
  const long = "w ".repeat(600_000); // 1.2 MB of text in one record
  it.each(["csv", "jsonl"] as const)("%s: a record over data.max_record_bytes is a data error", async (source) => {
    const file = `long.${source}`;
    const body =
      source === "csv"
        ? `id,text,label\ne1,short,ham\ne2,${long},spam\n`
        : `${JSON.stringify({ id: "e1", text: "short", label: "ham" })}\n${JSON.stringify({ id: "e2", text: long, label: "spam" })}\n`;
    writeFileSync(join(dir, file), body);
    const r = await runCli(["run", spec(source, file, ["max_record_bytes: 1000000"]), "--store", store]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/longer than 1,000,000 bytes/);
    expect(r.stderr).toContain("data.max_record_bytes");
    expectClean(r);
  });

  it("a file with no newline at all stops at the limit instead of growing memory", async () => {
    writeFileSync(join(dir, "noline.jsonl"), "x".repeat(3_000_000));
    const r = await runCli(["run", spec("jsonl", "noline.jsonl", ["max_record_bytes: 1000000"]), "--store", store]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/noline\.jsonl:1: .*longer than 1,000,000 bytes/);
    expectClean(r);
  });

  it("max_record_bytes is bounded below", async () => {
    const r = await runCli(["run", spec("csv", "long.csv", ["max_record_bytes: 0"]), "--store", store]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/data\.max_record_bytes: 0 .*1024/);
  });
});
