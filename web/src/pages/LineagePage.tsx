/**
 * Lineage: the run tree of an experiment (`mlloop log`) as a graph. Each edge carries its change
 * and the metric delta with its interval; runs on the ledger's chain are marked accepted, other
 * attempts made from a recommendation rejected; clicking an edge opens its comparison.
 */
import type { Edge, Ledger, LogNode, RunLog } from "../../../src/compare/lineage";
import { qs } from "../api";
import { fmtCi, fmtDelta, fmtValue, shortId } from "../format";
import { Link, navigate, type Location } from "../router";
import { CiBar, Page, StatusBadge, VerdictBadge, useApi } from "../components/common";
import { ExperimentPicker } from "./ExperimentPicker";

export function LineagePage({ loc }: { loc: Location }) {
  const experiment = loc.query.get("experiment");
  return (
    <div className="lineage-page">
      <header className="page-head">
        <h1>lineage</h1>
        <ExperimentPicker
          value={experiment}
          onChange={(e) => navigate(`/lineage?experiment=${encodeURIComponent(e)}`)}
        />
      </header>
      {experiment !== null && <LineageView experiment={experiment} />}
    </div>
  );
}

function LineageView({ experiment }: { experiment: string }) {
  const log = useApi<RunLog>(`/api/log${qs({ experiment })}`);
  const ledger = useApi<Ledger>(`/api/ledger${qs({ experiment })}`);
  const chain = new Set((ledger.data?.entries ?? []).map((e) => e.run.id));
  return (
    <Page loaded={log}>
      {(data) => {
        const scale =
          Math.max(
            0.001,
            ...collectEdges(data.roots).map((e) =>
              e.effect ? Math.max(Math.abs(e.effect.ciLow), Math.abs(e.effect.ciHigh)) : 0,
            ),
          ) * 1.1;
        return (
          <>
            <p className="muted">
              {data.runs} runs; edges: Δ{data.metric} on {data.split} with paired bootstrap 95% CI ·{" "}
              <Link to={`/loop?experiment=${encodeURIComponent(experiment)}`}>ledger and live loop</Link>
            </p>
            <ul className="tree" id="lineage-tree">
              {data.roots.map((n) => (
                <TreeNode key={n.run.id} node={n} parent={null} metric={data.metric} chain={chain} scale={scale} />
              ))}
            </ul>
          </>
        );
      }}
    </Page>
  );
}

function collectEdges(nodes: readonly LogNode[]): Edge[] {
  return nodes.flatMap((n) => [...(n.edge ? [n.edge] : []), ...collectEdges(n.children)]);
}

function TreeNode({
  node,
  parent,
  metric,
  chain,
  scale,
}: {
  node: LogNode;
  parent: string | null;
  metric: string;
  chain: Set<string>;
  scale: number;
}) {
  const r = node.run;
  const isAttempt = r.tags.recommendation !== undefined || r.tags.loop_attempt !== undefined;
  const mark = chain.has(r.id) ? "accepted" : isAttempt ? "rejected" : null;
  const e = node.edge;
  return (
    <li data-run={r.id}>
      {e !== null && parent !== null && (
        <Link to={`/compare?runs=${parent},${r.id}`} className={`edge ${mark ?? ""}`} data-edge={`${parent}-${r.id}`}>
          <span className="edge-effect">
            {e.effect !== null ? (
              <>
                <span className="mono">
                  Δ{metric} {fmtDelta(e.effect.delta)} {fmtCi(e.effect.ciLow, e.effect.ciHigh)}
                </span>{" "}
                <CiBar delta={e.effect.delta} lo={e.effect.ciLow} hi={e.effect.ciHigh} scale={scale} width={120} />{" "}
                <VerdictBadge verdict={e.effect.verdict} />
                {!e.effect.paired && <strong className="bad"> UNPAIRED</strong>}
                {e.effect.exceedsNoise === false && <span className="warn"> within replicate noise</span>}
              </>
            ) : (
              <span className="muted">
                Δ{metric} not measured: {e.effectUnavailable}
              </span>
            )}
          </span>
          <span className="edge-change">
            {e.change.length === 0 ? "(same spec, code and data)" : e.change.map((l) => l.trim()).join(" · ")}
          </span>
          {e.attributions.map((a) => (
            <span key={a.key} className="edge-attr">
              attribution:{" "}
              {a.players.map((p) => `${p.player} ${fmtDelta(p.value)}${p.coversZero ? " (noise)" : ""}`).join(", ")}
            </span>
          ))}
        </Link>
      )}
      <div className={`node ${mark ?? ""}`}>
        {mark !== null && <span className={`mark mark-${mark}`}>{mark}</span>}
        <Link to={`/run/${r.id}`} className="mono">
          {shortId(r.id)}
        </Link>{" "}
        <StatusBadge status={r.status} />{" "}
        <span className="node-value mono">
          {metric} {fmtValue(node.value)}
        </span>{" "}
        {r.name !== null && <span className="run-name">{r.name}</span>}
      </div>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <TreeNode key={c.run.id} node={c} parent={r.id} metric={metric} chain={chain} scale={scale} />
          ))}
        </ul>
      )}
    </li>
  );
}
