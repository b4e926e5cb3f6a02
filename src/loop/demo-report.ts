/**
 * The demo's report: one self-contained HTML file (inline CSS and SVG, no script, no external
 * request; a Content-Security-Policy of default-src 'none' tells the browser so) that shows the
 * loop — each iteration's diagnosis, the changes tried and their measured effect, the attribution
 * of the total improvement, and the ledger. All text from data and specs is escaped.
 */
import { escapeXml as esc, svgChart } from "../diagnose/plots.js";
import type { DemoResult } from "./demo.js";

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const num = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(4);
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.muted{color:#777}.verdict{font-weight:700}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px;max-width:100%}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}pre{white-space:pre-wrap;overflow-wrap:anywhere}svg{max-width:100%;height:auto}
th{background:#fafafa}.ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}
.iter{border:1px solid #ddd;border-radius:6px;padding:.4rem 1rem;margin:1rem 0}.charts{display:flex;flex-wrap:wrap;gap:12px}
code{background:#f4f4f4;padding:1px 4px}
`;

export function renderDemoReport(r: DemoResult, learningCurves: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
      `<title>mlloop demo — ${esc(r.experiment)}</title><style>${CSS}</style></head><body>`,
  );
  parts.push(`<h1>The loop, end to end: ${esc(r.experiment)}</h1>`);
  parts.push(
    `<p class="muted">First run <code>${esc(r.firstRunId)}</code>, best run <code>${esc(r.bestRunId)}</code>; ` +
      `primary metric dev ${esc(r.primaryMetric)}. Stopped: ${esc(r.stopReason)}.</p>`,
  );

  // the metric along the accepted chain
  const chain = r.iterations.filter((it) => it.devMetric !== null);
  if (chain.length > 1) {
    parts.push(
      `<div class="charts">${svgChart(
        {
          title: `dev ${r.primaryMetric} along the accepted changes`,
          xLabel: "iteration",
          yLabel: r.primaryMetric,
          series: [{ name: "dev", x: chain.map((_, i) => i), y: chain.map((it) => it.devMetric!) }],
        },
        560,
        280,
      )}</div>`,
    );
  }

  parts.push(`<h2>Iterations</h2>`);
  r.iterations.forEach((it, i) => {
    parts.push(
      `<div class="iter"><h3>${i === 0 ? "Baseline" : `Iteration ${i}`}: run <code>${esc(it.runId.slice(0, 12))}</code> — dev ${esc(r.primaryMetric)} ${num(it.devMetric)}</h3>`,
    );
    parts.push(`<p><span class="verdict">Diagnosis:</span> ${esc(it.verdict)}</p>`);
    if (it.learningCurve) parts.push(`<p><b>Learning curve:</b> ${esc(it.learningCurve)}</p>`);
    const svg = learningCurves[it.runId];
    if (svg) parts.push(`<div class="charts">${svg}</div>`);
    if (it.topTags.length > 0) {
      parts.push(
        table(
          ["error tag", "share of dev errors", "dev error if fixed (ceiling)"],
          it.topTags.map((t) => [t.tag, pct(t.share), pct(t.ceilingError)]),
        ),
      );
    }
    if (it.attempts.length > 0) {
      parts.push(
        table(
          ["recommendation", "change", "expected", "child run", `dev ${r.primaryMetric}`, "Δ (95% CI)", "verdict"],
          it.attempts.map((a) => [
            `${a.recommendation.n}. ${a.recommendation.title}`,
            a.recommendation.patchText.join("; ").trim(),
            `${signed(-a.recommendation.expected.devErrorDelta)} accuracy (${a.recommendation.expected.basis})`,
            a.childRunId.slice(0, 12),
            `${num(a.primary.a)} → ${num(a.primary.b)}`,
            `${signed(a.primary.delta)} [${signed(a.primary.ciLow)}, ${signed(a.primary.ciHigh)}]`,
            `${a.primary.verdict}${a.accepted ? " — accepted" : " — rejected"}`,
          ]),
        ),
      );
    }
    parts.push(`</div>`);
  });

  if (r.attribution) {
    const a = r.attribution.attribution;
    parts.push(`<h2>Which change moved the metric</h2>`);
    parts.push(
      `<p class="muted">Exact Shapley attribution of dev ${esc(r.attribution.metric)} from the first to the best run over ${a.players.length} change(s), ` +
        `${a.coalitions.length} coalition runs; 95% CIs from a joint bootstrap over the ${a.n} shared dev examples (${a.resamples} resamples). ` +
        `Contributions sum to the total (efficiency gap ${a.efficiencyGap.toExponential(1)}).</p>`,
    );
    parts.push(
      table(
        ["change", "contribution", "95% CI", "share", ""],
        [
          ...a.players.map((p) => [
            p.player,
            signed(p.value),
            `[${signed(p.ciLow)}, ${signed(p.ciHigh)}]`,
            Number.isNaN(p.share) ? "—" : `${(p.share * 100).toFixed(0)}%`,
            p.coversZero ? "noise (CI covers 0)" : "",
          ]),
          [
            "total (best − first)",
            signed(a.total.value),
            `[${signed(a.total.ciLow)}, ${signed(a.total.ciHigh)}]`,
            "100%",
            "",
          ],
        ],
      ),
    );
  }

  parts.push(`<h2>Ledger</h2>`);
  parts.push(
    table(
      ["run", "name", `dev ${r.ledger.metric}`, "change from parent", "effect (95% CI)", "verdict"],
      r.ledger.entries.map((e) => [
        e.run.id.slice(0, 12),
        e.run.name ?? "",
        num(e.value),
        e.edge ? e.edge.change.join("; ") : "(first run)",
        e.edge?.effect
          ? `${signed(e.edge.effect.delta)} [${signed(e.edge.effect.ciLow)}, ${signed(e.edge.effect.ciHigh)}]`
          : "",
        e.edge?.effect?.verdict ?? "",
      ]),
    ),
  );
  parts.push(
    `<h2>Explore further</h2><pre>mlloop log ${esc(r.experiment)}\nmlloop ledger ${esc(r.experiment)}\nmlloop compare ${esc(r.firstRunId.slice(0, 12))} ${esc(r.bestRunId.slice(0, 12))}\nmlloop diagnose ${esc(r.bestRunId.slice(0, 12))}\nmlloop report ${esc(r.bestRunId.slice(0, 12))}</pre>`,
  );
  parts.push(`</body></html>\n`);
  return parts.join("\n");
}
