/**
 * What the learning and validation curves say in words (readings.ts), and both curves as charts:
 * the "curves" section of the report.
 */
import type { Chart } from "../plots.js";
import type { LearningCurve, ValidationCurve } from "../curves.js";
import { defineDiagnostic } from "../diagnostic.js";
import { readLearningCurve, readValidationCurve } from "../readings.js";
import { heading, span, text, type Block } from "../view-model.js";
import { biasVariance } from "./bias-variance.js";
import { learningCurve } from "./learning-curve.js";
import { validationCurve } from "./validation-curve.js";

export function learningCurveChart(lc: LearningCurve, baseline: number): Chart {
  const x = lc.points.map((p) => p.x);
  return {
    title: `Learning curve (${lc.folds}-fold CV, mean ± std)`,
    xLabel: "training examples",
    yLabel: "error",
    percent: true,
    series: [
      {
        name: "train error",
        x,
        y: lc.points.map((p) => p.trainError.mean),
        band: lc.points.map((p) => p.trainError.std),
      },
      {
        name: "validation error",
        x,
        y: lc.points.map((p) => p.valError.mean),
        band: lc.points.map((p) => p.valError.std),
      },
    ],
    hline: { y: baseline, label: "baseline (desired) error" },
  };
}

export function validationCurveChart(vc: ValidationCurve): Chart {
  const x = vc.points.map((p) => p.x);
  return {
    title: `Validation curve over ${vc.key} (best ${vc.best}, current ${vc.current})`,
    xLabel: vc.key,
    yLabel: "error",
    percent: true,
    logX: vc.scale === "log",
    series: [
      {
        name: "train error",
        x,
        y: vc.points.map((p) => p.trainError.mean),
        band: vc.points.map((p) => p.trainError.std),
      },
      {
        name: "validation error",
        x,
        y: vc.points.map((p) => p.valError.mean),
        band: vc.points.map((p) => p.valError.std),
      },
    ],
    vline: { x: vc.current, label: "current" },
  };
}

export const curveReadings = defineDiagnostic({
  key: "readings",
  async compute(ctx) {
    const lc = await ctx.get(learningCurve);
    const vc = await ctx.get(validationCurve);
    const floor = ctx.run.spec.diagnose?.gap_floor ?? 0.005;
    return {
      learningCurve: lc ? readLearningCurve(lc, ctx.run.spec.evaluate.baseline_error ?? 0, floor) : null,
      validationCurve: vc ? readValidationCurve(vc, floor) : null,
    };
  },
  charts(_readings, v) {
    const lc = v.finding(learningCurve);
    const vc = v.finding(validationCurve);
    const baseline = v.finding(biasVariance)?.input.baseline ?? 0;
    return [
      ...(lc ? [{ name: "learning-curve", chart: learningCurveChart(lc, baseline) }] : []),
      ...(vc ? [{ name: "validation-curve", chart: validationCurveChart(vc) }] : []),
    ];
  },
  view(readings, v) {
    const lc = v.finding(learningCurve);
    const vc = v.finding(validationCurve);
    const baseline = v.finding(biasVariance)?.input.baseline ?? 0;
    const blocks: Block[] = [];
    const curve = (title: string, chart: Chart, reading: { text: string } | null): void => {
      blocks.push(heading(2, title, "terminal"), { kind: "chart", chart, only: "terminal" });
      if (reading) blocks.push(text(reading.text, "p", "terminal"));
    };
    if (lc) curve("LEARNING CURVE", learningCurveChart(lc, baseline), readings.learningCurve);
    if (vc) curve("VALIDATION CURVE", validationCurveChart(vc), readings.validationCurve);
    if (readings.learningCurve)
      blocks.push(text([span("Learning curve:", "bold"), ` ${readings.learningCurve.text}`], "p", "html"));
    if (readings.validationCurve)
      blocks.push(text([span("Validation curve:", "bold"), ` ${readings.validationCurve.text}`], "p", "html"));
    return { title: "Curves", blocks };
  },
});
