/**
 * Loop / ledger, live: a loop or demo running in any process writes runs to the store; the server
 * streams the experiment's attempts, run tree and ledger (Server-Sent Events) as they change.
 */
import { useEffect, useState } from "react";
import type { ExperimentSnapshot } from "../../../src/server/live";
import { eventSource, qs } from "../api";
import { fmtCi, fmtDelta, fmtTime, fmtValue, shortId } from "../format";
import { Link, navigate, type Location } from "../router";
import { CiBar, Section, StatusBadge, VerdictBadge } from "../components/common";
import { ExperimentPicker } from "./ExperimentPicker";

export function LoopPage({ loc }: { loc: Location }) {
  const experiment = loc.query.get("experiment");
  return (
    <div className="loop-page">
      <header className="page-head">
        <h1>loop and ledger</h1>
        <ExperimentPicker
          value={experiment}
          onChange={(e) => navigate(`/loop?experiment=${encodeURIComponent(e)}`, true)}
        />
      </header>
      {experiment !== null && <LoopView key={experiment} experiment={experiment} />}
    </div>
  );
}

function LoopView({ experiment }: { experiment: string }) {
  const [snap, setSnap] = useState<ExperimentSnapshot | null>(null);
  const [live, setLive] = useState<"connecting" | "live" | "lost">("connecting");
  const [lastBeat, setLastBeat] = useState<number | null>(null);
  useEffect(() => {
    const es = eventSource(`/api/loop/events${qs({ experiment })}`);
    es.addEventListener("snapshot", (e) => {
      setSnap(JSON.parse((e as MessageEvent<string>).data) as ExperimentSnapshot);
      setLive("live");
      setLastBeat(Date.now());
    });
    es.addEventListener("heartbeat", () => {
      setLive("live");
      setLastBeat(Date.now());
    });
    es.onerror = () => setLive("lost");
    return () => es.close();
  }, [experiment]);
  if (snap === null) return <p className="muted">connecting…</p>;
  const ledger = snap.ledger;
  const running = snap.attempts.filter((a) => a.status === "running").length;
  const scale =
    Math.max(
      0.001,
      ...(ledger?.entries ?? []).flatMap((e) =>
        e.edge?.effect ? [Math.abs(e.edge.effect.ciLow), Math.abs(e.edge.effect.ciHigh)] : [],
      ),
    ) * 1.1;
  const attrScale = Math.max(
    1e-9,
    ...(ledger?.entries ?? []).flatMap((e) =>
      (e.edge?.attributions ?? []).flatMap((a) => a.players.map((p) => Math.abs(p.ciHigh) + Math.abs(p.value))),
    ),
  );
  return (
    <>
      <p className={`live live-${live}`} id="live-state">
        {live === "live" ? "● live" : live === "lost" ? "○ connection lost, retrying" : "…"} · {snap.attempts.length}{" "}
        runs
        {running > 0 ? `, ${running} running` : ""} · updated {fmtTime(lastBeat)}
      </p>
      <Section title="ledger: accepted changes" id="ledger">
        {ledger === null ? (
          <p className="muted">{snap.ledgerUnavailable}</p>
        ) : (
          <>
            <p>
              best dev {ledger.metric} <strong className="mono">{fmtValue(ledger.bestValue)}</strong> (run{" "}
              <Link to={`/run/${ledger.best.id}`} className="mono">
                {shortId(ledger.best.id)}
              </Link>
              ), {ledger.entries.length - 1} accepted change{ledger.entries.length === 2 ? "" : "s"}
              {ledger.overall !== null && (
                <>
                  {" "}
                  · overall {fmtValue(ledger.overall.parentValue)} → {fmtValue(ledger.overall.childValue)} Δ{" "}
                  {fmtDelta(ledger.overall.delta)} {fmtCi(ledger.overall.ciLow, ledger.overall.ciHigh)}{" "}
                  <VerdictBadge verdict={ledger.overall.verdict} />
                </>
              )}
            </p>
            <ol className="ledger" start={0}>
              {ledger.entries.map((entry) => (
                <li key={entry.run.id} data-run={entry.run.id}>
                  <Link to={`/run/${entry.run.id}`} className="mono">
                    {shortId(entry.run.id)}
                  </Link>{" "}
                  <span className="mono">
                    {ledger.metric} {fmtValue(entry.value)}
                  </span>{" "}
                  {entry.run.name ?? ""}
                  {entry.edge === null ? (
                    <span className="muted"> — the first run</span>
                  ) : (
                    <div className="ledger-edge">
                      {entry.edge.effect !== null && (
                        <span>
                          Δ {fmtDelta(entry.edge.effect.delta)}{" "}
                          {fmtCi(entry.edge.effect.ciLow, entry.edge.effect.ciHigh)}{" "}
                          <CiBar
                            delta={entry.edge.effect.delta}
                            lo={entry.edge.effect.ciLow}
                            hi={entry.edge.effect.ciHigh}
                            scale={scale}
                          />{" "}
                          <VerdictBadge verdict={entry.edge.effect.verdict} />
                        </span>
                      )}
                      <div className="small">{entry.edge.change.map((l) => l.trim()).join(" · ")}</div>
                      {entry.edge.attributions.map((a) => (
                        <div key={a.key} className="attr-bars">
                          {a.players.map((p) => (
                            <div key={p.player} className="attr-bar" data-player={p.player}>
                              <span className="attr-label">{p.player}</span>
                              <span
                                className={`bar ${p.coversZero ? "noise" : p.value >= 0 ? "up" : "down"}`}
                                style={{ width: `${Math.max(2, (Math.abs(p.value) / attrScale) * 240)}px` }}
                              />
                              <span className="mono">
                                {fmtDelta(p.value)} {fmtCi(p.ciLow, p.ciHigh)}
                              </span>
                            </div>
                          ))}
                          <Link
                            to={`/attribute?a=${ledger.entries[ledger.entries.indexOf(entry) - 1]?.run.id ?? ""}&b=${entry.run.id}`}
                          >
                            waterfall
                          </Link>
                        </div>
                      ))}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </Section>
      <Section title="attempts" id="attempts">
        <table className="grid">
          <thead>
            <tr>
              <th>run</th>
              <th>status</th>
              <th>created</th>
              <th>parent</th>
              <th>name</th>
              <th>outcome</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {snap.attempts.map((a) => (
              <tr
                key={a.runId}
                data-run={a.runId}
                className={a.accepted ? "accepted" : a.recommendation !== null ? "rejected" : ""}
              >
                <td>
                  <Link to={`/run/${a.runId}`} className="mono">
                    {shortId(a.runId)}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td className="mono">{fmtTime(a.createdAt)}</td>
                <td className="mono">{a.parentId === null ? "" : shortId(a.parentId)}</td>
                <td>{a.name ?? ""}</td>
                <td>
                  {a.outcome !== null && (
                    <>
                      {fmtDelta(a.outcome.devMetricDelta)} <VerdictBadge verdict={a.outcome.verdict} />
                    </>
                  )}
                </td>
                <td>
                  {a.accepted ? (
                    <span className="mark mark-accepted">accepted</span>
                  ) : a.recommendation !== null ? (
                    <span className="mark mark-rejected">rejected</span>
                  ) : (
                    ""
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
