/** Training dynamics: iterations, convergence, loss curves and what they say (not converged, unstable, dev loss rising). */
import { defineDiagnostic } from "../diagnostic.js";
import { readDynamics } from "../dynamics.js";
import { heading, span, text, type Block } from "../view-model.js";

export const dynamics = defineDiagnostic({
  key: "dynamics",
  compute: (ctx) => readDynamics((ctx.run.run.extras as Record<string, unknown>)["training"], ctx.run.metrics),
  view(dy) {
    const convergence =
      dy.converged === null ? "convergence not reported" : dy.converged ? "converged" : "not converged";
    const blocks: Block[] = [
      text(["\n", span("TRAINING DYNAMICS", "accent", "bold")], undefined, "terminal"),
      text(
        [
          `${dy.iterations ?? "?"} iterations, `,
          dy.converged === false ? span(convergence, "bad") : convergence,
          dy.finalLoss !== null ? `, final loss ${dy.finalLoss.toPrecision(5)}` : "",
        ],
        "p",
        "terminal",
      ),
      heading(2, "Training dynamics", "html"),
      text(`${dy.iterations ?? "?"} iterations, ${convergence}.`, "p", "html"),
    ];
    if (dy.findings.length > 0)
      blocks.push({ kind: "list", items: dy.findings.map((f) => [f.message]), bullet: span("!", "warn") });
    return { title: "Training dynamics", blocks };
  },
});
