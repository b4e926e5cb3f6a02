/**
 * Slices: the error rate on slices of metadata, and the worst slices found automatically (a small
 * lattice search in the spirit of Slice Finder, Chung et al. 2019): every single predicate (source
 * group, any categorical column's value, numeric columns by quartile, and for email the sender's
 * TLD, HTML or not, link-count band, length band, attachments) and every conjunction of two from
 * different dimensions. Each slice is tested against its complement with a two-proportion z test;
 * q values control the false discovery rate (Benjamini–Hochberg) over all slices tested. Slices are
 * ranked by excess errors, (error rate − overall) × size: how many errors the slice adds.
 */
import type { Example } from "../data/example.js";
import { erfc } from "../evaluate/special.js";
import type { PredictionRecord } from "../track/store.js";
import { bodyText } from "./tags.js";

export interface SlicePredicate {
  readonly dimension: string;
  readonly value: string;
}

export interface SliceStat {
  readonly predicates: readonly SlicePredicate[];
  /** "from_tld = ru & has_html = yes" */
  readonly name: string;
  readonly size: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly fp: number;
  readonly fn: number;
  readonly complementErrorRate: number;
  /** Errors above what the overall rate predicts. */
  readonly excessErrors: number;
  readonly z: number;
  readonly p: number;
  readonly q: number;
}

export interface SliceAnalysis {
  readonly split: string;
  readonly n: number;
  readonly errorRate: number;
  readonly minSize: number;
  readonly tested: number;
  /** Significantly worse slices (q < alpha), ranked by excess errors. */
  readonly worst: readonly SliceStat[];
  /** Every single-predicate slice of each dimension (for tables), by dimension. */
  readonly dimensions: Readonly<Record<string, readonly SliceStat[]>>;
}

function band(v: number, edges: readonly number[], labels: readonly string[]): string {
  for (let i = 0; i < edges.length; i++) if (v < edges[i]!) return labels[i]!;
  return labels[labels.length - 1]!;
}

function quantileEdges(values: number[]): number[] {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return [];
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return [...new Set([q(0.25), q(0.5), q(0.75)])];
}

/** Per example: dimension → value, for every dimension the data offers. */
export function sliceDimensions(examples: readonly Example[]): Array<Map<string, string>> {
  const out = examples.map(() => new Map<string, string>());
  const numericCols = new Set<string>();
  const categoricalCols = new Set<string>();
  for (const ex of examples) {
    for (const k of Object.keys(ex.numeric)) numericCols.add(k);
    for (const k of Object.keys(ex.categorical)) categoricalCols.add(k);
  }
  examples.forEach((ex, i) => {
    const m = out[i]!;
    if (ex.group !== null) m.set("group", ex.group);
    for (const c of categoricalCols) m.set(c, ex.categorical[c] ?? "(missing)");
    const len = bodyText(ex).length;
    m.set("length", band(len, [200, 1000, 5000], ["<200", "200–999", "1k–5k", "≥5k"]));
    const email = ex.email;
    if (email) {
      const dom = /@([a-z0-9.-]+\.([a-z]{2,}))\b/i.exec(email.from);
      m.set("from_tld", dom ? dom[2]!.toLowerCase() : "(none)");
      m.set("has_html", email.partTypes.includes("text/html") ? "yes" : "no");
      m.set("links", band(email.links.length, [1, 3, 10], ["0", "1–2", "3–9", "≥10"]));
      m.set("attachments", email.attachments.length > 0 ? "yes" : "no");
    }
  });
  for (const c of numericCols) {
    const values = examples.map((ex) => ex.numeric[c] ?? NaN);
    const edges = quantileEdges(values);
    examples.forEach((ex, i) => {
      const v = ex.numeric[c];
      if (v === null || v === undefined || !Number.isFinite(v)) out[i]!.set(c, "(missing)");
      else {
        let b = 0;
        while (b < edges.length && v >= edges[b]!) b++;
        const lo = b === 0 ? "min" : String(+edges[b - 1]!.toPrecision(3));
        const hi = b === edges.length ? "max" : String(+edges[b]!.toPrecision(3));
        out[i]!.set(c, `${lo}–${hi}`);
      }
    });
  }
  return out;
}

/** Benjamini–Hochberg q values. */
export function bhQValues(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((v, i) => i).sort((a, b) => p[a]! - p[b]!);
  const q = new Array<number>(m);
  let min = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    min = Math.min(min, (p[i]! * m) / (r + 1));
    q[i] = min;
  }
  return q;
}

export interface SliceOptions {
  readonly minSize?: number;
  readonly alpha?: number;
  readonly top?: number;
}

/** A slice's statistics against the rest of the split: error rate, excess errors, two-proportion z test. */
function sliceStatistic(
  err: Uint8Array,
  isFp: Uint8Array,
  totalErr: number,
  positiveClass: string | null,
): (preds: SlicePredicate[], idx: readonly number[]) => Omit<SliceStat, "q"> {
  const n = err.length;
  const overall = n > 0 ? totalErr / n : 0;
  return (preds, idx) => {
    let e = 0;
    let fp = 0;
    for (const i of idx) {
      e += err[i]!;
      fp += isFp[i]!;
    }
    const size = idx.length;
    const rest = n - size;
    const rate = e / size;
    const restRate = rest > 0 ? (totalErr - e) / rest : 0;
    const pooled = overall;
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / size + (rest > 0 ? 1 / rest : 0)));
    const z = se > 0 ? (rate - restRate) / se : 0;
    return {
      predicates: preds,
      name: preds.map((p) => `${p.dimension} = ${p.value}`).join(" & "),
      size,
      errors: e,
      errorRate: rate,
      fp,
      fn: positiveClass === null ? 0 : e - fp,
      complementErrorRate: restRate,
      excessErrors: e - overall * size,
      z,
      // erfc keeps tiny p values (1 − Φ(z) would round to 0)
      p: erfc(Math.abs(z) / Math.SQRT2),
    };
  };
}

export function findSlices(
  split: string,
  predictions: readonly PredictionRecord[],
  examples: ReadonlyMap<string, Example>,
  positiveClass: string | null,
  options: SliceOptions = {},
): SliceAnalysis {
  const rows = predictions.filter((p) => examples.has(p.exampleId) && p.correct !== null);
  const exs = rows.map((p) => examples.get(p.exampleId)!);
  const n = rows.length;
  const minSize = options.minSize ?? 20;
  const alpha = options.alpha ?? 0.05;
  const err = Uint8Array.from(rows, (p) => (p.correct ? 0 : 1));
  const isFp = Uint8Array.from(rows, (p) =>
    !p.correct && positiveClass !== null && p.decision === positiveClass ? 1 : 0,
  );
  let totalErr = 0;
  for (const e of err) totalErr += e;
  const overall = n > 0 ? totalErr / n : 0;
  const dims = sliceDimensions(exs);

  // predicate → member rows
  const members = new Map<string, { pred: SlicePredicate; rows: number[] }>();
  dims.forEach((m, i) => {
    for (const [dimension, value] of m) {
      const key = `${dimension}\u0000${value}`;
      let e = members.get(key);
      if (!e) members.set(key, (e = { pred: { dimension, value }, rows: [] }));
      e.rows.push(i);
    }
  });
  const stat = sliceStatistic(err, isFp, totalErr, positiveClass);
  const singles = [...members.values()].filter((m) => m.rows.length >= minSize && m.rows.length < n);
  const tested: Array<Omit<SliceStat, "q">> = singles.map((m) => stat([m.pred], m.rows));
  // conjunctions of two predicates from different dimensions
  for (let a = 0; a < singles.length; a++) {
    const setA = new Set(singles[a]!.rows);
    for (let b = a + 1; b < singles.length; b++) {
      if (singles[a]!.pred.dimension === singles[b]!.pred.dimension) continue;
      const both = singles[b]!.rows.filter((i) => setA.has(i));
      if (both.length < minSize || both.length === singles[a]!.rows.length || both.length === singles[b]!.rows.length)
        continue;
      tested.push(stat([singles[a]!.pred, singles[b]!.pred], both));
    }
  }
  const q = bhQValues(tested.map((t) => t.p));
  const all: SliceStat[] = tested.map((t, i) => ({ ...t, q: q[i]! }));
  const singleStats = all.slice(0, singles.length);
  const worst = all
    .filter((s) => s.q < alpha && s.errorRate > s.complementErrorRate)
    .filter((s) => {
      // a pair must be worse than each of its parts, else it only repeats them
      if (s.predicates.length < 2) return true;
      return s.predicates.every((p) => {
        const parent = singleStats.find(
          (x) => x.predicates[0]!.dimension === p.dimension && x.predicates[0]!.value === p.value,
        );
        return parent === undefined || s.errorRate > parent.errorRate + 0.005;
      });
    })
    .sort((a, b) => b.excessErrors - a.excessErrors)
    .slice(0, options.top ?? 10);
  const dimensions: Record<string, SliceStat[]> = {};
  for (const s of singleStats) (dimensions[s.predicates[0]!.dimension] ??= []).push(s);
  for (const list of Object.values(dimensions)) list.sort((a, b) => b.errorRate - a.errorRate);
  return { split, n, errorRate: overall, minSize, tested: tested.length, worst, dimensions };
}
