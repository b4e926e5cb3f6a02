import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classReport } from "../../src/evaluate/confusion.js";
import { describePrimaryMetric, taskPrimaryMetric } from "../../src/evaluate/primary-metric.js";

interface Case {
  name: string;
  labels: string[];
  decisions: string[];
  classes: string[];
  matrix: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro_f1: number;
}

// scikit-learn 1.2.1 values from test/reference/class_report_ref.py
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/evaluate/class_report_sklearn.json", import.meta.url), "utf8"),
) as { cases: Case[] };

describe("classReport against scikit-learn", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: confusion matrix, per-class precision/recall/F1/support, macro F1`, () => {
      const r = classReport(c.labels.map((label, i) => ({ label, decision: c.decisions[i]! })));
      expect(r.classes).toEqual(c.classes);
      expect(r.matrix).toEqual(c.matrix);
      r.perClass.forEach((pc, i) => {
        expect(pc.precision).toBeCloseTo(c.precision[i]!, 12);
        expect(pc.recall).toBeCloseTo(c.recall[i]!, 12);
        expect(pc.f1).toBeCloseTo(c.f1[i]!, 12);
        expect(pc.support).toBe(c.support[i]);
      });
      expect(r.macroF1).toBeCloseTo(c.macro_f1, 12);
    });
  }

  it("keeps a declared class order and adds an undeclared class after it", () => {
    const r = classReport(
      [
        { label: "b", decision: "a" },
        { label: "a", decision: "a" },
        { label: "z", decision: "b" },
      ],
      ["b", "a"],
    );
    expect(r.classes).toEqual(["b", "a", "z"]);
    expect(r.matrix).toEqual([
      [0, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });
});

describe("taskPrimaryMetric", () => {
  it("reads f1 as F1 of the positive class for two classes and macro F1 for more", () => {
    expect(taskPrimaryMetric("f1", 2)).toBe("f1");
    expect(taskPrimaryMetric(undefined, 2)).toBe("f1");
    expect(taskPrimaryMetric("f1", 3)).toBe("macro_f1");
    expect(taskPrimaryMetric(null, 10)).toBe("macro_f1");
  });
  it("maps the other binary metrics to their multiclass counterparts and back", () => {
    expect(taskPrimaryMetric("roc_auc", 3)).toBe("roc_auc_ovr");
    expect(taskPrimaryMetric("average_precision", 3)).toBe("macro_f1");
    expect(taskPrimaryMetric("accuracy", 3)).toBe("accuracy");
    expect(taskPrimaryMetric("log_loss", 5)).toBe("log_loss");
    expect(taskPrimaryMetric("macro_f1", 3)).toBe("macro_f1");
    expect(taskPrimaryMetric("roc_auc_ovr", 2)).toBe("roc_auc");
  });
  it("keeps the declared name when the number of classes is unknown", () => {
    expect(taskPrimaryMetric("f1", null)).toBe("f1");
    expect(taskPrimaryMetric("accuracy", undefined)).toBe("accuracy");
  });
  it("says what the metric is and for which task", () => {
    expect(describePrimaryMetric("f1", ["ham", "spam"], "spam")).toBe('f1 — F1 of the positive class "spam" (binary)');
    expect(describePrimaryMetric("macro_f1", ["a", "b", "c"], null)).toBe(
      "macro_f1 — macro F1, each class weighs the same (multiclass, 3 classes)",
    );
  });
});
