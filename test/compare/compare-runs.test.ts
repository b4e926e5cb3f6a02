import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CompareError } from "../../src/errors.js";
import { compareMany, compareRuns, holmAdjust } from "../../src/compare/compare-runs.js";
import { inertText } from "../../src/compare/preview.js";
import { openSqliteStore, type SqliteStore } from "../../src/track/sqlite-store.js";
import { BASE_SPEC, devSet, writeRun } from "./fixtures.js";
import { BINOMTEST } from "./reference.js";

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlloop-compare-"));
  store = await openSqliteStore(join(dir, "mlloop.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function compareError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CompareError);
    return (e as Error).message;
  }
  throw new Error("expected a CompareError");
}

describe("compareRuns", () => {
  it("pairs the shared examples: accuracy delta, McNemar = scipy binomtest, flips and slices", async () => {
    const n = 300;
    // A wrong on examples 0..39 (b: A right & B wrong = 9 at 100..108; c: A wrong & B right = 21 at 0..20)
    const a = await writeRun(store, { dev: devSet(n, (i) => i < 40) });
    const b = await writeRun(store, { dev: devSet(n, (i) => (i >= 21 && i < 40) || (i >= 100 && i < 109)), parent: a });
    const cmp = await compareRuns(store, a, b, { git: false, resamples: 1000 });
    const split = cmp.splits[0]!;
    expect(split.n).toBe(n);
    const acc = split.metrics.find((m) => m.metric === "accuracy")!;
    expect(acc.a).toBeCloseTo(260 / 300, 14);
    expect(acc.b).toBeCloseTo(272 / 300, 14);
    expect(acc.delta).toBeCloseTo(12 / 300, 14);
    const ref = BINOMTEST.find((r) => r.b === 9 && r.c === 21)!;
    expect(acc.mcnemar!.b).toBe(9);
    expect(acc.mcnemar!.c).toBe(21);
    expect(acc.mcnemar!.pValue).toBeCloseTo(ref.p, 12);
    expect(acc.ciLow).toBeLessThan(acc.delta);
    expect(acc.ciHigh).toBeGreaterThan(acc.delta);
    expect(split.flips!.fixed).toBe(21);
    expect(split.flips!.broken).toBe(9);
    const byLabel = split.flips!.slices.filter((s) => s.by === "label");
    const byGroup = split.flips!.slices.filter((s) => s.by === "group");
    expect(byLabel.reduce((t, s) => t + s.accuracyDelta, 0)).toBeCloseTo(acc.delta, 14);
    expect(byGroup.reduce((t, s) => t + s.accuracyDelta, 0)).toBeCloseTo(acc.delta, 14);
    expect(byGroup.map((s) => s.slice)).toEqual(["easy-ham-1", "hard-ham-1", "spam-2"]);
    expect(byGroup.reduce((t, s) => t + s.share, 0)).toBeCloseTo(1, 14);
    expect(cmp.change.spec).toEqual([]);
    expect(cmp.paired).toBe(true);
    expect(cmp.primaryMetric).toBe("accuracy");
  });

  it("slices the flips by manual example tags, and a new tag is not hidden by the stored result", async () => {
    const a = await writeRun(store, { dev: devSet(60, (i) => i < 12) });
    const b = await writeRun(store, { dev: devSet(60, (i) => i >= 9 && i < 12) });
    // fixed: 0..8; tag 0..3 "phishing-url" and 3 also "obfuscated"
    for (let i = 0; i < 4; i++) {
      const id = devSet(60, () => false)[i]![0];
      await store.addExampleTags("spam", id, i === 3 ? ["phishing-url", "obfuscated"] : ["phishing-url"]);
    }
    const first = await compareRuns(store, a, b, { git: false, resamples: 100 });
    const tagSlices = first.splits[0]!.flips!.slices.filter((s) => s.by === "tag");
    expect(tagSlices.map((s) => [s.slice, s.n, s.fixed, s.broken])).toEqual([
      ["obfuscated", 1, 1, 0],
      ["phishing-url", 4, 4, 0],
    ]);
    expect(tagSlices[1]!.accuracyDelta).toBeCloseTo(4 / 60, 14);
    expect(tagSlices[1]!.share).toBeCloseTo(4 / 9, 14);
    const flipped = first.splits[0]!.flips!.examples.find((f) => f.exampleId === devSet(60, () => false)[3]![0])!;
    expect(flipped.tags).toEqual(["obfuscated", "phishing-url"]);
    await store.addExampleTags("spam", devSet(60, () => false)[5]![0], ["obfuscated"]);
    const second = await compareRuns(store, a, b, { git: false, resamples: 100 });
    expect(second.cached).toBeUndefined();
    expect(second.splits[0]!.flips!.slices.find((s) => s.by === "tag" && s.slice === "obfuscated")!.n).toBe(2);
    expect((await compareRuns(store, a, b, { git: false, resamples: 100 })).cached).toBe(true);
  });

  it("reuses the stored result for finished runs and reads replicate groups fresh", async () => {
    const a = await writeRun(store, { dev: devSet(90, (i) => i < 10) });
    const b = await writeRun(store, { dev: devSet(90, (i) => i < 4), tags: { replicate_group: "g" } });
    const first = await compareRuns(store, a, b, { git: false, resamples: 200 });
    expect(first.cached).toBeUndefined();
    expect(first.splits[0]!.metrics[0]!.noise).toBeNull();
    await writeRun(store, { dev: devSet(90, (i) => i < 6), tags: { replicate_group: "g" } });
    const second = await compareRuns(store, a, b, { git: false, resamples: 200 });
    expect(second.cached).toBe(true);
    expect(second.splits[0]!.metrics).toEqual(
      first.splits[0]!.metrics.map((m) => ({
        ...m,
        noise: second.splits[0]!.metrics.find((x) => x.metric === m.metric)!.noise,
      })),
    );
    const acc = second.splits[0]!.metrics.find((m) => m.metric === "accuracy")!;
    // replicates: accuracies 86/90 and 84/90 → σ = |86 − 84|/90/√2
    const sigma = 2 / 90 / Math.SQRT2;
    expect(acc.noise!.std).toBeCloseTo(sigma, 14);
    expect(acc.noise!.threshold).toBeCloseTo(2 * Math.SQRT2 * sigma, 14);
    expect(acc.noise!.exceeds).toBe(Math.abs(acc.delta) > 2 * Math.SQRT2 * sigma);
  });

  it("refuses runs evaluated on different examples, with what differs", async () => {
    const a = await writeRun(store, { dev: devSet(60, () => false), devFingerprint: "a".repeat(64) });
    const b = await writeRun(store, { dev: devSet(60, () => false), devFingerprint: "b".repeat(64) });
    const message = await compareError(compareRuns(store, a, b, { git: false }));
    expect(message).toBe(
      `cannot compare run ${a.slice(0, 12)} with run ${b.slice(0, 12)} on equal footing:\n` +
        `  - dev examples differ: split fingerprint aaaaaaaaaaaa (run ${a.slice(0, 12)}) ≠ bbbbbbbbbbbb (run ${b.slice(0, 12)})\n` +
        "The runs were evaluated on different examples: --unpaired gives an explicitly labelled unpaired comparison.",
    );
    const unpaired = await compareRuns(store, a, b, { git: false, unpaired: true, resamples: 200 });
    expect(unpaired.paired).toBe(false);
    expect(unpaired.splits[0]!.flips).toBeNull();
    expect(unpaired.allowedDifferences.map((d) => d.kind)).toEqual(["examples"]);
  });

  it("refuses different threshold policies unless allowed, and different positive classes always", async () => {
    const maxF1 = { ...BASE_SPEC, evaluate: { ...BASE_SPEC.evaluate, threshold: { policy: "max_f1" } } };
    const a = await writeRun(store, { dev: devSet(60, () => false) });
    const b = await writeRun(store, { dev: devSet(60, () => false), spec: maxF1, threshold: 0.42, policy: "max_f1" });
    expect(await compareError(compareRuns(store, a, b, { git: false }))).toBe(
      `cannot compare run ${a.slice(0, 12)} with run ${b.slice(0, 12)} on equal footing:\n` +
        `  - threshold policy differs: fixed 0.5 (run ${a.slice(0, 12)}) ≠ max_f1 (run ${b.slice(0, 12)})\n` +
        "--allow-threshold-change compares each run at its own recorded threshold.",
    );
    const allowed = await compareRuns(store, a, b, { git: false, allowThresholdChange: true, resamples: 100 });
    expect(allowed.allowedDifferences.map((d) => d.kind)).toEqual(["threshold"]);
    const hamPositive = { ...BASE_SPEC, evaluate: { ...BASE_SPEC.evaluate, positive_class: "ham" } };
    const c = await writeRun(store, { dev: devSet(60, () => false), spec: hamPositive, positiveClass: "ham" });
    expect(
      await compareError(compareRuns(store, a, c, { git: false, unpaired: true, allowThresholdChange: true })),
    ).toContain(
      `  - positive class differs: "spam" (run ${a.slice(0, 12)}) ≠ "ham" (run ${c.slice(0, 12)})\n` +
        "Runs with different positive classes measure different things and are never compared.",
    );
  });

  it("compares several candidates with Holm-adjusted p-values", async () => {
    const a = await writeRun(store, { dev: devSet(150, (i) => i < 30) });
    const b = await writeRun(store, { dev: devSet(150, (i) => i < 10) });
    const c = await writeRun(store, { dev: devSet(150, (i) => i < 29) });
    const many = await compareMany(store, a, [b, c], { git: false, resamples: 500 });
    expect(many.metric).toBe("accuracy");
    const ps = many.rows.map((r) => r.metric!.pValue);
    expect(many.rows.map((r) => r.holmP)).toEqual(holmAdjust(ps));
    expect(many.rows[0]!.metric!.verdict).toBe("improved");
  });
});

describe("Holm and previews", () => {
  it("Holm's step-down, worked by hand: p = [0.01, 0.04, 0.03] → [3·0.01, max(0.03·2, ·), 0.06] = [0.03, 0.06, 0.06]", () => {
    const adj = holmAdjust([0.01, 0.04, 0.03]);
    expect(adj[0]).toBeCloseTo(0.03, 15);
    expect(adj[1]).toBeCloseTo(0.06, 15);
    expect(adj[2]).toBeCloseTo(0.06, 15);
  });

  it("makes hostile text inert: escapes, bidi overrides and newlines removed, length capped", () => {
    expect(inertText("\u001b[31mWIN\u001b[0m \u202ecash\u202c\r\nnow")).toBe("[31mWIN [0m cash now");
    expect(inertText("x".repeat(100), 10)).toBe("xxxxxxxxx…");
  });
});
