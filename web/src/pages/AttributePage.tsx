/** Attribute: stored Shapley attributions (`mlloop attribute A B`) as a waterfall with intervals. */
import type { AttributionRecord } from "../../../src/compare/attribute";
import { qs } from "../api";
import { fmtCi, fmtDelta, fmtPct, fmtValue, shortId } from "../format";
import { Link, type Location } from "../router";
import { Page, Section, useApi } from "../components/common";
import { Waterfall } from "../components/Waterfall";

interface AttributionsResponse {
  attributions: Array<{ key: string; runA: string; runB: string; createdAt: number; record: AttributionRecord }>;
}

export function AttributePage({ loc }: { loc: Location }) {
  const a = loc.query.get("a");
  const b = loc.query.get("b");
  if (a === null) {
    return (
      <div>
        <h1>attribution</h1>
        <p>
          Open an attribution from a comparison or the lineage, or give runs:{" "}
          <code>/attribute?a=RUN_A&amp;b=RUN_B</code>. Attributions are computed by <code>mlloop attribute A B</code>.
        </p>
      </div>
    );
  }
  return <AttributeView a={a} b={b} />;
}

function AttributeView({ a, b }: { a: string; b: string | null }) {
  const loaded = useApi<AttributionsResponse>(`/api/attributions${qs({ a, b })}`);
  return (
    <Page loaded={loaded}>
      {(data) =>
        data.attributions.length === 0 ? (
          <p>
            No stored attribution for {shortId(a)}
            {b !== null ? ` → ${shortId(b)}` : ""}. Run{" "}
            <code>
              mlloop attribute {shortId(a)} {b !== null ? shortId(b) : "B"}
            </code>
            .
          </p>
        ) : (
          <>
            {data.attributions.map((x) => (
              <AttributionView key={x.key} r={x.record} />
            ))}
          </>
        )
      }
    </Page>
  );
}

function AttributionView({ r }: { r: AttributionRecord }) {
  const at = r.attribution;
  const start = at.coalitions.find((c) => c.mask === 0)?.value ?? 0;
  const changes = new Map(r.plan.players.map((p) => [p.name, p.change]));
  return (
    <Section title={`${r.metric} on ${r.split}: ${shortId(r.runA)} → ${shortId(r.runB)}`}>
      <p className="muted">
        <Link to={`/run/${r.runA}`}>A {shortId(r.runA)}</Link> → <Link to={`/run/${r.runB}`}>B {shortId(r.runB)}</Link>{" "}
        · {at.mode === "exact" ? "exact Shapley" : `sampled Shapley (${at.permutations} permutations)`} over{" "}
        {at.players.length} players, {at.coalitions.length} coalition runs; {at.n.toLocaleString("en")} shared examples;{" "}
        {Math.round(at.ci * 100)}% CIs from a joint bootstrap ({at.resamples.toLocaleString("en")} resamples, seed{" "}
        {at.seed}) · <Link to={`/compare?runs=${r.runA},${r.runB}`}>compare</Link>
      </p>
      <Waterfall
        start={start}
        startLabel={`A ${shortId(r.runA)}`}
        endLabel={`B ${shortId(r.runB)}`}
        steps={at.players.map((p) => ({
          label: p.player,
          value: p.value,
          ciLow: p.ciLow,
          ciHigh: p.ciHigh,
          coversZero: p.coversZero,
        }))}
      />
      <table className="grid attribution">
        <thead>
          <tr>
            <th>player</th>
            <th>change</th>
            <th className="num">contribution</th>
            <th className="num">{Math.round(at.ci * 100)}% CI</th>
            <th className="num">share</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {at.players.map((p) => (
            <tr key={p.player} data-player={p.player}>
              <td>{p.player}</td>
              <td className="small">{changes.get(p.player) ?? ""}</td>
              <td className="num mono">{fmtDelta(p.value)}</td>
              <td className="num mono">{fmtCi(p.ciLow, p.ciHigh)}</td>
              <td className="num mono">{fmtPct(p.share)}</td>
              <td>{p.coversZero ? <span className="muted">noise (CI covers 0)</span> : ""}</td>
            </tr>
          ))}
          <tr className="total">
            <td>total (B − A)</td>
            <td />
            <td className="num mono">{fmtDelta(at.total.value)}</td>
            <td className="num mono">{fmtCi(at.total.ciLow, at.total.ciHigh)}</td>
            <td className="num">100%</td>
            <td />
          </tr>
        </tbody>
      </table>
      <p className="muted">
        efficiency: the contributions sum to the total delta (gap {at.efficiencyGap.toExponential(1)}); A{" "}
        {fmtValue(start)}
      </p>
      {r.warnings.map((w, i) => (
        <p key={i} className="warn">
          warning: {w}
        </p>
      ))}
    </Section>
  );
}
