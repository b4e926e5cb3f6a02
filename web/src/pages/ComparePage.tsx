/**
 * Compare 2+ runs: what changed, paired deltas with intervals and McNemar, flips with inert
 * previews (React text) and their tags, slices of the delta; the evaluation-identity refusal is
 * shown in the CLI's words, with a way to compare unpaired on purpose.
 */
import type { ManyComparison, RunComparison } from "../../../src/compare/compare-runs";
import { qs } from "../api";
import { fmtCi, fmtDelta, fmtP, fmtPct, fmtValue, shortId } from "../format";
import { Link, navigate, type Location } from "../router";
import { CiBar, ErrorBox, Loading, Section, VerdictBadge, useApi } from "../components/common";

type CompareResponse =
  | { kind: "pair"; comparison: RunComparison; changeLines: string[] }
  | {
      kind: "many";
      many: Omit<ManyComparison, "rows"> & { rows: Array<ManyComparison["rows"][number] & { changeLines: string[] }> };
    };

export function ComparePage({ loc }: { loc: Location }) {
  const runs = loc.query.get("runs") ?? "";
  const split = loc.query.get("split") ?? "dev";
  const unpaired = loc.query.get("unpaired") === "1";
  const allowThreshold = loc.query.get("allowThresholdChange") === "1";
  const loaded = useApi<CompareResponse>(
    `/api/compare${qs({ runs, split, unpaired: unpaired ? 1 : undefined, allowThresholdChange: allowThreshold ? 1 : undefined })}`,
  );
  const setParam = (k: string, v: string | null): void => {
    const q = new URLSearchParams(loc.query);
    if (v === null) q.delete(k);
    else q.set(k, v);
    navigate(`/compare?${q.toString()}`);
  };
  return (
    <div className="compare-page">
      <header className="page-head">
        <h1>compare</h1>
        <div className="toolbar">
          <label>
            <span>runs</span>
            <input
              defaultValue={runs}
              id="compare-runs"
              onKeyDown={(e) => {
                if (e.key === "Enter") setParam("runs", (e.target as HTMLInputElement).value);
              }}
            />
          </label>
          <label>
            <span>split</span>
            <select value={split} onChange={(e) => setParam("split", e.target.value)}>
              <option value="dev">dev</option>
              <option value="test">test</option>
              <option value="dev,test">dev, test</option>
            </select>
          </label>
        </div>
      </header>
      {loaded.error !== null ? (
        <div>
          <ErrorBox message={loaded.error} />
          {/examples differ|different examples/i.test(loaded.error) && !unpaired && (
            <button onClick={() => setParam("unpaired", "1")}>
              compare unpaired anyway (each run bootstrapped on its own)
            </button>
          )}
          {/threshold/i.test(loaded.error) && !allowThreshold && (
            <button onClick={() => setParam("allowThresholdChange", "1")}>
              compare at each run's recorded threshold
            </button>
          )}
        </div>
      ) : loaded.data === null ? (
        <Loading />
      ) : loaded.data.kind === "pair" ? (
        <PairView c={loaded.data.comparison} changeLines={loaded.data.changeLines} />
      ) : (
        <ManyView m={loaded.data.many} />
      )}
    </div>
  );
}

function RunRef({ run }: { run: { id: string; name: string | null } }) {
  return (
    <>
      <Link to={`/run/${run.id}`} className="mono">
        {shortId(run.id)}
      </Link>
      {run.name !== null && <span className="run-name"> ({run.name})</span>}
    </>
  );
}

function PairView({ c, changeLines }: { c: RunComparison; changeLines: string[] }) {
  return (
    <>
      <p className="pair-head">
        <RunRef run={c.runA} /> → <RunRef run={c.runB} /> {!c.paired && <strong className="bad">UNPAIRED</strong>}
      </p>
      {c.allowedDifferences.map((d, i) => (
        <p key={i} className="warn">
          note: {d.message}
        </p>
      ))}
      {c.warnings.map((w, i) => (
        <p key={i} className="warn">
          warning: {w}
        </p>
      ))}
      <Section title="what changed">
        {changeLines.length === 0 ? (
          <p className="muted">nothing: same spec, code, data and environment</p>
        ) : (
          <pre className="diff" id="what-changed">
            {changeLines.map((l) => l.trimEnd()).join("\n")}
          </pre>
        )}
      </Section>
      {c.splits.map((s) => {
        const scale = Math.max(0.001, ...s.metrics.map((m) => Math.max(Math.abs(m.ciLow), Math.abs(m.ciHigh)))) * 1.1;
        const mc = s.metrics.find((m) => m.mcnemar !== undefined)?.mcnemar;
        return (
          <Section key={s.split} title={`${s.split}`} id={`split-${s.split}`}>
            <p className="muted">
              {s.paired
                ? `${s.n.toLocaleString("en")} shared examples; paired bootstrap ${Math.round(c.ci * 100)}% CI (${c.resamples.toLocaleString("en")} resamples, seed ${c.seed}); equivalence band ±${c.band}`
                : `UNPAIRED: A on its ${s.nA} examples, B on its ${s.nB}, each bootstrapped independently`}
            </p>
            <table className="grid compare-metrics">
              <thead>
                <tr>
                  <th>metric</th>
                  <th className="num">A</th>
                  <th className="num">B</th>
                  <th className="num">Δ (B − A)</th>
                  <th className="num">{Math.round(c.ci * 100)}% CI</th>
                  <th />
                  <th className="num">p</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                {s.metrics.map((m) => (
                  <tr key={m.metric} data-metric={m.metric}>
                    <td>
                      {m.metric}
                      {m.metric === c.primaryMetric ? " ★" : ""}
                    </td>
                    <td className="num mono">{fmtValue(m.a)}</td>
                    <td className="num mono">{fmtValue(m.b)}</td>
                    <td className="num mono delta">{fmtDelta(m.delta)}</td>
                    <td className="num mono">{fmtCi(m.ciLow, m.ciHigh)}</td>
                    <td>
                      <CiBar delta={m.delta} lo={m.ciLow} hi={m.ciHigh} scale={scale} band={c.band} />
                    </td>
                    <td className="num mono">{fmtP(m.pValue)}</td>
                    <td>
                      <VerdictBadge verdict={m.verdict} />
                      {m.verdict === "inconclusive" &&
                        m.examplesNeeded !== null &&
                        Number.isFinite(m.examplesNeeded) && (
                          <span className="muted">
                            {" "}
                            ≈ {Math.round(m.examplesNeeded).toLocaleString("en")} examples to decide
                          </span>
                        )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {mc !== undefined && (
              <p id="mcnemar">
                McNemar (accuracy): b = {mc.b} (A right, B wrong), c = {mc.c} (A wrong, B right), exact p ={" "}
                {fmtP(mc.pValue)}
              </p>
            )}
            {s.flips !== null && (
              <>
                <h3>
                  flips: <span className="good">{s.flips.fixed} fixed</span>,{" "}
                  <span className="bad">{s.flips.broken} broken</span>
                </h3>
                {s.flips.examples.length > 0 && (
                  <table className="grid flips">
                    <thead>
                      <tr>
                        <th />
                        <th>example</th>
                        <th>label</th>
                        <th className="num">score A → B</th>
                        <th>tags</th>
                        <th>preview</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.flips.examples.map((x) => (
                        <tr key={`${x.kind}-${x.exampleId}`} data-example={x.exampleId}>
                          <td className={x.kind === "fixed" ? "good" : "bad"}>{x.kind}</td>
                          <td className="mono">{x.exampleId}</td>
                          <td>{x.label}</td>
                          <td className="num mono">
                            {x.scoreA.toFixed(3)} → {x.scoreB.toFixed(3)}
                          </td>
                          <td>
                            {x.tags.map((t) => (
                              <span key={t} className="tag">
                                {t}
                              </span>
                            ))}
                          </td>
                          <td className="preview">{x.preview ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {s.flips.slices.some((sl) => sl.fixed + sl.broken > 0) && (
                  <>
                    <h3>slices of the accuracy delta</h3>
                    <table className="grid slices">
                      <thead>
                        <tr>
                          <th>by</th>
                          <th>slice</th>
                          <th className="num">n</th>
                          <th className="num">fixed</th>
                          <th className="num">broken</th>
                          <th className="num">Δ accuracy</th>
                          <th className="num">share</th>
                        </tr>
                      </thead>
                      <tbody>
                        {s.flips.slices
                          .filter((sl) => sl.fixed + sl.broken > 0)
                          .map((sl) => (
                            <tr key={`${sl.by}-${sl.slice}`}>
                              <td>{sl.by}</td>
                              <td>{sl.slice}</td>
                              <td className="num mono">{sl.n}</td>
                              <td className="num mono">{sl.fixed}</td>
                              <td className="num mono">{sl.broken}</td>
                              <td className="num mono">{fmtDelta(sl.accuracyDelta)}</td>
                              <td className="num mono">{fmtPct(sl.share)}</td>
                            </tr>
                          ))}
                      </tbody>
                    </table>
                  </>
                )}
              </>
            )}
          </Section>
        );
      })}
      {(c.attributions ?? []).length > 0 && (
        <Section title="attribution (stored)">
          <Link to={`/attribute?a=${c.runA.id}&b=${c.runB.id}`}>open the waterfall</Link>
        </Section>
      )}
    </>
  );
}

function ManyView({ m }: { m: Extract<CompareResponse, { kind: "many" }>["many"] }) {
  const scale =
    Math.max(
      0.001,
      ...m.rows.map((r) => (r.metric ? Math.max(Math.abs(r.metric.ciLow), Math.abs(r.metric.ciHigh)) : 0)),
    ) * 1.1;
  return (
    <Section title={`against baseline ${shortId(m.baseline.id)}`}>
      <p className="muted">
        {m.metric} on {m.split}; paired bootstrap 95% CIs; p-values Holm-adjusted over {m.rows.length} candidates
      </p>
      <table className="grid">
        <thead>
          <tr>
            <th>run</th>
            <th className="num">{m.metric}</th>
            <th className="num">Δ</th>
            <th className="num">95% CI</th>
            <th />
            <th className="num">Holm p</th>
            <th>verdict</th>
            <th>change</th>
          </tr>
        </thead>
        <tbody>
          {m.rows.map((r) => (
            <tr key={r.run.id} data-run={r.run.id}>
              <td>
                <RunRef run={r.run} />
              </td>
              <td className="num mono">{fmtValue(r.metric?.b)}</td>
              <td className="num mono">{fmtDelta(r.metric?.delta)}</td>
              <td className="num mono">{r.metric ? fmtCi(r.metric.ciLow, r.metric.ciHigh) : ""}</td>
              <td>
                {r.metric && <CiBar delta={r.metric.delta} lo={r.metric.ciLow} hi={r.metric.ciHigh} scale={scale} />}
              </td>
              <td className="num mono">{fmtP(r.holmP)}</td>
              <td>
                {r.metric ? (
                  <VerdictBadge verdict={r.metric.verdict} />
                ) : (
                  <span className="bad">{r.error ?? "not comparable"}</span>
                )}
              </td>
              <td className="small">
                {r.changeLines
                  .slice(0, 3)
                  .map((l) => l.trim())
                  .join("; ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
