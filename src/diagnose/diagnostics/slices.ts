/** Slices of dev (field values, tags, lengths and their pairs) whose error rate is significantly worse than the rest. */
import { defineDiagnostic } from "../diagnostic.js";
import { findSlices, type SliceAnalysis } from "../slices.js";
import { group, heading, pct, span, table, text } from "../view-model.js";

export const slices = defineDiagnostic({
  key: "slices",
  step: "slices",
  when: (ctx) => ctx.run.predictions.dev.length > 0,
  compute: (ctx): SliceAnalysis | null =>
    findSlices("dev", ctx.run.predictions.dev, ctx.data.byId, ctx.run.positiveClass, {
      minSize: ctx.run.spec.diagnose?.slice_min_size ?? 20,
    }),
  summary: (r) => `${r.tested} slices tested, ${r.worst.length} significantly worse`,
  view(sl) {
    const rows = (limit: number): Array<Array<string | number>> =>
      sl.worst
        .slice(0, limit)
        .map((s) => [
          s.name,
          s.size,
          s.errors,
          pct(s.errorRate),
          pct(s.complementErrorRate),
          s.excessErrors.toFixed(1),
          s.q.toExponential(1),
        ]);
    return {
      title: "Slices (dev)",
      blocks: [
        text(
          [
            "\n",
            span("SLICES", "accent", "bold"),
            `  ${sl.tested} tested on dev (size ≥ ${sl.minSize}), overall error ${pct(sl.errorRate)}`,
          ],
          undefined,
          "terminal",
        ),
        sl.worst.length === 0
          ? text("no slice is significantly worse than the rest (q < 0.05)", "p", "terminal")
          : table(["slice", "size", "errors", "error", "rest", "excess", "q"], rows(8), {
              align: ["left", "right", "right", "right", "right", "right", "right"],
              only: "terminal",
            }),
        {
          ...group([
            heading(2, "Slices (dev)"),
            text(`${sl.tested} slices tested (size ≥ ${sl.minSize}); overall error ${pct(sl.errorRate)}.`, "p"),
          ]),
          only: "html",
        },
        table(["slice", "size", "errors", "error", "rest", "excess errors", "q"], rows(Infinity), { only: "html" }),
      ],
    };
  },
});
