/**
 * Diagnose: the run's stored diagnosis — verdict, curves, error analysis with tags and ceilings,
 * slices, data checks, label issues, threshold and cost — and its recommendations, each with an
 * Apply button that runs `mlloop run --apply RUN:N` on the server and streams its progress.
 */
import { useEffect, useRef, useState } from "react";
import type { Diagnosis } from "../../../src/diagnose/diagnose";
import type { RecommendationOutcome } from "../../../src/recommend/outcome";
import type { JobEvent } from "../../../src/server/apply-jobs";
import { eventSource, postJson } from "../api";
import { fmtDelta, fmtP, fmtPct, fmtValue, shortId } from "../format";
import { Link } from "../router";
import { LineChart } from "../components/LineChart";
import { ErrorBox, Page, Section, VerdictBadge, useApi } from "../components/common";

interface DiagnosisResponse {
  runId: string;
  diagnosis: Diagnosis | null;
  outcomes: RecommendationOutcome[];
}

export function DiagnosePage({ id }: { id: string }) {
  const loaded = useApi<DiagnosisResponse>(`/api/runs/${encodeURIComponent(id)}/diagnosis`);
  return (
    <Page loaded={loaded}>
      {(data) =>
        data.diagnosis === null ? (
          <div>
            <h1>
              diagnosis of <Link to={`/run/${data.runId}`}>{shortId(data.runId)}</Link>
            </h1>
            <p>
              This run has no diagnosis yet. Run <code>mlloop diagnose {shortId(data.runId)}</code> and reload.
            </p>
          </div>
        ) : (
          <DiagnosisView d={data.diagnosis} outcomes={data.outcomes} onApplied={loaded.reload} />
        )
      }
    </Page>
  );
}

function DiagnosisView({
  d,
  outcomes,
  onApplied,
}: {
  d: Diagnosis;
  outcomes: RecommendationOutcome[];
  onApplied: () => void;
}) {
  const bv = d.biasVariance;
  const lc = d.learningCurve;
  const vc = d.validationCurve;
  return (
    <div className="diagnose-page">
      <header className="page-head">
        <h1>
          diagnosis of{" "}
          <Link to={`/run/${d.runId}`} className="mono">
            {shortId(d.runId)}
          </Link>
        </h1>
        <p className="verdict-line" id="verdict">
          VERDICT <strong>{d.verdict.text}</strong>
        </p>
        {d.verdict.notes.map((n, i) => (
          <p key={i} className="note">
            {n}
          </p>
        ))}
      </header>

      <Section title="recommendations" id="recommendations">
        <ol className="recs">
          {d.recommendations.map((r) => (
            <li key={r.id} data-rec={r.n}>
              <div className="rec-head">
                <strong>{r.title}</strong>{" "}
                <span className="muted">
                  expected dev error {fmtDelta(r.expected.devErrorDelta)}
                  {r.expected.low !== null && r.expected.high !== null
                    ? ` [${fmtDelta(r.expected.low)}, ${fmtDelta(r.expected.high)}]`
                    : ""}{" "}
                  ({r.expected.basis})
                </span>
              </div>
              <p>{r.rationale}</p>
              {r.evidence.length > 0 && (
                <ul className="evidence">
                  {r.evidence.map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
              )}
              {r.patch !== null ? (
                <>
                  <pre className="diff">{r.patchText.join("\n")}</pre>
                  <ApplyButton
                    runId={d.runId}
                    n={r.n}
                    outcome={outcomes.find((o) => o.n === r.n) ?? null}
                    onDone={onApplied}
                  />
                </>
              ) : (
                <p className="muted">action: {r.action}</p>
              )}
            </li>
          ))}
        </ol>
      </Section>

      <Section title="bias and variance">
        <table className="grid">
          <tbody>
            {bv.gaps.map((g) => (
              <tr key={g.name}>
                <td>{g.name.replace(/_/g, " ")}</td>
                <td className="num mono">{fmtPct(g.value)}</td>
                <td className="muted">± {fmtPct(g.se)}</td>
                <td>{g.material ? <strong>material</strong> : "not material"}</td>
                <td className="num">{g.share === null ? "" : `${fmtPct(g.share, 0)} of avoidable error`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {bv.notes.map((n, i) => (
          <p key={i}>{n}</p>
        ))}
      </Section>

      {(lc !== null || vc !== null) && (
        <Section title="curves">
          {lc !== null && (
            <>
              <h3>learning curve ({lc.folds}-fold CV)</h3>
              <LineChart
                xLabel="training examples"
                yLabel="error"
                series={[
                  { label: "train error", x: lc.points.map((p) => p.x), y: lc.points.map((p) => p.trainError.mean) },
                  { label: "validation error", x: lc.points.map((p) => p.x), y: lc.points.map((p) => p.valError.mean) },
                ]}
              />
              {d.readings.learningCurve !== null && <p>{d.readings.learningCurve.text}</p>}
            </>
          )}
          {vc !== null && (
            <>
              <h3>validation curve of {vc.key}</h3>
              <LineChart
                xLabel={vc.key}
                yLabel="error"
                logX={vc.scale === "log"}
                series={[
                  { label: "train error", x: vc.points.map((p) => p.x), y: vc.points.map((p) => p.trainError.mean) },
                  { label: "validation error", x: vc.points.map((p) => p.x), y: vc.points.map((p) => p.valError.mean) },
                ]}
              />
              {d.readings.validationCurve !== null && <p>{d.readings.validationCurve.text}</p>}
            </>
          )}
        </Section>
      )}

      {d.errorAnalysis !== null && (
        <Section title={`error analysis (${d.errorAnalysis.split})`} id="error-analysis">
          <p>
            {d.errorAnalysis.errors} errors of {d.errorAnalysis.n} ({fmtPct(d.errorAnalysis.errorRate, 2)}):{" "}
            {d.errorAnalysis.fp} false positives, {d.errorAnalysis.fn} false negatives
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th>tag</th>
                <th className="num">errors</th>
                <th className="num">FP</th>
                <th className="num">FN</th>
                <th className="num">share of errors</th>
                <th className="num">ceiling (error if fixed)</th>
              </tr>
            </thead>
            <tbody>
              {d.errorAnalysis.tags
                .filter((t) => t.errors > 0)
                .map((t) => (
                  <tr key={t.tag}>
                    <td>
                      <span className="tag">{t.tag}</span> <span className="muted">{t.source}</span>
                    </td>
                    <td className="num mono">{t.errors}</td>
                    <td className="num mono">{t.fp}</td>
                    <td className="num mono">{t.fn}</td>
                    <td className="num mono">{fmtPct(t.share)}</td>
                    <td className="num mono">{fmtPct(t.ceilingError, 2)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
          <h3>sampled errors</h3>
          <table className="grid">
            <thead>
              <tr>
                <th>example</th>
                <th>kind</th>
                <th className="num">score</th>
                <th>tags</th>
                <th>preview</th>
              </tr>
            </thead>
            <tbody>
              {[...d.errorAnalysis.sample.fp, ...d.errorAnalysis.sample.fn, ...d.errorAnalysis.sample.other].map(
                (e) => {
                  const p = d.previews[e.id];
                  return (
                    <tr key={e.id} data-example={e.id}>
                      <td className="mono">{e.id}</td>
                      <td>{e.kind}</td>
                      <td className="num mono">{fmtValue(e.score, 3)}</td>
                      <td>{e.tags.join(", ")}</td>
                      <td className="preview">{p === undefined ? "" : `${p.subject} — ${p.snippet}`}</td>
                    </tr>
                  );
                },
              )}
            </tbody>
          </table>
        </Section>
      )}

      {d.slices !== null && (
        <Section title="slices">
          <p className="muted">
            {d.slices.tested} slices tested on {d.slices.split}; overall error {fmtPct(d.slices.errorRate, 2)}
          </p>
          {d.slices.worst.length === 0 ? (
            <p>no slice is significantly worse than the rest</p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>slice</th>
                  <th className="num">size</th>
                  <th className="num">error</th>
                  <th className="num">rest</th>
                  <th className="num">excess errors</th>
                  <th className="num">q</th>
                </tr>
              </thead>
              <tbody>
                {d.slices.worst.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td className="num mono">{s.size}</td>
                    <td className="num mono">{fmtPct(s.errorRate)}</td>
                    <td className="num mono">{fmtPct(s.complementErrorRate)}</td>
                    <td className="num mono">{s.excessErrors.toFixed(1)}</td>
                    <td className="num mono">{fmtP(s.q)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}

      {d.dataChecks !== null && (
        <Section title="data checks">
          <ul>
            <li>
              exact duplicate clusters: {d.dataChecks.exactDuplicates.clusters} (
              {d.dataChecks.exactDuplicates.crossSplit.length} across splits,{" "}
              {d.dataChecks.exactDuplicates.labelConflicts.length} with conflicting labels)
            </li>
            <li>
              near-duplicate pairs: {d.dataChecks.nearDuplicates.pairs} ({d.dataChecks.nearDuplicates.crossSplit.length}{" "}
              across splits)
            </li>
            {d.dataChecks.balance.map((b) => (
              <li key={b.split}>
                {b.split}: {b.n} examples —{" "}
                {Object.entries(b.counts)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(", ")}
              </li>
            ))}
            {d.dataChecks.tiny.length > 0 && <li>{d.dataChecks.tiny.length} nearly empty examples</li>}
          </ul>
        </Section>
      )}

      {d.labelIssues.length > 0 && (
        <Section title="label issues (confident learning)">
          {d.labelIssues.map((l) => (
            <div key={l.split}>
              <p>
                {l.split}: about {Math.round(l.estimatedErrors)} label errors estimated
              </p>
              {l.issues.length > 0 && (
                <table className="grid">
                  <thead>
                    <tr>
                      <th>example</th>
                      <th>given</th>
                      <th>suggested</th>
                      <th className="num">self-confidence</th>
                    </tr>
                  </thead>
                  <tbody>
                    {l.issues.slice(0, 10).map((i) => (
                      <tr key={i.id}>
                        <td className="mono">{i.id}</td>
                        <td>{i.given}</td>
                        <td>{i.suggested}</td>
                        <td className="num mono">{fmtValue(i.selfConfidence, 3)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </Section>
      )}

      {d.threshold !== null && (
        <Section title={`threshold and cost (${d.threshold.split})`}>
          <table className="grid">
            <thead>
              <tr>
                <th>policy</th>
                <th className="num">threshold</th>
                <th className="num">precision</th>
                <th className="num">recall</th>
                <th className="num">F1</th>
                <th className="num">FP</th>
                <th className="num">FN</th>
                <th className="num">cost</th>
              </tr>
            </thead>
            <tbody>
              {d.threshold.points.map((p) => (
                <tr key={p.policy}>
                  <td>{p.policy}</td>
                  <td className="num mono">{fmtValue(p.threshold, 3)}</td>
                  <td className="num mono">{fmtValue(p.precision)}</td>
                  <td className="num mono">{fmtValue(p.recall)}</td>
                  <td className="num mono">{fmtValue(p.f1)}</td>
                  <td className="num mono">{p.fp}</td>
                  <td className="num mono">{p.fn}</td>
                  <td className="num mono">{p.cost}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LineChart
            xLabel="recall"
            yLabel="precision"
            series={[{ label: "precision–recall", x: d.threshold.pr.recall, y: d.threshold.pr.precision }]}
          />
        </Section>
      )}
    </div>
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
