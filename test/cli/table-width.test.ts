/**
 * Tables fit the terminal: long text columns give way (cut with "…"), ids, times, short names and
 * numbers stay whole; piped output without $COLUMNS keeps every character.
 */
import { afterEach, describe, expect, it } from "vitest";
import { fitColumnWidths, table } from "../../src/cli/render.js";

const saved = process.env["COLUMNS"];
afterEach(() => {
  if (saved === undefined) delete process.env["COLUMNS"];
  else process.env["COLUMNS"] = saved;
});

const width = (s: string): number => Math.max(...s.split("\n").map((l) => [...l].length));

describe("fitColumnWidths", () => {
  it("shrinks the widest text column first, to the target", () => {
    // 1 + (12+3) + (50+3) + (8+3) + (30+3) = 113
    expect(fitColumnWidths([12, 50, 8, 30], [true, true, false, true], 100, [12, 20, 8, 20])).toEqual([12, 37, 8, 30]);
    // 33 too wide: 50 → 30 (the next widest), then 30 → 20, then the other 30 → 27
    expect(fitColumnWidths([12, 50, 8, 30], [true, true, false, true], 80, [12, 20, 8, 20])).toEqual([12, 20, 8, 27]);
  });

  it("never cuts below the minimum or a column that may not shrink, and leaves a fitting table alone", () => {
    expect(fitColumnWidths([12, 50, 8, 30], [true, true, false, true], 40, [12, 20, 8, 20])).toEqual([12, 20, 8, 20]);
    expect(fitColumnWidths([12, 50], [false, false], 20, [12, 50])).toEqual([12, 50]);
    expect(fitColumnWidths([12, 50], [true, true], 200, [12, 20])).toEqual([12, 50]);
  });
});

describe("table", () => {
  const notes = "baseline — four measurements, standardised, strongly regularised logistic regression";
  const rows = [["01a24525b766", "2026-12-05 07:40:29", "0.7136", notes]];
  const head = ["run", "created", "dev macro_f1", "notes"];

  it("fits $COLUMNS, cutting the notes and keeping the id, the time and the number", () => {
    process.env["COLUMNS"] = "80";
    const t = table(head, rows, ["left", "left", "right", "left"]);
    expect(width(t)).toBe(80);
    expect(t).toContain("│ 01a24525b766 │ 2026-12-05 07:40:29 │       0.7136 │ baseline — four measure… │");
  });

  it("keeps every character when output is piped without $COLUMNS", () => {
    delete process.env["COLUMNS"];
    const t = table(head, rows, ["left", "left", "right", "left"]);
    expect(t).toContain(notes);
  });

  it("wraps headers wider than their values, then hides the hideable columns in order, and says which", () => {
    const head7 = ["run", "experiment", "status", "created", "parent", "dev macro_f1", "test macro_f1", "name/notes"];
    const row = ["01a24525b766", "wine", "finished", "2026-12-05 07:40:29", "", "0.7136", "0.6988", notes];
    const opts = { hideable: [4, 3, 1], hiddenHint: "--columns picks them" };
    const at = (cols: number) => {
      process.env["COLUMNS"] = String(cols);
      return table(head7, [row], ["left", "left", "left", "left", "left", "right", "right", "left"], opts);
    };
    // wide enough: every column, one header line
    const wide = at(140);
    expect(width(wide)).toBeLessThanOrEqual(140);
    expect(wide).toContain("│ dev macro_f1 │");
    expect(wide).not.toContain("not shown");
    // 100: parent and created hidden, the metric headers still on one line
    const mid = at(100);
    expect(width(mid)).toBeLessThanOrEqual(100);
    expect(mid).not.toContain("2026-12-05");
    expect(mid).toContain("│ wine ");
    expect(mid.split("\n").at(-1)).toBe("not shown at 100 columns: parent, created (--columns picks them)");
    // 80: the experiment goes too, and a metric header wraps over its values
    const narrow = at(80);
    expect(width(narrow)).toBe(80);
    // one header wrapped is enough here ("test" over "macro_f1"); the widest excess goes first
    expect(narrow).toMatch(/│ run {10}│ status {3}│ dev macro_f1 │ {5}test │ name\/notes +│/);
    expect(narrow).toMatch(/│ {14}│ {10}│ {14}│ macro_f1 │ +│/);
    expect(narrow).toContain("│ 01a24525b766 │ finished │       0.7136 │   0.6988 │ baseline — four");
    expect(narrow.split("\n").at(-1)).toBe(
      "not shown at 80 columns: parent, created, experiment (--columns picks them)",
    );
    // piped without $COLUMNS: nothing hidden or cut
    delete process.env["COLUMNS"];
    const piped = table(head7, [row], undefined, opts);
    expect(piped).toContain(notes);
    expect(piped).toContain("2026-12-05 07:40:29");
  });
});

describe("tables at 80 columns on the command line", () => {
  it("runs, compare, show and diagnose draw no table line wider than $COLUMNS", { timeout: 120_000 }, async () => {
    const { join } = await import("node:path");
    const { json, runCli, tempDir } = await import("./cli-helpers.js");
    const store = join(tempDir("mlloop-width-"), "mlloop.db");
    const spec = "examples/wine/baseline.yaml";
    for (const args of [[spec], [spec, "--set", "model.C=1", "--name", "a child with a longer name than fits"]]) {
      const r = await runCli(["run", ...args, "--store", store]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [b, a] = json<Array<{ id: string }>>(await runCli(["runs", "--store", store, "--json"])).map((r) => r.id);
    const env = { COLUMNS: "80" };
    for (const args of [["runs"], ["compare", a!, b!], ["show", b!], ["diagnose", b!, "--no-cv"]]) {
      const r = await runCli([...args, "--store", store], { env });
      expect(r.code, r.stderr).toBe(0);
      const tableLines = r.stdout.split("\n").filter((l) => /^[┌│└]/.test(l));
      expect(tableLines.length, args[0]).toBeGreaterThan(0);
      for (const l of tableLines) expect([...l].length, `${args[0]}: ${l}`).toBeLessThanOrEqual(80);
    }
  });
});
