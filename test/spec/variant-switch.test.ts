/**
 * A variant switched with one key (model.family, data.source, evaluate.threshold.policy) drops the
 * old variant's keys that the new one lacks, by --set, by a patch (`run --apply`), and in the
 * catalogue's family moves — and each says which keys it dropped.
 */
import { describe, expect, it } from "vitest";
import { buildCatalogue } from "../../src/recommend/catalogue.js";
import { applyOverridesNoted, applyPatchNoted, parseSpec } from "../../src/spec/load.js";

const raw = {
  experiment: "switch",
  data: { source: "csv", path: "x.csv", delimiter: ";", columns: { id: "id", label: "label", text: ["text"] } },
  features: { words: { fields: ["text"] } },
  model: { family: "logistic_regression", C: 10, penalty: "l1", class_weight: "balanced", tol: 1e-3 },
  evaluate: { positive_class: "spam", threshold: { policy: "fixed", value: 0.3 } },
};

describe("switching a variant with one key", () => {
  it("--set drops the old family's keys, keeps shared ones and says which it dropped", () => {
    const { raw: out, notes } = applyOverridesNoted(raw, ["model.family=naive_bayes"]);
    const spec = parseSpec(out);
    expect(spec.model).toMatchObject({ family: "naive_bayes", alpha: 1 });
    expect(spec.model).not.toHaveProperty("C");
    expect(notes).toEqual([
      "--set model.family=naive_bayes drops model.C, model.penalty, model.class_weight, model.tol " +
        "(logistic_regression keys that naive_bayes does not have)",
    ]);
    // class_weight and tol exist in mlp: kept as written
    const mlp = applyOverridesNoted(raw, ["model.family=mlp"]);
    expect(parseSpec(mlp.raw).model).toMatchObject({ family: "mlp", class_weight: "balanced", tol: 1e-3 });
    expect(mlp.notes[0]).toContain("drops model.C, model.penalty (");
  });

  it("works for the other discriminators too", () => {
    const a = applyOverridesNoted(raw, ["data.source=jsonl"]);
    expect(parseSpec(a.raw).data).not.toHaveProperty("delimiter");
    expect(a.notes[0]).toContain("drops data.delimiter (csv keys that jsonl does not have)");
    const b = applyOverridesNoted(raw, ["evaluate.threshold.policy=max_f1"]);
    expect(parseSpec(b.raw).evaluate.threshold).toEqual({ policy: "max_f1" });
    expect(b.notes[0]).toContain("drops evaluate.threshold.value");
  });

  it("a patch that sets the family (run --apply) drops the same keys, with a note", () => {
    const { raw: out, notes } = applyPatchNoted(raw, [
      { op: "set", path: ["model", "family"], value: "mlp", from: "logistic_regression" },
    ]);
    expect(parseSpec(out).model.family).toBe("mlp");
    expect(notes).toEqual([
      "model.family=mlp drops model.C, model.penalty (logistic_regression keys that mlp does not have)",
    ]);
  });

  it("keeps an unknown key so that the typo is still reported", () => {
    const typo = { ...raw, model: { ...raw.model, Cc: 3 } };
    const { raw: out } = applyOverridesNoted(typo, ["model.family=mlp"]);
    expect(() => parseSpec(out)).toThrow(/unknown key "model\.Cc"/);
  });

  it("the catalogue's family moves validate, name the dropped keys and keep class weights", () => {
    const spec = parseSpec(raw);
    const moves = buildCatalogue(spec, {
      textFields: ["text"],
      numericColumns: [],
      categoricalColumns: [],
      nClasses: 2,
      email: false,
    });
    const toMlp = moves.find((m) => m.id.startsWith("model=mlp"))!;
    expect(toMlp.note).toBe(
      "drops model.C, model.penalty, model.l1_ratio, model.fit_intercept, model.multi_class (not mlp keys); " +
        "keeps model.class_weight",
    );
    const value = (toMlp.patch[0] as { value: Record<string, unknown> }).value;
    expect(value).toMatchObject({ family: "mlp", class_weight: "balanced" });
    const toNb = moves.find((m) => m.id.startsWith("model=naive_bayes"))!;
    expect(toNb.note).toMatch(/^drops model\.C, model\.penalty, model\.l1_ratio, model\.tol, .*model\.class_weight/);
    for (const m of moves.filter((x) => x.group === "model")) {
      const patched = applyPatchNoted(spec, m.patch).raw;
      expect(() => parseSpec(patched), m.id).not.toThrow();
    }
  });
});
