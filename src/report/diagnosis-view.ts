/**
 * The whole diagnosis as one view model: a header, each diagnostic's section (registry order), the
 * chart gallery and the recommendations. The terminal, the HTML report and the dashboard render
 * this and nothing else.
 */
import { diagnosisCharts, diagnosisSections } from "../diagnose/diagnose.js";
import { group, heading, span, text, type ViewModel, type ViewSection } from "../diagnose/view-model.js";
import { recommendationSection, type Diagnosis } from "../recommend/diagnosis.js";
import type { RecommendationOutcome } from "../recommend/outcome.js";
import { fmtMs } from "../util/format.js";

function header(d: Diagnosis, cached: boolean): ViewSection {
  const total = Object.values(d.timings).reduce((a, b) => a + b, 0);
  const dev = d.devMetric !== null ? `  dev ${d.primaryMetric} ${d.devMetric.toFixed(4)}` : "";
  return {
    id: "header",
    title: `Diagnosis of run ${d.runId}`,
    blocks: [
      text(
        [
          span("diagnosis", "bold"),
          ` of run ${d.runId}  experiment ${d.experiment}${dev}`,
          span(cached ? "  (cached)" : `  (${fmtMs(total)})`, "dim"),
        ],
        undefined,
        "terminal",
      ),
      heading(1, `Diagnosis of run ${d.runId}`, "html"),
      text(
        `experiment ${d.experiment} · computed ${new Date(d.createdAt).toISOString()}` +
          (d.devMetric !== null ? ` · dev ${d.primaryMetric} ${d.devMetric.toFixed(4)}` : ""),
        "muted",
        "html",
      ),
    ],
  };
}

function gallery(d: Diagnosis): ViewSection {
  const charts = diagnosisCharts(d).map((c) => c.chart);
  return {
    id: "charts",
    title: "Curves",
    only: "html",
    blocks: [group([heading(2, "Curves"), { kind: "gallery", charts }])],
  };
}

function footer(d: Diagnosis): ViewSection {
  return {
    id: "footer",
    title: "About this diagnosis",
    only: "html",
    blocks: [text(`mlloop diagnosis v${d.version} · options ${JSON.stringify(d.options)}`, "muted")],
  };
}

/**
 * The view model of a diagnosis. The HTML report leads with the recommendations and the charts
 * right after the verdict; the terminal keeps the charts next to their reading and ends with the
 * recommendations, where the prompt is.
 */
export function diagnosisView(
  d: Diagnosis,
  outcomes: readonly RecommendationOutcome[] = [],
  cached = false,
): ViewModel {
  const sections = diagnosisSections(d);
  const verdictAt = sections.findIndex((s) => s.id === "biasVariance") + 1;
  return {
    title: `mlloop diagnosis ${d.runId}`,
    sections: [
      header(d, cached),
      ...sections.slice(0, verdictAt),
      recommendationSection(d, outcomes, "html"),
      gallery(d),
      ...sections.slice(verdictAt),
      recommendationSection(d, outcomes, "terminal"),
      footer(d),
    ],
  };
}
