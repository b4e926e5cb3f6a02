import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../src/errors.js";
import { csrFromDense, csrSelectRows } from "../../src/features/csr.js";
import { Mlp, mlpLayout } from "../../src/models/mlp.js";
import { loadModel } from "../../src/models/registry.js";
import { instabilityKind } from "../../src/models/training-warnings.js";
import { mlpParamsSchema } from "../../src/spec/models.js";
import { maxRelErr, toCsr } from "./fixture.js";
import { randomSparseProblem } from "./random-sparse.js";

interface TrajectoryCase {
  name: string;
  y: "y2" | "y3";
  params: Record<string, unknown>;
  init: number[];
  weights: number[];
  lossCurve: number[];
  probaTest?: number[][];
}

/** test/fixtures/models/mlp-reference.json, written by test/reference/models_ref_mlp.py (see its provenance). */
const ref = JSON.parse(readFileSync(new URL("../fixtures/models/mlp-reference.json", import.meta.url), "utf8")) as {
  provenance: string;
  X: number[][];
  Xtest: number[][];
  y2: number[];
  y3: number[];
  sampleWeight: number[];
  trajectory: TrajectoryCase[];
  weighted: TrajectoryCase[];
  behaviour: {
    X: number[][];
    y2: number[];
    y3: number[];
    Xtest: number[][];
    ytest2: number[];
    ytest3: number[];
    accuracy: { y2: number[]; y3: number[] };
  };
};
const X = toCsr(ref.X);
const Xtest = toCsr(ref.Xtest);
const labels = { y2: Int32Array.from(ref.y2), y3: Int32Array.from(ref.y3) };

function mlp(params: Record<string, unknown>, seed = 0): Mlp {
  return new Mlp(mlpParamsSchema.parse({ family: "mlp", ...params }), seed);
}

/** sklearn's settings for the trajectory cases: no shuffling, no stopping rule. */
const fixedEpochs = { shuffle: false, tol: 0, n_iter_no_change: 10_000, early_stopping: false };

function accuracy(proba: Float64Array, y: ArrayLike<number>, K: number): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (proba[i * K + k]! > proba[i * K + best]!) best = k;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

describe("MLP follows sklearn's MLPClassifier step for step (same initial weights, shuffle=False)", () => {
  for (const c of ref.trajectory) {
    it(`${c.name}: weights, loss curve and probabilities after 15 epochs of minibatch Adam`, () => {
      const m = mlp({ ...fixedEpochs, ...c.params });
      const r = m.fit({ X, y: labels[c.y], nClasses: c.y === "y2" ? 2 : 3 }, Float64Array.from(c.init));
      // Observed ≤ 3e-14: the same arithmetic in a different summation order.
      expect(maxRelErr(m.weights, c.weights, 1e-3)).toBeLessThan(1e-10);
      expect(
        maxRelErr(
          Float64Array.from(r.curve, (p) => p.loss),
          c.lossCurve,
          1e-3,
        ),
      ).toBeLessThan(1e-12);
      expect(maxRelErr(m.predictProba(Xtest), c.probaTest!.flat(), 1e-3)).toBeLessThan(1e-10);
    });
  }

  // sklearn 1.2's MLP takes no sample weights: integer weights must equal repeating each row that
  // many times, which holds exactly for full-batch Adam (one step per epoch over all rows).
  for (const c of ref.weighted) {
    it(`${c.name}: sample weights equal repeated rows (sklearn on the repeated data, full batch)`, () => {
      const m = mlp({ ...fixedEpochs, ...c.params, batch_size: X.rows });
      const r = m.fit(
        { X, y: labels[c.y], nClasses: c.y === "y2" ? 2 : 3, sampleWeight: Float64Array.from(ref.sampleWeight) },
        Float64Array.from(c.init),
      );
      expect(maxRelErr(m.weights, c.weights, 1e-3)).toBeLessThan(1e-10);
      expect(
        maxRelErr(
          Float64Array.from(r.curve, (p) => p.loss),
          c.lossCurve,
          1e-3,
        ),
      ).toBeLessThan(1e-12);
    });
  }

  it("sample weights scale each row's loss: weight 2 ≡ the row twice, weight 0 ≡ no row (full batch, ours)", () => {
    const w = Float64Array.from({ length: X.rows }, (_, i) => (i % 3 === 0 ? 2 : i % 3 === 1 ? 0 : 1));
    const rows: number[] = [];
    w.forEach((wi, i) => {
      for (let k = 0; k < wi; k++) rows.push(i);
    });
    // Start both from the same (briefly trained) weights.
    const start = new Mlp(mlpParamsSchema.parse({ family: "mlp", hidden_layer_sizes: [4], max_iter: 1 }), 9);
    start.fit({ X, y: labels.y3, nClasses: 3 });
    const params = { ...fixedEpochs, hidden_layer_sizes: [4], max_iter: 12, learning_rate_init: 0.02 };
    const weighted = mlp({ ...params, batch_size: X.rows });
    weighted.fit({ X, y: labels.y3, nClasses: 3, sampleWeight: w }, start.weights);
    const repeated = mlp({ ...params, batch_size: rows.length });
    repeated.fit(
      { X: csrSelectRows(X, rows), y: Int32Array.from(rows, (i) => labels.y3[i]!), nClasses: 3 },
      start.weights,
    );
    expect(maxRelErr(weighted.weights, repeated.weights, 1e-3)).toBeLessThan(1e-10);
  });
});

describe("MLP gradient", () => {
  it("a hand-worked network: x = 1, W₁ = 0.5, W₂ = 2, y = 1", () => {
    // h = relu(0.5·1 + 0) = 0.5; z = 2·0.5 + 0 = 1; p = σ(1) = 0.7310585786300049.
    // loss = −log p = 0.31326168751822286; ∂/∂z = p − 1 = −0.2689414213699951;
    // ∂W₂ = (p − 1)·h = −0.13447071068499755, ∂b₂ = p − 1; ∂h = (p − 1)·W₂ = −0.5378828427399902,
    // ∂W₁ = ∂h·x, ∂b₁ = ∂h (h > 0). Layout: W₁, W₂, b₁, b₂.
    const m = mlp({ hidden_layer_sizes: [1], alpha: 0 });
    m.nFeatures = 1;
    m.nClasses = 2;
    m.weights = Float64Array.of(0.5, 2, 0, 0);
    const { loss, gradient } = m.objective(csrFromDense([1], 1, 1), Int32Array.of(1));
    expect(loss).toBeCloseTo(0.31326168751822286, 15);
    const dz = -0.2689414213699951;
    expect(Array.from(gradient)).toEqual([dz * 2, dz * 0.5, dz * 2, dz].map((v) => expect.closeTo(v, 15)));
  });

  for (const [hidden, K] of [
    [[3], 2],
    [[4, 3], 3],
  ] as const) {
    it(`matches central finite differences: hidden ${JSON.stringify(hidden)}, ${K} classes, weights and L2`, () => {
      const Xs = csrSelectRows(
        X,
        Int32Array.from({ length: 12 }, (_, i) => i),
      );
      const y = Int32Array.from({ length: 12 }, (_, i) => i % K);
      const sw = Float64Array.from({ length: 12 }, (_, i) => 0.5 + (i % 4) * 0.3);
      const m = mlp({ hidden_layer_sizes: hidden, alpha: 0.3, max_iter: 3, learning_rate_init: 0.05 });
      m.fit({ X: Xs, y, nClasses: K });
      const { gradient } = m.objective(Xs, y, sw);
      expect(gradient.length).toBe(mlpLayout(Xs.cols, hidden, K).size);
      const h = 1e-6;
      let worst = 0;
      for (let k = 0; k < m.weights.length; k++) {
        const w0 = m.weights[k]!;
        m.weights[k] = w0 + h;
        const up = m.objective(Xs, y, sw).loss;
        m.weights[k] = w0 - h;
        const down = m.objective(Xs, y, sw).loss;
        m.weights[k] = w0;
        worst = Math.max(
          worst,
          Math.abs((up - down) / (2 * h) - gradient[k]!) / Math.max(Math.abs(gradient[k]!), 1e-4),
        );
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }
});

describe("MLP behaviour", () => {
  const B = ref.behaviour;
  const Xb = toCsr(B.X);
  const Xbt = toCsr(B.Xtest);
  for (const [key, K] of [
    ["y2", 2],
    ["y3", 3],
  ] as const) {
    it(`defaults: test accuracy over seeds 0..4 within 0.02 of sklearn's (${K} classes)`, () => {
      let ours = 0;
      for (let seed = 0; seed < 5; seed++) {
        const m = mlp({}, seed);
        m.fit({ X: Xb, y: Int32Array.from(B[key]), nClasses: K });
        ours += accuracy(m.predictProba(Xbt), key === "y2" ? B.ytest2 : B.ytest3, K) / 5;
      }
      const theirs = B.accuracy[key].reduce((a, b) => a + b, 0) / 5;
      expect(Math.abs(ours - theirs)).toBeLessThan(0.02);
    });
  }

  it("early stopping on dev: stops, keeps the best epoch's weights, logs train and dev loss", () => {
    const dev = { X: Xbt, y: Int32Array.from(B.ytest3) };
    const m = mlp({ learning_rate_init: 0.01, n_iter_no_change: 5, max_iter: 500 });
    const r = m.fit({ X: Xb, y: Int32Array.from(B.y3), nClasses: 3, dev });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThan(500);
    expect(r.curve.every((p) => p.devLoss !== undefined && p.trainLoss !== undefined)).toBe(true);
    const devLosses = r.curve.map((p) => p.devLoss!);
    const bestEpoch = devLosses.indexOf(Math.min(...devLosses));
    // sklearn's rule: more than n_iter_no_change epochs after the best without beating it by tol.
    expect(r.iterations).toBe(bestEpoch + 1 + 6);
    let devLoss = 0;
    const p = m.predictProba(dev.X);
    for (let i = 0; i < dev.y.length; i++) devLoss -= Math.log(p[i * 3 + dev.y[i]!]!) / dev.y.length;
    expect(devLoss).toBeCloseTo(Math.min(...devLosses), 12);
  });

  it("dropout: seeded; the logged training loss is the clean (no-dropout) loss of the epoch's weights", () => {
    const fit = (seed: number) => {
      const m = mlp({ dropout: 0.3, max_iter: 15, early_stopping: false }, seed);
      const r = m.fit({ X: Xb, y: Int32Array.from(B.y2), nClasses: 2 });
      return { m, r };
    };
    const a = fit(4);
    expect(fit(4).m.weights).toEqual(a.m.weights);
    expect(fit(5).m.weights).not.toEqual(a.m.weights);
    let clean = 0;
    const p = a.m.predictProba(Xb);
    for (let i = 0; i < B.y2.length; i++) clean -= Math.log(p[2 * i + B.y2[i]!]!) / B.y2.length;
    expect(a.r.curve.at(-1)!.trainLoss).toBeCloseTo(clean, 12);
    expect(accuracy(a.m.predictProba(Xbt), B.ytest2, 2)).toBeGreaterThan(0.85);
  });

  it("sparse input: a 2,000 × 5,000 text-like problem", () => {
    const { X: Xs, y } = randomSparseProblem(2000, 5000, 40, 3, 7);
    const m = mlp({ hidden_layer_sizes: [32], max_iter: 30 });
    m.fit({ X: Xs, y, nClasses: 3 });
    expect(accuracy(m.predictProba(Xs), y, 3)).toBeGreaterThan(0.9);
  });
});

describe("MLP instability and reports", () => {
  it("max_iter reached: a non-convergence warning in the shared wording", () => {
    const r = mlp({ max_iter: 3 }).fit({ X, y: labels.y2, nClasses: 2 });
    expect(r.converged).toBe(false);
    expect(r.warnings).toEqual([
      "did not converge in 3 epochs (the training loss was still improving by more than tol 0.0001; max_iter 3); raise max_iter or learning_rate_init",
    ]);
    expect(r.warnings.map(instabilityKind)).toEqual(["not_converged"]);
  });

  it("a learning rate far too large: the training loss rises, a divergence warning", () => {
    const r = mlp({ learning_rate_init: 1e4, max_iter: 30 }).fit({ X, y: labels.y3, nClasses: 3 });
    expect(r.warnings.map(instabilityKind)).toContain("diverging");
    expect(r.warnings.find((w) => instabilityKind(w) === "diverging")).toMatch(
      /^loss diverged: training loss rose for 5 consecutive epochs \(.* at epoch \d+ → .* at epoch \d+\); lower learning_rate_init$/,
    );
  });

  it("features so large that the gradient overflows: a ModelError, not a frozen network", () => {
    const huge = { ...X, data: X.data.map((v) => v * 1e200) };
    expect(() => mlp({}).fit({ X: huge, y: labels.y3, nClasses: 3 })).toThrow(
      new ModelError(
        "mlp: gradient became Infinity in the first epoch (learning_rate_init 0.001); lower learning_rate_init or scale the features",
      ),
    );
  });

  it("a JSON round trip predicts the same; a truncated state is rejected", () => {
    const m = mlp({ hidden_layer_sizes: [5, 4], max_iter: 5 });
    m.fit({ X, y: labels.y3, nClasses: 3 });
    const s = JSON.parse(JSON.stringify(m.serialize()));
    expect(loadModel(s).predictProba(Xtest)).toEqual(m.predictProba(Xtest));
    expect(() => loadModel({ ...s, state: { weights: [1, 2, 3] } })).toThrow(
      'mlp: serialized state "weights" should be an array of 84 numbers, got 3 entries',
    );
  });

  it("input checks shared with every family; initial weights of the wrong size", () => {
    expect(() => mlp({}).fit({ X, y: new Int32Array(X.rows).fill(1), nClasses: 2 })).toThrow(
      `mlp: y contains only class 1 (all ${X.rows} rows); a classifier needs examples of at least two classes`,
    );
    expect(() => mlp({}).fit({ X, y: labels.y2, nClasses: 2 }, new Float64Array(3))).toThrow(
      "mlp: initial weights have 3 entries; the network has 1001",
    );
    expect(() =>
      mlp({}).fit({ X, y: labels.y2, nClasses: 2, dev: { X: Xtest, y: new Int32Array(Xtest.rows).fill(4) } }),
    ).toThrow("mlp: dev y[0] = 4 is not a class index (allowed: 0 .. 1)");
  });
});
