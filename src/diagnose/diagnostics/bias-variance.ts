/** Bias/variance (MLY ch. 20–44): baseline, train, train-dev, dev and test error → the gaps and the verdict. */
import { biasVariance as analyse, verdictText } from "../bias-variance.js";
import { defineDiagnostic } from "../diagnostic.js";
import { only, pct, signedPts, span, table, text, type Block } from "../view-model.js";
import { splitErrors } from "./split-errors.js";
import { trainDev } from "./train-dev.js";

export const biasVariance = defineDiagnostic({
  key: "biasVariance",
  async compute(ctx) {
    const errors = (await ctx.get(splitErrors))!;
    return analyse(
      {
        baseline: ctx.run.spec.evaluate.baseline_error ?? 0,
        train: errors.train ?? { error: 0, n: 0 },
        trainDev: await ctx.get(trainDev),
        dev: errors.dev ?? errors.train ?? { error: 0, n: 0 },
        test: errors.test,
      },
      { floor: ctx.run.spec.diagnose?.gap_floor ?? 0.005 },
    );
  },
  view(bv) {
    const e = bv.input;
    const good = bv.verdict.includes("little_room") || bv.verdict.includes("no_material_gap");
    const verdict = verdictText(bv);
    const blocks: Block[] = [
      text(["\n", span("VERDICT", "bold"), "  ", span(verdict, "bold", good ? "good" : "warn")], undefined, "terminal"),
      text(verdict, "verdict", "html"),
      { kind: "list", items: bv.notes.map((n) => [n]) },
      ...only("terminal", [text("")]),
      text(
        `errors: baseline ${pct(e.baseline)} · train ${pct(e.train.error)}` +
          (e.trainDev ? ` · train-dev ${pct(e.trainDev.error)}` : "") +
          ` · dev ${pct(e.dev.error)}` +
          (e.test ? ` · test ${pct(e.test.error)}` : ""),
        "p",
      ),
      table(
        ["gap", "value", "± SE", "share", "material"],
        bv.gaps.map((g) => [
          g.name.replace(/_/g, " "),
          signedPts(g.value),
          `${(g.se * 100).toFixed(2)} pt`,
          g.share === null ? "—" : `${Math.round(g.share * 100)}%`,
          g.material ? "yes" : "no",
        ]),
      ),
    ];
    return { title: "Bias and variance", blocks };
  },
});
