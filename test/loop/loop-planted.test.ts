/**
 * Planted situations where the right next move is known: the loop's FIRST attempt must be that
 * move. Each data set is small, synthetic and seeded, written here; the loop runs through
 * `runLoop` with small screening rungs (budget 2: the spec as given, `start: "spec"`, and one
 * attempt). With the default start the loop screens before its first run; (a) is checked that way
 * too: the first full run already carries the right move.
 *
 *   (a) an informative text column the spec does not use (it reads a noise column only)
 *       → use that column;
 *   (b) a strongly over-regularised logistic regression (C = 1e-4) on features whose useful
 *       direction is not the class-mean difference (so no threshold or calibration can rescue it)
 *       → weaker regularisation: a linear model with C ≥ 1;
 *   (c) a good model with a fixed threshold far from the best one, equal error costs
 *       → the threshold for the best F1 (chosen on out-of-fold training scores);
 *   (d) planted label noise in the training split (30 % of its labels flipped; dev and test clean),
 *       a weakly regularised model (C = 100) on many rare words → leave the likely label errors out
 *       of the fit (model.label_issues: drop, confident learning) or regularise more strongly (a
 *       linear model with C ≤ 1): with symmetric noise the best boundary is unchanged and the
 *       noise is what a weakly regularised model fits. Primary metric accuracy: on noisy labels it
 *       is an affine function of clean accuracy (ρ + (1 − 2ρ)·acc), so screening on the noisy
 *       training split ranks moves as clean data would; F1 on noisy balanced labels saturates at
 *       "predict everything positive", and screening on it picks a threshold move instead.
 *
 * (b) and (d) accept either linear family: when a family switch and the same family's C measure
 * the same within noise, screening has no rule yet that prefers the smaller change.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLoop, type LoopResult } from "../../src/loop/loop.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { createRng, type Rng } from "../../src/util/random.js";
import { tempDir } from "../cli/cli-helpers.js";

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

const SCREENING = {
  rungs: [
    { folds: 3, fraction: 0.5 },
    { folds: 3, fraction: 1 },
  ],
};

function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

async function loopOn(
  name: string,
  csv: string[],
  spec: Record<string, unknown>,
  log: string[],
  start: "spec" | "screened" = "spec",
): Promise<LoopResult> {
  const dir = tempDir(`mlloop-planted-${name}-`);
  writeFileSync(join(dir, "data.csv"), `${csv.join("\n")}\n`);
  const store = await openStore(join(dir, "mlloop.db"));
  stores.push(store);
  return runLoop({
    store,
    spec: parseSpec({ experiment: name, ...spec }),
    baseDir: dir,
    budget: start === "spec" ? 2 : 1,
    workers: 0,
    start,
    screening: SCREENING,
    log: (l) => log.push(l),
  });
}

/** The leading move of the first attempt (a compound grows from the best single move, so it leads). */
const firstMove = (r: LoopResult): string => r.attempts[0]?.candidate.split(" + ")[0] ?? "(no attempt)";
/** The model move of the first attempt, wherever it sits in a compound (a compound's order is how screening grew it). */
const firstModelMove = (r: LoopResult): string =>
  r.attempts[0]?.candidate.split(" + ").find((m) => m.startsWith("model=")) ?? "(no model move)";

/** The C of a linear-model move ("model=linear_svm(C=0.1)" → 0.1), null for any other move. */
function linearC(move: string): number | null {
  const m = /^model=(?:logistic_regression|linear_svm)\(C=([0-9.e+-]+)\)$/.exec(move);
  return m === null ? null : Number(m[1]);
}

describe("planted situations: the loop's first attempt is the known right move", () => {
  it("(a) an unused informative text column → use it", async () => {
    const rng = createRng(101);
    const rows = ["id,noise,body,label"];
    for (let i = 0; i < 300; i++) {
      const label = rng.next() < 0.4 ? 1 : 0;
      const noise = Array.from({ length: 6 }, () => `w${rng.int(50)}`).join(" ");
      const body = Array.from({ length: 6 }, () =>
        rng.next() < 0.75 ? `${label ? "pos" : "neg"}${rng.int(8)}` : `w${rng.int(50)}`,
      ).join(" ");
      rows.push(`r${i},${noise},${body},${label}`);
    }
    const spec = {
      data: { source: "csv", path: "data.csv", columns: { id: "id", label: "label", text: ["noise", "body"] } },
      features: { words: { fields: ["noise"] } },
      model: { family: "logistic_regression" },
    };
    const log: string[] = [];
    const r = await loopOn("a", rows, spec, log);
    expect(firstMove(r), log.join("\n")).toBe("words.fields+body");

    // the default start: screening before any full run puts the column in the first run itself
    const log2: string[] = [];
    const r2 = await loopOn("a-screened", rows, spec, log2, "screened");
    expect(r2.runsUsed).toBe(1);
    const startRun = await stores[stores.length - 1]!.getRun(r2.baselineRunId);
    expect(startRun.tags["loop.candidate"]?.split(" + ")[0], log2.join("\n")).toBe("words.fields+body");
    expect(r2.trajectory[0]!, log2.join("\n")).toBeGreaterThan(r.trajectory[0]!);
  }, 90_000);

  it("(b) an over-regularised model (C = 1e-4) → weaker regularisation", async () => {
    const rng = createRng(202);
    const rows = ["id,a,b,c,label"];
    for (let i = 0; i < 300; i++) {
      const label = rng.next() < 0.5 ? 1 : 0;
      // a and b share a large nuisance z; only a − b carries the label, and c is noise
      const z = 3 * normal(rng);
      const a = z + (label ? 0.8 : -0.8) + 0.3 * normal(rng);
      const b = z + 0.3 * normal(rng);
      rows.push(`r${i},${a.toFixed(4)},${b.toFixed(4)},${normal(rng).toFixed(4)},${label}`);
    }
    const log: string[] = [];
    const r = await loopOn(
      "b",
      rows,
      {
        data: { source: "csv", path: "data.csv", columns: { id: "id", label: "label", numeric: ["a", "b", "c"] } },
        features: { numeric: {} },
        model: { family: "logistic_regression", C: 1e-4 },
      },
      log,
    );
    // weaker regularisation: a linear model with C at least 10,000 times larger, in the first attempt
    const C = linearC(firstModelMove(r));
    expect(C, log.join("\n")).not.toBeNull();
    expect(C!, log.join("\n")).toBeGreaterThanOrEqual(1);
  }, 60_000);
  it("(c) a threshold far from the best one, equal costs → the threshold for the best F1", async () => {
    const rng = createRng(303);
    const rows = ["id,text,label"];
    for (let i = 0; i < 300; i++) {
      const label = rng.next() < 0.4 ? 1 : 0;
      const text = Array.from({ length: 6 }, () =>
        rng.next() < 0.6 ? `${label ? "pos" : "neg"}${rng.int(8)}` : `w${rng.int(40)}`,
      ).join(" ");
      rows.push(`r${i},${text},${label}`);
    }
    const log: string[] = [];
    const r = await loopOn(
      "c",
      rows,
      {
        data: { source: "csv", path: "data.csv", columns: { id: "id", label: "label", text: ["text"] } },
        features: { words: { fields: ["text"] } },
        model: { family: "logistic_regression", C: 10 },
        evaluate: { costs: { fp: 1, fn: 1 }, threshold: { policy: "fixed", value: 0.95 } },
      },
      log,
    );
    expect(firstMove(r), log.join("\n")).toBe("threshold:max_f1");
  }, 60_000);

  it("(d) label noise planted in the training split → drop likely label errors or regularise more", async () => {
    const rng = createRng(404);
    const rows = ["id,text,split,label"];
    for (let i = 0; i < 360; i++) {
      const split = i < 240 ? "train" : i < 300 ? "dev" : "test";
      const label = rng.next() < 0.5 ? 1 : 0;
      const text = Array.from({ length: 8 }, () =>
        rng.next() < 0.4 ? `${label ? "pos" : "neg"}${rng.int(10)}` : `w${rng.int(400)}`,
      ).join(" ");
      // 30 % of the training labels flipped; dev and test are clean
      const noisy = split === "train" && rng.next() < 0.3 ? 1 - label : label;
      rows.push(`r${i},${text},${split},${noisy}`);
    }
    const log: string[] = [];
    const r = await loopOn(
      "d",
      rows,
      {
        data: {
          source: "csv",
          path: "data.csv",
          columns: { id: "id", label: "label", text: ["text"], group: "split" },
          split: { method: "column", column: "split" },
        },
        features: { words: { fields: ["text"] } },
        model: { family: "logistic_regression", C: 100 },
        evaluate: { primary_metric: "accuracy" },
      },
      log,
    );
    // the catalogue's answers to label noise: leave the likely label errors out of the fit, or a
    // linear model with C at least 100 times smaller (stronger regularisation)
    const moves = r.attempts[0]?.candidate.split(" + ") ?? [];
    const C = linearC(firstMove(r));
    expect(moves.includes("model.label_issues=drop") || (C !== null && C <= 1), log.join("\n")).toBe(true);
  }, 60_000);
});
