/**
 * The data contract of tabular sources (csv, jsonl): declared columns must exist, every row must
 * have a label, ids are unique, numeric columns hold numbers. A violation is a DataError naming
 * file:line:column and the bad value — or, with on_bad_row: skip, a BadRow the dataset reports.
 */
import { DataError } from "../errors.js";
import { sha1Hex } from "../util/hash.js";
import type { BadRow, Example } from "./example.js";

export interface TabularColumns {
  readonly id?: string | undefined;
  readonly label: string;
  readonly text: readonly string[];
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
  readonly group?: string | undefined;
}

/** Every declared column with the spec key that declared it, in a stable order. */
export function declaredColumns(columns: TabularColumns): { column: string; key: string }[] {
  const out: { column: string; key: string }[] = [];
  if (columns.id !== undefined) out.push({ column: columns.id, key: "data.columns.id" });
  out.push({ column: columns.label, key: "data.columns.label" });
  columns.text.forEach((c, i) => out.push({ column: c, key: `data.columns.text[${i}]` }));
  columns.numeric.forEach((c, i) => out.push({ column: c, key: `data.columns.numeric[${i}]` }));
  columns.categorical.forEach((c, i) => out.push({ column: c, key: `data.columns.categorical[${i}]` }));
  if (columns.group !== undefined) out.push({ column: columns.group, key: "data.columns.group" });
  return out;
}

/** Edit distance counting an adjacent transposition ("lable" → "label") as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const w = b.length + 1;
  const d = new Int32Array((a.length + 1) * w);
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * w] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j]! + 1, d[i * w + j - 1]! + 1, d[(i - 1) * w + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * w + j - 2]! + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.length * w + b.length]!;
}

/** The closest candidate when it is plausibly a typo (case, spacing, or a couple of edits), else null. */
export function didYouMean(name: string, candidates: readonly string[]): string | null {
  const norm = (s: string): string => s.toLowerCase().replace(/[\s_-]+/g, "");
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = norm(c) === norm(name) ? 0 : editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const allowed = Math.max(1, Math.floor(name.length / 3));
  return best !== null && bestDistance <= allowed ? best : null;
}

/**
 * Throws when a declared column is missing from `available`. `where` is the file (and for jsonl
 * the line whose keys were checked).
 */
export function checkColumns(columns: TabularColumns, available: readonly string[], where: string, what: string): void {
  const present = new Set(available);
  const problems: string[] = [];
  for (const { column, key } of declaredColumns(columns)) {
    if (present.has(column)) continue;
    const suggestion = didYouMean(column, available);
    problems.push(
      `column "${column}" (${key}) not found${suggestion === null ? "" : ` (did you mean "${suggestion}"?)`}`,
    );
  }
  if (problems.length === 0) return;
  // The names come from the file: when it is not a table at all (a binary, /proc/self/environ) its
  // first line may hold anything, tokens included. Quote a few, each cut short.
  const shown = available.slice(0, MAX_LISTED_COLUMNS).map((c) => quote(c, 40));
  if (available.length > MAX_LISTED_COLUMNS) shown.push(`… ${available.length - MAX_LISTED_COLUMNS} more`);
  const list = available.length === 0 ? "(none)" : shown.join(", ");
  throw new DataError(`${where}: ${problems.join("; ")}; ${what}: ${list}`, { where });
}

const MISSING_TOKENS = new Set(["", "na", "n/a", "nan", "null", "none"]);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const MAX_LISTED_COLUMNS = 30;

/** The longest CSV row or JSON line read when the spec sets no `data.max_record_bytes`. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The error for a record over the limit (or a file with no newline at all). */
export function recordTooLong(where: string, limit: number, explicit: boolean): DataError {
  return new DataError(
    `${where}: a record longer than ${limit.toLocaleString("en-US")} bytes ` +
      `(data.max_record_bytes${explicit ? "" : ", default 64 MiB"}): is the file really one record per line? ` +
      "If so, raise data.max_record_bytes",
    { where },
  );
}

/**
 * A NUL byte never occurs in a text table: the file is binary or something else (/proc/self/environ).
 * Nothing of it is quoted — its first line may be a secret.
 */
export function notText(where: string, byteInLine: number): DataError {
  return new DataError(
    `${where}: a NUL byte at byte ${byteInLine} of the line: this is not a text file (CSV and JSON Lines must be UTF-8 text)`,
    { where },
  );
}

/**
 * A value from a data file, quoted for an error message: cut to `max` characters (so a message
 * stays one readable line and never echoes a whole file) and JSON-escaped (controls visible).
 */
export function quote(value: string, max = 80): string {
  const s = value.length > max ? value.slice(0, max - 3) + "…" : value;
  return JSON.stringify(s);
}

export type CellValue = string | number | boolean | null | undefined | object;

/** A row that breaks the contract; the source turns it into a DataError or a BadRow. */
export class RowProblem extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

function asText(v: CellValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function asCategory(v: CellValue): string | null {
  const s = asText(v);
  return s === "" ? null : s;
}

function asNumber(v: CellValue, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RowProblem(where, `${String(v)} is not a finite number`);
    return v;
  }
  if (typeof v === "string") {
    const t = v.trim();
    if (MISSING_TOKENS.has(t.toLowerCase())) return null;
    if (NUMBER.test(t)) {
      const n = Number(t);
      if (Number.isFinite(n)) return n;
    }
  }
  throw new RowProblem(
    where,
    `${typeof v === "string" ? quote(v) : JSON.stringify(v)} is not a number (numeric column; empty, NA, NaN or null mean missing)`,
  );
}

/**
 * Builds examples from rows one at a time, checking the contract. `get(column)` reads a cell of
 * the current row; `rowWhere` is "file:line".
 */
function labelKind(v: CellValue): "string" | "integer" | "boolean" | null {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number" && Number.isSafeInteger(v)) return "integer";
  return null;
}

const KIND_NAMES = { string: "a string", integer: "a number", boolean: "a boolean" } as const;

function describeValue(v: CellValue): string {
  if (Array.isArray(v)) return "an array";
  if (typeof v === "number") return `the number ${String(v)}`;
  return typeof v === "object" && v !== null ? "an object" : typeof v;
}

export class RowBuilder {
  private readonly seenIds = new Map<string, string>();
  /** The first label's JSON type and where it was: every label must have it (1 and "1" are one class, true is not). */
  private firstLabel: { kind: "string" | "integer" | "boolean"; where: string } | null = null;
  readonly examples: Example[] = [];
  readonly badRows: BadRow[] = [];

  constructor(
    private readonly columns: TabularColumns,
    private readonly skipBadRows: boolean,
  ) {}

  /** Records a problem: throws a DataError, or (skip mode) keeps it as a BadRow. */
  reject(problem: RowProblem): void {
    if (!this.skipBadRows) throw new DataError(problem.message, { where: problem.where });
    this.badRows.push({ where: problem.where, reason: problem.reason });
  }

  add(rowWhere: string, lineNumber: number, get: (column: string) => CellValue, rawContent: string): void {
    try {
      this.examples.push(this.build(rowWhere, lineNumber, get, rawContent));
    } catch (e) {
      if (e instanceof RowProblem) this.reject(e);
      else throw e;
    }
  }

  /** A label as text: a string, an integer or a boolean, the same type in every record (JSONL has types; CSV has only strings). */
  private label(v: CellValue, where: string): string {
    if (v === null || v === undefined) throw new RowProblem(where, "missing label (empty value)");
    const kind = labelKind(v);
    if (kind === null)
      throw new RowProblem(where, `a label must be a string, an integer or a boolean, found ${describeValue(v)}`);
    if (this.firstLabel === null) this.firstLabel = { kind, where };
    else if (kind !== this.firstLabel.kind)
      throw new RowProblem(
        where,
        `the label ${quote(String(v), 40)} is ${KIND_NAMES[kind]}, but the first record's label is ${KIND_NAMES[this.firstLabel.kind]} ` +
          `(${this.firstLabel.where}); every label must have the same type`,
      );
    const text = String(v).trim();
    if (text === "") throw new RowProblem(where, "missing label (empty value)");
    return text;
  }

  private build(rowWhere: string, lineNumber: number, get: (column: string) => CellValue, raw: string): Example {
    const c = this.columns;
    let id: string;
    if (c.id !== undefined) {
      id = asText(get(c.id)).trim();
      if (id === "") throw new RowProblem(`${rowWhere}:${c.id}`, "missing id (empty value)");
    } else id = String(lineNumber);
    const label = this.label(get(c.label), `${rowWhere}:${c.label}`);
    const text: Record<string, string> = {};
    for (const col of c.text) text[col] = asText(get(col));
    const numeric: Record<string, number | null> = {};
    for (const col of c.numeric) numeric[col] = asNumber(get(col), `${rowWhere}:${col}`);
    const categorical: Record<string, string | null> = {};
    for (const col of c.categorical) categorical[col] = asCategory(get(col));
    const group = c.group === undefined ? null : asCategory(get(c.group));
    const first = this.seenIds.get(id);
    if (first !== undefined)
      throw new RowProblem(`${rowWhere}:${c.id ?? "id"}`, `duplicate id ${quote(id)} (first at ${first})`);
    this.seenIds.set(id, rowWhere);
    return { id, label, group, text, numeric, categorical, contentHash: sha1Hex(raw) };
  }
}
