/** Split properties on small hand-built datasets (counts worked out by hand from the fractions). */
import { describe, expect, it } from "vitest";
import { DataError, SpecError } from "../../src/errors.js";
import type { Example } from "../../src/data/example.js";
import { finalizeDataset } from "../../src/data/load.js";
import { splitDataset, type SplitResult } from "../../src/data/split.js";
import { splitSchema, type SplitSpec } from "../../src/spec/schema.js";
import { sha1Hex } from "../../src/util/hash.js";

function example(id: string, label: string, text: string, group: string | null = null, fold?: string): Example {
  return {
    id,
    label,
    group,
    text: { text },
    numeric: {},
    categorical: fold === undefined ? {} : { fold },
    contentHash: sha1Hex(text),
  };
}

function dataset(examples: Example[], groupColumn: string | null = null) {
  return finalizeDataset({
    description: "test",
    examples,
    badRows: [],
    fields: {
      text: ["text"],
      numeric: [],
      categorical: examples[0]!.categorical.fold === undefined ? [] : ["fold"],
      group: groupColumn,
    },
  });
}

const split = (s: Record<string, unknown>): SplitSpec => splitSchema.parse(s);

/** 100 ham + 40 spam, all texts distinct. */
const balanced = dataset([
  ...Array.from({ length: 100 }, (_, i) => example(`h${i}`, "ham", `ham text ${i}`)),
  ...Array.from({ length: 40 }, (_, i) => example(`s${i}`, "spam", `spam text ${i}`)),
]);

function perClass(ds: typeof balanced, r: SplitResult, label: string): number[] {
  const n = [0, 0, 0];
  ds.examples.forEach((e, i) => {
    if (e.label === label && r.assignment[i]! >= 0) n[r.assignment[i]!]!++;
  });
  return n;
}

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("stratified split", () => {
  it("per-class counts follow the fractions (within ±1)", () => {
    const r = splitDataset(balanced, split({ train: 0.6, dev: 0.2, test: 0.2 }), 0);
    expect(perClass(balanced, r, "ham")).toEqual([60, 20, 20]);
    expect(perClass(balanced, r, "spam")).toEqual([24, 8, 8]);
    expect(r.counts).toEqual({ train: 84, dev: 28, test: 28, dropped: 0 });
    const odd = dataset([
      ...Array.from({ length: 7 }, (_, i) => example(`h${i}`, "ham", `h ${i}`)),
      ...Array.from({ length: 5 }, (_, i) => example(`s${i}`, "spam", `s ${i}`)),
    ]);
    const r2 = splitDataset(odd, split({ train: 0.5, dev: 0.25, test: 0.25 }), 3);
    // 7 ham: train round(3.5)=4, dev round(5.25)-4=1, test 2; 5 spam: train round(2.5)=3, dev round(3.75)-3=1, test 1
    expect(perClass(odd, r2, "ham")).toEqual([4, 1, 2]);
    expect(perClass(odd, r2, "spam")).toEqual([3, 1, 1]);
  });

  it("stratification is within ±1 per class for many sizes and fractions", () => {
    for (const [nHam, nSpam] of [
      [13, 7],
      [101, 29],
      [57, 57],
    ] as const) {
      const ds = dataset([
        ...Array.from({ length: nHam }, (_, i) => example(`h${i}`, "ham", `h ${i}`)),
        ...Array.from({ length: nSpam }, (_, i) => example(`s${i}`, "spam", `s ${i}`)),
      ]);
      for (const [train, dev, test] of [
        [0.6, 0.2, 0.2],
        [0.7, 0.15, 0.15],
        [0.5, 0.3, 0.2],
      ] as const) {
        const r = splitDataset(ds, split({ train, dev, test }), 11);
        for (const [label, n] of [
          ["ham", nHam],
          ["spam", nSpam],
        ] as const) {
          const got = perClass(ds, r, label);
          [train, dev, test].forEach((f, k) => expect(Math.abs(got[k]! - n * f)).toBeLessThanOrEqual(1));
        }
      }
    }
  });

  it("is deterministic by seed and changes with the seed", () => {
    const s = split({});
    const a = splitDataset(balanced, s, 7);
    const b = splitDataset(balanced, s, 7);
    const c = splitDataset(balanced, s, 8);
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
    expect(a.fingerprints).toEqual(b.fingerprints);
    expect(Array.from(a.assignment)).not.toEqual(Array.from(c.assignment));
    expect(a.fingerprints.dev).not.toBe(c.fingerprints.dev);
  });

  it("a fraction may be 0", () => {
    const r = splitDataset(balanced, split({ train: 0.8, dev: 0.2, test: 0 }), 0);
    expect(r.counts).toEqual({ train: 112, dev: 28, test: 0, dropped: 0 });
  });

  it("fractions must sum to 1", () => {
    const e = catchError(() => splitDataset(balanced, split({ train: 0.7, dev: 0.2, test: 0.2 }), 0));
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe(
      "data.split: train + dev + test must sum to 1, got 1.0999999999999999 (train 0.7, dev 0.2, test 0.2)",
    );
  });

  it("a class left without dev examples is an error naming split, class and counts", () => {
    const tiny = dataset([
      ...Array.from({ length: 10 }, (_, i) => example(`h${i}`, "ham", `h ${i}`)),
      example("s0", "spam", "s 0"),
      example("s1", "spam", "s 1"),
    ]);
    // 2 spam at 0.8/0.1/0.1: train round(1.6)=2, dev round(1.8)-2=0
    const e = catchError(() => splitDataset(tiny, split({ train: 0.8, dev: 0.1, test: 0.1 }), 0));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(
      "split leaves class 'spam' with 0 examples in dev (train 2, test 0); every class needs examples in train and dev: the class has only 2 examples after the split; add data for it",
    );
  });
});

describe("duplicates", () => {
  // Three copies of one text (case and whitespace differ), two of another, and distinct texts.
  const dup = dataset([
    example("a1", "spam", "Buy  NOW\ncheap"),
    example("a2", "spam", "buy now cheap"),
    example("a3", "spam", " BUY now CHEAP "),
    example("b1", "ham", "see you at noon"),
    example("b2", "ham", "See you at noon"),
    example("e1", "ham", ""),
    example("e2", "ham", "  "),
    ...Array.from({ length: 30 }, (_, i) => example(`h${i}`, "ham", `ham ${i}`)),
    ...Array.from({ length: 30 }, (_, i) => example(`s${i}`, "spam", `spam ${i}`)),
  ]);
  const idx = (id: string) => dup.examples.findIndex((e) => e.id === id);

  it("keep_one_side puts every copy on the side of the seeded first copy", () => {
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const r = splitDataset(dup, split({ duplicates: "keep_one_side" }), seed);
      expect(r.duplicates.clusters).toBe(2);
      expect(r.duplicates.examplesInClusters).toBe(5);
      expect(r.duplicates.dropped).toBe(0);
      const a = ["a1", "a2", "a3"].map((id) => r.assignment[idx(id)]);
      const b = ["b1", "b2"].map((id) => r.assignment[idx(id)]);
      expect(new Set(a).size).toBe(1);
      expect(new Set(b).size).toBe(1);
      // moved = copies that were not already on the keeper's side; compare with the "keep" split of the same seed
      const kept = splitDataset(dup, split({ duplicates: "keep" }), seed);
      let moved = 0;
      for (let i = 0; i < dup.examples.length; i++) if (kept.assignment[i] !== r.assignment[i]) moved++;
      expect(r.duplicates.moved).toBe(moved);
    }
  });

  it("drop keeps one copy per cluster; keep leaves them and still reports the clusters", () => {
    const r = splitDataset(dup, split({ duplicates: "drop" }), 0);
    expect(r.duplicates).toEqual({ clusters: 2, examplesInClusters: 5, moved: 0, dropped: 3 });
    expect(r.counts.dropped).toBe(3);
    expect(["a1", "a2", "a3"].filter((id) => r.assignment[idx(id)]! >= 0)).toHaveLength(1);
    expect(["b1", "b2"].filter((id) => r.assignment[idx(id)]! >= 0)).toHaveLength(1);
    const k = splitDataset(dup, split({ duplicates: "keep" }), 0);
    expect(k.duplicates).toEqual({ clusters: 2, examplesInClusters: 5, moved: 0, dropped: 0 });
    // the empty texts "" and "  " are not a duplicate cluster
    expect(k.counts.dropped).toBe(0);
  });
});

describe("group and column splits", () => {
  const grouped = dataset([
    ...Array.from({ length: 6 }, (_, i) => example(`h${i}`, "ham", `h ${i}`, i < 3 ? "g1" : "g2")),
    ...Array.from({ length: 6 }, (_, i) => example(`s${i}`, "spam", `s ${i}`, i < 3 ? "g1" : "g3")),
    example("x", "ham", "x", "g4"),
    example("y", "ham", "y", "g5"),
  ]);

  it("assigns by group and drops unlisted groups", () => {
    const r = splitDataset(grouped, split({ method: "group", groups: { train: ["g1", "g2"], dev: ["g3", "g4"] } }), 0);
    const byId = Object.fromEntries(grouped.examples.map((e, i) => [e.id, r.assignment[i]]));
    expect(byId).toMatchObject({ h0: 0, h3: 0, s0: 0, s3: 1, x: 1, y: -1 });
    expect(r.counts).toEqual({ train: 9, dev: 4, test: 0, dropped: 1 });
  });

  it("an unknown group lists the available ones; a class missing from dev is an error", () => {
    const e = catchError(() =>
      splitDataset(grouped, split({ method: "group", groups: { train: ["g1"], dev: ["g9"] } }), 0),
    );
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe('data.split.groups.dev: unknown group "g9"; available groups: g1, g2, g3, g4, g5');
    const e2 = catchError(() =>
      splitDataset(grouped, split({ method: "group", groups: { train: ["g1", "g3"], dev: ["g2"] } }), 0),
    );
    expect(e2).toBeInstanceOf(DataError);
    expect(e2.message).toBe(
      "split leaves class 'spam' with 0 examples in dev (train 6, test 0); every class needs examples in train and dev: data.split.groups.dev (g2) holds no 'spam' example; list a group that does",
    );
    const e3 = catchError(() => splitDataset(grouped, split({ method: "group" }), 0));
    expect(e3).toBeInstanceOf(SpecError);
  });

  it("column split uses the categorical value, train/dev/test by default", () => {
    const folds = ["train", "train", "dev", "test", "other"];
    const ds = dataset([
      ...folds.map((f, i) => example(`h${i}`, "ham", `h ${i}`, null, f)),
      ...folds.map((f, i) => example(`s${i}`, "spam", `s ${i}`, null, f)),
    ]);
    const r = splitDataset(ds, split({ method: "column", column: "fold" }), 0);
    expect(Array.from(r.assignment)).toEqual([0, 0, 1, 2, -1, 0, 0, 1, 2, -1]);
    const e = catchError(() => splitDataset(ds, split({ method: "column", column: "folds" }), 0));
    expect(e.message).toBe(
      'data.split.column: "folds" is not a categorical or group column of the data; available: fold (declare it under data.columns.categorical)',
    );
    const e2 = catchError(() =>
      splitDataset(
        ds,
        split({ method: "column", column: "fold", groups: { train: ["train"], dev: ["validation"] } }),
        0,
      ),
    );
    expect(e2.message).toBe(
      'data.split.groups.dev: unknown value "validation"; available values: dev, other, test, train',
    );
  });
});

describe("fingerprints", () => {
  it("depend on the set of examples, not their order", () => {
    const r = splitDataset(balanced, split({}), 0);
    const reversed = dataset([...balanced.examples].reverse());
    expect(reversed.fingerprint).toBe(balanced.fingerprint);
    const assignment = Array.from(r.assignment).reverse();
    const devIds = new Set(balanced.examples.filter((_, i) => r.assignment[i] === 1).map((e) => e.id));
    expect(reversed.examples.filter((_, i) => assignment[i] === 1).every((e) => devIds.has(e.id))).toBe(true);
    const changed = dataset(balanced.examples.map((e, i) => (i === 0 ? { ...e, label: "spam" } : e)));
    expect(changed.fingerprint).not.toBe(balanced.fingerprint);
  });
});

describe("data.split.train_limit", () => {
  // 100 ham + 40 spam → stratified 60/20/20: train 60 ham + 24 spam (worked out from the fractions)
  const full = splitDataset(balanced, split({ train: 0.6, dev: 0.2, test: 0.2 }), 7);
  const limited = splitDataset(balanced, split({ train: 0.6, dev: 0.2, test: 0.2, train_limit: 42 }), 7);

  it("keeps dev and test exactly as they were", () => {
    expect(limited.fingerprints.dev).toBe(full.fingerprints.dev);
    expect(limited.fingerprints.test).toBe(full.fingerprints.test);
    expect(limited.counts.dev).toBe(full.counts.dev);
    expect(limited.counts.test).toBe(full.counts.test);
  });

  it("trains on a stratified sample of the training split of exactly that size", () => {
    expect(limited.counts.train).toBe(42);
    expect(limited.trainHeldBack).toBe(full.counts.train - 42);
    expect(limited.counts.dropped).toBe(full.counts.dropped + limited.trainHeldBack);
    let spam = 0;
    balanced.examples.forEach((e, i) => {
      if (limited.assignment[i] === 0) {
        expect(full.assignment[i]).toBe(0); // a subset of the full training split
        if (e.label === "spam") spam++;
      }
    });
    expect(spam).toBe(12); // 42 × 24/84, exactly: the class shares are kept
  });

  it("is seeded, and a limit above the training size changes nothing", () => {
    const again = splitDataset(balanced, split({ train: 0.6, dev: 0.2, test: 0.2, train_limit: 42 }), 7);
    expect(Array.from(again.assignment)).toEqual(Array.from(limited.assignment));
    const above = splitDataset(balanced, split({ train: 0.6, dev: 0.2, test: 0.2, train_limit: 1000 }), 7);
    expect(Array.from(above.assignment)).toEqual(Array.from(full.assignment));
    expect(above.trainHeldBack).toBe(0);
  });
});
