/** Canonical JSON (sorted keys, no whitespace) and the spec hash derived from it. */
import { sha256Hex } from "../util/hash.js";

export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** Stable content hash of a resolved spec: equal specs (whatever their key order or YAML layout) hash equally. */
export function specHash(spec: unknown): string {
  return sha256Hex(canonicalJson(spec));
}
