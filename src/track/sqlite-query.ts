/**
 * Compiles a run query (query-types.ts) to one SQLite statement over the runs table: spec keys
 * through json_extract/json_type, a metric as its latest step (a primary-key lookup per run), a
 * tag through the (run_id, key) primary key. Each comparison is typed exactly as the reference
 * evaluator in query.ts types it, and wrapped in COALESCE(…, 0) so that logic stays two-valued.
 * Text matching and strict number parsing call back into the same JavaScript functions the
 * reference evaluator uses (registered on the connection by {@link registerQueryFunctions}).
 */
import type Database from "better-sqlite3";
import { matchText, strictNumber, textMatches } from "./query.js";
import {
  fieldKey,
  isDocumentField,
  TIME_COLUMNS,
  type QueryExpr,
  type QueryField,
  type QueryLiteral,
  type RunColumn,
  type RunQuery,
} from "./query-types.js";

const COLUMN_SQL: Readonly<Record<RunColumn, string>> = {
  id: "r.id",
  name: "r.name",
  notes: "r.notes",
  parent: "r.parent_id",
  status: "r.status",
  experiment: "r.experiment",
  created: "r.created_at",
  ended: "r.ended_at",
  spec_hash: "r.spec_hash",
};

/** The JSON column a document field reads. */
function documentColumn(field: QueryField & { kind: "spec" | "param" }): string {
  return field.kind === "spec" ? "r.spec_json" : "r.params_json";
}

/** `$."a"."b"[0]`: every key quoted, so that keys with dots or dashes address what they say. */
export function jsonPath(path: readonly string[]): string {
  return "$" + path.map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `."${seg.replace(/["\\]/g, "")}"`)).join("");
}

export function registerQueryFunctions(db: Database.Database): void {
  db.function("mlloop_num", { deterministic: true }, (value: unknown) =>
    typeof value === "string" ? (strictNumber(value) ?? null) : typeof value === "number" ? value : null,
  );
  db.function(
    "mlloop_match",
    { deterministic: true },
    (pattern: unknown, flags: unknown, isTime: unknown, jsonType: unknown, value: unknown) => {
      if (value === null || value === undefined) return 0;
      const shown = jsonType === "true" ? true : jsonType === "false" ? false : value;
      const text = matchText(shown, isTime === 1);
      return textMatches(String(pattern), typeof flags === "string" ? flags : null, text) ? 1 : 0;
    },
  );
}

class Compiler {
  readonly params: unknown[] = [];

  bind(value: unknown): string {
    this.params.push(value);
    return "?";
  }

  /** The field's value expression (what is compared, sorted and returned). */
  value(field: QueryField): string {
    switch (field.kind) {
      case "spec":
      case "param":
        return `json_extract(${documentColumn(field)}, ${this.bind(jsonPath(field.path))})`;
      case "metric":
        return (
          `(SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = ${this.bind(field.name)}` +
          ` AND m.split = ${this.bind(field.split)} ORDER BY m.step DESC LIMIT 1)`
        );
      case "tag":
        return `(SELECT t.value FROM run_tags t WHERE t.run_id = r.id AND t.key = ${this.bind(field.key)})`;
      default:
        return COLUMN_SQL[field.column];
    }
  }

  specType(field: QueryField & { kind: "spec" | "param" }): string {
    return `json_type(${documentColumn(field)}, ${this.bind(jsonPath(field.path))})`;
  }

  comparison(field: QueryField, op: string, literal: QueryLiteral): string {
    const sqlOp = op === "=" ? "=" : op;
    if (literal.type === "null") {
      const present = isDocumentField(field)
        ? `(${this.specType(field)} IS NOT NULL AND ${this.specType(field)} != 'null')`
        : `(${this.value(field)} IS NOT NULL)`;
      return op === "=" ? `NOT ${present}` : present;
    }
    if (op === "~") {
      const isTime = field.kind === "column" && TIME_COLUMNS.has(field.column) ? 1 : 0;
      const pattern = literal.type === "regex" ? literal.source : literal.type === "string" ? literal.value : "";
      const flags = literal.type === "regex" ? literal.flags : null;
      // parameters bind in textual order: every bind() call must happen where its "?" is written
      const head = `mlloop_match(${this.bind(pattern)}, ${this.bind(flags)}, ${isTime}`;
      return `${head}, ${isDocumentField(field) ? this.specType(field) : "NULL"}, ${this.value(field)})`;
    }
    if (literal.type === "regex") return "0";
    if (literal.type === "boolean") {
      if (isDocumentField(field)) {
        const wanted = literal.value === (op === "=") ? "true" : "false";
        return `${this.specType(field)} = '${wanted}'`;
      }
      if (field.kind === "metric" || (field.kind === "column" && TIME_COLUMNS.has(field.column))) return "0";
      return `${this.value(field)} ${sqlOp} ${this.bind(String(literal.value))}`;
    }
    if (literal.type === "number") {
      switch (field.kind) {
        case "spec":
        case "param":
          return `(${this.specType(field)} IN ('integer', 'real') AND ${this.value(field)} ${sqlOp} ${this.bind(literal.value)})`;
        case "tag":
          return `mlloop_num(${this.value(field)}) ${sqlOp} ${this.bind(literal.value)}`;
        case "metric":
          return `${this.value(field)} ${sqlOp} ${this.bind(literal.value)}`;
        default:
          return TIME_COLUMNS.has(field.column) ? `${this.value(field)} ${sqlOp} ${this.bind(literal.value)}` : "0";
      }
    }
    // a string literal
    switch (field.kind) {
      case "spec":
      case "param":
        return `(${this.specType(field)} IN ('text', 'array', 'object') AND ${this.value(field)} ${sqlOp} ${this.bind(literal.value)})`;
      case "metric":
        return "0";
      default:
        if (field.kind === "column" && TIME_COLUMNS.has(field.column)) return "0";
        return `${this.value(field)} ${sqlOp} ${this.bind(literal.value)}`;
    }
  }

  expr(e: QueryExpr): string {
    switch (e.kind) {
      case "and":
        return `(${this.expr(e.left)} AND ${this.expr(e.right)})`;
      case "or":
        return `(${this.expr(e.left)} OR ${this.expr(e.right)})`;
      case "not":
        return `(NOT ${this.expr(e.operand)})`;
      default:
        return `COALESCE((${this.comparison(e.field, e.op, e.value)}), 0)`;
    }
  }
}

export interface CompiledRunQuery {
  readonly sql: string;
  readonly params: unknown[];
  /** Per requested field: its key, and the aliases of its value (and, for spec keys, JSON type) columns. */
  readonly fields: ReadonlyArray<{ key: string; value: string; type: string | null }>;
}

/** One SELECT returning the summary columns, each requested field's value, in the requested order. */
export function compileRunQuery(query: RunQuery, summaryColumns: string): CompiledRunQuery {
  const c = new Compiler();
  const selects: string[] = [];
  const fields: Array<{ key: string; value: string; type: string | null }> = [];
  const seen = new Set<string>();
  (query.fields ?? []).forEach((field, i) => {
    const key = fieldKey(field);
    if (seen.has(key)) return;
    seen.add(key);
    const value = `f${i}_v`;
    selects.push(`${c.value(field)} AS ${value}`);
    let type: string | null = null;
    if (isDocumentField(field)) {
      type = `f${i}_t`;
      selects.push(`${c.specType(field)} AS ${type}`);
    }
    fields.push({ key, value, type });
  });
  const where = query.where ? ` WHERE ${c.expr(query.where)}` : "";
  // each use of a value expression binds its own parameters, so the expression is compiled twice
  const order = (query.sort ?? []).flatMap((k) => [
    `(${c.value(k.field)}) IS NULL`,
    `${c.value(k.field)}${k.descending ? " DESC" : ""}`,
  ]);
  order.push("r.id DESC");
  const limit = query.limit ?? -1;
  const offset = query.offset ?? 0;
  const prefixed = summaryColumns
    .split(",")
    .map((s) => `r.${s.trim()}`)
    .join(", ");
  const sql =
    `SELECT ${[prefixed, ...selects].join(", ")} FROM runs r${where}` +
    ` ORDER BY ${order.join(", ")} LIMIT ${Number(limit)} OFFSET ${Number(offset)}`;
  // Parameters are bound in textual order: SELECT fields, then WHERE, then ORDER BY — the order
  // in which they were generated above.
  return { sql, params: c.params, fields };
}

/** A returned field value in the reference evaluator's terms (spec booleans, objects and arrays restored). */
export function decodeFieldValue(value: unknown, type: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (type === "true") return true;
  if (type === "false") return false;
  if (type === "array" || type === "object") return JSON.parse(value as string) as unknown;
  return value;
}
