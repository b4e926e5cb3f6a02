/**
 * Defect 2 of issue #12: terminal escape injection. Hostile strings in every place data or a user
 * can put text (example ids, group and slice values, categorical values that become learned feature
 * names, run names, notes, tags, experiment names) are fed through every command that prints, text
 * and `--json`: no raw C0/C1 control, bidi override or zero-width character may reach the terminal.
 * (NO_COLOR and a pipe: mlloop's own colours are off, so any ESC in the output came from the data.)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { json, runCli, tempDir, type CliResult } from "../cli/cli-helpers.js";

/** OSC title, screen clear, an OSC 8 link, 8-bit CSI, a bell, RLO and a zero-width space. */
const HOSTILE =
  "\u001b]0;pwned\u0007\u001b[2J\u001b]8;;http://evil.example\u001b\\x\u001b]8;;\u001b\\\u009b31m\u202eevil\u200b";
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- finding raw controls in the output is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** A YAML double-quoted scalar with every non-ASCII or control character escaped. */
function yamlString(s: string): string {
  return `"${[...s]
    .map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (ch === '"' || ch === "\\") return `\\${ch}`;
      return cp < 0x20 || cp > 0x7e ? `\\u${cp.toString(16).padStart(4, "0")}` : ch;
    })
    .join("")}"`;
}

const dir = tempDir("mlloop-hostile-");
const store = join(dir, "mlloop.db");
const experiment = `exp${HOSTILE}`;

function writeData(): void {
  const spamWords = ["cheap", "pills", "offer", "money", "free", "win"];
  const hamWords = ["meeting", "project", "notes", "lunch", "report", "team"];
  const rows = ["id,text,source,kind,label"];
  for (let i = 0; i < 90; i++) {
    const spam = i % 3 === 0;
    const words = spam ? spamWords : hamWords;
    const text = Array.from({ length: 5 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(" ");
    // a few mislabelled rows so that there are errors to list
    const label = (spam ? i % 27 !== 0 : i % 29 === 1) ? "spam" : "ham";
    rows.push(`m${i}${HOSTILE},${text},src${i % 2}${HOSTILE},k${i % 3}${HOSTILE},${label}`);
  }
  writeFileSync(join(dir, "data.csv"), `${rows.join("\n")}\n`);
  writeFileSync(
    join(dir, "spec.yaml"),
    [
      `experiment: ${yamlString(experiment)}`,
      `notes: ${yamlString(`spec notes ${HOSTILE}`)}`,
      "data:",
      "  source: csv",
      "  path: data.csv",
      "  columns: { id: id, label: label, text: [text], categorical: [kind], group: source }",
      "features:",
      "  words: { fields: [text] }",
      "  categorical: { columns: [kind] }",
      "model: { family: logistic_regression }",
      "evaluate: { positive_class: spam }",
      "",
    ].join("\n"),
  );
}

const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--store", store], { cwd: dir });

function expectInert(r: CliResult, what: string): void {
  const out = r.stdout + r.stderr;
  const m = UNSAFE.exec(out);
  if (m !== null) {
    const at = m.index;
    throw new Error(
      `${what}: raw U+${m[0].codePointAt(0)!.toString(16).padStart(4, "0")} reached the terminal near ${JSON.stringify(out.slice(Math.max(0, at - 60), at + 20))}`,
    );
  }
}

describe("hostile strings through every printing command", () => {
  let a = "";
  let b = "";
  let exampleId = "";

  beforeAll(async () => {
    writeData();
    const first = await cli(
      "run",
      "spec.yaml",
      "--name",
      `run${HOSTILE}`,
      "--note",
      `note${HOSTILE}`,
      "--tag",
      `k=${HOSTILE}`,
      "--json",
    );
    expect(first.code, first.stderr).toBe(0);
    a = json<{ runId: string }>(first).runId;
    const second = await cli(
      "run",
      "spec.yaml",
      "--set",
      "model.C=0.1",
      "--parent",
      a,
      "--note",
      `n2${HOSTILE}`,
      "--json",
    );
    expect(second.code, second.stderr).toBe(0);
    b = json<{ runId: string }>(second).runId;
    exampleId = `m3${HOSTILE}`;
    const tagged = await cli("tag", a, exampleId, "t\u202eevil\u200b", "--note", `tn${HOSTILE}`);
    expect(tagged.code, tagged.stderr).toBe(0);
  }, 120_000);

  const commands: Array<[string, () => string[]]> = [
    ["runs", () => ["runs"]],
    ["runs --json", () => ["runs", "--json"]],
    ["show", () => ["show", a]],
    ["show --json", () => ["show", a, "--json"]],
    ["show --predictions", () => ["show", a, "--predictions", "--limit", "0"]],
    ["show --predictions --json", () => ["show", a, "--predictions", "--json"]],
    ["compare", () => ["compare", a, b]],
    ["compare --json", () => ["compare", a, b, "--json"]],
    ["explain", () => ["explain", a, "--example", exampleId]],
    ["explain --json", () => ["explain", a, "--example", exampleId, "--json"]],
    ["log", () => ["log", experiment]],
    ["log --json", () => ["log", experiment, "--json"]],
    ["ledger", () => ["ledger", experiment]],
    ["ledger --json", () => ["ledger", experiment, "--json"]],
    ["tag --list", () => ["tag", a, "--list"]],
    ["tag --list --json", () => ["tag", a, "--list", "--json"]],
    ["diagnose", () => ["diagnose", a]],
    ["diagnose --json", () => ["diagnose", a, "--json"]],
  ];

  for (const [name, args] of commands) {
    it(`mlloop ${name}`, async () => {
      const r = await cli(...args());
      expect(r.code, r.stderr).toBe(0);
      expectInert(r, name);
      if (name.endsWith("--json")) expect(() => json(r)).not.toThrow();
    }, 120_000);
  }

  it("an error that echoes a user string is inert too", async () => {
    const r = await cli("show", `nosuch${HOSTILE}`);
    expect(r.code).not.toBe(0);
    expectInert(r, "show <hostile id>");
  });
});
