/**
 * A run's data contract for prediction: what each new example must provide. Email runs
 * (spamassassin, eml) take raw RFC 822 messages. Tabular runs (csv, jsonl) take rows with the
 * run's declared text, numeric and categorical columns — the label and group columns are not
 * needed, the id column is used when present — and a value of the wrong type is an error naming
 * file:line and the column, with what is allowed. The rules are the training reader's
 * (src/data/contract.ts): empty, NA, NaN, null mean missing in a numeric column.
 */
import { DataError } from "../errors.js";
import { sha1Hex } from "../util/hash.js";
import type { Example } from "../data/example.js";
import { parseEmail } from "../data/email/parse.js";
import { EMAIL_TEXT_FIELDS, emailExample } from "../data/sources/email-example.js";
import { didYouMean, quote } from "../data/contract.js";
import type { DataSpec, Spec } from "../spec/schema.js";

export type DataContract =
  | { readonly kind: "email"; readonly source: "spamassassin" | "eml"; readonly fields: readonly string[] }
  | {
      readonly kind: "tabular";
      readonly source: "csv" | "jsonl";
      /** Used as the example id when the input has it; otherwise ids are line numbers. */
      readonly id: string | null;
      readonly text: readonly string[];
      readonly numeric: readonly string[];
      readonly categorical: readonly string[];
      /** The training CSV's delimiter (new CSV files are read with it). */
      readonly delimiter: string;
    };

export function contractOf(data: DataSpec, _spec: Spec): DataContract {
  switch (data.source) {
    case "spamassassin":
    case "eml":
      return { kind: "email", source: data.source, fields: EMAIL_TEXT_FIELDS };
    case "csv":
    case "jsonl":
      return {
        kind: "tabular",
        source: data.source,
        id: data.columns.id ?? null,
        text: data.columns.text,
        numeric: data.columns.numeric,
        categorical: data.columns.categorical,
        delimiter: data.source === "csv" ? data.delimiter : ",",
      };
  }
}

/** The columns a tabular input must have, in a stable order. */
export function requiredColumns(c: Extract<DataContract, { kind: "tabular" }>): string[] {
  return [...c.text, ...c.numeric, ...c.categorical];
}

/** One line describing the contract, for help and errors. */
export function describeContract(c: DataContract): string {
  if (c.kind === "email") return `raw email messages (RFC 822: .eml files, an mbox, a maildir)`;
  const parts = [
    c.text.length > 0 ? `text: ${c.text.join(", ")}` : "",
    c.numeric.length > 0 ? `numeric: ${c.numeric.join(", ")}` : "",
    c.categorical.length > 0 ? `categorical: ${c.categorical.join(", ")}` : "",
  ].filter((p) => p !== "");
  return `rows with the columns ${parts.join("; ")}${c.id === null ? "" : ` (id column "${c.id}" used when present)`}`;
}

/** A raw message as an example (the email sources' own construction, so features see the same fields). */
export function messageExample(id: string, raw: string, warning: string | null = null): Example {
  let email = parseEmail(raw);
  if (warning !== null) email = { ...email, warnings: [warning, ...email.warnings] };
  return emailExample(id, "", null, raw, email, sha1Hex(raw));
}

/** Throws when a tabular input lacks a required column; `where` is "file:line" of the header or first record. */
export function checkInputColumns(
  c: Extract<DataContract, { kind: "tabular" }>,
  available: readonly string[],
  where: string,
): void {
  const present = new Set(available);
  const missing = requiredColumns(c).filter((col) => !present.has(col));
  if (missing.length === 0) return;
  const problems = missing.map((col) => {
    const kind = c.text.includes(col) ? "text" : c.numeric.includes(col) ? "numeric" : "categorical";
    const suggestion = didYouMean(col, available);
    return `missing ${kind} column "${col}"${suggestion === null ? "" : ` (did you mean "${suggestion}"?)`}`;
  });
  throw new DataError(
    `${where}: ${problems.join("; ")}; the model was trained on ${requiredColumns(c)
      .map((x) => `"${x}"`)
      .join(
        ", ",
      )}, and this input has ${available.length === 0 ? "no columns" : available.map((x) => `"${x}"`).join(", ")}`,
    { where },
  );
}

const MISSING_TOKENS = new Set(["", "na", "n/a", "nan", "null", "none"]);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return typeof v === "string" ? `the string ${quote(v)}` : `${typeof v} ${String(v)}`;
}

function numberCell(v: unknown, where: string, column: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v;
  } else if (typeof v === "string") {
    const t = v.trim();
    if (MISSING_TOKENS.has(t.toLowerCase())) return null;
    if (NUMBER.test(t) && Number.isFinite(Number(t))) return Number(t);
  }
  throw new DataError(
    `${where}: column "${column}" is numeric, but the value is ${kindOf(v)} (allowed: a number, or empty, NA, NaN, null for missing)`,
    { where: `${where}:${column}` },
  );
}

function textCell(v: unknown, where: string, column: string, kind: "text" | "categorical"): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new DataError(
    `${where}: column "${column}" is ${kind}, but the value is ${kindOf(v)} (allowed: a string, number or boolean, or null)`,
    { where: `${where}:${column}` },
  );
}

/**
 * One input row as an example. `get(column)` reads a cell (undefined when the row lacks it), `where`
 * is "file:line" and `fallbackId` the id when the row has no id column.
 */
export function rowExample(
  c: Extract<DataContract, { kind: "tabular" }>,
  get: (column: string) => unknown,
  where: string,
  fallbackId: string,
  raw: string,
): Example {
  const idCell = c.id === null ? undefined : get(c.id);
  const id = idCell === undefined || idCell === null || idCell === "" ? fallbackId : String(idCell);
  const text: Record<string, string> = {};
  for (const col of c.text) text[col] = textCell(get(col), where, col, "text") ?? "";
  const numeric: Record<string, number | null> = {};
  for (const col of c.numeric) numeric[col] = numberCell(get(col), where, col);
  const categorical: Record<string, string | null> = {};
  for (const col of c.categorical) {
    const v = textCell(get(col), where, col, "categorical");
    categorical[col] = v === null || v === "" ? null : v;
  }
  return { id, label: "", group: null, text, numeric, categorical, contentHash: sha1Hex(raw) };
}
