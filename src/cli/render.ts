/**
 * Terminal rendering shared by all commands: tables, numbers, durations, colours (only on a TTY),
 * and the one way out to the terminal. Everything a command prints passes through `out`/`err`,
 * `table` or `printJson`, which make text that came from data or users inert (src/util/inert.ts):
 * the only escape sequences that reach a terminal are this module's own colours.
 */
import Table from "cli-table3";
import { systemErrorReason } from "../errors.js";
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

export function table(head: string[], rows: Array<Array<string | number>>, align?: Array<"left" | "right">): string {
  const t = new Table({
    head: head.map((h) => bold(inertLine(h))),
    style: { head: [], border: [], compact: true },
    colAligns: align ?? head.map((_, i) => (i === 0 ? "left" : "right")),
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  // one line per cell: a newline or control in a value must not break the table or reach the terminal
  for (const r of rows) t.push(r.map((c) => inertStyled(String(c), inertLine)));
  return t.toString();
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
  return n.toLocaleString("en-US");
}

export function printJson(value: unknown): void {
  if (!stdoutGone) process.stdout.write(`${inertJson(value, 2)}\n`);
}
