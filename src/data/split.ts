/**
 * Train/dev/test splits: stratified by label, by source group, or by a column's value; then exact
 * duplicates are kept on one side (or dropped) so that a dev example never has a copy in train.
 * Every random choice derives from the spec seed.
 */
import { DataError, SpecError } from "../errors.js";
import type { SplitSpec } from "../spec/schema.js";
import { createRng, deriveSeed, shuffleInPlace } from "../util/random.js";
import type { Dataset, Example } from "./example.js";
import { subsetFingerprint } from "./fingerprint.js";

export const TRAIN = 0;
export const DEV = 1;
export const TEST = 2;
export const DROPPED = -1;
/** The three splits, in order: what every stage calls train, dev and test. */
export const SPLIT_NAMES = ["train", "dev", "test"] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitResult {
  /** Per example: 0 train, 1 dev, 2 test, -1 dropped. */
  readonly assignment: Int8Array;
  readonly counts: { train: number; dev: number; test: number; dropped: number };
  readonly duplicates: { clusters: number; examplesInClusters: number; moved: number; dropped: number };
  /** Training examples held back by data.split.train_limit (also counted in counts.dropped). */
  readonly trainHeldBack: number;
  /** SHA-256 of each split's sorted (id, contentHash) pairs: equal dev fingerprints = same dev examples. */
  readonly fingerprints: { train: string; dev: string; test: string };
}

const FRACTION_TOLERANCE = 1e-9;

function stratified(ds: Dataset, split: SplitSpec, seed: number, assignment: Int8Array): void {
  const sum = split.train + split.dev + split.test;
  if (Math.abs(sum - 1) > FRACTION_TOLERANCE)
    throw new SpecError(
      `data.split: train + dev + test must sum to 1, got ${sum} (train ${split.train}, dev ${split.dev}, test ${split.test})`,
      { where: "data.split" },
    );
  const byClass = new Map<string, number[]>();
  for (const c of ds.classes) byClass.set(c, []);
  ds.examples.forEach((e, i) => byClass.get(e.label)!.push(i));
  const rng = createRng(deriveSeed(seed, "split"));
  for (const c of ds.classes) {
    const idx = byClass.get(c)!;
    shuffleInPlace(idx, rng);
    const n = idx.length;
    const trainEnd = Math.round(n * split.train);
    const devEnd = split.test === 0 ? n : Math.min(n, Math.round(n * (split.train + split.dev)));
    for (let k = 0; k < n; k++) assignment[idx[k]!] = k < trainEnd ? TRAIN : k < devEnd ? DEV : TEST;
  }
}

function listOrNone(values: readonly string[]): string {
  return values.length === 0 ? "(none)" : values.join(", ");
}

/** Assigns by a per-example key (source group or column value) listed in split.groups; unlisted keys are dropped. */
function byKey(
  ds: Dataset,
  mapping: Record<SplitName, readonly string[]>,
  keyOf: (e: Example) => string | null,
  what: string,
  assignment: Int8Array,
): void {
  const available = new Set<string>();
  for (const e of ds.examples) {
    const k = keyOf(e);
    if (k !== null) available.add(k);
  }
  const sortedAvailable = [...available].sort();
  const target = new Map<string, number>();
  SPLIT_NAMES.forEach((name, s) => {
    for (const key of mapping[name]) {
      if (!available.has(key))
        throw new SpecError(
          `data.split.groups.${name}: unknown ${what} "${key}"; available ${what}s: ${listOrNone(sortedAvailable)}`,
          { where: `data.split.groups.${name}` },
        );
      const already = target.get(key);
      if (already !== undefined && already !== s)
        throw new SpecError(
          `data.split.groups: ${what} "${key}" is listed in both ${SPLIT_NAMES[already]} and ${name}; a ${what} belongs to one split`,
          { where: `data.split.groups.${name}` },
        );
      target.set(key, s);
    }
  });
  ds.examples.forEach((e, i) => {
    const k = keyOf(e);
    assignment[i] = k === null ? DROPPED : (target.get(k) ?? DROPPED);
  });
}

/** The text whose normalised form decides duplicates: the body for email, every field otherwise. */
function duplicateSource(e: Example): string {
  const known = knownSources.get(e);
  if (known !== undefined) return known;
  if (e.email !== undefined) return e.email.text;
  const parts = Object.values(e.text);
  const numeric = Object.values(e.numeric);
  const categorical = Object.values(e.categorical);
  if (numeric.length > 0) parts.push(JSON.stringify(numeric));
  if (categorical.length > 0) parts.push(JSON.stringify(categorical));
  return parts.join("\u0000");
}

/** Lower-cased, whitespace runs collapsed to one space, trimmed. */
function normalizedContent(e: Example): string {
  return duplicateSource(e).toLowerCase().replace(/\s+/g, " ").trim();
}

/** What /\s/ matches (and String.prototype.trim removes): ECMAScript WhiteSpace and LineTerminator. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The text an example's duplicates are judged on, for an example that no longer carries it: a run
 * that keeps only part of each parsed message (src/loop/cache-inputs.ts) records the body text of
 * the message it came from, so that the split is the one the whole messages give.
 */
const knownSources = new WeakMap<Example, string>();

/** Records what duplicateSource gave for the whole example `e` was cut from. */
export function rememberDuplicateSource(e: Example, source: string): void {
  knownSources.set(e, source);
}

/** Keys computed where the example was parsed (a parsing worker), so the split need not recompute them. */
const knownKeys = new WeakMap<Example, string>();

/** Records `duplicateKey(e)` computed elsewhere (it must be exactly that). */
export function rememberDuplicateKey(e: Example, key: string): void {
  knownKeys.set(e, key);
}

/**
 * A key for the normalised text, computed without building it: two 32-bit hashes and the length of
 * the normalised text, over its characters as they stream by. "" for an empty text. Equal texts
 * give equal keys; the rare unequal texts that share a key are told apart afterwards.
 */
export function duplicateKey(e: Example): string {
  const s = duplicateSource(e).toLowerCase();
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x2545f491;
  let len = 0;
  let pendingSpace = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      h1 = Math.imul(h1 ^ 32, 0x01000193);
      h2 = Math.imul(h2 + 32, 0x9e3779b1) ^ (h2 >>> 15);
      len++;
      pendingSpace = false;
    }
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x9e3779b1) ^ (h2 >>> 15);
    len++;
  }
  return len === 0 ? "" : `${h1 >>> 0}:${h2 >>> 0}:${len}`;
}

// Normalising megabytes of text is the costly part of a split; learning curves and sweeps split the same examples again.
const clusterCache = new WeakMap<readonly Example[], number[][]>();

/**
 * Exact-duplicate clusters (normalised text: lower-cased, whitespace collapsed; for email the body),
 * restricted to the assigned examples when `assignment` is given. Empty texts are not duplicates
 * of each other. Clusters are listed by their first member, members in increasing order.
 */
export function duplicateClusters(examples: readonly Example[], assignment?: Int8Array): number[][] {
  let all = clusterCache.get(examples);
  if (all === undefined) {
    // Group by a streaming hash of the normalised text (no normalised copy of every text), then
    // confirm each candidate group on the normalised texts themselves, so that equality is exact.
    const byKey = new Map<string, number[]>();
    examples.forEach((e, i) => {
      const key = knownKeys.get(e) ?? duplicateKey(e);
      if (key === "") return;
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [i]);
      else list.push(i);
    });
    all = [];
    for (const candidates of byKey.values()) {
      if (candidates.length < 2) continue;
      const byText = new Map<string, number[]>();
      for (const i of candidates) {
        const text = normalizedContent(examples[i]!);
        const list = byText.get(text);
        if (list === undefined) byText.set(text, [i]);
        else list.push(i);
      }
      for (const list of byText.values()) if (list.length > 1) all.push(list);
    }
    all.sort((a, b) => a[0]! - b[0]!);
    clusterCache.set(examples, all);
  }
  if (assignment === undefined) return all.map((c) => c.slice());
  const out: number[][] = [];
  for (const c of all) {
    const kept = c.filter((i) => assignment[i]! >= 0);
    if (kept.length > 1) out.push(kept);
  }
  return out;
}

function checkClasses(
  ds: Dataset,
  split: SplitSpec,
  assignment: Int8Array,
  devRequested: boolean,
  mapping: Record<SplitName, readonly string[]> | null,
): void {
  const counts = new Map<string, [number, number, number]>();
  for (const c of ds.classes) counts.set(c, [0, 0, 0]);
  ds.examples.forEach((e, i) => {
    const s = assignment[i]!;
    if (s >= 0) counts.get(e.label)![s]!++;
  });
  for (const c of ds.classes) {
    const n = counts.get(c)!;
    const empty: number = n[TRAIN] === 0 ? TRAIN : devRequested && n[DEV] === 0 ? DEV : -1;
    if (empty < 0) continue;
    const name = SPLIT_NAMES[empty]!;
    const others = SPLIT_NAMES.map((s, k) => (k === empty ? null : `${s} ${n[k]}`))
      .filter((x) => x !== null)
      .join(", ");
    const total = n[0] + n[1] + n[2];
    let hint: string;
    if (mapping !== null)
      hint = `data.split.groups.${name} (${listOrNone(mapping[name])}) holds no '${c}' example; list a ${split.method === "group" ? "group" : "value"} that does`;
    else
      hint =
        total <= 2
          ? `the class has only ${total} example${total === 1 ? "" : "s"} after the split; add data for it`
          : `raise data.split.${name} or add data`;
    throw new DataError(
      `split leaves class '${c}' with 0 examples in ${name} (${others}); every class needs examples in train${devRequested ? " and dev" : ""}: ${hint}`,
      { where: "data.split" },
    );
  }
}

/**
 * Keeps a seeded sample of `limit` training examples, stratified by label (largest-remainder
 * quotas), and marks the rest dropped. Dev and test are untouched. Returns how many were held back.
 */
function limitTrain(ds: Dataset, assignment: Int8Array, limit: number, seed: number): number {
  const byClass = new Map<string, number[]>();
  let total = 0;
  ds.examples.forEach((e, i) => {
    if (assignment[i] !== TRAIN) return;
    total++;
    const list = byClass.get(e.label);
    if (list) list.push(i);
    else byClass.set(e.label, [i]);
  });
  if (limit >= total) return 0;
  const rng = createRng(deriveSeed(seed, "train_limit"));
  const classes = [...byClass.keys()].sort();
  const exact = classes.map((c) => (byClass.get(c)!.length * limit) / total);
  const quota = exact.map((q) => Math.floor(q));
  const order = classes.map((_, k) => k).sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || a - b);
  for (let r = limit - quota.reduce((a, b) => a + b, 0), k = 0; r > 0; r--, k++) quota[order[k]!]!++;
  classes.forEach((c, k) => {
    const members = byClass.get(c)!;
    shuffleInPlace(members, rng);
    for (let j = quota[k]!; j < members.length; j++) assignment[members[j]!] = DROPPED;
  });
  return total - limit;
}

/** Splits a dataset as the spec says. Throws SpecError for an impossible split spec, DataError for a split that leaves a class out. */
export function splitDataset(ds: Dataset, split: SplitSpec, seed: number): SplitResult {
  const n = ds.examples.length;
  const assignment = new Int8Array(n);
  let mapping: Record<SplitName, readonly string[]> | null = null;
  let devRequested: boolean;
  if (split.method === "stratified") {
    stratified(ds, split, seed, assignment);
    devRequested = split.dev > 0;
  } else if (split.method === "group") {
    if (split.groups === undefined)
      throw new SpecError(
        'data.split.groups is required when data.split.method is "group" (e.g. groups: { train: [spam-1, easy-ham-1], test: [spam-2, easy-ham-2] })',
        { where: "data.split.groups" },
      );
    mapping = split.groups;
    byKey(ds, mapping, (e) => e.group, "group", assignment);
    devRequested = mapping.dev.length > 0;
  } else {
    const column = split.column;
    if (column === undefined)
      throw new SpecError('data.split.column is required when data.split.method is "column"', {
        where: "data.split.column",
      });
    const groupColumn = ds.fields?.group ?? null;
    const first = ds.examples[0];
    const isCategorical = first !== undefined && Object.prototype.hasOwnProperty.call(first.categorical, column);
    if (!isCategorical && column !== groupColumn) {
      const available = [...Object.keys(first?.categorical ?? {}), ...(groupColumn === null ? [] : [groupColumn])];
      throw new SpecError(
        `data.split.column: "${column}" is not a categorical or group column of the data; available: ${listOrNone(available)} (declare it under data.columns.categorical)`,
        { where: "data.split.column" },
      );
    }
    mapping = split.groups ?? { train: ["train"], dev: ["dev"], test: ["test"] };
    byKey(ds, mapping, isCategorical ? (e) => e.categorical[column] ?? null : (e) => e.group, "value", assignment);
    devRequested = mapping.dev.length > 0;
  }

  const clusters = duplicateClusters(ds.examples, assignment);
  let moved = 0;
  let dupDropped = 0;
  let examplesInClusters = 0;
  if (clusters.length > 0) {
    const rng = createRng(deriveSeed(seed, "duplicates"));
    for (const cluster of clusters) {
      examplesInClusters += cluster.length;
      if (split.duplicates === "keep") continue;
      // The seeded "first" member decides where the cluster goes (or which copy survives).
      const order = cluster.slice();
      shuffleInPlace(order, rng);
      const keeper = order[0]!;
      const side = assignment[keeper]!;
      for (let k = 1; k < order.length; k++) {
        const i = order[k]!;
        if (split.duplicates === "drop") {
          assignment[i] = DROPPED;
          dupDropped++;
        } else if (assignment[i] !== side) {
          assignment[i] = side;
          moved++;
        }
      }
    }
  }

  const trainHeldBack = split.train_limit === undefined ? 0 : limitTrain(ds, assignment, split.train_limit, seed);

  checkClasses(ds, split, assignment, devRequested, mapping);

  const members: number[][] = [[], [], []];
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const s = assignment[i]!;
    if (s < 0) dropped++;
    else members[s]!.push(i);
  }
  return {
    assignment,
    counts: { train: members[TRAIN]!.length, dev: members[DEV]!.length, test: members[TEST]!.length, dropped },
    duplicates: { clusters: clusters.length, examplesInClusters, moved, dropped: dupDropped },
    trainHeldBack,
    fingerprints: {
      train: subsetFingerprint(ds.examples, members[TRAIN]!),
      dev: subsetFingerprint(ds.examples, members[DEV]!),
      test: subsetFingerprint(ds.examples, members[TEST]!),
    },
  };
}
