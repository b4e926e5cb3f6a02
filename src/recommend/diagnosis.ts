/**
 * A diagnosis with its ranked recommendations: what the store keeps (run result kind "diagnosis"),
 * what `mlloop diagnose --json` prints and what `run --apply RUN:N` reads. The diagnosis's own
 * findings come from `src/diagnose/`; the recommendations, and their section of the view model, from here.
 */
import {
  DIAGNOSIS_VERSION,
  DIAGNOSIS_KIND,
  type DiagnosisFindings,
  type ExamplePreview,
  type LabelIssueList,
} from "../diagnose/diagnose.js";
import { signedPts, span, text, type Block, type ViewSection } from "../diagnose/view-model.js";
import type { RunId, Store } from "../track/store.js";
import type { RecommendationOutcome } from "./outcome.js";
import type { Recommendation } from "./recommend.js";

export type { ExamplePreview, LabelIssueList };

export type Diagnosis = DiagnosisFindings & { readonly recommendations: readonly Recommendation[] };

/** The diagnosis with its recommendations in the stored key order (after the findings, before the previews). */
export function withRecommendations(d: DiagnosisFindings, recommendations: readonly Recommendation[]): Diagnosis {
  const { previews, timings, ...head } = d;
  return { ...head, recommendations, previews, timings } as Diagnosis;
}

/** The most recent stored diagnosis of a run (what `run --apply RUN:N` reads), or null. */
export async function latestDiagnosis(store: Store, runId: RunId): Promise<Diagnosis | null> {
  const all = await store.listRunResults(runId, DIAGNOSIS_KIND);
  const current = all.filter((r) => (r.result as Diagnosis).version === DIAGNOSIS_VERSION);
  return current.length === 0 ? null : (current[current.length - 1]!.result as Diagnosis);
}

function terminalRecommendation(r: Recommendation, outcome: RecommendationOutcome | undefined): Block[] {
  const blocks: Block[] = [
    text([
      "  ",
      span(`${r.n}.`, "bold"),
      " ",
      span(r.title, "bold"),
      "  ",
      span(`expected ${signedPts(r.expected.devErrorDelta)} dev error (${r.expected.basis})`, "dim"),
    ]),
    ...r.patchText.map((l) => text(["       ", span(l, "good")])),
  ];
  if (r.action) blocks.push(text(["       ", span("action:", "warn"), ` ${r.action}`]));
  blocks.push(text(`       ${r.rationale}`));
  if (outcome)
    blocks.push(
      text([
        "       ",
        span("outcome:", outcome.held ? "good" : "bad"),
        ` run ${outcome.childRunId.slice(0, 12)}: ${outcome.summary}`,
      ]),
    );
  return blocks.map((b) => ({ ...b, only: "terminal" as const }));
}

function htmlRecommendation(r: Recommendation, outcome: RecommendationOutcome | undefined, runId: string): Block {
  const blocks: Block[] = [
    text([
      span(`${r.n}. ${r.title}`, "bold"),
      " ",
      span(`expected ${signedPts(r.expected.devErrorDelta)} dev error (${r.expected.basis})`, "dim"),
    ]),
  ];
  if (r.patchText.length > 0) blocks.push({ kind: "pre", lines: r.patchText });
  if (r.action) blocks.push(text([span("action:", "italic"), ` ${r.action}`], "div"));
  blocks.push(text(r.rationale, "div"), {
    kind: "details",
    summary: "evidence",
    blocks: [{ kind: "list", items: r.evidence.map((x) => [x]) }],
  });
  if (r.patch)
    blocks.push(text(["apply: ", span(`mlloop run --apply ${runId.slice(0, 12)}:${r.n}`, "code")], "div-muted"));
  if (outcome)
    blocks.push(text(`outcome (run ${outcome.childRunId}): ${outcome.summary}`, outcome.held ? "good" : "bad"));
  return { kind: "group", frame: "card", blocks, only: "html" };
}

/** The recommendations' section: the HTML report shows it after the verdict, the terminal at the end. */
export function recommendationSection(
  d: Diagnosis,
  outcomes: readonly RecommendationOutcome[],
  medium: "terminal" | "html",
): ViewSection {
  const outcomeOf = (r: Recommendation): RecommendationOutcome | undefined =>
    outcomes.find((o) => o.n === r.n && o.recommendationId === r.id);
  if (medium === "html") {
    const cards = d.recommendations.map((r) => htmlRecommendation(r, outcomeOf(r), d.runId));
    return {
      id: "recommendations",
      title: "Recommendations",
      only: "html",
      blocks: [{ kind: "heading", level: 2, text: "Recommendations" }, ...cards],
    };
  }
  const blocks: Block[] = [
    text([
      "\n",
      span("RECOMMENDATIONS", "accent", "bold"),
      span("  ranked by expected gain (dev error; the threshold by cost saved)", "dim"),
    ]),
  ];
  if (d.recommendations.length === 0) blocks.push(text("  none: no finding calls for a change"));
  for (const r of d.recommendations) blocks.push(...terminalRecommendation(r, outcomeOf(r)));
  const firstPatch = d.recommendations.find((r) => r.patch !== null);
  if (firstPatch)
    blocks.push(text([span(`\n  apply one: mlloop run --apply ${d.runId.slice(0, 12)}:${firstPatch.n}`, "dim")]));
  if (d.artifacts.length > 0)
    blocks.push(
      text([
        span(
          `  plots saved on the run: ${d.artifacts.join(", ")}; full report: mlloop report ${d.runId.slice(0, 12)}`,
          "dim",
        ),
      ]),
    );
  return {
    id: "recommendations",
    title: "Recommendations",
    only: "terminal",
    blocks: blocks.map((b) => ({ ...b, only: "terminal" as const })),
  };
}
