/**
 * What "unusual" means for one data set's rows, learned from its training split: each numeric
 * column's 10th and 90th percentiles, each categorical column's value counts, the text length's
 * percentiles. Generic error-analysis tags (tags.ts) read examples against it, so that tabular
 * and plain-text data get tags that mean something for them — not the email rules.
 */
import type { Example } from "../data/example.js";

export interface DataProfile {
  /** "email" when examples carry a parsed message (the email rules apply), else "text" or "tabular". */
  readonly kind: "email" | "text" | "tabular";
  readonly numeric: ReadonlyMap<string, { readonly low: number; readonly high: number }>;
  readonly categorical: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Length bands of the text fields joined (null without text fields). */
  readonly textLength: { readonly low: number; readonly high: number } | null;
}

/** A category seen fewer times than this in training is rare. */
export const RARE_CATEGORY_COUNT = 5;

function quantile(sorted: readonly number[], q: number): number {
  // linear interpolation between closest ranks (numpy's default)
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function band(values: number[]): { low: number; high: number } | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return { low: quantile(values, 0.1), high: quantile(values, 0.9) };
}

export function textOf(ex: Example): string {
  return Object.values(ex.text).join("\n");
}

export function profileData(train: readonly Example[]): DataProfile {
  const first = train[0];
  const kind = first?.email ? "email" : first && Object.keys(first.text).length > 0 ? "text" : "tabular";
  const numeric = new Map<string, { low: number; high: number }>();
  const categorical = new Map<string, Map<string, number>>();
  if (first) {
    for (const col of Object.keys(first.numeric)) {
      const b = band(train.map((ex) => ex.numeric[col]).filter((v): v is number => v !== null && Number.isFinite(v)));
      if (b) numeric.set(col, b);
    }
    for (const col of Object.keys(first.categorical)) {
      const counts = new Map<string, number>();
      for (const ex of train) {
        const v = ex.categorical[col];
        if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      categorical.set(col, counts);
    }
  }
  const textLength = kind === "text" ? band(train.map((ex) => textOf(ex).trim().length)) : null;
  return { kind, numeric, categorical, textLength };
}

/**
 * Generic tags of one example: `short-text` / `long-text` (below the 10th / above the 90th
 * percentile of training text length), `<col>:missing`, `<col>:low` / `<col>:high` (outside the
 * training 10th–90th percentiles), `<col>:rare` (a category seen fewer than 5 times in training,
 * or never).
 */
export function genericTags(ex: Example, profile: DataProfile): string[] {
  const tags: string[] = [];
  if (profile.textLength) {
    const length = textOf(ex).trim().length;
    if (length < profile.textLength.low) tags.push("short-text");
    else if (length > profile.textLength.high) tags.push("long-text");
  }
  for (const [col, value] of Object.entries(ex.numeric)) {
    if (value === null || !Number.isFinite(value)) {
      tags.push(`${col}:missing`);
      continue;
    }
    const b = profile.numeric.get(col);
    // a column without spread (constant on 80% of training rows) has no "unusual" side worth a tag
    if (!b || b.low === b.high) continue;
    if (value < b.low) tags.push(`${col}:low`);
    else if (value > b.high) tags.push(`${col}:high`);
  }
  for (const [col, value] of Object.entries(ex.categorical)) {
    if (value === null) {
      tags.push(`${col}:missing`);
      continue;
    }
    const count = profile.categorical.get(col)?.get(value) ?? 0;
    if (count < RARE_CATEGORY_COUNT) tags.push(`${col}:rare`);
  }
  return tags;
}
