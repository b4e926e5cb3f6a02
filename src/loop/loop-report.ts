/**
 * The loop's report: one self-contained HTML file (inline CSS and SVG, no script, no external
 * request; a Content-Security-Policy of default-src 'none' tells the browser so). It shows the
 * incumbent's dev metric after each full run, each diagnose-and-screen round (findings, the
 * screening's estimates with intervals), every attempt with its paired decision, dev beside test for
 * the final choice and, when given (`mlloop demo`), the attribution of the whole move and the
 * ledger. All text from data and specs is escaped.
 */
import type { AttributionRecord } from "../compare/attribute.js";
import type { Ledger } from "../compare/lineage.js";
import { escapeXml as esc, svgChart } from "../diagnose/plots.js";
import type { LoopResult } from "./loop.js";

export interface LoopReportExtras {
  readonly attribution?: AttributionRecord | null;
  readonly ledger?: Ledger | null;
  readonly title?: string;
}

const num = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(4);
const signed = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;
const interval = (lo: number | null | undefined, hi: number | null | undefined): string =>
  lo === null || lo === undefined || !Number.isFinite(lo) ? "" : ` [${signed(lo)}, ${signed(hi)}]`;

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.muted{color:#777}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px;max-width:100%}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}pre{white-space:pre-wrap;overflow-wrap:anywhere}svg{max-width:100%;height:auto}
th{background:#fafafa}.iter{border:1px solid #ddd;border-radius:6px;padding:.4rem 1rem;margin:1rem 0}
code{background:#f4f4f4;padding:1px 4px}
`;

function trajectoryChart(r: LoopResult): string {
  if (r.trajectory.length < 2) return "";
  return `<div>${svgChart(
    {
      title: `incumbent dev ${r.metric} after each full run`,
      xLabel: "full runs",
      yLabel: r.metric,
      series: [{ name: "incumbent (dev)", x: r.trajectory.map((_, i) => i + 1), y: [...r.trajectory] }],
    },
    560,
    280,
  )}</div>`;
}

function roundsSection(r: LoopResult): string[] {
  const parts = [`<h2>Rounds: diagnose, then screen the catalogue on the training split</h2>`];
  r.rounds.forEach((round, i) => {
    parts.push(
      `<div class="iter"><h3>Round ${i + 1}: ${round.incumbent === null ? "the spec as given, before any full run" : `incumbent <code>${esc(round.incumbent.slice(0, 12))}</code>`} — out-of-fold ${esc(r.metric)} ${num(round.screen.incumbentMetric)}</h3>`,
    );
    if (round.findings.length > 0)
      parts.push(`<ul>${round.findings.map((f) => `<li><b>${esc(f.kind)}</b>: ${esc(f.text)}</li>`).join("")}</ul>`);
    parts.push(
      `<p class="muted">${round.screen.trials} cross-validation trials in ${(round.screen.ms / 1000).toFixed(1)} s; dev and test not read.</p>`,
    );
    parts.push(
      table(
        ["candidate", "change", "estimated gain (95% CI)", "answers"],
        round.screen.top.map((c) => [
          c.title,
          c.patch.join("; "),
          `${signed(c.delta)}${interval(c.ciLow, c.ciHigh)}`,
          c.answers ?? "",
        ]),
      ),
    );
    parts.push(`</div>`);
  });
  return parts;
}

function attemptsSection(r: LoopResult): string[] {
  if (r.attempts.length === 0) return [];
  return [
    `<h2>Attempts (full runs, judged on dev)</h2>`,
    table(
      ["look", "run", "change", "screened gain", `dev ${r.metric}`, "Δ (CI)", "one-sided p", "decision"],
      r.attempts.map((a) => [
        String(a.look),
        a.runId.slice(0, 12),
        `${a.title}: ${a.patch.join("; ")}`,
        a.screened ? `${signed(a.screened.delta)}${interval(a.screened.ciLow, a.screened.ciHigh)}` : "—",
        `${num(a.decision.a)} → ${num(a.decision.b)}`,
        `${signed(a.decision.delta)}${interval(a.decision.ciLow, a.decision.ciHigh)}`,
        `${a.decision.p.toPrecision(2)} (vs ${a.decision.perTest.toPrecision(2)})`,
        a.decision.accepted ? "accepted" : "rejected",
      ]),
    ),
  ];
}

function attributionSection(rec: AttributionRecord): string[] {
  const a = rec.attribution;
  return [
    `<h2>Which change moved the metric</h2>`,
    `<p class="muted">Exact Shapley attribution of dev ${esc(rec.metric)} from the first to the final run over ${a.players.length} change(s), ` +
      `${a.coalitions.length} coalition runs; 95% CIs from a joint bootstrap over the ${a.n} shared dev examples (${a.resamples} resamples). ` +
      `Contributions sum to the total (efficiency gap ${a.efficiencyGap.toExponential(1)}).</p>`,
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
          "total (final − first)",
          signed(a.total.value),
          `[${signed(a.total.ciLow)}, ${signed(a.total.ciHigh)}]`,
          "100%",
          "",
        ],
      ],
    ),
  ];
}

function ledgerSection(ledger: Ledger): string[] {
  return [
    `<h2>Ledger</h2>`,
    table(
      ["run", "name", `dev ${ledger.metric}`, "change from parent", "effect (95% CI)", "verdict"],
      ledger.entries.map((e) => [
        e.run.id.slice(0, 12),
        e.run.name ?? "",
        num(e.value),
        e.edge ? e.edge.change.join("; ") : "(first run)",
        e.edge?.effect ? `${signed(e.edge.effect.delta)}${interval(e.edge.effect.ciLow, e.edge.effect.ciHigh)}` : "",
        e.edge?.effect?.verdict ?? "",
      ]),
    ),
  ];
}

export function renderLoopReport(r: LoopResult, extras: LoopReportExtras = {}): string {
  const title = extras.title ?? `mlloop loop — ${r.experiment}`;
  const parts: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
      `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    `<p>Stopped: ${esc(r.stopReason)}. ${r.looks} looks at dev; acceptance rule: ${esc(r.rule.text)}.</p>`,
    `<p>Final choice <code>${esc(r.incumbentRunId.slice(0, 12))}</code> (first run <code>${esc(r.baselineRunId.slice(0, 12))}</code>): ` +
      `dev ${esc(r.metric)} ${num(r.dev?.value)}${interval(r.dev?.low, r.dev?.high)} · test ${num(r.test?.value)}${interval(r.test?.low, r.test?.high)} (test read once, at the end).</p>`,
    trajectoryChart(r),
    ...roundsSection(r),
    ...attemptsSection(r),
  ];
  if (extras.attribution) parts.push(...attributionSection(extras.attribution));
  if (extras.ledger) parts.push(...ledgerSection(extras.ledger));
  parts.push(
    `<h2>Explore further</h2><pre>mlloop log ${esc(r.experiment)}\nmlloop ledger ${esc(r.experiment)}\nmlloop compare ${esc(r.baselineRunId.slice(0, 12))} ${esc(r.incumbentRunId.slice(0, 12))}\nmlloop diagnose ${esc(r.incumbentRunId.slice(0, 12))}</pre>`,
    `</body></html>\n`,
  );
  return parts.join("\n");
}
