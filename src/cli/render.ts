/**
 * Terminal rendering shared by all commands: tables, numbers, durations, colours (only on a TTY),
 * and the one way out to the terminal. Everything a command prints passes through `out`/`err`,
 * `table` or `printJson`, which make text that came from data or users inert (src/util/inert.ts):
 * the only escape sequences that reach a terminal are this module's own colours.
 */
import Table from "cli-table3";
import { systemErrorReason } from "../errors.js";
import { groupThousands } from "../util/format.js";
import { inertBlock, inertJson, inertLine } from "../util/inert.js";

const useColor = (): boolean => Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"];

function paint(code: number, s: string): string {
  return useColor() ? `\u001b[${code}m${s}\u001b[0m` : s;
}
export const bold = (s: string): string => paint(1, s);
export const dim = (s: string): string => paint(2, s);
export const green = (s: string): string => paint(32, s);
export const red = (s: string): string => paint(31, s);
export const yellow = (s: string): string => paint(33, s);
export const cyan = (s: string): string => paint(36, s);

/** Exactly the SGR sequences `paint` emits; everything else that looks like an escape came from data. */
// eslint-disable-next-line no-control-regex -- matching our own escape sequences is the point
const OWN_SGR = /(\u001b\[(?:0|1|2|31|32|33|36)m)/;

function inertStyled(text: string, sanitise: (s: string) => string): string {
  // Off a TTY mlloop emits no escapes at all, so none may pass.
  if (!useColor()) return sanitise(text);
  return text
    .split(OWN_SGR)
    .map((part, i) => (i % 2 === 1 ? part : sanitise(part)))
    .join("");
}

/** Multi-line terminal text with data in it: controls, bidi and zero-width characters made visible. */
export function inertText(text: string): string {
  return inertStyled(text, inertBlock);
}

/**
 * Output that cannot be written. A reader that went away (`mlloop runs | head -1`: EPIPE) is not an
 * error: the command finishes its work and writes nothing more. Any other failure (`> /dev/full`:
 * ENOSPC) is said once on stderr and makes the exit code 74. Without these listeners Node throws
 * the stream's error as an uncaught exception, stack trace and all.
 */
let stdoutGone = false;
let outputFailed = false;

export function guardOutput(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (e.code === "EPIPE") return;
    outputFailed = true;
    process.exitCode = 74;
    process.stderr.write(`error: cannot write to standard output: ${systemErrorReason(e)}\n`);
  });
  // stderr has nowhere left to report its own failure
  process.stderr.on("error", () => undefined);
}

/** The command's exit code, or 74 when its output could not be written. */
export function outputExitCode(code: number): number {
  return outputFailed ? 74 : code;
}

/** Writes to stdout through the sanitiser (data-derived text can never act on the terminal). */
export function out(text: string): void {
  if (!stdoutGone) process.stdout.write(inertText(text));
}

/** Writes to stderr through the sanitiser. */
export function err(text: string): void {
  process.stderr.write(inertText(text));
}

/**
 * The width tables must fit: the terminal's when stdout is one, else $COLUMNS when set, else none
 * (piped output keeps every character, as git's does).
 */
export function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env["COLUMNS"]);
  return Number.isInteger(env) && env > 0 ? env : Infinity;
}

// eslint-disable-next-line no-control-regex -- measuring our own colours
const displayLength = (s: string): number => [...s.replace(/\u001b\[\d+m/g, "")].length;

/**
 * Column content widths that fit `width` (each column adds 3 characters of border and padding, the
 * table 1): the widest shrinkable (text) column gives way first, never below `min` characters or its
 * header; numbers are never cut. When the table cannot fit, it stays as narrow as it can get.
 * `table` keeps columns of up to 20 characters (ids, times, names) whole and cuts longer text
 * cells with "…".
 */
export function fitColumnWidths(
  natural: readonly number[],
  shrinkable: readonly boolean[],
  width: number,
  minimum: readonly number[],
): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, w) => a + w + 3, 1);
  while (total() > width) {
    let widest = -1;
    for (let j = 0; j < widths.length; j++) {
      if (shrinkable[j] && widths[j]! > minimum[j]! && (widest < 0 || widths[j]! > widths[widest]!)) widest = j;
    }
    if (widest < 0) break;
    const next = Math.max(
      minimum[widest]!,
      ...widths.filter((w, j) => j !== widest && shrinkable[j] && w < widths[widest]!),
    );
    widths[widest] = Math.max(next, widths[widest]! - (total() - width), minimum[widest]!);
  }
  return widths;
}

const MIN_CUT_WIDTH = 20;

export interface TableOptions {
  /**
   * Columns that may be left out, first listed first, when the table cannot fit the terminal even
   * with its text cut and its headers wrapped; a line under the table names the hidden ones.
   */
  readonly hideable?: readonly number[];
  /** Said after the hidden columns' names ("--columns picks them"). */
  readonly hiddenHint?: string;
  /** Text columns up to this many characters are never cut, and longer ones not below it (default 20). */
  readonly minCut?: number;
}

const widest = (lines: readonly string[]): number => Math.max(0, ...lines.map(displayLength));

/**
 * A header on lines no wider than `width` where it can be: broken at spaces, and inside a word
 * after an underscore ("weighted_" / "f1"), never elsewhere.
 */
function wrapHeader(head: string, width: number): string[] {
  const words = head.split(" ");
  // words stay whole when there are spaces to break at ("test" / "macro_f1", not "macro_" / "f1")
  if (words.length > 1) width = Math.max(width, ...words.map(displayLength));
  const pieces = words.flatMap((word, i) => {
    const parts = word.split(/(?<=_)/);
    return parts.map((p, k) => ({ text: p, space: i > 0 && k === 0 }));
  });
  const lines: string[] = [];
  for (const { text, space } of pieces) {
    const last = lines.length - 1;
    const joined = last >= 0 ? `${lines[last]!}${space ? " " : ""}${text}` : text;
    if (last >= 0 && displayLength(joined) <= width) lines[last] = joined;
    else lines.push(text);
  }
  return lines;
}

interface Layout {
  readonly heads: string[][];
  readonly natural: number[];
  readonly widths: number[];
  readonly total: number;
}

/**
 * Widths for the given columns: text cut as `fitColumnWidths` does, and, while that is not enough,
 * the header that sticks out furthest beyond its values ("test macro_f1" over "0.7513") wrapped
 * onto lines, one header at a time.
 */
function layout(
  heads: readonly string[],
  cells: readonly string[][],
  aligns: readonly string[],
  width: number,
  minCut: number,
): Layout {
  const values = heads.map((_, j) => widest(cells.map((r) => r[j] ?? "")));
  const fit = (hs: string[][]): Layout => {
    const natural = hs.map((h, j) => Math.max(widest(h), values[j]!));
    const widths = fitColumnWidths(
      natural,
      aligns.map((a) => a === "left"),
      width,
      // short columns (ids, times, names up to minCut characters) stay whole; long text gives way
      hs.map((h, j) => (natural[j]! <= minCut ? natural[j]! : Math.max(widest(h), minCut))),
    );
    return { heads: hs, natural, widths, total: widths.reduce((a, w) => a + w + 3, 1) };
  };
  const hs = heads.map((h) => [h]);
  const tried = new Set<number>();
  let best = fit(hs);
  for (;;) {
    if (best.total <= width) return best;
    let j = -1;
    for (let k = 0; k < hs.length; k++) {
      const excess = widest(hs[k]!) - values[k]!;
      if (!tried.has(k) && excess > 0 && (j < 0 || excess > widest(hs[j]!) - values[j]!)) j = k;
    }
    if (j < 0) return best;
    tried.add(j);
    hs[j] = wrapHeader(heads[j]!, values[j]!);
    best = fit(hs);
  }
}

export function table(
  head: string[],
  rows: Array<Array<string | number>>,
  align?: Array<"left" | "right">,
  options: TableOptions = {},
): string {
  const allAligns = align ?? head.map((_, i) => (i === 0 ? "left" : "right"));
  // one line per cell: a newline or control in a value must not break the table or reach the terminal
  const allCells = rows.map((r) => r.map((c) => inertStyled(String(c), inertLine)));
  const allHeads = head.map((h) => inertLine(h));
  const width = terminalWidth();
  const minCut = options.minCut ?? MIN_CUT_WIDTH;
  let shown = allHeads.map((_, j) => j);
  const pick = <T>(xs: readonly T[]): T[] => shown.map((j) => xs[j]!);
  let fitted = layout(pick(allHeads), allCells.map(pick), pick(allAligns), width, minCut);
  const hidden: number[] = [];
  for (const j of options.hideable ?? []) {
    if (fitted.total <= width) break;
    hidden.push(j);
    shown = shown.filter((k) => k !== j);
    fitted = layout(pick(allHeads), allCells.map(pick), pick(allAligns), width, minCut);
  }
  const { heads, natural, widths } = fitted;
  const cut = widths.some((w, j) => w < natural[j]!);
  const t = new Table({
    head: heads.map((lines) => lines.map((l) => bold(l)).join("\n")),
    style: { head: [], border: [], compact: true },
    colAligns: pick(allAligns),
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    // cli-table3 cuts a cell longer than its column with "…" (colWidths include the padding)
    ...(cut ? { colWidths: widths.map((w) => w + 2), wordWrap: false } : {}),
  });
  for (const r of allCells) t.push(pick(r));
  if (hidden.length === 0) return t.toString();
  const names = hidden.map((j) => allHeads[j]).join(", ");
  const hint = options.hiddenHint === undefined ? "" : ` (${options.hiddenHint})`;
  return `${t.toString()}\n${dim(`not shown at ${width} columns: ${names}${hint}`)}`;
}

/** Metric values: 4 decimals; counts as integers; NaN as "—". */
export function fmtMetric(name: string, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return "—";
  if (["tp", "fp", "tn", "fn", "n", "positives", "support"].includes(name)) return String(Math.round(v));
  return v.toFixed(4);
}

export { fmtMs } from "../util/format.js";

export function fmtTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  const d = new Date(iso);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

export function fmtCount(n: number): string {
  return groupThousands(n);
}

export function printJson(value: unknown): void {
  if (!stdoutGone) process.stdout.write(`${inertJson(value, 2)}\n`);
}
