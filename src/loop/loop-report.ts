/** The loop's self-contained HTML report: the trajectory, every attempt and its decision, dev beside test. */
import type { LoopResult } from "./loop.js";

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
const f4 = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(4);

export function renderLoopReport(r: LoopResult): string {
  const rows = r.attempts
    .map(
      (a) =>
        `<tr><td>${a.look}</td><td><code>${esc(a.runId.slice(0, 12))}</code></td><td>${esc(a.title)}<br><small><code>${a.patch.map(esc).join("<br>")}</code></small></td>` +
        `<td>${a.screened ? `${f4(a.screened.delta)} [${f4(a.screened.ciLow)}, ${f4(a.screened.ciHigh)}]` : "—"}</td>` +
        `<td>${f4(a.decision.a)} → ${f4(a.decision.b)} (Δ ${f4(a.decision.delta)}, p ${a.decision.p.toPrecision(2)})</td>` +
        `<td>${a.decision.accepted ? "accepted" : "rejected"}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>mlloop loop — ${esc(r.experiment)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style></head><body>
<h1>mlloop loop — ${esc(r.experiment)}</h1>
<p>Stopped: ${esc(r.stopReason)}. ${r.looks} looks at dev; acceptance rule: ${esc(r.rule.text)}.</p>
<p>Incumbent dev ${esc(r.metric)} after each full run: ${r.trajectory.map(f4).join(" → ")}</p>
<p>Final choice <code>${esc(r.incumbentRunId.slice(0, 12))}</code>: dev ${f4(r.dev?.value)} [${f4(r.dev?.low)}, ${f4(r.dev?.high)}] · test ${f4(r.test?.value)} [${f4(r.test?.low)}, ${f4(r.test?.high)}] (test read once, at the end).</p>
<table><tr><th>look</th><th>run</th><th>change</th><th>screened Δ (train CV) [95% CI]</th><th>dev (paired)</th><th>decision</th></tr>
${rows}
</table></body></html>
`;
}
