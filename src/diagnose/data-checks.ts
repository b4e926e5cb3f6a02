/**
 * Data checks: duplicates and near-duplicates within and across splits (leakage), label balance per
 * split, train-vs-dev drift per feature family, and empty or tiny examples.
 *
 * Near-duplicates: MinHash over hashed word 3-shingles of the normalised body (64 hashes), locality-
 * sensitive hashing with 16 bands of 4 rows to find candidate pairs, kept when the signatures agree
 * on at least 80% of their hashes (an estimate of Jaccard similarity ≥ 0.8). Exact copies (same
 * normalised body) are reported apart.
 *
 * Drift per family: the Jensen–Shannon divergence (base 2, 0…1) between the family's mean absolute
 * feature mass on train and on dev, and the columns whose mean moved most in train standard
 * deviations. Evidently flags a categorical drift at JS ≥ 0.1.
 */
import type { Example } from "../data/example.js";
import type { CsrMatrix } from "../features/csr.js";
import { bodyText } from "./tags.js";

export interface DuplicateCluster {
  readonly ids: readonly string[];
  readonly splits: readonly string[];
  readonly labels: readonly string[];
}

export interface NearDuplicatePair {
  readonly a: string;
  readonly b: string;
  readonly splitA: string;
  readonly splitB: string;
  readonly similarity: number;
  readonly sameLabel: boolean;
}

export interface FamilyDrift {
  readonly family: string;
  readonly columns: number;
  readonly jensenShannon: number;
  readonly drifted: boolean;
  readonly topColumns: ReadonlyArray<{ name: string; trainMean: number; devMean: number; shift: number }>;
}

export interface DataChecks {
  readonly exactDuplicates: {
    readonly clusters: number;
    readonly crossSplit: readonly DuplicateCluster[];
    readonly labelConflicts: readonly DuplicateCluster[];
  };
  readonly nearDuplicates: {
    readonly pairs: number;
    readonly crossSplit: readonly NearDuplicatePair[];
    readonly labelConflicts: readonly NearDuplicatePair[];
    /** Dev/test examples with a near-copy in train. */
    readonly leakedBySplit: Readonly<Record<string, number>>;
  };
  readonly balance: ReadonlyArray<{ split: string; n: number; counts: Record<string, number> }>;
  readonly drift: readonly FamilyDrift[];
  readonly tiny: ReadonlyArray<{ id: string; split: string; chars: number; reason: string }>;
}

export interface SplitExamples {
  readonly split: string;
  readonly examples: readonly Example[];
}

export function normalizeBody(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(x: number, seed: number): number {
  let z = (x ^ seed) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const HASHES = 64;
const BANDS = 16;
const ROWS = HASHES / BANDS;
const SEEDS = Uint32Array.from({ length: HASHES }, (_, k) => mix(k + 1, 0x9e3779b9));

/** MinHash signature of a text's word 3-shingles, or null when it has fewer than 5 words. */
export function minhash(text: string): Uint32Array | null {
  const words = normalizeBody(text).match(/[a-z0-9]+/g) ?? [];
  if (words.length < 5) return null;
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i + 3 <= words.length; i++) {
    const h = fnv(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
    for (let k = 0; k < HASHES; k++) {
      const v = mix(h, SEEDS[k]!);
      if (v < sig[k]!) sig[k] = v;
    }
  }
  return sig;
}

function agreement(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let k = 0; k < HASHES; k++) if (a[k] === b[k]) same++;
  return same / HASHES;
}

/** Near copies by MinHash + LSH (exact copies left out), most similar first. */
function nearDuplicatePairs(
  all: ReadonlyArray<{ ex: Example; split: string }>,
  exactKey: readonly string[],
  threshold: number,
): NearDuplicatePair[] {
  const sigs = all.map(({ ex }) => minhash(bodyText(ex)));
  const buckets = new Map<string, number[]>();
  sigs.forEach((sig, i) => {
    if (!sig) return;
    for (let b = 0; b < BANDS; b++) {
      let key = `${b}`;
      for (let r = 0; r < ROWS; r++) key += `:${sig[b * ROWS + r]}`;
      let list = buckets.get(key);
      if (!list) buckets.set(key, (list = []));
      list.push(i);
    }
  });
  const seen = new Set<string>();
  const pairs: NearDuplicatePair[] = [];
  for (const list of buckets.values()) {
    if (list.length < 2 || list.length > 200) continue;
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x]!;
        const j = list[y]!;
        const key = i < j ? `${i},${j}` : `${j},${i}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (exactKey[i] === exactKey[j]) continue;
        const sim = agreement(sigs[i]!, sigs[j]!);
        if (sim < threshold) continue;
        pairs.push({
          a: all[i]!.ex.id,
          b: all[j]!.ex.id,
          splitA: all[i]!.split,
          splitB: all[j]!.split,
          similarity: sim,
          sameLabel: all[i]!.ex.label === all[j]!.ex.label,
        });
      }
    }
  }
  pairs.sort((p, q) => q.similarity - p.similarity || p.a.localeCompare(q.a));
  return pairs;
}

export function checkData(
  splits: readonly SplitExamples[],
  options: {
    threshold?: number;
    drift?: {
      train: CsrMatrix;
      dev: CsrMatrix;
      names: readonly string[];
      families: ReadonlyArray<{ name: string; nFeatures: number }>;
    } | null;
    classes: readonly string[];
    maxListed?: number;
  },
): DataChecks {
  const threshold = options.threshold ?? 0.8;
  const maxListed = options.maxListed ?? 50;
  const all: Array<{ ex: Example; split: string }> = splits.flatMap((s) =>
    s.examples.map((ex) => ({ ex, split: s.split })),
  );

  // exact copies by normalised body
  const byBody = new Map<string, number[]>();
  const norm = all.map(({ ex }) => normalizeBody(bodyText(ex)));
  norm.forEach((b, i) => {
    if (b === "") return;
    let list = byBody.get(b);
    if (!list) byBody.set(b, (list = []));
    list.push(i);
  });
  const clusters = [...byBody.values()].filter((l) => l.length > 1);
  const asCluster = (l: number[]): DuplicateCluster => ({
    ids: l.map((i) => all[i]!.ex.id),
    splits: l.map((i) => all[i]!.split),
    labels: l.map((i) => all[i]!.ex.label),
  });
  const crossSplit = clusters.filter((l) => new Set(l.map((i) => all[i]!.split)).size > 1).map(asCluster);
  const labelConflicts = clusters.filter((l) => new Set(l.map((i) => all[i]!.ex.label)).size > 1).map(asCluster);
  const exactKey = norm;

  const pairs = nearDuplicatePairs(all, exactKey, threshold);
  const nearCross = pairs.filter((p) => p.splitA !== p.splitB);
  const leaked: Record<string, Set<string>> = {};
  for (const p of nearCross) {
    if (p.splitA === "train") (leaked[p.splitB] ??= new Set()).add(p.b);
    if (p.splitB === "train") (leaked[p.splitA] ??= new Set()).add(p.a);
  }

  const balance = splits.map((s) => {
    const counts: Record<string, number> = {};
    for (const c of options.classes) counts[c] = 0;
    for (const ex of s.examples) counts[ex.label] = (counts[ex.label] ?? 0) + 1;
    return { split: s.split, n: s.examples.length, counts };
  });

  const tiny: Array<{ id: string; split: string; chars: number; reason: string }> = [];
  for (const { ex, split } of all) {
    // tabular rows have no text to be empty: the check is for messages and text fields only
    if (!ex.email && Object.keys(ex.text).length === 0) continue;
    const chars = bodyText(ex).trim().length;
    if (chars === 0) tiny.push({ id: ex.id, split, chars, reason: "empty body" });
    else if (chars < 20) tiny.push({ id: ex.id, split, chars, reason: "under 20 characters" });
  }

  return {
    exactDuplicates: {
      clusters: clusters.length,
      crossSplit: crossSplit.slice(0, maxListed),
      labelConflicts: labelConflicts.slice(0, maxListed),
    },
    nearDuplicates: {
      pairs: pairs.length,
      crossSplit: nearCross.slice(0, maxListed),
      labelConflicts: pairs.filter((p) => !p.sameLabel).slice(0, maxListed),
      leakedBySplit: Object.fromEntries(Object.entries(leaked).map(([k, v]) => [k, v.size])),
    },
    balance,
    drift: options.drift ? familyDrift(options.drift) : [],
    tiny: tiny.slice(0, maxListed),
  };
}

function columnMeans(
  X: CsrMatrix,
  from: number,
  to: number,
): { mean: Float64Array; sq: Float64Array; abs: Float64Array } {
  const w = to - from;
  const mean = new Float64Array(w);
  const sq = new Float64Array(w);
  const abs = new Float64Array(w);
  for (let p = 0; p < X.indptr[X.rows]!; p++) {
    const c = X.indices[p]!;
    if (c < from || c >= to) continue;
    const v = X.data[p]!;
    mean[c - from]! += v;
    sq[c - from]! += v * v;
    abs[c - from]! += Math.abs(v);
  }
  const n = Math.max(1, X.rows);
  for (let j = 0; j < w; j++) {
    mean[j]! /= n;
    sq[j]! /= n;
    abs[j]! /= n;
  }
  return { mean, sq, abs };
}

export function familyDrift(input: {
  train: CsrMatrix;
  dev: CsrMatrix;
  names: readonly string[];
  families: ReadonlyArray<{ name: string; nFeatures: number }>;
}): FamilyDrift[] {
  const out: FamilyDrift[] = [];
  let from = 0;
  for (const fam of input.families) {
    const to = from + fam.nFeatures;
    const tr = columnMeans(input.train, from, to);
    const dv = columnMeans(input.dev, from, to);
    let sa = 0;
    let sb = 0;
    for (let j = 0; j < fam.nFeatures; j++) {
      sa += tr.abs[j]!;
      sb += dv.abs[j]!;
    }
    let js = 0;
    if (sa > 0 && sb > 0) {
      for (let j = 0; j < fam.nFeatures; j++) {
        const p = tr.abs[j]! / sa;
        const q = dv.abs[j]! / sb;
        const m = (p + q) / 2;
        if (p > 0) js += 0.5 * p * Math.log2(p / m);
        if (q > 0) js += 0.5 * q * Math.log2(q / m);
      }
    }
    const shifts: Array<{ name: string; trainMean: number; devMean: number; shift: number }> = [];
    for (let j = 0; j < fam.nFeatures; j++) {
      const sd = Math.sqrt(Math.max(tr.sq[j]! - tr.mean[j]! ** 2, 0));
      const diff = dv.mean[j]! - tr.mean[j]!;
      // columns seen in at most a handful of training rows would dominate on noise
      if (sd < 1e-9 || tr.abs[j]! * input.train.rows < 5) continue;
      shifts.push({
        name: input.names[from + j] ?? `#${from + j}`,
        trainMean: tr.mean[j]!,
        devMean: dv.mean[j]!,
        shift: diff / sd,
      });
    }
    shifts.sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift));
    out.push({
      family: fam.name,
      columns: fam.nFeatures,
      jensenShannon: js,
      drifted: js >= 0.1,
      topColumns: shifts.slice(0, 8),
    });
    from = to;
  }
  return out;
}
