/** Threshold and cost on dev: the run's operating point against max-F1, minimum-cost and precision-target thresholds; PR, ROC, calibration. */
import { defineDiagnostic } from "../diagnostic.js";
import type { Chart } from "../plots.js";
import { thresholdReport, type ThresholdReport } from "../threshold-cost.js";
import { group, heading, span, table, text } from "../view-model.js";

function charts(t: ThresholdReport): Array<{ name: string; chart: Chart }> {
  const diagonal = { x: [0, 1], y: [0, 1], dashed: true, color: "#aaa" };
  return [
    {
      name: "precision-recall",
      chart: {
        title: "Precision–recall (dev)",
        xLabel: "recall",
        yLabel: "precision",
        series: [{ name: "precision", x: t.pr.recall, y: t.pr.precision }],
        yMin: Math.max(0, Math.min(...t.pr.precision) - 0.02),
        yMax: 1,
      },
    },
    {
      name: "roc",
      chart: {
        title: "ROC (dev)",
        xLabel: "false positive rate",
        yLabel: "true positive rate",
        series: [
          { name: "ROC", x: t.roc.fpr, y: t.roc.tpr },
          { name: "chance", ...diagonal },
        ],
        yMin: 0,
        yMax: 1,
      },
    },
    {
      name: "calibration",
      chart: {
        title: `Calibration (dev, ECE ${t.ece.toFixed(3)})`,
        xLabel: "mean predicted probability",
        yLabel: "fraction positive",
        series: [
          { name: "model", x: t.calibration.probPred, y: t.calibration.probTrue },
          { name: "perfect", ...diagonal },
        ],
        yMin: 0,
        yMax: 1,
      },
    },
  ];
}

function rows(th: ThresholdReport): Array<Array<string | number>> {
  return th.points.map((p) => [
    p.policy + (p.feasible ? "" : " (infeasible)"),
    p.threshold.toPrecision(4),
    p.precision.toFixed(4),
    p.recall.toFixed(4),
    p.f1.toFixed(4),
    p.per10k.negativesLost.toFixed(1),
    p.per10k.positivesMissed.toFixed(1),
    p.per10k.cost.toFixed(0),
  ]);
}

export const threshold = defineDiagnostic({
  key: "threshold",
  compute(ctx): ThresholdReport | null {
    const { run } = ctx;
    if (run.positiveClass === null || run.predictions.dev.length === 0) return null;
    const preds = run.predictions.dev.filter((p) => typeof p.score === "number" && p.label !== null);
    const yTrue = Uint8Array.from(preds, (p) => (p.label === run.positiveClass ? 1 : 0));
    const score = Float64Array.from(preds, (p) => p.score!);
    if (!yTrue.includes(1) || !yTrue.includes(0)) return null;
    return thresholdReport({
      split: "dev",
      yTrue,
      score,
      current: run.threshold,
      costs: run.spec.evaluate.costs,
      targetPrecision: run.spec.diagnose?.target_precision ?? 0.99,
    });
  },
  charts: (t) => charts(t),
  view(th) {
    return {
      title: "Threshold and cost",
      blocks: [
        text(
          [
            "\n",
            span("THRESHOLD AND COST", "accent", "bold"),
            `  dev (${th.n} messages, ${th.positives} positive); costs fp=${th.costs.fp}, fn=${th.costs.fn}; per 10,000 messages:`,
          ],
          undefined,
          "terminal",
        ),
        table(
          ["policy", "threshold", "precision", "recall", "f1", "legit lost /10k", "spam delivered /10k", "cost /10k"],
          rows(th),
          { only: "terminal" },
        ),
        text(`calibration: expected calibration error ${th.ece.toFixed(4)} (10 bins)`, "p", "terminal"),
        {
          ...group([
            heading(2, "Threshold and cost"),
            text(
              `dev: ${th.n} messages, ${th.positives} positive; costs fp=${th.costs.fp}, fn=${th.costs.fn}; ECE ${th.ece.toFixed(4)}.`,
              "p",
            ),
          ]),
          only: "html",
        },
        table(
          [
            "policy",
            "threshold",
            "precision",
            "recall",
            "F1",
            "legitimate lost per 10,000",
            "spam delivered per 10,000",
            "cost per 10,000",
          ],
          rows(th),
          { only: "html" },
        ),
      ],
    };
  },
});
