/** The diagnosis's charts: learning curve, validation curve, PR, ROC and calibration. */
import type { Diagnosis } from "./diagnose.js";
import type { Chart } from "./plots.js";

export function learningCurveChart(d: Diagnosis): Chart | null {
  const lc = d.learningCurve;
  if (!lc) return null;
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
    hline: { y: d.biasVariance.input.baseline, label: "baseline (desired) error" },
  };
}

export function validationCurveChart(d: Diagnosis): Chart | null {
  const vc = d.validationCurve;
  if (!vc) return null;
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

export function prChart(d: Diagnosis): Chart | null {
  const t = d.threshold;
  if (!t) return null;
  return {
    title: "Precision–recall (dev)",
    xLabel: "recall",
    yLabel: "precision",
    series: [{ name: "precision", x: t.pr.recall, y: t.pr.precision }],
    yMin: Math.max(0, Math.min(...t.pr.precision) - 0.02),
    yMax: 1,
  };
}

export function rocChart(d: Diagnosis): Chart | null {
  const t = d.threshold;
  if (!t) return null;
  return {
    title: "ROC (dev)",
    xLabel: "false positive rate",
    yLabel: "true positive rate",
    series: [
      { name: "ROC", x: t.roc.fpr, y: t.roc.tpr },
      { name: "chance", x: [0, 1], y: [0, 1], dashed: true, color: "#aaa" },
    ],
    yMin: 0,
    yMax: 1,
  };
}

export function calibrationChart(d: Diagnosis): Chart | null {
  const t = d.threshold;
  if (!t) return null;
  return {
    title: `Calibration (dev, ECE ${t.ece.toFixed(3)})`,
    xLabel: "mean predicted probability",
    yLabel: "fraction positive",
    series: [
      { name: "model", x: t.calibration.probPred, y: t.calibration.probTrue },
      { name: "perfect", x: [0, 1], y: [0, 1], dashed: true, color: "#aaa" },
    ],
    yMin: 0,
    yMax: 1,
  };
}

export function allCharts(d: Diagnosis): Array<{ name: string; chart: Chart }> {
  const out: Array<{ name: string; chart: Chart | null }> = [
    { name: "learning-curve", chart: learningCurveChart(d) },
    { name: "validation-curve", chart: validationCurveChart(d) },
    { name: "precision-recall", chart: prChart(d) },
    { name: "roc", chart: rocChart(d) },
    { name: "calibration", chart: calibrationChart(d) },
  ];
  return out.filter((c): c is { name: string; chart: Chart } => c.chart !== null);
}
