/**
 * The catalogue offers the calibration and precision-floor moves, and every move it offers is a
 * spec change that validates (what `run --apply` and the loop execute).
 */
import { describe, expect, it } from "vitest";
import { buildCatalogue, type CatalogueData } from "../../src/recommend/catalogue.js";
import { parseSpec } from "../../src/spec/load.js";
import { applyPatch } from "../../src/spec/patch.js";
import { textData, textSpec } from "./helpers.js";

const data = textData;
const spec = textSpec;

describe("catalogue: calibration and threshold moves", () => {
  it("offers sigmoid and isotonic calibration, and back to none once calibrated", () => {
    const ids = buildCatalogue(spec(), data)
      .filter((m) => m.group === "calibration")
      .map((m) => m.id);
    expect(ids).toEqual(["model.calibration=sigmoid", "model.calibration=isotonic"]);
    const calibrated = spec({}, { family: "logistic_regression", calibration: "sigmoid" });
    const back = buildCatalogue(calibrated, data)
      .filter((m) => m.group === "calibration")
      .map((m) => m.id);
    expect(back).toEqual(["model.calibration=isotonic", "model.calibration=none"]);
    const gbdt = buildCatalogue(spec({}, { family: "gradient_boosting" }), data).find((m) => m.group === "calibration");
    expect(gbdt?.wideCost).toBe(true);
  });

  it("offers the precision-floor threshold also with equal costs, at the spec's own floor when it has one", () => {
    const goals = (s: ReturnType<typeof spec>) =>
      buildCatalogue(s, data)
        .filter((m) => m.group === "threshold")
        .map((m) => m.id);
    expect(goals(spec())).toEqual(["threshold:max_f1", "threshold:max_recall_at_precision@0.99"]);
    expect(goals(spec({ threshold: { policy: "max_recall_at_precision", min_precision: 0.9 } }))).toContain(
      "threshold:max_recall_at_precision@0.9",
    );
    expect(goals(spec({ costs: { fp: 5, fn: 1 } }))).toContain("threshold:min_cost");
  });

  it("every move validates once applied (threshold values are filled in by screening)", () => {
    for (const s of [spec(), spec({}, { family: "naive_bayes", calibration: "isotonic" })]) {
      for (const m of buildCatalogue(s, data)) {
        const patch = m.threshold
          ? [{ op: "set" as const, path: ["evaluate", "threshold"], value: { policy: "fixed", value: 0.4 } }]
          : m.patch;
        expect(() => parseSpec(applyPatch(s, patch)), m.id).not.toThrow();
      }
    }
  });

  it("offers the current family's C a decade or two each way, not only a fixed range", () => {
    const cs = (C: number) =>
      buildCatalogue(spec({}, { family: "logistic_regression", C }), data)
        .filter((m) => m.id.startsWith("model=logistic_regression(C="))
        .map((m) => Number(/C=([^)]+)\)/.exec(m.id)![1]));
    // the default C = 1 can now be regularised more strongly too
    expect(cs(1)).toEqual([0.01, 0.1, 10, 100, 1000]);
    // an over-regularised incumbent: steps up from 1e-4, then the usual range (0.1 … 1000)
    expect(cs(1e-4)).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000]);
    // a weakly regularised incumbent: steps down, and one beyond the usual range
    expect(cs(100)).toEqual([0.1, 1, 10, 1000, 10000]);
  });

  it("offers to leave likely label errors out of the fit, and to keep them again", () => {
    const ids = (s: ReturnType<typeof spec>) =>
      buildCatalogue(s, data)
        .filter((m) => m.slot === "model.label_issues")
        .map((m) => m.id);
    expect(ids(spec())).toEqual(["model.label_issues=drop"]);
    expect(ids(spec({}, { family: "logistic_regression", label_issues: "drop" }))).toEqual(["model.label_issues=keep"]);
  });

  it("offers Gaussian naive Bayes when the spec reads numeric columns, then its var_smoothing by decades", () => {
    const tabular = (model: Record<string, unknown>) =>
      parseSpec({
        data: { source: "csv", path: "x.csv", columns: { id: "id", label: "label", numeric: ["a", "b"] } },
        features: { numeric: { columns: ["a", "b"] } },
        model,
        evaluate: { positive_class: "1" },
      });
    const tab: CatalogueData = { ...data, textFields: [], numericColumns: ["a", "b"] };
    const gnb = (s: ReturnType<typeof spec>, d: CatalogueData) =>
      buildCatalogue(s, d)
        .filter((m) => m.id.startsWith("model=gaussian_nb"))
        .map((m) => m.id);
    // words only: not offered (a wasted screening slot on counts)
    expect(gnb(spec(), data)).toEqual([]);
    expect(gnb(tabular({ family: "logistic_regression", C: 10 }), tab)).toEqual(["model=gaussian_nb"]);
    // the switch drops the other family's keys and says so
    const sw = buildCatalogue(tabular({ family: "logistic_regression", C: 10 }), tab).find(
      (m) => m.id === "model=gaussian_nb",
    );
    expect(sw?.note).toMatch(/drops model\.C/);
    const base = tabular({ family: "logistic_regression", C: 10 });
    expect(parseSpec(applyPatch(base, sw!.patch)).model).toEqual({ family: "gaussian_nb", var_smoothing: 1e-9 });
    // on gaussian_nb: every other decade of var_smoothing in [1e-11, 1e-1]
    const knobs = gnb(tabular({ family: "gaussian_nb" }), tab);
    expect(knobs).toEqual([
      "model=gaussian_nb(var_smoothing=1e-11)",
      "model=gaussian_nb(var_smoothing=1e-10)",
      "model=gaussian_nb(var_smoothing=1e-8)",
      "model=gaussian_nb(var_smoothing=1e-7)",
      "model=gaussian_nb(var_smoothing=0.000001)",
      "model=gaussian_nb(var_smoothing=0.00001)",
      "model=gaussian_nb(var_smoothing=0.0001)",
      "model=gaussian_nb(var_smoothing=0.001)",
      "model=gaussian_nb(var_smoothing=0.01)",
      "model=gaussian_nb(var_smoothing=0.1)",
    ]);
  });
});
