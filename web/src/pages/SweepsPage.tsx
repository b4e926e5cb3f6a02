/**
 * Sweeps: the store's sweeps (`mlloop sweep run`), and one sweep as `mlloop sweep show` shows it —
 * the best trial, parameter importance, the optimisation history, the parallel-coordinates plot
 * and every trial, each linking to its run.
 */
import type { SweepView } from "../../../src/loop/sweep-view";
import { apiUrl } from "../api";
import { fmtValue, shortId } from "../format";
import { Link, type Location } from "../router";
import { Page, Section, StatusBadge, useApi } from "../components/common";
import { LineChart } from "../components/LineChart";

interface SweepList {
  sweeps: Array<{ name: string; experiment: string; runs: number; running: number; failed: number; latest: number }>;
}

export function SweepsPage({ loc }: { loc: Location }) {
  const name = loc.query.get("name");
  return name === null ? <SweepListView /> : <SweepDetail key={name} name={name} />;
}

function SweepListView() {
  const loaded = useApi<SweepList>("/api/sweeps");
  return (
    <div>
      <h1>sweeps</h1>
      <Page loaded={loaded}>
        {(data) =>
          data.sweeps.length === 0 ? (
            <p>
              No sweep in this store yet. Start one with <code>mlloop sweep run SPEC --space FILE</code>.
            </p>
          ) : (
            <table className="grid" data-testid="sweep-list">
              <thead>
                <tr>
                  <th>sweep</th>
                  <th>experiment</th>
                  <th className="num">trials</th>
                  <th className="num">running</th>
                  <th className="num">failed</th>
                  <th>latest</th>
                </tr>
              </thead>
              <tbody>
                {data.sweeps.map((s) => (
                  <tr key={s.name} data-sweep={s.name}>
                    <td>
                      <Link to={`/sweeps?name=${encodeURIComponent(s.name)}`}>{s.name}</Link>
                    </td>
                    <td>{s.experiment}</td>
                    <td className="num">{s.runs}</td>
                    <td className="num">{s.running}</td>
                    <td className="num">{s.failed}</td>
                    <td className="mono">{new Date(s.latest).toISOString().replace("T", " ").slice(0, 19)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Page>
    </div>
  );
}

function fmtParams(p: Readonly<Record<string, unknown>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : JSON.stringify(v)}`)
    .join(" ");
}

function SweepDetail({ name }: { name: string }) {
  const loaded = useApi<SweepView>(`/api/sweeps/${encodeURIComponent(name)}`);
  return (
    <div>
      <h1>
        sweep <span className="mono">{name}</span>
      </h1>
      <Page loaded={loaded}>
        {(v) => {
          const objective = `${v.objective.split} ${v.objective.metric}`;
          const sign = v.objective.direction === "maximize" ? -1 : 1;
          const ranked = v.trials
            .slice()
            .sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : sign * (a.value - b.value)));
          const importance = Object.entries(v.importance).sort((a, b) => b[1] - a[1]);
          return (
            <>
              <p className="muted">
                {v.trials.length} trials · objective {objective} ({v.objective.direction}) ·{" "}
                {String(v.settings["sampler"] ?? "")} sampler · <code>mlloop sweep show {name}</code>
              </p>
              <Section title="best trial">
                {v.best === null ? (
                  <p>No complete trial yet.</p>
                ) : (
                  <p data-testid="sweep-best">
                    trial {v.best.trial}: {objective} <strong className="mono">{fmtValue(v.best.value)}</strong> ·{" "}
                    <Link to={`/run/${v.best.runId}`}>run {shortId(v.best.runId)}</Link> ·{" "}
                    <span className="mono">{fmtParams(v.best.params)}</span>
                  </p>
                )}
              </Section>
              {importance.length > 0 && (
                <Section title="parameter importance">
                  <table className="grid" data-testid="sweep-importance">
                    <tbody>
                      {importance.map(([k, w]) => (
                        <tr key={k}>
                          <td className="mono">{k}</td>
                          <td style={{ width: 240 }}>
                            <div className="bar up" style={{ width: `${Math.round(w * 100)}%` }} />
                          </td>
                          <td className="num mono">{w.toFixed(3)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </Section>
              )}
              <Section title="optimisation history">
                <LineChart
                  series={v.history.series.map((s) => ({ label: s.name, x: s.x, y: s.y }))}
                  xLabel="trial"
                  yLabel={objective}
                />
              </Section>
              {v.parallel !== null && (
                <Section title="parallel coordinates">
                  <div className="plots">
                    <img
                      data-testid="sweep-parallel"
                      alt={`parallel coordinates of sweep ${name}`}
                      src={apiUrl(`/api/sweeps/${encodeURIComponent(name)}/parallel.svg`)}
                    />
                  </div>
                </Section>
              )}
              <Section title="trials">
                <table className="grid" data-testid="sweep-trials">
                  <thead>
                    <tr>
                      <th className="num">trial</th>
                      <th>state</th>
                      <th className="num">{objective}</th>
                      <th>run</th>
                      <th>params</th>
                      <th>note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ranked.map((t) => (
                      <tr key={t.trial} data-trial={t.trial}>
                        <td className="num">{t.trial}</td>
                        <td>
                          <StatusBadge status={t.state} />
                        </td>
                        <td className="num mono">{fmtValue(t.value ?? undefined)}</td>
                        <td>
                          <Link to={`/run/${t.runId}`}>{shortId(t.runId)}</Link>
                        </td>
                        <td className="mono">{fmtParams(t.params)}</td>
                        <td>{t.note ?? (t.error !== null && t.state !== "complete" ? t.error.slice(0, 80) : "")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            </>
          );
        }}
      </Page>
    </div>
  );
}
