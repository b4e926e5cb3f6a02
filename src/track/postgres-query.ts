/**
 * Compiles a run query (query-types.ts) to one PostgreSQL statement over the runs table, giving
 * every expression the meaning the reference evaluator in query.ts gives it (the SQLite compiler's
 * twin; test/track/postgres-query.test.ts holds both to the evaluator on one fixture store).
 *
 * - Spec keys: `spec_json::json #> path` — the json type (not jsonb) keeps a value's text as
 *   written, so arrays and objects read as the same compact JSON SQLite's json_extract returns.
 * - Typed comparisons are CASE expressions, never `type = 'number' AND text::float8 > x`:
 *   PostgreSQL does not promise to evaluate AND left to right, and the cast would fail on text.
 * - A metric is its latest step; NaN reads as missing (NULLIF), as in the evaluator.
 * - `~`: a substring match lowers both sides with the database's default collation (Unicode-aware
 *   in a UTF-8 database); a /regex/ runs as a PostgreSQL ARE, its JavaScript flags mapped to
 *   embedded options (i → i; without s, `.` does not cross lines; m → ^ and $ at line ends).
 *   Regex syntax both engines share (classes, \d \w \s, anchors, quantifiers, groups, lookahead)
 *   means the same; JavaScript-only syntax (named groups, \p{…}) is refused by PostgreSQL with
 *   an error that says so.
 */
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

/** The JSON column a document field reads (#13's params.<key> mirrors spec.<key>). */
function documentColumn(field: QueryField & { kind: "spec" | "param" }): string {
  return field.kind === "spec" ? "r.spec_json" : "r.params_json";
}

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

/** The strict number syntax of query.ts's strictNumber, as a PostgreSQL regex. */
const NUMBER_RE = "^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$";

function regexOptions(flags: string): string {
  const m = flags.includes("m");
  const s = flags.includes("s");
  // ARE embedded options: p = '.' and brackets stop at newlines; w = ^/$ at lines; n = both.
  let opt = !m && !s ? "p" : m && !s ? "n" : m && s ? "w" : "";
  if (flags.includes("i")) opt += "i";
  return opt === "" ? "" : `(?${opt})`;
}

class Compiler {
  readonly params: unknown[] = [];

  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  specJson(field: QueryField & { kind: "spec" | "param" }): string {
    return `(${documentColumn(field)}::json #> ${this.bind(field.path)}::text[])`;
  }

  specType(field: QueryField & { kind: "spec" | "param" }): string {
    return `json_typeof${this.specJson(field)}`;
  }

  /** The spec value as text: strings unescaped, numbers and booleans as written, JSON null as NULL. */
  specText(field: QueryField & { kind: "spec" | "param" }): string {
    return `(${documentColumn(field)}::json #>> ${this.bind(field.path)}::text[])`;
  }

  /** The field's value for comparisons and the SELECT list (spec keys: their text). */
  value(field: QueryField): string {
    switch (field.kind) {
      case "spec":
      case "param":
        return this.specText(field);
      case "metric":
        return (
          `(SELECT NULLIF(m.value, 'NaN') FROM metrics m WHERE m.run_id = r.id AND m.name = ${this.bind(field.name)}` +
          ` AND m.split = ${this.bind(field.split)} ORDER BY m.step DESC LIMIT 1)`
        );
      case "tag":
        return `(SELECT t.value FROM run_tags t WHERE t.run_id = r.id AND t.key = ${this.bind(field.key)})`;
      default:
        return COLUMN_SQL[field.column];
    }
  }

  /** The text `~` matches: query.ts's matchText (times as ISO-8601 UTC with milliseconds). */
  matchText(field: QueryField): string {
    if (field.kind === "column" && TIME_COLUMNS.has(field.column)) {
      const ms = this.value(field);
      return (
        `(to_char(to_timestamp(floor(${ms} / 1000)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' ||` +
        ` lpad((${ms} % 1000)::text, 3, '0') || 'Z')`
      );
    }
    if (field.kind === "metric") return `(${this.value(field)})::text`;
    return this.value(field);
  }

  comparison(field: QueryField, op: string, literal: QueryLiteral): string {
    const sqlOp = op === "=" ? "=" : op;
    if (literal.type === "null") {
      const present = isDocumentField(field)
        ? `(COALESCE(${this.specType(field)}, 'null') <> 'null')`
        : `(${this.value(field)} IS NOT NULL)`;
      return op === "=" ? `NOT ${present}` : present;
    }
    if (op === "~") {
      const text = this.matchText(field);
      if (literal.type === "regex") {
        return `(${text} ~ (${this.bind(regexOptions(literal.flags))} || ${this.bind(literal.source)}))`;
      }
      const pattern = literal.type === "string" ? literal.value : String((literal as { value: unknown }).value);
      return `(strpos(lower(${text} COLLATE "default"), lower(${this.bind(pattern)} COLLATE "default")) > 0)`;
    }
    if (literal.type === "regex") return "FALSE";
    if (literal.type === "boolean") {
      if (isDocumentField(field)) {
        const wanted = literal.value === (op === "=") ? "true" : "false";
        return `(CASE WHEN ${this.specType(field)} = 'boolean' THEN ${this.specText(field)} = '${wanted}' END)`;
      }
      if (field.kind === "metric" || (field.kind === "column" && TIME_COLUMNS.has(field.column))) return "FALSE";
      return `(${this.value(field)} ${sqlOp} ${this.bind(String(literal.value))})`;
    }
    if (literal.type === "number") {
      // bound only where it is written: PostgreSQL refuses a parameter the statement never uses
      const n = (): string => `${this.bind(literal.value)}::float8`;
      switch (field.kind) {
        case "spec":
        case "param":
          return `((CASE WHEN ${this.specType(field)} = 'number' THEN (${this.specText(field)})::float8 END) ${sqlOp} ${n()})`;
        case "tag": {
          const text = `btrim(${this.value(field)}, E' \\t\\n\\r\\f\\v')`;
          return `((CASE WHEN ${text} ~ '${NUMBER_RE}' THEN (${text})::float8 END) ${sqlOp} ${n()})`;
        }
        case "metric":
          return `(${this.value(field)} ${sqlOp} ${n()})`;
        default:
          return TIME_COLUMNS.has(field.column) ? `(${this.value(field)} ${sqlOp} ${n()})` : "FALSE";
      }
    }
    // a string literal
    const s = (): string => `${this.bind(literal.value)}::text COLLATE "C"`;
    switch (field.kind) {
      case "spec":
      case "param":
        return `((CASE WHEN ${this.specType(field)} IN ('string', 'array', 'object') THEN ${this.specText(field)} END) COLLATE "C" ${sqlOp} ${s()})`;
      case "metric":
        return "FALSE";
      default:
        if (field.kind === "column" && TIME_COLUMNS.has(field.column)) return "FALSE";
        return `(${this.value(field)} ${sqlOp} ${s()})`;
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
        return `COALESCE(${this.comparison(e.field, e.op, e.value)}, FALSE)`;
    }
  }

  /**
   * ORDER BY terms for one key, as compareForSort orders: missing last whatever the direction,
   * numbers (booleans as 0/1) before text, numbers by value, text by code point.
   */
  sortTerms(field: QueryField, descending: boolean): string[] {
    const dir = descending ? " DESC" : "";
    if (isDocumentField(field)) {
      const type = this.specType(field);
      return [
        `(COALESCE(${type}, 'null') = 'null')`,
        `(CASE WHEN ${type} IN ('number', 'boolean') THEN 0 ELSE 1 END)${dir}`,
        `(CASE ${type} WHEN 'number' THEN (${this.specText(field)})::float8` +
          ` WHEN 'boolean' THEN (CASE ${this.specText(field)} WHEN 'true' THEN 1 ELSE 0 END) END)${dir}`,
        `(CASE WHEN ${type} IN ('string', 'array', 'object') THEN ${this.specText(field)} END) COLLATE "C"${dir}`,
      ];
    }
    const v = this.value(field);
    return [`(${v} IS NULL)`, `${v}${dir}`];
  }
}

export interface CompiledRunQuery {
  readonly sql: string;
  readonly params: unknown[];
  /** Per requested field: its key, and the aliases of its value (and, for spec keys, JSON type) columns. */
  readonly fields: ReadonlyArray<{ key: string; value: string; type: string | null }>;
}

/** One SELECT returning the summary columns, each requested field's value, in the requested order. */
export function compilePostgresRunQuery(query: RunQuery, summaryColumns: string): CompiledRunQuery {
  const c = new Compiler();
  const selects: string[] = [];
  const fields: Array<{ key: string; value: string; type: string | null }> = [];
  const seen = new Set<string>();
  (query.fields ?? []).forEach((field, i) => {
    const key = fieldKey(field);
    if (seen.has(key)) return;
    seen.add(key);
    const value = `f${i}_v`;
    let type: string | null = null;
    if (isDocumentField(field)) {
      type = `f${i}_t`;
      // the json value itself: decoded in JavaScript so numbers and booleans keep their type
      selects.push(`${c.specJson(field)}::text AS ${value}`, `${c.specType(field)} AS ${type}`);
    } else {
      selects.push(`${c.value(field)} AS ${value}`);
    }
    fields.push({ key, value, type });
  });
  const where = query.where ? ` WHERE ${c.expr(query.where)}` : "";
  const order = (query.sort ?? []).flatMap((k) => c.sortTerms(k.field, k.descending));
  order.push("r.id DESC");
  const limit = query.limit === undefined ? "ALL" : String(Number(query.limit));
  const offset = Number(query.offset ?? 0);
  const prefixed = summaryColumns
    .split(",")
    .map((s) => `r.${s.trim()}`)
    .join(", ");
  const sql =
    `SELECT ${[prefixed, ...selects].join(", ")} FROM runs r${where}` +
    ` ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${offset}`;
  return { sql, params: c.params, fields };
}

/** A returned field value in the reference evaluator's terms. */
export function decodePostgresFieldValue(value: unknown, type: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (type === null || type === undefined) return value;
  if (type === "null") return undefined;
  const parsed = JSON.parse(value as string) as unknown;
  // SQLite returns arrays and objects as their JSON text's parse, strings and numbers as they are
  return parsed;
}
