/**
 * TPE on one continuous model knob (src/recommend/knob-search.ts): proposals come from the screened
 * grid values as history, are new, seeded and inside the knob's range; on a smooth objective whose
 * optimum lies between two decades, a few rounds get closer to it than the decade grid; the move a
 * proposal becomes is a valid spec change that keeps the rest of the model setting.
 */
import { describe, expect, it } from "vitest";
import { buildCatalogue } from "../../src/recommend/catalogue.js";
import { knobFreeKey, knobMove, knobOf, knobValue, proposeKnobValues } from "../../src/recommend/knob-search.js";
import { parseSpec } from "../../src/spec/load.js";
import { moreOftenRight } from "../../src/recommend/screening.js";
import { applyPatch } from "../../src/spec/patch.js";
import { textData, textSpec } from "./helpers.js";

const data = textData;
const spec = (model: Record<string, unknown>) => textSpec({}, model);

// a smooth objective with its optimum at C = 300, between the grid's 100 and 1000
const objective = (C: number): number => -((Math.log10(C) - Math.log10(300)) ** 2);
const grid = [0.1, 1, 10, 100, 1000];

describe("knob search: TPE proposals for C, alpha, …", () => {
  it("proposes new values inside the range, the same for the same seed", () => {
    const knob = knobOf("logistic_regression")!;
    const history = grid.map((value) => ({ value, score: objective(value) }));
    const a = proposeKnobValues(knob, history, 3, 7);
    expect(a).toEqual(proposeKnobValues(knob, history, 3, 7));
    expect(a).not.toEqual(proposeKnobValues(knob, history, 3, 8));
    expect(new Set(a).size).toBe(3);
    for (const v of a) {
      expect(grid).not.toContain(v);
      expect(v).toBeGreaterThanOrEqual(1e-3);
      expect(v).toBeLessThanOrEqual(1e4);
      expect(Number(v.toPrecision(3))).toBe(v);
    }
    // fewer than two screened values: nothing to model
    expect(proposeKnobValues(knob, history.slice(0, 1), 3, 7)).toEqual([]);
  });

  it("two rounds of two proposals beat the decade grid on at least 90 % of seeds (optimum between grid points)", () => {
    const knob = knobOf("linear_svm")!;
    const gridBest = Math.max(...grid.map(objective));
    let better = 0;
    const seeds = 40;
    for (let seed = 0; seed < seeds; seed++) {
      const history = grid.map((value) => ({ value, score: objective(value) }));
      for (let round = 0; round < 2; round++) {
        for (const value of proposeKnobValues(knob, history, 2, seed * 10 + round)) {
          history.push({ value, score: objective(value) });
        }
      }
      if (Math.max(...history.map((h) => h.score)) > gridBest) better++;
    }
    // measured: 40 of 40 (proposals within a decade of the best grid point, 100, both sides)
    expect(better / seeds).toBeGreaterThanOrEqual(0.9);
  });

  it("a proposal on a family switch keeps the rest of the model object; on the same family it sets the key", () => {
    const incumbent = spec({ family: "logistic_regression", C: 1 });
    const moves = buildCatalogue(incumbent, data);
    const nb = moves.find((m) => m.id === "model=naive_bayes(variant=complement, alpha=0.1)")!;
    const knob = knobOf("naive_bayes")!;
    const move = knobMove(knob, 0.037, nb, incumbent.model);
    expect(move.id).toBe("model=naive_bayes(variant=complement, alpha=0.037)");
    const switched = parseSpec(applyPatch(incumbent, move.patch));
    expect(switched.model).toMatchObject({ family: "naive_bayes", variant: "complement", alpha: 0.037 });
    expect(knobValue(switched.model, knob)).toBe(0.037);

    const lr = knobOf("logistic_regression")!;
    const c100 = moves.find((m) => m.id === "model=logistic_regression(C=100)")!;
    const same = knobMove(lr, 347, c100, incumbent.model);
    expect(same.id).toBe("model=logistic_regression(C=347)");
    expect(same.patch).toEqual([{ op: "set", path: ["model", "C"], value: 347, from: 1 }]);
    expect(parseSpec(applyPatch(incumbent, same.patch)).model).toMatchObject({ family: "logistic_regression", C: 347 });
    // no model move on the leader (the incumbent's model kept): the knob alone
    expect(knobMove(lr, 5.2, undefined, incumbent.model).patch).toEqual([
      { op: "set", path: ["model", "C"], value: 5.2, from: 1 },
    ]);
    expect(knobOf("none_such")).toBeNull();
  });

  it("the loop's near-copy key ignores the knob and a fixed threshold's value, not the idea", () => {
    const withThreshold = (model: Record<string, unknown>, value: number) =>
      textSpec({ threshold: { policy: "fixed", value } }, model);
    const a = withThreshold({ family: "naive_bayes", variant: "complement", alpha: 0.1 }, 0.00007);
    const b = withThreshold({ family: "naive_bayes", variant: "complement", alpha: 0.0241 }, 0.0006);
    const c = withThreshold({ family: "naive_bayes", variant: "multinomial", alpha: 0.1 }, 0.00007);
    const d = withThreshold({ family: "logistic_regression", C: 0.1 }, 0.00007);
    expect(knobFreeKey(a)).toBe(knobFreeKey(b));
    expect(knobFreeKey(a)).not.toBe(knobFreeKey(c));
    expect(knobFreeKey(a)).not.toBe(knobFreeKey(d));
    const maxF1 = parseSpec({ ...a, evaluate: { ...a.evaluate, threshold: { policy: "max_f1" } } });
    expect(knobFreeKey(maxF1)).not.toBe(knobFreeKey(a));
  });
});

describe("knob search, multiclass: a proposal is offered when McNemar's exact test says it is right more often", () => {
  // k = 3; `right`/`wrong` rows of each kind, probabilities one-hot on the predicted class
  const rows = (newOnly: number, baseOnly: number, both: number) => {
    const n = newOnly + baseOnly + both;
    const y = new Int32Array(n).fill(1);
    const pNew = new Float64Array(n * 3);
    const pBase = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      const newRight = i < newOnly || i >= newOnly + baseOnly;
      const baseRight = i >= newOnly;
      pNew[i * 3 + (newRight ? 1 : 2)] = 1;
      pBase[i * 3 + (baseRight ? 1 : 0)] = 1;
    }
    return { y, pNew, pBase };
  };
  it("9 rows right only with the proposal against 2: one-sided p = 67/2048 = 0.033 < 0.05; 8 against 2: 56/1024 = 0.055", () => {
    // binomial tails by hand: P(X <= 2 | n = 11, ½) = (1 + 11 + 55) / 2048, P(X <= 2 | n = 10, ½) = (1 + 10 + 45) / 1024
    const a = rows(9, 2, 30);
    expect(moreOftenRight(a.y, a.pNew, a.pBase, 3)).toBe(true);
    const b = rows(8, 2, 30);
    expect(moreOftenRight(b.y, b.pNew, b.pBase, 3)).toBe(false);
    // the other way round is never "better"
    expect(moreOftenRight(a.y, a.pBase, a.pNew, 3)).toBe(false);
  });
});
