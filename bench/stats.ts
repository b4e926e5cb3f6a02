/** Small helpers shared by the benchmark scripts: medians, machine description, formatting. */
import { cpus, loadavg } from "node:os";

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round(a!, 2), round(b!, 2), round(c!, 2)];
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function machine(): { cpus: number; model: string; node: string; platform: string } {
  const list = cpus();
  return { cpus: list.length, model: list[0]?.model ?? "unknown", node: process.version, platform: process.platform };
}

/** Seconds with 3 significant digits ("0.0123 s", "1.23 s"). */
export function secs(s: number): string {
  if (!Number.isFinite(s)) return "—";
  return `${s < 0.1 ? s.toPrecision(2) : s.toFixed(s < 10 ? 2 : 1)} s`;
}

export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "—";
  return `${(a / b).toFixed(2)}×`;
}

export function num(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}
