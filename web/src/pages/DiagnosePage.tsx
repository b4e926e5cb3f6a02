/**
 * Diagnose: the run's stored diagnosis rendered from the one view model the terminal and the HTML
 * report render (verdict, curves, error analysis with tags and ceilings, slices, data checks, label
 * issues, threshold and cost), and its recommendations, each with an Apply button that runs
 * `mlloop run --apply RUN:N` on the server and streams its progress.
 */
import { useEffect, useRef, useState } from "react";
import type { ViewModel, ViewSection } from "../../../src/diagnose/view-model";
import type { RecommendationOutcome } from "../../../src/recommend/outcome";
import type { JobEvent } from "../../../src/server/apply-jobs";
import { eventSource, postJson } from "../api";
import { fmtDelta, fmtP, fmtValue, shortId } from "../format";
import { Link } from "../router";
import { BlockView, Blocks, ViewModelView } from "../components/ViewModel";
import { ErrorBox, Page, VerdictBadge, useApi } from "../components/common";

interface DiagnosisResponse {
  runId: string;
  view: ViewModel | null;
  recommendations: Array<{ n: number; id: string; title: string; applicable: boolean }>;
  verdict: string | null;
  outcomes: RecommendationOutcome[];
}

export function DiagnosePage({ id }: { id: string }) {
  const loaded = useApi<DiagnosisResponse>(`/api/runs/${encodeURIComponent(id)}/diagnosis`);
  return (
    <Page loaded={loaded}>
      {(data) =>
        data.view === null ? (
          <div>
            <h1>
              diagnosis of <Link to={`/run/${data.runId}`}>{shortId(data.runId)}</Link>
            </h1>
            <p>
              This run has no diagnosis yet. Run <code>mlloop diagnose {shortId(data.runId)}</code> and reload.
            </p>
          </div>
        ) : (
          <div className="diagnose-page">
            <nav className="actions">
              <Link to={`/run/${data.runId}`}>run {shortId(data.runId)}</Link>
            </nav>
            <ViewModelView
              vm={data.view}
              renderSection={(section) =>
                section.id === "recommendations" ? (
                  <Recommendations section={section} data={data} onApplied={loaded.reload} />
                ) : null
              }
            />
          </div>
        )
      }
    </Page>
  );
}

/**
 * The recommendations section of the view model, card by card (the cards follow the ranking), each
 * applicable one with an Apply button under it.
 */
function Recommendations({
  section,
  data,
  onApplied,
}: {
  section: ViewSection;
  data: DiagnosisResponse;
  onApplied: () => void;
}) {
  let card = 0;
  return (
    <>
      {section.blocks
        .filter((b) => b.only === undefined || b.only === "html")
        .map((b, i) => {
          if (b.kind !== "group" || b.frame !== "card") return <BlockView key={i} b={b} />;
          const rec = data.recommendations[card++];
          return (
            <div key={i} className="vm-card rec" data-rec={rec?.n}>
              <Blocks blocks={b.blocks} />
              {rec?.applicable === true && (
                <ApplyButton
                  runId={data.runId}
                  n={rec.n}
                  outcome={data.outcomes.find((o) => o.n === rec.n && o.recommendationId === rec.id) ?? null}
                  onDone={onApplied}
                />
              )}
            </div>
          );
        })}
    </>
  );
}

function OutcomeText({ o }: { o: RecommendationOutcome }) {
  return (
    <p className="outcome" data-outcome={o.verdict}>
      outcome: child{" "}
      <Link to={`/run/${o.childRunId}`} className="mono">
        {shortId(o.childRunId)}
      </Link>{" "}
      — {o.primaryMetric} {fmtValue(o.parent.devMetric)} → {fmtValue(o.child.devMetric)} ({fmtDelta(o.devMetricDelta)}),
      McNemar p {fmtP(o.mcnemarP)}: <VerdictBadge verdict={o.verdict} />{" "}
      {o.held ? "— the prediction held" : "— the prediction did not hold"}{" "}
      <Link to={`/compare?runs=${o.parentRunId},${o.childRunId}`}>compare</Link>
    </p>
  );
}

function ApplyButton({
  runId,
  n,
  outcome,
  onDone,
}: {
  runId: string;
  n: number;
  outcome: RecommendationOutcome | null;
  onDone: () => void;
}) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<"idle" | "running" | "done" | "failed">("idle");
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<RecommendationOutcome | null>(outcome);
  const [childRun, setChildRun] = useState<{ id: string; status: string } | null>(null);
  const source = useRef<EventSource | null>(null);
  useEffect(() => () => source.current?.close(), []);

  const start = async (): Promise<void> => {
    setState("running");
    setLines([]);
    setError(null);
    try {
      const { jobId } = await postJson<{ jobId: string }>(`/api/runs/${runId}/apply`, { n });
      const es = eventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
      source.current = es;
      es.addEventListener("progress", (e) => {
        const ev = JSON.parse((e as MessageEvent<string>).data) as Extract<JobEvent, { type: "progress" }>;
        setLines((l) => [...l, ev.line]);
      });
      es.addEventListener("run", (e) => {
        const ev = JSON.parse((e as MessageEvent<string>).data) as Extract<JobEvent, { type: "run" }>;
        setChildRun({ id: ev.runId, status: ev.status });
      });
      es.addEventListener("done", (e) => {
        const ev = JSON.parse((e as MessageEvent<string>).data) as Extract<JobEvent, { type: "done" }>;
        es.close();
        if (ev.ok) {
          setState("done");
          setResult(ev.outcome as RecommendationOutcome | null);
          onDone();
        } else {
          setState("failed");
          setError(ev.error);
        }
      });
    } catch (e) {
      setState("failed");
      setError((e as Error).message);
    }
  };

  return (
    <div className="apply">
      <button onClick={() => void start()} disabled={state === "running"} data-apply={n}>
        {state === "running" ? "running…" : result !== null ? `apply ${n} again` : `apply ${n}`}
      </button>
      {childRun !== null && (
        <span className="muted">
          {" "}
          child run{" "}
          <Link to={`/run/${childRun.id}`} className="mono">
            {shortId(childRun.id)}
          </Link>{" "}
          {childRun.status}
        </span>
      )}
      {lines.length > 0 && <pre className="progress">{lines.join("\n")}</pre>}
      {error !== null && <ErrorBox message={error} />}
      {result !== null && <OutcomeText o={result} />}
    </div>
  );
}
