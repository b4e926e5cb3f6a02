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
});
