/** Number and time formatting shared by the pages (the CLI's conventions: 4 decimals, signed deltas). */

export function fmtValue(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  return x.toFixed(digits);
}

export function fmtDelta(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  return `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;
}

export function fmtCi(lo: number, hi: number, digits = 4): string {
  return `[${fmtDelta(lo, digits)}, ${fmtDelta(hi, digits)}]`;
}

export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return "—";
  return p < 0.0001 ? "<0.0001" : p.toFixed(4);
}

export function fmtPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtAny(key: string, v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (key === "created" || key === "ended") return fmtTime(v as number);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : fmtValue(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 12) : "—";
}
