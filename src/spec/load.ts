/**
 * Loading a spec: YAML file → `--set` overrides → zod validation → resolved spec with every default
 * filled in. Every failure is one SpecError whose lines name the key path, the bad value and what is
 * allowed, with a "did you mean" for typos.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, relative, resolve, isAbsolute } from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { SpecError } from "../errors.js";
import { specSchema, type Spec } from "./schema.js";
import { applyPatch, getAt, removeAt, setAt, type SpecPatch, type SpecPath } from "./patch.js";
import { didYouMean } from "./suggest.js";

export interface LoadedSpec {
  readonly spec: Spec;
  /** The spec as written (after overrides), before defaults were filled in. */
  readonly raw: unknown;
  /** Folder that relative data paths are resolved against. */
  readonly baseDir: string;
  readonly file: string | null;
  /** What loading did besides validating (e.g. keys dropped by a model family switch), for the user. */
  readonly notes: readonly string[];
}

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  options?: AnySchema[];
  discriminator?: string;
  in?: AnySchema;
  out?: AnySchema;
  element?: AnySchema;
  items?: AnySchema[];
  entries?: Record<string, string>;
  values?: unknown[];
  valueType?: AnySchema;
}

function def(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strip default/optional/nullable/pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (
      (d.type === "default" || d.type === "optional" || d.type === "nullable" || d.type === "prefault") &&
      d.innerType
    )
      s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else return s;
  }
}

/** The sub-schema at `path`, choosing discriminated-union variants by the value in `raw`. */
export function schemaAt(
  path: SpecPath,
  raw: unknown,
  root: AnySchema = specSchema,
  keepFinalUnion = false,
): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  for (let i = 0; i <= path.length; i++) {
    if (s === undefined) return undefined;
    s = unwrap(s);
    const d = def(s);
    if (keepFinalUnion && i === path.length) return s;
    if (d.type === "union" && d.options) {
      const here = getAt(raw, path.slice(0, i));
      s = chooseVariant(d, here);
      if (s === undefined) return undefined;
      s = unwrap(s);
    }
    if (i === path.length) return s;
    const seg = path[i]!;
    const dd = def(s);
    if (dd.type === "object" && dd.shape) s = dd.shape[seg];
    else if (dd.type === "array" && dd.element) s = dd.element;
    else if (dd.type === "tuple" && dd.items) s = dd.items[Number(seg)];
    else if (dd.type === "record" && dd.valueType) s = dd.valueType;
    else return undefined;
  }
  return s;
}

function chooseVariant(d: Def, value: unknown): AnySchema | undefined {
  const options = d.options ?? [];
  if (d.discriminator && value !== null && typeof value === "object") {
    const tag = (value as Record<string, unknown>)[d.discriminator];
    for (const o of options) {
      const shape = def(unwrap(o)).shape;
      const lit = shape?.[d.discriminator];
      if (lit && def(unwrap(lit)).values?.includes(tag)) return o;
    }
    return undefined;
  }
  // a plain union (e.g. class_weight): pick the object variant if the value is an object
  for (const o of options) {
    const t = def(unwrap(o)).type;
    if ((t === "object") === (value !== null && typeof value === "object" && !Array.isArray(value))) return o;
  }
  return options[0];
}

function allowedKeys(path: SpecPath, raw: unknown): string[] {
  const s = schemaAt(path, raw);
  if (!s) return [];
  const d = def(s);
  return d.type === "object" && d.shape ? Object.keys(d.shape) : [];
}

function discriminatorValues(path: SpecPath, raw: unknown): string[] {
  const s = schemaAt(path, raw, specSchema, true);
  if (!s) return [];
  const d = def(s);
  if (d.type !== "union" || !d.discriminator || !d.options) return [];
  const key = d.discriminator;
  return d.options.flatMap((o) => (def(unwrap(def(unwrap(o)).shape?.[key] ?? o)).values ?? []).map(String));
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  // JSON has no Infinity or NaN: 1e400 parses to Infinity and would read "null"
  if (typeof v === "number" && !Number.isFinite(v)) return `${String(v)} (not a finite number)`;
  if (typeof v === "string") return JSON.stringify(v);
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

/** One readable line per zod issue. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  const lines: string[] = [];
  // a refinement on an object that also has unknown keys only repeats the problem
  const unknownAt = issues.filter((i) => i.code === "unrecognized_keys").map((i) => i.path.join("."));
  for (const issue of issues) {
    if (issue.code === "custom" && unknownAt.includes(issue.path.join("."))) continue;
    const path = issue.path.map(String);
    const at = keyPath(path);
    const value = getAt(raw, path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeys(path, raw);
        for (const k of issue.keys) {
          const full = [...path, k].join(".");
          lines.push(
            `unknown key "${full}"${didYouMean(k, allowed).replace(/"([^"]+)"\?$/, `"${[...path, "$1"].join(".")}"?`)}` +
              (allowed.length ? ` (allowed here: ${allowed.join(", ")})` : ""),
          );
        }
        break;
      }
      case "invalid_union": {
        const disc = (issue as { discriminator?: string }).discriminator;
        if (disc) {
          const options = discriminatorValues(path.slice(0, -1), raw);
          const v = getAt(raw, path);
          lines.push(
            v === undefined
              ? `${at} is required (allowed: ${options.join(", ")})`
              : `${at}: ${show(v)} is not allowed${typeof v === "string" ? didYouMean(v, options) : ""} (allowed: ${options.join(", ")})`,
          );
        } else lines.push(`${at}: ${show(value)} does not match any allowed form`);
        break;
      }
      case "invalid_value": {
        const allowed = issue.values.map(String);
        lines.push(
          `${at}: ${show(value)} is not allowed${typeof value === "string" ? didYouMean(value, allowed) : ""} (allowed: ${allowed.join(", ")})`,
        );
        break;
      }
      case "invalid_type": {
        if (value === undefined) lines.push(`${at} is required (expected ${issue.expected})`);
        else lines.push(`${at}: expected ${issue.expected}, got ${show(value)}`);
        break;
      }
      case "too_small":
      case "too_big":
        lines.push(`${at}: ${show(value)} — ${issue.message.replace(/^Too (small|big): /, "")}`);
        break;
      default:
        lines.push(`${at}: ${issue.message}${value !== undefined && path.length ? ` (got ${show(value)})` : ""}`);
    }
  }
  return lines;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Numeric and categorical columns are listed once: `features.numeric` (or `categorical`) without
 * `columns` takes the data source's `data.columns.numeric`, and a source that does not declare
 * them takes the feature family's. The resolved spec lists them in both places, so its hash is the
 * one of a spec that spelled them out twice.
 */
export function shareTabularColumns(raw: Record<string, unknown>): Record<string, unknown> {
  const data = raw["data"];
  const features = raw["features"];
  if (!isRecord(data) || !isRecord(features) || !isRecord(data["columns"])) return raw;
  let dataColumns = data["columns"];
  let outFeatures = features;
  for (const kind of ["numeric", "categorical"] as const) {
    const family = outFeatures[kind];
    const declared = dataColumns[kind];
    if (!isRecord(family)) continue;
    if (family["columns"] === undefined && Array.isArray(declared) && declared.length > 0) {
      outFeatures = { ...outFeatures, [kind]: { ...family, columns: declared } };
    } else if (declared === undefined && Array.isArray(family["columns"])) {
      dataColumns = { ...dataColumns, [kind]: family["columns"] };
    }
  }
  if (outFeatures === features && dataColumns === data["columns"]) return raw;
  return { ...raw, data: { ...data, columns: dataColumns }, features: outFeatures };
}

/** Validate a raw spec object and fill in defaults. */
export function parseSpec(raw: unknown, source = "spec"): Spec {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SpecError(`${source}: a spec must be a mapping with keys data, features, model, evaluate`, {
      where: source,
    });
  }
  const result = specSchema.safeParse(shareTabularColumns(raw as Record<string, unknown>));
  if (result.success) return result.data;
  const lines = describeIssues(result.error.issues, raw);
  const header =
    lines.length === 1 ? `invalid spec (${source}):` : `invalid spec (${source}), ${lines.length} problems:`;
  throw new SpecError([header, ...lines.map((l) => `  ✖ ${l}`)].join("\n"), { where: source });
}

/** Names that reach an object's prototype, never keys of a spec. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Keys that choose a variant of their object (model.family, data.source, evaluate.threshold.policy). */
const DISCRIMINATORS = new Set(["family", "source", "policy"]);

/**
 * After `path` (ending in a discriminator) was set in `after`: the keys of the object that belonged
 * to the old variant and that the new variant does not have are removed, so that switching a model
 * family with one key (`--set model.family=mlp`) does not fail on a leftover `model.C`. Keys that
 * neither variant knows stay, so a typo is still reported. Returns the removed keys' full paths.
 */
export function dropForeignVariantKeys(
  before: unknown,
  after: unknown,
  path: SpecPath,
): { raw: unknown; dropped: string[]; note: string | null } {
  const none = { raw: after, dropped: [], note: null };
  const last = path[path.length - 1];
  if (last === undefined || !DISCRIMINATORS.has(last) || path.length < 2) return none;
  const objectPath = path.slice(0, -1);
  const oldTag = getAt(before, path);
  const newTag = getAt(after, path);
  const obj = getAt(after, objectPath);
  if (oldTag === undefined || oldTag === newTag || !isRecord(obj)) return none;
  const oldKeys = allowedKeys(objectPath, before);
  const newKeys = allowedKeys(objectPath, after);
  if (oldKeys.length === 0 || newKeys.length === 0) return none; // an unknown variant: validation says so
  const dropped = Object.keys(obj).filter((k) => oldKeys.includes(k) && !newKeys.includes(k));
  if (dropped.length === 0) return none;
  let raw = after;
  for (const k of dropped) raw = removeAt(raw, [...objectPath, k]);
  const full = dropped.map((k) => [...objectPath, k].join("."));
  const note = `drops ${full.join(", ")} (${String(oldTag)} keys that ${String(newTag)} does not have)`;
  return { raw, dropped: full, note };
}

/**
 * `applyPatch` that treats a set discriminator like `--set` does: a patch `model.family: mlp` drops
 * the old family's keys, with a note saying which.
 */
export function applyPatchNoted(spec: unknown, patch: SpecPatch): { raw: unknown; notes: string[] } {
  let out: unknown = structuredClone(spec);
  const notes: string[] = [];
  for (const op of patch) {
    const next = applyPatch(out, [op]);
    const switched = op.op === "set" ? dropForeignVariantKeys(out, next, op.path) : { raw: next, note: null };
    out = switched.raw;
    if (switched.note !== null && op.op === "set")
      notes.push(`${op.path.join(".")}=${typeof op.value === "string" ? op.value : show(op.value)} ${switched.note}`);
  }
  return { raw: out, notes };
}

/** Parse `key.path=value` (value as a YAML scalar/flow value, then typed by the schema at that path). */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  return applyOverridesNoted(raw, overrides).raw;
}

/** `applyOverrides`, with a note for each variant switch that dropped the old variant's keys. */
export function applyOverridesNoted(raw: unknown, overrides: readonly string[]): { raw: unknown; notes: string[] } {
  let out = raw;
  const notes: string[] = [];
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) throw new SpecError(`--set ${o}: expected key.path=value, e.g. --set model.C=0.3`, { where: "--set" });
    const path = o.slice(0, eq).trim().split(".");
    if (path.some((p) => p === "")) throw new SpecError(`--set ${o}: empty segment in key path "${o.slice(0, eq)}"`);
    const reserved = path.find((p) => RESERVED_KEYS.has(p));
    if (reserved !== undefined)
      throw new SpecError(`--set ${o}: "${reserved}" is not a spec key (see mlloop run --help)`, { where: "--set" });
    const text = o.slice(eq + 1);
    let value: unknown;
    try {
      value = text === "" ? "" : YAML.parse(text);
    } catch {
      value = text;
    }
    // typed by the schema: a string-valued key keeps the text as written (--set experiment=2024)
    const target = schemaAt(path, setAt(out, path, value));
    if (target && def(target).type === "string" && typeof value !== "string") value = text;
    if (target && def(target).type === "literal" && typeof value !== "string") value = text;
    const switched = dropForeignVariantKeys(out, setAt(out, path, value), path);
    out = switched.raw;
    if (switched.note !== null) notes.push(`--set ${o} ${switched.note}`);
  }
  return { raw: out, notes };
}

export interface LoadSpecOptions {
  /** Let a data path written in the spec file point outside the spec's folder (default false). */
  readonly allowOutsidePaths?: boolean;
}

/** The deepest existing ancestor's real path, with the rest appended (a missing file is still placed). */
function realpathOfNearest(abs: string): string {
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(head), ...rest.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return abs;
      rest.push(head.slice(up.length).replace(/^[\\/]/, ""));
      head = up;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * The untrusted-spec policy: a data path *written in a spec file* must resolve, symlinks followed,
 * under the spec's own folder, so that a spec from someone else (a pull request run by CI) cannot
 * read /proc/self/environ, ~/.ssh or /etc into an error message, a cache entry or a run's
 * predictions. A path given on the command line (`--set data.path=…`) is the user's own choice
 * and is not checked; neither is a spec loaded with `allowOutsidePaths`.
 */
function checkSpecDataPath(written: unknown, overrides: readonly string[], specFile: string): void {
  const data = (written as { data?: { path?: unknown } } | null)?.data;
  if (data === null || typeof data !== "object" || typeof data.path !== "string") return;
  if (overrides.some((o) => /^\s*data(\.path)?\s*=/.test(o))) return;
  const baseDir = dirname(specFile);
  const target = realpathOfNearest(resolve(baseDir, data.path));
  const base = realpathOfNearest(baseDir);
  if (isInside(target, base)) return;
  throw new SpecError(
    `data.path ${JSON.stringify(data.path)} in ${specFile} resolves to ${target}, outside the spec's folder ${base}: ` +
      "a spec file may only read data under its own folder (a spec from someone else must not read your files). " +
      "To allow it, pass --allow-outside-paths, or give the path yourself: --set data.path=…",
    { where: "data.path" },
  );
}

/** Read, override, validate. YAML syntax errors name the file, line and column. */
export function loadSpecFile(
  file: string,
  overrides: readonly string[] = [],
  options: LoadSpecOptions = {},
): LoadedSpec {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(
      code === "ENOENT" ? `spec file not found: ${abs}` : `cannot read spec file ${abs}: ${(e as Error).message}`,
      { where: abs },
    );
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    const where = pos ? `${abs}:${pos.line}:${pos.col}` : abs;
    throw new SpecError(`YAML syntax error in ${where}: ${err.message.split("\n")[0]}`, { where });
  }
  let written: unknown;
  try {
    written = doc.toJS();
  } catch (e) {
    // yaml refuses documents whose aliases expand beyond its limit (a "billion laughs" bomb)
    throw new SpecError(
      `${abs}: the YAML's aliases expand to too much data (${(e as Error).message}); write the values out instead of using aliases`,
      { where: abs },
    );
  }
  if (options.allowOutsidePaths !== true) checkSpecDataPath(written, overrides, abs);
  const { raw, notes } = applyOverridesNoted(written, overrides);
  return { spec: parseSpec(raw, file), raw, baseDir: dirname(abs), file: abs, notes };
}
