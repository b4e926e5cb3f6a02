/**
 * The run query language: `mlloop runs --where "<expr>"`, `compare --where`, and the library's
 * `queryRuns(store, expr, opts)`. A hand-written recursive-descent parser turns the text into the
 * syntax tree of query-types.ts (whose header states the semantics); backends compile that tree
 * (SQLite: to one SQL statement with json_extract). The reference evaluator below (`matchesRun`)
 * gives the same meaning over runs loaded in memory, for stores that cannot compile it and for the
 * tests that hold the SQL compiler to it.
 *
 *   expr       := or
 *   or         := and (("OR" | "||") and)*
 *   and        := unary (("AND" | "&&") unary)*
 *   unary      := ("NOT" | "!") unary | "(" expr ")" | comparison
 *   comparison := field op literal           op: = == != < <= > >= ~
 *   field      := spec.<key>(.<key>)* | metrics.<split>.<name> | tags.<key> | id | name | notes
 *                 | parent | status | experiment | created | ended | spec_hash
 *   literal    := number | "text" | 'text' | /regex/flags | true | false | null | bare-word
 *
 * Keys may be quoted ("my key") and array elements numbered (spec.features.words.ngram_range.1).
 */
import { boundedTest, catastrophicBacktracking } from "./regex-safety.js";
import { UsageError } from "../errors.js";
import { compareCodePoints } from "../util/codepoint-order.js";
import { closest } from "../spec/suggest.js";
import {
  COMPARISON_OPS,
  fieldKey,
  isDocumentField,
  RUN_COLUMNS,
  TIME_COLUMNS,
  type ComparisonOp,
  type QueryExpr,
  type QueryField,
  type QueryLiteral,
  type QuerySortKey,
  type RunColumn,
} from "./query-types.js";
import { RUN_STATUSES, type QueriedRun, type RunSummary, type Store } from "./store.js";

export * from "./query-types.js";

// ── errors ─────────────────────────────────────────────────────────────────────────────────────

/** A parse error: the message, then the expression with a caret under the offending character. */
function queryError(source: string, what: string, pos: number, message: string): UsageError {
  const shown = source.replace(/[\t\n\r]/g, " ");
  const at = Math.max(0, Math.min(pos, shown.length));
  return new UsageError(`${what}: ${message} (at column ${at + 1})\n  ${shown}\n  ${" ".repeat(at)}^`, {
    where: `${what}:${at + 1}`,
  });
}

// ── the parser ─────────────────────────────────────────────────────────────────────────────────

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;
const BARE_CHAR = /[A-Za-z0-9_.:+-]/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A number written as a whole number literal, or undefined (also used for tag values). */
export function strictNumber(text: string): number | undefined {
  return NUMBER_TEXT.test(text.trim()) ? Number(text) : undefined;
}

/** Milliseconds of an ISO date or date-time; a date-time without a zone is read as UTC. */
export function parseIsoTime(text: string): number | undefined {
  if (!ISO_DATE.test(text)) return undefined;
  let iso = text.replace(" ", "T");
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

class Parser {
  pos = 0;
  constructor(
    readonly source: string,
    readonly what: string,
  ) {}

  error(message: string, pos = this.pos): UsageError {
    return queryError(this.source, this.what, pos, message);
  }

  skipSpace(): void {
    while (this.pos < this.source.length && /\s/.test(this.source[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.source.length;
  }

  /** A keyword (case-insensitive, whole word) or symbol at the cursor; consumed when present. */
  accept(...alternatives: string[]): boolean {
    this.skipSpace();
    for (const alt of alternatives) {
      const end = this.pos + alt.length;
      if (this.source.slice(this.pos, end).toUpperCase() !== alt) continue;
      if (/^[A-Z]+$/.test(alt) && end < this.source.length && IDENT_CHAR.test(this.source[end]!)) continue;
      this.pos = end;
      return true;
    }
    return false;
  }

  parseExpression(): QueryExpr {
    const expr = this.parseOr();
    if (!this.atEnd()) {
      const rest = this.source.slice(this.pos);
      throw this.error(
        rest.startsWith(")")
          ? "unbalanced ')': no '(' to close"
          : `expected AND, OR or the end of the expression, found "${rest.slice(0, 12)}"`,
      );
    }
    return expr;
  }

  parseOr(): QueryExpr {
    let left = this.parseAnd();
    while (this.accept("OR", "||")) left = { kind: "or", left, right: this.parseAnd() };
    return left;
  }

  parseAnd(): QueryExpr {
    let left = this.parseUnary();
    while (this.accept("AND", "&&")) left = { kind: "and", left, right: this.parseUnary() };
    return left;
  }

  parseUnary(): QueryExpr {
    this.skipSpace();
    if (this.pos >= this.source.length) throw this.error("expected a comparison (e.g. metrics.dev.f1 > 0.9)");
    if (
      this.accept("NOT") ||
      (this.source[this.pos] === "!" && this.source[this.pos + 1] !== "=" && this.accept("!"))
    ) {
      return { kind: "not", operand: this.parseUnary() };
    }
    if (this.source[this.pos] === "(") {
      const open = this.pos;
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      if (this.source[this.pos] !== ")") {
        throw this.error(
          this.pos >= this.source.length ? "missing ')' to close the '(' opened here" : "expected ')'",
          this.pos >= this.source.length ? open : this.pos,
        );
      }
      this.pos++;
      return inner;
    }
    return this.parseComparison();
  }

  parseComparison(): QueryExpr {
    const field = this.parseField();
    this.skipSpace();
    const opPos = this.pos;
    const op = this.parseOperator();
    if (op === undefined) {
      throw this.error(`expected an operator (${COMPARISON_OPS.join(" ")}) after "${fieldKey(field.field)}"`, opPos);
    }
    this.skipSpace();
    const valuePos = this.pos;
    const raw = this.parseLiteral();
    return { kind: "cmp", field: field.field, op, value: this.checkLiteral(field.field, op, raw, valuePos) };
  }

  parseOperator(): ComparisonOp | undefined {
    const s = this.source;
    const two = s.slice(this.pos, this.pos + 2);
    if (two === "!=" || two === "<=" || two === ">=" || two === "==") {
      this.pos += 2;
      return two === "==" ? "=" : two;
    }
    const one = s[this.pos];
    if (one === "=" || one === "<" || one === ">" || one === "~") {
      this.pos++;
      return one;
    }
    return undefined;
  }

  parseSegment(): string {
    const s = this.source;
    const c = s[this.pos];
    if (c === '"' || c === "'") return this.parseQuoted();
    const start = this.pos;
    if (c !== undefined && (IDENT_CHAR.test(c) || /\d/.test(c))) {
      while (this.pos < s.length && IDENT_CHAR.test(s[this.pos]!)) this.pos++;
      return s.slice(start, this.pos);
    }
    throw this.error("expected a key name after '.'");
  }

  parseField(): { field: QueryField; pos: number } {
    this.skipSpace();
    const start = this.pos;
    const s = this.source;
    if (s[start] === undefined || !IDENT_START.test(s[start]!)) {
      throw this.error(
        `expected a field (spec.<key>, params.<key>, metrics.<split>.<name>, tags.<key>, ${RUN_COLUMNS.join(", ")}), found "${s.slice(start, start + 12)}"`,
      );
    }
    while (this.pos < s.length && IDENT_CHAR.test(s[this.pos]!)) this.pos++;
    const root = s.slice(start, this.pos);
    const segments: string[] = [];
    while (s[this.pos] === ".") {
      this.pos++;
      segments.push(this.parseSegment());
    }
    const field = this.makeField(root, segments, start);
    return { field, pos: start };
  }

  makeField(root: string, segments: string[], start: number): QueryField {
    const text = [root, ...segments].join(".");
    switch (root) {
      case "spec":
        if (segments.length === 0) throw this.error("spec needs a key path, e.g. spec.model.C", start);
        return { kind: "spec", path: segments };
      case "params":
      case "param":
        if (segments.length === 0) throw this.error("params needs a key path, e.g. params.lr", start);
        return { kind: "param", path: segments };
      case "metrics":
      case "metric":
        if (segments.length !== 2) {
          throw this.error(`"${text}": metrics are named metrics.<split>.<name>, e.g. metrics.dev.f1`, start);
        }
        return { kind: "metric", split: segments[0]!, name: segments[1]! };
      case "tags":
      case "tag":
        if (segments.length !== 1) {
          throw this.error(`"${text}": tags are named tags.<key> (quote a key with dots: tags."a.b")`, start);
        }
        return { kind: "tag", key: segments[0]! };
      default: {
        const column = root === "parent_id" ? "parent" : root === "time" ? "created" : root;
        if ((RUN_COLUMNS as readonly string[]).includes(column) && segments.length === 0) {
          return { kind: "column", column: column as RunColumn };
        }
        const roots = ["spec", "params", "metrics", "tags", ...RUN_COLUMNS];
        const guess = closest(root, roots);
        throw this.error(
          `unknown field "${text}"${guess === undefined ? "" : ` — did you mean "${guess}"?`} ` +
            `(fields: spec.<key>, params.<key>, metrics.<split>.<name>, tags.<key>, ${RUN_COLUMNS.join(", ")})`,
          start,
        );
      }
    }
  }

  parseQuoted(): string {
    const s = this.source;
    const quote = s[this.pos]!;
    const start = this.pos;
    this.pos++;
    let out = "";
    while (this.pos < s.length && s[this.pos] !== quote) {
      if (s[this.pos] === "\\" && this.pos + 1 < s.length) {
        const next = s[this.pos + 1]!;
        out += next === "n" ? "\n" : next === "t" ? "\t" : next;
        this.pos += 2;
      } else out += s[this.pos++]!;
    }
    if (this.pos >= s.length) throw this.error(`unterminated string: no closing ${quote}`, start);
    this.pos++;
    return out;
  }

  /** The literal as written; typing against the field happens in checkLiteral. */
  parseLiteral(): { kind: "quoted" | "bare" | "regex"; text: string; flags?: string } {
    const s = this.source;
    const c = s[this.pos];
    if (c === undefined) throw this.error("expected a value after the operator");
    if (c === '"' || c === "'") return { kind: "quoted", text: this.parseQuoted() };
    if (c === "/") {
      const start = this.pos;
      this.pos++;
      let body = "";
      while (this.pos < s.length && s[this.pos] !== "/") {
        if (s[this.pos] === "\\" && this.pos + 1 < s.length) {
          body += s.slice(this.pos, this.pos + 2);
          this.pos += 2;
        } else body += s[this.pos++]!;
      }
      if (this.pos >= s.length) throw this.error("unterminated regular expression: no closing /", start);
      this.pos++;
      const flagsStart = this.pos;
      while (this.pos < s.length && /[a-z]/i.test(s[this.pos]!)) this.pos++;
      const flags = s.slice(flagsStart, this.pos);
      try {
        new RegExp(body, flags);
      } catch (e) {
        throw this.error(`invalid regular expression /${body}/${flags}: ${(e as Error).message}`, start);
      }
      const risk = catastrophicBacktracking(body);
      if (risk !== null)
        throw this.error(
          `regular expression /${body}/${flags} is refused: ${risk}; write it without the nesting (e.g. /^(a+)+$/ → /^a+$/)`,
          start,
        );
      return { kind: "regex", text: body, flags };
    }
    const start = this.pos;
    while (this.pos < s.length && BARE_CHAR.test(s[this.pos]!)) this.pos++;
    if (this.pos === start) throw this.error(`expected a value (a number, "text", true, false or null), found "${c}"`);
    return { kind: "bare", text: s.slice(start, this.pos) };
  }

  checkLiteral(
    field: QueryField,
    op: ComparisonOp,
    raw: { kind: "quoted" | "bare" | "regex"; text: string; flags?: string },
    pos: number,
  ): QueryLiteral {
    if (raw.kind === "regex") {
      if (op !== "~") throw this.error(`a /regex/ is for the ~ operator only (got ${op})`, pos);
      return { type: "regex", source: raw.text, flags: raw.flags ?? "" };
    }
    if (op === "~") return { type: "string", value: raw.text };
    const isTime = field.kind === "column" && TIME_COLUMNS.has(field.column);
    let literal: QueryLiteral;
    if (raw.kind === "bare") {
      const lower = raw.text.toLowerCase();
      const number = strictNumber(raw.text);
      if (lower === "null") literal = { type: "null" };
      else if (lower === "true" || lower === "false") literal = { type: "boolean", value: lower === "true" };
      else if (number !== undefined) literal = { type: "number", value: number };
      else literal = { type: "string", value: raw.text };
    } else literal = { type: "string", value: raw.text };

    if (literal.type === "null" || literal.type === "boolean") {
      if (op !== "=" && op !== "!=") throw this.error(`${raw.text} can only be compared with = or !=`, pos);
    }
    if (isTime && literal.type === "string") {
      const ms = parseIsoTime(literal.value);
      if (ms === undefined) {
        throw this.error(
          `"${literal.value}" is not a date: use ISO dates like 2026-05-01 or 2026-05-01T14:30:00Z`,
          pos,
        );
      }
      return { type: "number", value: ms };
    }
    if (field.kind === "column" && field.column === "status" && literal.type === "string") {
      if (!(RUN_STATUSES as readonly string[]).includes(literal.value)) {
        const guess = closest(literal.value, RUN_STATUSES);
        throw this.error(
          `"${literal.value}" is not a run status${guess === undefined ? "" : ` — did you mean "${guess}"?`} (statuses: ${RUN_STATUSES.join(", ")})`,
          pos,
        );
      }
    }
    return literal;
  }
}

/** Parses a query expression; errors are UsageErrors that show the expression with a caret. */
export function parseQuery(source: string, what = "query"): QueryExpr {
  const parser = new Parser(source, what);
  if (parser.atEnd()) throw parser.error("the expression is empty", 0);
  return parser.parseExpression();
}

/** Parses one field name (for --sort, --group-by, --columns). */
export function parseField(source: string, what = "field"): QueryField {
  const parser = new Parser(source, what);
  const { field } = parser.parseField();
  if (!parser.atEnd()) throw parser.error("unexpected text after the field name");
  return field;
}

/** "key" or "key:asc" / "key:desc" (also "-key" for descending), comma-separated. */
export function parseSort(source: string, what = "--sort"): QuerySortKey[] {
  const keys: QuerySortKey[] = [];
  let offset = 0;
  for (const part of source.split(",")) {
    let text = part.trim();
    let descending = false;
    const m = /:(asc|desc)$/i.exec(text);
    if (m) {
      descending = m[1]!.toLowerCase() === "desc";
      text = text.slice(0, -m[0].length);
    } else if (text.startsWith("-")) {
      descending = true;
      text = text.slice(1);
    }
    try {
      keys.push({ field: parseField(text, what), descending });
    } catch (e) {
      if (e instanceof UsageError) {
        // re-point the caret into the whole option value
        const col = Number(/at column (\d+)/.exec(e.message)?.[1] ?? "1");
        const lead = part.length - part.trimStart().length + (part.trim().startsWith("-") ? 1 : 0);
        throw queryError(
          source,
          what,
          offset + lead + col - 1,
          e.message.split(" (at column")[0]!.slice(what.length + 2),
        );
      }
      throw e;
    }
    offset += part.length + 1;
  }
  return keys;
}

// ── the reference evaluator ────────────────────────────────────────────────────────────────────

/** What the reference evaluator needs of a run. */
export interface RunView {
  readonly summary: RunSummary;
  readonly notes: string | null;
  /** The parsed spec, or null. */
  readonly spec: unknown;
  /** The run's params (absent: none). */
  readonly params?: unknown;
  /** Latest value per split and metric name (NaN allowed: it reads as missing). */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * A field's value as the query sees it: undefined when missing; spec booleans stay booleans,
 * spec objects and arrays become their compact JSON text, JSON null is missing.
 */
export function fieldValue(field: QueryField, run: RunView): unknown {
  switch (field.kind) {
    case "spec":
    case "param": {
      let cur: unknown = field.kind === "spec" ? run.spec : (run.params ?? {});
      for (const seg of field.path) {
        if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
        else if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) {
          cur = Object.prototype.hasOwnProperty.call(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
        } else return undefined;
      }
      if (cur === null || cur === undefined) return undefined;
      return typeof cur === "object" ? JSON.stringify(cur) : cur;
    }
    case "metric": {
      const v = run.metrics[field.split]?.[field.name];
      return v === undefined || Number.isNaN(v) ? undefined : v;
    }
    case "tag":
      return run.summary.tags[field.key];
    default:
      return columnValue(field.column, run);
  }
}

function columnValue(column: RunColumn, run: RunView): unknown {
  const s = run.summary;
  const v =
    column === "id"
      ? s.id
      : column === "name"
        ? s.name
        : column === "notes"
          ? run.notes
          : column === "parent"
            ? s.parentId
            : column === "status"
              ? s.status
              : column === "experiment"
                ? s.experiment
                : column === "created"
                  ? s.createdAt
                  : column === "ended"
                    ? s.endedAt
                    : s.specHash;
  return v ?? undefined;
}

/** The text `~` matches against. Shared with the SQLite backend's registered function. */
export function matchText(value: unknown, isTime: boolean): string {
  if (isTime && typeof value === "number") return new Date(value).toISOString();
  return typeof value === "string" ? value : String(value);
}

const regexCache = new Map<string, RegExp>();

/** Does `text` match the pattern: a regex when flags is a string (possibly ""), else a case-insensitive substring. */
export function textMatches(pattern: string, flags: string | null, text: string): boolean {
  if (flags === null) return text.toLowerCase().includes(pattern.toLowerCase());
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (re === undefined) {
    // a global or sticky regex would carry lastIndex from one run to the next
    re = new RegExp(pattern, flags.replace(/[gy]/g, ""));
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(key, re);
  }
  return boundedTest(re, text);
}

function compareOrdered(a: number | string, b: number | string): number {
  return typeof a === "number" ? a - (b as number) : compareCodePoints(a, b as string);
}

function applyOp(op: ComparisonOp, c: number): boolean {
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

/** One comparison, with the typed two-valued semantics of query-types.ts. */
export function compareFieldValue(field: QueryField, value: unknown, op: ComparisonOp, literal: QueryLiteral): boolean {
  if (literal.type === "null") return op === "=" ? value === undefined : value !== undefined;
  if (value === undefined || (typeof value === "number" && Number.isNaN(value))) return false;
  if (op === "~") {
    const isTime = field.kind === "column" && TIME_COLUMNS.has(field.column);
    const text = matchText(value, isTime);
    if (literal.type === "regex") return textMatches(literal.source, literal.flags, text);
    return textMatches(
      literal.type === "string" ? literal.value : String((literal as { value: unknown }).value),
      null,
      text,
    );
  }
  if (literal.type === "regex") return false;
  if (literal.type === "boolean") {
    if (isDocumentField(field)) return typeof value === "boolean" && (value === literal.value) === (op === "=");
    return typeof value === "string" && (value === String(literal.value)) === (op === "=");
  }
  if (literal.type === "number") {
    let n: number | undefined;
    if (typeof value === "number") n = value;
    else if (field.kind === "tag" && typeof value === "string") n = strictNumber(value);
    if (n === undefined) return false;
    return applyOp(op, compareOrdered(n, literal.value));
  }
  if (typeof value !== "string") return false;
  return applyOp(op, compareOrdered(value, literal.value));
}

export function matchesRun(expr: QueryExpr, run: RunView): boolean {
  switch (expr.kind) {
    case "and":
      return matchesRun(expr.left, run) && matchesRun(expr.right, run);
    case "or":
      return matchesRun(expr.left, run) || matchesRun(expr.right, run);
    case "not":
      return !matchesRun(expr.operand, run);
    default:
      return compareFieldValue(expr.field, fieldValue(expr.field, run), expr.op, expr.value);
  }
}

/** Sort order of the reference evaluator: missing last, numbers (booleans as 0/1) before text, then newest first. */
export function compareForSort(a: RunView, b: RunView, keys: readonly QuerySortKey[]): number {
  for (const key of keys) {
    const va = sortable(fieldValue(key.field, a));
    const vb = sortable(fieldValue(key.field, b));
    if (va === undefined || vb === undefined) {
      if (va === vb) continue;
      return va === undefined ? 1 : -1;
    }
    let c: number;
    if (typeof va !== typeof vb) c = typeof va === "number" ? -1 : 1;
    else c = compareOrdered(va, vb);
    if (c !== 0) return key.descending ? -c : c;
  }
  return a.summary.id < b.summary.id ? 1 : a.summary.id > b.summary.id ? -1 : 0;
}

function sortable(v: unknown): number | string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v as number | string;
}

// ── the library API ────────────────────────────────────────────────────────────────────────────

export interface QueryRunsOptions {
  /** e.g. "metrics.dev.f1:desc,created" */
  readonly sort?: string | readonly QuerySortKey[];
  readonly limit?: number;
  readonly offset?: number;
  /** Field values to return with each run (in `values`, keyed by field text). */
  readonly fields?: readonly (string | QueryField)[];
}

/**
 * Runs matching `expr` (all runs when it is empty), with the requested field values.
 *
 *   await queryRuns(store, 'spec.model.C >= 1 AND metrics.dev.f1 > 0.9', { sort: "metrics.dev.f1:desc" })
 */
export async function queryRuns(
  store: Store,
  expr: string | QueryExpr | null,
  options: QueryRunsOptions = {},
): Promise<QueriedRun[]> {
  const where = typeof expr === "string" ? (expr.trim() === "" ? null : parseQuery(expr, "--where")) : expr;
  const sort = typeof options.sort === "string" ? parseSort(options.sort) : (options.sort ?? []);
  const fields = (options.fields ?? []).map((f) => (typeof f === "string" ? parseField(f, "--columns") : f));
  return store.queryRuns({ where, sort, limit: options.limit, offset: options.offset, fields });
}

/** Mean and sample standard deviation (n − 1) of the finite values; std is NaN below two values. */
export function meanStd(values: readonly number[]): { count: number; mean: number; std: number } {
  const xs = values.filter((v) => Number.isFinite(v));
  const count = xs.length;
  if (count === 0) return { count, mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / count;
  if (count < 2) return { count, mean, std: NaN };
  const ss = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { count, mean, std: Math.sqrt(ss / (count - 1)) };
}

export interface RunGroup {
  /** The group's value of the group-by field (undefined: runs without it). */
  readonly value: unknown;
  readonly count: number;
  /** Over the runs with a finite value of the summarised field. */
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly runIds: readonly string[];
}

/** Groups queried runs by one returned field and summarises another (count / mean / std). */
export function groupRuns(runs: readonly QueriedRun[], groupBy: QueryField, summarise: QueryField): RunGroup[] {
  const gKey = fieldKey(groupBy);
  const sKey = fieldKey(summarise);
  const groups = new Map<string, { value: unknown; ids: string[]; xs: number[] }>();
  for (const r of runs) {
    const value = r.values[gKey];
    const key = value === undefined ? "\u0000missing" : JSON.stringify(value);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { value, ids: [], xs: [] }));
    g.ids.push(r.id);
    const x = r.values[sKey];
    if (typeof x === "number") g.xs.push(x);
  }
  const out = [...groups.values()].map((g) => {
    const s = meanStd(g.xs);
    return { value: g.value, count: g.ids.length, n: s.count, mean: s.mean, std: s.std, runIds: g.ids };
  });
  return out.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) return a.value === b.value ? 0 : a.value === undefined ? 1 : -1;
    if (typeof a.value === "number" && typeof b.value === "number") return a.value - b.value;
    return compareCodePoints(String(a.value), String(b.value));
  });
}
