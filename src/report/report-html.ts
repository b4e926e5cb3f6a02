/** `mlloop report RUN`: the diagnosis's view model through the HTML back end. */
import type { Diagnosis } from "../recommend/diagnosis.js";
import type { RecommendationOutcome } from "../recommend/outcome.js";
import { diagnosisView } from "./diagnosis-view.js";
import { renderViewHtml } from "./view-html.js";

export function renderHtmlReport(d: Diagnosis, outcomes: readonly RecommendationOutcome[] = []): string {
  return renderViewHtml(diagnosisView(d, outcomes));
}
