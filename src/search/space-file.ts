/**
 * A sweep's space as people write it (YAML or JSON): spec keys with a list of choices or a range,
 * optionally active only when other keys have given values.
 *
 *   model.family: [logistic_regression, linear_svm]      # choices
 *   model.C: { log: [0.001, 1000] }                        # float, log scale
 *   model.l1_ratio: { float: [0, 1] }                      # float, linear scale
 *   model.max_iter: { int: [50, 500], log: true }          # integer (log scale optional)
 *   features.words.min_df: [1, 2, 3]
 *   model.alpha: { log: [1e-6, 1e-2], when: { model.family: linear_svm } }
 *
 * Errors name the key, the bad value and what is allowed.
 */
import { parse } from "yaml";
import { UsageError } from "../errors.js";
import { checkSpace, type Dimension, type Point, type Space } from "./space.js";

export interface SweepSpace {
  readonly space: Space;
  /** key → (other key → allowed values): the key is only set when every condition holds. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
}

const FORMS =
  "a list of choices, {log: [low, high]}, {float: [low, high]} or {int: [low, high]} (optionally log: true)";

function bounds(key: string, form: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new UsageError(`space: ${key}: ${form} needs [low, high] with two numbers (got ${JSON.stringify(v)})`);
  }
  const [lo, hi] = v as [number, number];
  if (!(lo < hi)) throw new UsageError(`space: ${key}: ${form} low ${lo} must be below high ${hi}`);
  return [lo, hi];
}

function dimensionOf(key: string, raw: unknown): Dimension {
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw new UsageError(`space: ${key}: the list of choices is empty`);
    return { kind: "categorical", values: raw };
  }
  if (raw === null || typeof raw !== "object") {
    throw new UsageError(`space: ${key}: ${JSON.stringify(raw)} is not a dimension; expected ${FORMS}`);
  }
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !["log", "float", "int", "when", "choices"].includes(k));
  if (unknown.length > 0) throw new UsageError(`space: ${key}: unknown field ${unknown[0]}; expected ${FORMS}`);
  if (Array.isArray(o.choices)) return dimensionOf(key, o.choices);
  if (o.int !== undefined) {
    const [low, high] = bounds(key, "int", o.int);
    if (!Number.isInteger(low) || !Number.isInteger(high))
      throw new UsageError(`space: ${key}: int bounds must be integers`);
    if (o.log !== undefined && typeof o.log !== "boolean")
      throw new UsageError(`space: ${key}: log must be true or false`);
    if (o.log === true && low < 1) throw new UsageError(`space: ${key}: a log-scale int needs low >= 1 (got ${low})`);
    return { kind: "int", low, high, log: o.log === true };
  }
  if (o.float !== undefined) {
    const [low, high] = bounds(key, "float", o.float);
    if (o.log === true && low <= 0) throw new UsageError(`space: ${key}: a log scale needs low > 0 (got ${low})`);
    return { kind: "float", low, high, log: o.log === true };
  }
  if (Array.isArray(o.log)) {
    const [low, high] = bounds(key, "log", o.log);
    if (low <= 0) throw new UsageError(`space: ${key}: a log scale needs low > 0 (got ${low})`);
    return { kind: "float", low, high, log: true };
  }
  throw new UsageError(`space: ${key}: expected ${FORMS}`);
}

function conditionOf(key: string, raw: unknown, keys: ReadonlySet<string>): Record<string, unknown[]> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(`space: ${key}: when must map spec keys to values, e.g. when: { model.family: linear_svm }`);
  }
  const out: Record<string, unknown[]> = {};
  for (const [other, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!keys.has(other)) throw new UsageError(`space: ${key}: when names ${other}, which is not a key of the space`);
    out[other] = Array.isArray(v) ? v : [v];
  }
  return out;
}

/** Parses a space from YAML (or JSON) text; `where` names the file for messages. */
export function parseSweepSpace(text: string, where: string): SweepSpace {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not valid YAML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new UsageError(`${where}: a space is a mapping of spec keys to dimensions, e.g. model.C: {log: [0.01, 100]}`);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const keys = new Set(entries.map(([k]) => k));
  const space: Record<string, Dimension> = {};
  const conditions: Record<string, Record<string, unknown[]>> = {};
  for (const [key, value] of entries) {
    if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(key)) {
      throw new UsageError(`${where}: ${JSON.stringify(key)} is not a spec key (dotted names like model.C)`);
    }
    try {
      space[key] = dimensionOf(key, value);
      const when = (value as { when?: unknown } | null)?.when;
      if (!Array.isArray(value) && when !== undefined) conditions[key] = conditionOf(key, when, keys);
    } catch (e) {
      // name the file: "space.yaml: model.C: …"
      throw e instanceof UsageError ? new UsageError(e.message.replace(/^space: /, `${where}: `)) : e;
    }
  }
  checkSpace(space);
  return { space, conditions };
}

/** The point with the keys whose conditions do not hold removed (applied in space order). */
export function activePoint(s: SweepSpace, point: Point): Point {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(s.space)) {
    const cond = s.conditions[key];
    const holds =
      cond === undefined ||
      Object.entries(cond).every(([other, allowed]) =>
        allowed.some((a) => JSON.stringify(a) === JSON.stringify(out[other] ?? point[other])),
      );
    if (holds && point[key] !== undefined) out[key] = point[key];
  }
  return out;
}
