/** Plain-text formatting of deltas, intervals and shares, shared by the compare/attribute/log/ledger commands. */

export function fmtValue(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : v.toFixed(digits);
}

export function fmtDelta(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  const s = v.toFixed(digits);
  // -0.0000 reads as a loss: a value that rounds to zero is shown without a sign
  if (Number(s) === 0) return (0).toFixed(digits);
  return v > 0 ? `+${s}` : s;
}

export function fmtCi(low: number, high: number, digits = 4): string {
  if (Number.isNaN(low) || Number.isNaN(high)) return "[undefined]";
  return `[${fmtDelta(low, digits)}, ${fmtDelta(high, digits)}]`;
}

/** A p-value: exact ones (McNemar) in scientific notation when tiny; bootstrap ones bottom out at "<0.001". */
export function fmtP(p: number, exact = false): string {
  if (Number.isNaN(p)) return "—";
  if (p < 0.001) return exact ? p.toExponential(1) : "<0.001";
  return p.toFixed(3);
}

export function fmtShare(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : "—";
}

export function fmtCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "∞";
}

/** Every leaf of a JSON value as "a.b.c" → value (arrays are leaves). */
export function flattenSpec(value: unknown, prefix = "", out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flattenSpec(v, prefix === "" ? k : `${prefix}.${k}`, out);
  } else if (prefix !== "") out.set(prefix, value);
  return out;
}
