/** Run: spec and its diff from the parent, provenance, metrics per split, loss curves, threshold and cost, artifacts. */
import { useMemo } from "react";
import type { MetricRecord, ArtifactRecord, RunRecord } from "../../../src/track/store";
import { apiUrl } from "../api";
import { fmtTime, fmtValue, shortId } from "../format";
import { Link } from "../router";
import { LineChart, type Series } from "../components/LineChart";
import { Page, Section, StatusBadge, useApi } from "../components/common";

interface RunResponse {
  run: Omit<RunRecord, "specJson"> & { spec: unknown };
  parent: { id: string; name: string | null; status: string } | null;
  children: Array<{ id: string; name: string | null; status: string }>;
  specDiff: string[] | null;
  metrics: MetricRecord[];
  artifacts: ArtifactRecord[];
}

const SPLITS = ["train", "dev", "test"];
const COUNT_METRICS = new Set(["tp", "fp", "tn", "fn", "n", "positives", "threshold"]);

function metricTable(metrics: MetricRecord[]) {
  const final = metrics.filter((m) => m.step === 0 && m.split !== null && !COUNT_METRICS.has(m.name));
  const names = [...new Set(final.map((m) => m.name))].filter((n) => n !== "loss" && n !== "objective");
  const splits = SPLITS.filter((s) => final.some((m) => m.split === s));
  const value = (name: string, split: string): number | undefined =>
    final.find((m) => m.name === name && m.split === split)?.value;
  return { names, splits, value };
}

function curves(metrics: MetricRecord[]): Series[] {
  const bySeries = new Map<string, { x: number[]; y: number[] }>();
  for (const m of metrics) {
    if (m.name !== "loss" || m.step === 0) continue;
    const key = `${m.split ?? ""} ${m.name}`.trim();
    const s = bySeries.get(key) ?? { x: [], y: [] };
    s.x.push(m.step);
    s.y.push(m.value);
    bySeries.set(key, s);
  }
  return [...bySeries.entries()].map(([label, s]) => ({ label, ...s }));
}

export function RunPage({ id }: { id: string }) {
  const loaded = useApi<RunResponse>(`/api/runs/${encodeURIComponent(id)}`);
  return <Page loaded={loaded}>{(data) => <RunView data={data} />}</Page>;
}

function RunView({ data }: { data: RunResponse }) {
  const { run, metrics } = data;
  const table = metricTable(metrics);
  const series = useMemo(() => curves(metrics), [metrics]);
  const spec = run.spec as { evaluate?: { costs?: { fp?: number; fn?: number } } } | null;
  const costs = spec?.evaluate?.costs;
  const threshold = run.extras.threshold as { value?: number; policy?: string; chosenOn?: string } | undefined;
  const confusion = (split: string, name: string): number | undefined =>
    metrics.find((m) => m.split === split && m.name === name && m.step === 0)?.value;
  const git = run.provenance?.git ?? null;
  const splits = (run.dataInfo?.splits ?? {}) as Record<string, string>;
  const counts = (run.dataInfo?.counts ?? {}) as Record<string, number>;
  return (
    <div className="run-page">
      <header className="page-head">
        <h1>
          run <span className="mono">{run.id}</span> <StatusBadge status={run.status} />
        </h1>
        <p>
          {run.name !== null && <strong className="run-name">{run.name}</strong>} experiment{" "}
          <Link to={`/lineage?experiment=${encodeURIComponent(run.experiment)}`}>{run.experiment}</Link> · created{" "}
          {fmtTime(run.createdAt)} · ended {fmtTime(run.endedAt)}
        </p>
        <nav className="actions">
          <Link to={`/diagnose/${run.id}`}>diagnose</Link>
          {data.parent !== null && <Link to={`/compare?runs=${data.parent.id},${run.id}`}>compare with parent</Link>}
          <Link to={`/lineage?experiment=${encodeURIComponent(run.experiment)}`}>lineage</Link>
        </nav>
        {run.error !== null && <pre className="error">{run.error}</pre>}
        {run.notes !== null && run.notes !== "" && <p className="notes">{run.notes}</p>}
        {Object.keys(run.tags).length > 0 && (
          <p className="tags">
            {Object.entries(run.tags).map(([k, v]) => (
              <span className="tag" key={k}>{`${k}=${v}`}</span>
            ))}
          </p>
        )}
      </header>

      <Section title="metrics" id="metrics">
        {table.names.length === 0 ? (
          <p className="muted">no metrics recorded</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>metric</th>
                {table.splits.map((s) => (
                  <th key={s} className="num">
                    {s}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.names.map((n) => (
                <tr key={n} data-metric={n}>
                  <td>{n}</td>
                  {table.splits.map((s) => (
                    <td key={s} className="num mono" data-split={s}>
                      {fmtValue(table.value(n, s))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      {series.length > 0 && (
        <Section title="loss per step">
          <LineChart series={series} xLabel="step" yLabel="loss" />
        </Section>
      )}

      <Section title="threshold and cost">
        <p>
          threshold <strong className="mono">{threshold?.value === undefined ? "—" : fmtValue(threshold.value)}</strong>
          {threshold?.policy !== undefined &&
            ` (policy ${threshold.policy}${threshold.chosenOn ? `, chosen on ${threshold.chosenOn}` : ""})`}
          {costs !== undefined && ` · costs: false positive ${costs.fp ?? 1}, false negative ${costs.fn ?? 1}`}
        </p>
        <table className="grid">
          <thead>
            <tr>
              <th>split</th>
              <th className="num">TP</th>
              <th className="num">FP</th>
              <th className="num">TN</th>
              <th className="num">FN</th>
              <th className="num">cost</th>
            </tr>
          </thead>
          <tbody>
            {SPLITS.filter((s) => confusion(s, "tp") !== undefined).map((s) => {
              const fp = confusion(s, "fp") ?? 0;
              const fn = confusion(s, "fn") ?? 0;
              return (
                <tr key={s}>
                  <td>{s}</td>
                  <td className="num mono">{confusion(s, "tp")}</td>
                  <td className="num mono">{fp}</td>
                  <td className="num mono">{confusion(s, "tn")}</td>
                  <td className="num mono">{fn}</td>
                  <td className="num mono">{fp * (costs?.fp ?? 1) + fn * (costs?.fn ?? 1)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>

      <Section title="spec">
        {data.parent !== null && (
          <div className="spec-diff">
            <p>
              change from parent <Link to={`/run/${data.parent.id}`}>{shortId(data.parent.id)}</Link>
              {data.parent.name !== null && ` (${data.parent.name})`}:
            </p>
            {data.specDiff === null || data.specDiff.length === 0 ? (
              <p className="muted">same spec</p>
            ) : (
              <pre className="diff">{data.specDiff.join("\n")}</pre>
            )}
          </div>
        )}
        <details>
          <summary>full spec</summary>
          <pre>{JSON.stringify(run.spec, null, 2)}</pre>
        </details>
      </Section>

      <Section title="provenance">
        <dl className="kv">
          <dt>commit</dt>
          <dd className="mono">
            {git?.commit ?? run.provenance?.gitUnavailable ?? "—"}
            {git?.dirty ? " + uncommitted changes" : ""}
            {git?.branch ? ` (${git.branch})` : ""}
          </dd>
          <dt>data</dt>
          <dd>
            {String(run.dataInfo?.description ?? "—")}
            {run.dataInfo?.fingerprint !== undefined && (
              <span className="mono"> · {String(run.dataInfo.fingerprint).slice(0, 16)}</span>
            )}
          </dd>
          {Object.entries(splits).map(([s, fp]) => (
            <FragmentKV key={s} k={`${s} split`} v={`${counts[s] ?? "?"} examples · fingerprint ${fp.slice(0, 16)}`} />
          ))}
          <dt>environment</dt>
          <dd>
            {run.provenance
              ? `node ${run.provenance.env.node} · mlloop ${run.provenance.env.mlloop} · ${run.provenance.env.os} · ${run.provenance.env.cpuCount}× ${run.provenance.env.cpuModel}`
              : "—"}
          </dd>
          <dt>seeds</dt>
          <dd className="mono">{JSON.stringify(run.seeds)}</dd>
        </dl>
        {git?.patch ? (
          <details>
            <summary>
              uncommitted patch ({git.patchBytes} bytes{git.patchTruncated ? ", truncated" : ""})
            </summary>
            <pre className="diff">{git.patch}</pre>
          </details>
        ) : null}
      </Section>

      <Section title="artifacts">
        {data.artifacts.length === 0 ? (
          <p className="muted">none</p>
        ) : (
          <>
            <ul className="artifacts">
              {data.artifacts.map((a) => (
                <li key={a.name}>
                  <a
                    href={apiUrl(
                      `/api/runs/${run.id}/artifacts/${a.name.split("/").map(encodeURIComponent).join("/")}`,
                    )}
                    download
                  >
                    {a.name}
                  </a>{" "}
                  <span className="muted">
                    {a.mediaType} · {a.size.toLocaleString("en")} bytes
                  </span>
                </li>
              ))}
            </ul>
            <div className="plots">
              {data.artifacts
                .filter((a) => a.mediaType === "image/svg+xml" || a.mediaType === "image/png")
                .map((a) => (
                  <figure key={a.name}>
                    <img
                      alt={a.name}
                      src={apiUrl(
                        `/api/runs/${run.id}/artifacts/${a.name.split("/").map(encodeURIComponent).join("/")}`,
                      )}
                    />
                    <figcaption>{a.name}</figcaption>
                  </figure>
                ))}
            </div>
          </>
        )}
      </Section>

      {data.children.length > 0 && (
        <Section title="children">
          <ul>
            {data.children.map((c) => (
              <li key={c.id}>
                <Link to={`/run/${c.id}`} className="mono">
                  {shortId(c.id)}
                </Link>{" "}
                {c.name ?? ""} <StatusBadge status={c.status} />{" "}
                <Link to={`/compare?runs=${run.id},${c.id}`}>compare</Link>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}

function FragmentKV({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd className="mono">{v}</dd>
    </>
  );
}
