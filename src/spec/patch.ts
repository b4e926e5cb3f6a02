/**
 * SpecPatch: the one representation of "a change" in mlloop. A run's change is the patch from its
 * parent's resolved spec to its own; a recommendation is a patch with a rationale; attribution
 * splits a patch into players. Arrays are compared as whole values (a changed `fields` list is
 * one change), objects key by key.
 */
import { SpecError } from "../errors.js";
import { canonicalJson } from "./canonical.js";

export type SpecPath = readonly string[];

export type SpecPatchOp =
  | { readonly op: "set"; readonly path: SpecPath; readonly value: unknown; readonly from?: unknown }
  | { readonly op: "remove"; readonly path: SpecPath; readonly from?: unknown };

export type SpecPatch = readonly SpecPatchOp[];

export function formatPath(path: SpecPath): string {
  return path.join(".");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The patch that turns `from` into `to` (both resolved specs). Ops are sorted by path. */
export function diffSpecs(from: unknown, to: unknown): SpecPatch {
  const ops: SpecPatchOp[] = [];
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort()) {
        const av = a[k];
        const bv = b[k];
        if (bv === undefined && av !== undefined) ops.push({ op: "remove", path: [...path, k], from: av });
        else if (av === undefined && bv !== undefined) ops.push({ op: "set", path: [...path, k], value: bv });
        else walk(av, bv, [...path, k]);
      }
      return;
    }
    // a discriminated variant that changed (e.g. model.family) replaces the whole object: the
    // other keys of the old variant are meaningless under the new one
    if (canonicalJson(a) !== canonicalJson(b)) ops.push({ op: "set", path, value: b, from: a });
  };
  walk(from, to, []);
  return collapseVariantChanges(ops, from, to);
}

/** When `family`/`source`/`policy` changes, report the whole parent object as one set. */
function collapseVariantChanges(ops: SpecPatchOp[], from: unknown, to: unknown): SpecPatchOp[] {
  const discriminators = new Set(["family", "source", "policy"]);
  const replaced: string[][] = [];
  for (const op of ops) {
    const last = op.path[op.path.length - 1];
    if (op.op === "set" && last !== undefined && discriminators.has(last) && op.path.length > 1) {
      replaced.push(op.path.slice(0, -1));
    }
  }
  if (replaced.length === 0) return ops;
  const under = (p: SpecPath, prefix: SpecPath): boolean => prefix.every((s, i) => p[i] === s);
  const kept = ops.filter((op) => !replaced.some((r) => under(op.path, r)));
  for (const r of replaced) {
    kept.push({ op: "set", path: r, value: getAt(to, r), from: getAt(from, r) });
  }
  return kept.sort((a, b) => formatPath(a.path).localeCompare(formatPath(b.path)));
}

export function getAt(obj: unknown, path: SpecPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Deep copy of `obj` with `value` at `path` (intermediate objects created). */
export function setAt(obj: unknown, path: SpecPath, value: unknown): unknown {
  if (path.length === 0) return structuredClone(value);
  const [head, ...rest] = path as [string, ...string[]];
  // a patch from a file or a store must not reach an object's prototype
  if (head === "__proto__" || head === "constructor" || head === "prototype")
    throw new SpecError(`"${head}" is not a spec key`, { where: path.join(".") });
  if (Array.isArray(obj) && /^\d+$/.test(head)) {
    const copy = obj.slice();
    copy[Number(head)] = setAt(copy[Number(head)], rest, value);
    return copy;
  }
  const base = isPlainObject(obj) ? { ...obj } : {};
  base[head] = setAt(base[head], rest, value);
  return base;
}

/** Deep copy of `obj` without the key at `path`. */
export function removeAt(obj: unknown, path: SpecPath): unknown {
  if (path.length === 0 || !isPlainObject(obj)) return obj;
  const [head, ...rest] = path as [string, ...string[]];
  const base = { ...obj };
  if (rest.length === 0) delete base[head];
  else if (head in base) base[head] = removeAt(base[head], rest);
  return base;
}

/** Apply a patch to a (raw or resolved) spec object; validate the result with `parseSpec`. */
export function applyPatch(spec: unknown, patch: SpecPatch): unknown {
  let out: unknown = structuredClone(spec);
  for (const op of patch) out = op.op === "set" ? setAt(out, op.path, op.value) : removeAt(out, op.path);
  return out;
}

/** One line per op: `model.C: 1 → 0.3`, `+ features.urls = {}`, `- features.words`. */
export function formatPatch(patch: SpecPatch): string[] {
  const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
  return patch.map((op) => {
    const p = formatPath(op.path);
    if (op.op === "remove") return `- ${p}`;
    if (op.from === undefined) return `+ ${p} = ${show(op.value)}`;
    return `  ${p}: ${show(op.from)} → ${show(op.value)}`;
  });
}
