/** Data checks, training dynamics and the threshold/cost report on data built so the answer is known. */
import { describe, expect, it } from "vitest";
import { checkData, familyDrift, minhash } from "../../src/diagnose/data-checks.js";
import { readDynamics } from "../../src/diagnose/dynamics.js";
import { thresholdReport } from "../../src/diagnose/threshold-cost.js";
import { csrFromDense } from "../../src/features/csr.js";
import type { MetricRecord } from "../../src/track/store.js";
import { textExample } from "./helpers.js";

const words = (seed: number, n: number): string =>
  Array.from({ length: n }, (_, i) => `w${(seed * 7919 + i * 104729) % 5000}`).join(" ");

describe("data checks", () => {
  it("finds exact and near copies across splits, balance, tiny examples", () => {
    const base = words(1, 120);
    const near = base.replace(/^(\S+ \S+ \S+)/, "changed words here"); // 3 of 120 words differ
    const train = [
      textExample("t1", "spam", base),
      textExample("t2", "ham", words(2, 80)),
      textExample("t3", "ham", "exact copy of a message body here"),
      textExample("t4", "ham", ""),
    ];
    const dev = [
      textExample("d1", "spam", near),
      textExample("d2", "spam", "Exact   copy of a MESSAGE body here"),
      textExample("d3", "ham", words(3, 90)),
    ];
    const r = checkData(
      [
        { split: "train", examples: train },
        { split: "dev", examples: dev },
      ],
      { classes: ["ham", "spam"] },
    );
    expect(r.exactDuplicates.clusters).toBe(1);
    expect(r.exactDuplicates.crossSplit[0]!.ids).toEqual(["t3", "d2"]);
    expect(r.exactDuplicates.labelConflicts[0]!.labels).toEqual(["ham", "spam"]);
    expect(r.nearDuplicates.crossSplit.map((p) => [p.a, p.b])).toEqual([["t1", "d1"]]);
    expect(r.nearDuplicates.crossSplit[0]!.similarity).toBeGreaterThan(0.8);
    expect(r.nearDuplicates.leakedBySplit).toEqual({ dev: 1 });
    expect(r.balance).toEqual([
      { split: "train", n: 4, counts: { ham: 3, spam: 1 } },
      { split: "dev", n: 3, counts: { ham: 1, spam: 2 } },
    ]);
    expect(r.tiny).toEqual([{ id: "t4", split: "train", chars: 0, reason: "empty body" }]);
  });

  it("MinHash agreement tracks Jaccard similarity", () => {
    const a = minhash(words(5, 200))!;
    const b = minhash(words(6, 200))!;
    let same = 0;
    for (let k = 0; k < 64; k++) if (a[k] === b[k]) same++;
    expect(same).toBeLessThan(8); // unrelated texts
    expect(minhash("too short")).toBeNull();
  });

  it("drift: identical distributions give 0, disjoint columns give 1", () => {
    const X = csrFromDense([1, 0, 1, 0, 0, 1, 0, 1], 4, 2);
    const same = familyDrift({ train: X, dev: X, names: ["a", "b"], families: [{ name: "f", nFeatures: 2 }] });
    expect(same[0]!.jensenShannon).toBeCloseTo(0, 12);
    const A = csrFromDense([1, 0, 1, 0], 2, 2);
    const B = csrFromDense([0, 1, 0, 1], 2, 2);
    const apart = familyDrift({ train: A, dev: B, names: ["a", "b"], families: [{ name: "f", nFeatures: 2 }] });
    expect(apart[0]!.jensenShannon).toBeCloseTo(1, 12);
    expect(apart[0]!.drifted).toBe(true);
  });
});

describe("training dynamics", () => {
  const m = (split: string, step: number, value: number): MetricRecord => ({
    name: "loss",
    split,
    step,
    value,
    loggedAt: 0,
  });
  it("flags non-convergence, an unstable objective and a rising dev loss", () => {
    const metrics = [
      ...[5, 4, 4.5, 3, 3.6, 2.5, 2.9].map((v, i) => m("train", i, v)),
      ...[5, 4, 3, 3.2, 3.5, 3.9, 4.2].map((v, i) => m("dev", i, v)),
    ];
    const d = readDynamics(
      { iterations: 7, converged: false, finalLoss: 2.9, warnings: ["did not converge in 7 epochs"] },
      metrics,
    );
    expect(d.findings.map((f) => f.kind)).toEqual(["not_converged", "unstable", "dev_loss_rising"]);
    expect(d.findings[2]!.message).toMatch(/lowest at step 2/);
  });
  it("a smooth, converged run has no finding", () => {
    const metrics = [3, 2, 1.5, 1.2, 1.1].map((v, i) => m("train", i, v));
    expect(readDynamics({ iterations: 5, converged: true, finalLoss: 1.1, warnings: [] }, metrics).findings).toEqual(
      [],
    );
  });
});

describe("threshold and cost", () => {
  it("operating points and the per-10,000 report, by hand", () => {
    // 10 messages: 4 spam. At 0.5: spam scores .9 .8 .6 .3 → 1 FN; ham .7 .4 .2 .1 .1 .05 → 1 FP.
    const yTrue = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const score = Float64Array.from([0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1, 0.1, 0.05]);
    const r = thresholdReport({
      split: "dev",
      yTrue,
      score,
      current: { value: 0.5, policy: "fixed" },
      costs: { fp: 10, fn: 1 },
      targetPrecision: 0.99,
    });
    const run = r.points[0]!;
    expect([run.fp, run.fn, run.cost]).toEqual([1, 1, 11]);
    expect(run.per10k).toEqual({ negativesLost: 1000, positivesMissed: 1000, cost: 11000 });
    const minCost = r.points.find((p) => p.policy === "min_cost")!;
    // cutting above 0.7 loses no ham: 0 FP, 2 FN (cost 2)
    expect([minCost.fp, minCost.fn, minCost.cost]).toEqual([0, 2, 2]);
    const atP = r.points.find((p) => p.policy.startsWith("max_recall"))!;
    expect([atP.recall, atP.precision]).toEqual([0.5, 1]);
    expect(r.ece).toBeGreaterThan(0);
  });
});
