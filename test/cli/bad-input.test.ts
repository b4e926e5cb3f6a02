/**
 * Bad input gets one clear message (what, where, what is allowed), a non-zero exit, no stack
 * trace — and the store and the runs already in it are left as they were.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { json, runCli, tempDir, type CliResult } from "./cli-helpers.js";

const dir = tempDir("mlloop-bad-");
const store = join(dir, "mlloop.db");

/** 80 rows, two classes, a numeric and a group column; deterministic. */
function goodCsv(): string {
  const spamWords = ["cheap", "pills", "offer", "money", "free", "win", "prize", "click"];
  const hamWords = ["meeting", "project", "notes", "lunch", "report", "team", "schedule", "review"];
  const rows = ["id,text,len,source,label"];
  for (let i = 0; i < 80; i++) {
    const spam = i % 3 === 0;
    const words = spam ? spamWords : hamWords;
    const text = Array.from({ length: 6 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(" ");
    rows.push(`m${i},${text},${(i * 13) % 50},${i < 40 ? "s1" : "s2"},${spam ? "spam" : "ham"}`);
  }
  return `${rows.join("\n")}\n`;
}

function spec(over: { path?: string; extra?: string; label?: string; split?: string } = {}): string {
  return [
    "experiment: tiny",
    "data:",
    "  source: csv",
    `  path: ${over.path ?? "good.csv"}`,
    `  columns: { id: id, label: ${over.label ?? "label"}, text: [text], numeric: [len], group: source }`,
    ...(over.split ? [`  split: ${over.split}`] : []),
    ...(over.extra ? [over.extra] : []),
    "features:",
    "  words: { fields: [text] }",
    "  numeric: { columns: [len] }",
    "model: { family: logistic_regression }",
    "evaluate: { positive_class: spam }",
    "",
  ].join("\n");
}

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function runIds(): Promise<string[]> {
  const r = await runCli(["runs", "--store", store, "--json"]);
  expect(r.code).toBe(0);
  return json<Array<{ id: string; status: string }>>(r).map((x) => `${x.id}:${x.status}`);
}

let before: string[];
let goodRunArtifacts: string;

/** The user error contract: exit code, the exact one message, no stack, store untouched. */
async function expectUserError(r: CliResult, code: number, message: string): Promise<void> {
  expect({
    code: r.code,
    stderr: r.stderr
      .split("\n")
      .filter((l) => l.startsWith("error:") || l.startsWith("  ✖"))
      .join("\n"),
  }).toEqual({
    code,
    stderr: message,
  });
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(await runIds()).toEqual(before);
  const show = await runCli(["show", before[0]!.split(":")[0]!, "--store", store, "--json"]);
  expect(JSON.stringify(json<{ artifacts: unknown }>(show).artifacts)).toBe(goodRunArtifacts);
}

describe("bad input", () => {
  beforeAll(async () => {
    write("good.csv", goodCsv());
    write("good.yaml", spec());
    const ok = await runCli(["run", join(dir, "good.yaml"), "--store", store, "--json"]);
    expect(ok.code).toBe(0);
    before = await runIds();
    expect(before).toHaveLength(1);
    const show = await runCli(["show", before[0]!.split(":")[0]!, "--store", store, "--json"]);
    goodRunArtifacts = JSON.stringify(json<{ artifacts: unknown }>(show).artifacts);
  });

  it("a typo in a spec key", async () => {
    const file = write("typo.yaml", spec().replace("  words: {", "  word: {"));
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      2,
      `error: invalid spec (${file}):\n  ✖ unknown key "features.word" — did you mean "features.words"? (allowed here: words, numeric, categorical, routing, urls, spelling, html, headers)`,
    );
  });

  it("a badly typed --set override", async () => {
    await expectUserError(
      await runCli(["run", join(dir, "good.yaml"), "--store", store, "--set", "model.C=abc"]),
      2,
      `error: invalid spec (${join(dir, "good.yaml")}):\n  ✖ model.C: expected number, got "abc"`,
    );
  });

  it("a missing spec file", async () => {
    await expectUserError(
      await runCli(["run", join(dir, "nope.yaml"), "--store", store]),
      2,
      `error: spec file not found: ${join(dir, "nope.yaml")}`,
    );
  });

  it("a missing data file", async () => {
    const file = write("missing-data.yaml", spec({ path: "nope.csv" }));
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      3,
      `error: data file not found: ${join(dir, "nope.csv")} (from data.path = "nope.csv")`,
    );
  });

  it("a missing label column", async () => {
    const file = write("label.yaml", spec({ label: "labl" }));
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      3,
      `error: ${join(dir, "good.csv")}: column "labl" (data.columns.label) not found (did you mean "label"?); the file's columns are: "id", "text", "len", "source", "label"`,
    );
  });

  it("a bad row is an error naming file, line and column", async () => {
    write(
      "badrow.csv",
      goodCsv()
        .replace("m4,", "m4,")
        .replace(/^(m5,[^,]*),\d+,/m, "$1,lots,"),
    );
    const file = write("badrow.yaml", spec({ path: "badrow.csv" }));
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      3,
      `error: ${join(dir, "badrow.csv")}:7:len: "lots" is not a number (numeric column; empty, NA, NaN or null mean missing)`,
    );
  });

  it("with on_bad_row: skip, a bad row is skipped, counted and recorded with the run", async () => {
    const file = write("skip.yaml", spec({ path: "badrow.csv", extra: "  on_bad_row: skip" }));
    const r = await runCli(["run", file, "--store", join(dir, "skip.db"), "--json"]);
    expect(r.code).toBe(0);
    const out = json<{ runId: string; warnings: string[]; counts: Record<string, number> }>(r);
    expect(out.warnings).toContain("1 bad rows skipped (on_bad_row: skip)");
    expect(out.counts["train"]! + out.counts["dev"]! + out.counts["test"]!).toBe(79);
    const show = json<{ dataInfo: { badRowCount: number; badRows: Array<{ where: string; reason: string }> } }>(
      await runCli(["show", out.runId, "--store", join(dir, "skip.db"), "--json"]),
    );
    expect(show.dataInfo.badRowCount).toBe(1);
    expect(show.dataInfo.badRows[0]!.where).toBe(`${join(dir, "badrow.csv")}:7:len`);
  });

  it("bytes that are not UTF-8", async () => {
    const bytes = Buffer.concat([
      Buffer.from("id,text,len,source,label\nm1,caf"),
      Buffer.from([0xe9]),
      Buffer.from(" ok,3,s1,ham\n"),
    ]);
    write("latin1.csv", bytes);
    const file = write("latin1.yaml", spec({ path: "latin1.csv" }));
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      3,
      `error: ${join(dir, "latin1.csv")}:2: invalid UTF-8 byte 0xE9 at byte 7 of the line; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
    );
  });

  it("a split that leaves a class empty", async () => {
    const lines = goodCsv().trimEnd().split("\n");
    write(
      "onlyham.csv",
      `${[lines[0], ...lines.slice(1).filter((l) => !(l.includes(",s2,") && l.endsWith(",spam")))].join("\n")}\n`,
    );
    const file = write(
      "group.yaml",
      spec({ path: "onlyham.csv", split: "{ method: group, groups: { train: [s1], dev: [s2], test: [] } }" }),
    );
    await expectUserError(
      await runCli(["run", file, "--store", store]),
      3,
      "error: split leaves class 'spam' with 0 examples in dev (train 14, test 0); every class needs examples in train and dev: data.split.groups.dev (s2) holds no 'spam' example; list a group that does",
    );
  });

  it("a positive class that is not a label", async () => {
    await expectUserError(
      await runCli(["run", join(dir, "good.yaml"), "--store", store, "--set", "evaluate.positive_class=spm"]),
      2,
      'error: evaluate.positive_class: "spm" is not a label in the data — did you mean "spam"? (labels: ham, spam)',
    );
  });

  it("an unknown run id", async () => {
    await expectUserError(
      await runCli(["show", "abcdef", "--store", store]),
      4,
      `error: no run id starts with "abcdef" in store ${store}`,
    );
  });

  it("malformed MIME never stops a run", async () => {
    const mail = join(dir, "mail");
    mkdirSync(join(mail, "ham"), { recursive: true });
    mkdirSync(join(mail, "spam"), { recursive: true });
    const good = (i: number, subject: string, body: string): string =>
      `From: a${i}@example.com\nSubject: ${subject}\nMessage-ID: <${i}@x>\n\n${body}\n`;
    for (let i = 0; i < 12; i++) {
      // distinct bodies: identical ones would be one duplicate cluster, kept on one side of the split
      writeFileSync(join(mail, "ham", `${i}.eml`), good(i, "project meeting notes", `see you at review number ${i}`));
      writeFileSync(join(mail, "spam", `${i}.eml`), good(i, "win cheap pills", `click now for free money ${i}`));
    }
    // broken on purpose: no boundary, truncated base64, no header/body separator, binary junk
    writeFileSync(
      join(mail, "spam", "nobound.eml"),
      "Content-Type: multipart/mixed\nSubject: win\n\n--x\nfree money\n",
    );
    writeFileSync(
      join(mail, "spam", "b64.eml"),
      "Subject: prize\nContent-Transfer-Encoding: base64\n\nZnJlZSBtb25l=*==Z",
    );
    writeFileSync(join(mail, "ham", "nosep.eml"), "Subject: lunch\nthis line is not a header");
    writeFileSync(join(mail, "ham", "junk.eml"), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x0a, 0x0a, 0x41]));
    const file = write(
      "eml.yaml",
      [
        "data: { source: eml, path: mail }",
        "features: { words: { fields: [subject, body] } }",
        "model: { family: naive_bayes }",
        "evaluate: { positive_class: spam }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["run", file, "--store", join(dir, "eml.db"), "--json"]);
    expect(r.code).toBe(0);
    const out = json<{ counts: Record<string, number> }>(r);
    expect(out.counts["train"]! + out.counts["dev"]! + out.counts["test"]!).toBe(28);
  });

  it("the store file itself was never corrupted", async () => {
    copyFileSync(store, join(dir, "copy.db"));
    expect(readFileSync(join(dir, "copy.db")).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
    expect(await runIds()).toEqual(before);
  });
});
