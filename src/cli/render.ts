/** Terminal rendering shared by all commands: tables, numbers, durations, colours (only on a TTY). */
import Table from "cli-table3";

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

export function table(head: string[], rows: Array<Array<string | number>>, align?: Array<"left" | "right">): string {
  const t = new Table({
    head: head.map((h) => bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: align ?? head.map((_, i) => (i === 0 ? "left" : "right")),
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of rows) t.push(r.map(String));
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
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
