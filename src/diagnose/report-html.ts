/**
 * The diagnosis as one self-contained HTML file (`mlloop report RUN`): inline CSS and inline SVG
 * charts, no script, no external request (a Content-Security-Policy of default-src 'none' says so
 * to the browser too). Every piece of text that comes from the data — subjects, snippets, ids,
 * tags, feature names — is HTML-escaped, so spam HTML stays inert text.
 */
import type { RecommendationOutcome } from "../recommend/outcome.js";
import { allCharts } from "./charts.js";
import type { Diagnosis } from "./diagnose.js";
import { escapeXml as esc, svgChart } from "./plots.js";

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const pts = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pt`;

function tableHtml(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.verdict{font-size:1.3rem;font-weight:700;padding:.6rem .9rem;border-radius:6px;background:#fff4e0;border:1px solid #f0c36d;display:inline-block}
.muted{color:#777}table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#fafafa}td:not(:first-child){font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:12px}
.rec{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}.rec code{background:#f4f4f4;padding:1px 4px}
pre{background:#f7f7f7;padding:.4rem .6rem;white-space:pre-wrap;margin:.3rem 0}.ok{color:#1a7f37}.bad{color:#c62828}
`;

export function renderHtmlReport(d: Diagnosis, outcomes: readonly RecommendationOutcome[] = []): string {
  const bv = d.biasVariance;
  const e = bv.input;
  const s: string[] = [];
  s.push(`<h1>Diagnosis of run ${esc(d.runId)}</h1>`);
  s.push(
    `<p class="muted">experiment ${esc(d.experiment)} · computed ${esc(new Date(d.createdAt).toISOString())}` +
      (d.devMetric !== null ? ` · dev ${esc(d.primaryMetric)} ${d.devMetric.toFixed(4)}` : "") +
      `</p>`,
  );
  s.push(`<div class="verdict">${esc(d.verdict.text)}</div>`);
  s.push(`<ul>${d.verdict.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  s.push(
    `<p>errors: baseline ${pct(e.baseline)} · train ${pct(e.train.error)}` +
      (e.trainDev ? ` · train-dev ${pct(e.trainDev.error)}` : "") +
      ` · dev ${pct(e.dev.error)}${e.test ? ` · test ${pct(e.test.error)}` : ""}</p>`,
  );
  s.push(
    tableHtml(
      ["gap", "value", "± SE", "share", "material"],
      bv.gaps.map((g) => [
        g.name.replace(/_/g, " "),
        pts(g.value),
        `${(g.se * 100).toFixed(2)} pt`,
        g.share === null ? "—" : `${Math.round(g.share * 100)}%`,
        g.material ? "yes" : "no",
      ]),
    ),
  );

  s.push(`<h2>Recommendations</h2>`);
  for (const r of d.recommendations) {
    const o = outcomes.find((x) => x.n === r.n && x.recommendationId === r.id);
    s.push(
      `<div class="rec"><b>${r.n}. ${esc(r.title)}</b> <span class="muted">expected ${pts(r.expected.devErrorDelta)} dev error (${esc(r.expected.basis)})</span>` +
        (r.patchText.length > 0 ? `<pre>${esc(r.patchText.join("\n"))}</pre>` : "") +
        (r.action ? `<div><i>action:</i> ${esc(r.action)}</div>` : "") +
        `<div>${esc(r.rationale)}</div>` +
        `<details><summary>evidence</summary><ul>${r.evidence.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></details>` +
        (r.patch
          ? `<div class="muted">apply: <code>mlloop run --apply ${esc(d.runId.slice(0, 12))}:${r.n}</code></div>`
          : "") +
        (o ? `<div class="${o.held ? "ok" : "bad"}">outcome (run ${esc(o.childRunId)}): ${esc(o.summary)}</div>` : "") +
        `</div>`,
    );
  }

  s.push(
    `<h2>Curves</h2><div class="charts">${allCharts(d)
      .map((c) => svgChart(c.chart))
      .join("")}</div>`,
  );
  if (d.readings.learningCurve) s.push(`<p><b>Learning curve:</b> ${esc(d.readings.learningCurve.text)}</p>`);
  if (d.readings.validationCurve) s.push(`<p><b>Validation curve:</b> ${esc(d.readings.validationCurve.text)}</p>`);

  const ea = d.errorAnalysis;
  if (ea) {
    s.push(
      `<h2>Error analysis (${esc(ea.split)})</h2><p>${ea.errors} errors of ${ea.n} (${pct(ea.errorRate)}): ${ea.fp} false positives, ${ea.fn} false negatives; ${ea.untagged} untagged.</p>`,
    );
    s.push(
      tableHtml(
        ["tag", "source", "errors", "fp", "fn", "share", "in correct", "ceiling (error if fixed)"],
        ea.tags.map((t) => [
          t.tag,
          t.source,
          t.errors,
          t.fp,
          t.fn,
          `${Math.round(t.share * 100)}%`,
          `${(t.rateAmongCorrect * 100).toFixed(1)}%`,
          `${pct(t.ceilingError)} (${pts(-t.maxGain)})`,
        ]),
      ),
    );
    if (ea.overRepresented.length > 0) {
      s.push(`<h3>Features over-represented among errors</h3>`);
      s.push(
        tableHtml(
          ["compared", "feature", "in errors", "in correct", "log odds ratio", "z"],
          ea.overRepresented.map((o) => [
            o.kind === "fn" ? "FN vs TP" : o.kind === "fp" ? "FP vs TN" : "errors vs correct",
            o.feature,
            `${o.inErrors}/${o.errors}`,
            `${o.inCorrect}/${o.correct}`,
            o.logOddsRatio.toFixed(2),
            o.z.toFixed(2),
          ]),
        ),
      );
    }
    const sample = [...ea.sample.fp, ...ea.sample.fn, ...ea.sample.other];
    s.push(`<h3>Sample of ${ea.sample.size} errors (seed ${ea.sample.seed})</h3>`);
    s.push(
      tableHtml(
        ["kind", "example", "score", "tags", "subject", "beginning of the body"],
        sample.map((x) => [
          x.kind.toUpperCase(),
          x.id,
          x.score === null ? "—" : x.score.toFixed(3),
          x.tags.join(" "),
          d.previews[x.id]?.subject ?? "",
          d.previews[x.id]?.snippet ?? "",
        ]),
      ),
    );
  }
  const sl = d.slices;
  if (sl) {
    s.push(
      `<h2>Slices (dev)</h2><p>${sl.tested} slices tested (size ≥ ${sl.minSize}); overall error ${pct(sl.errorRate)}.</p>`,
    );
    s.push(
      tableHtml(
        ["slice", "size", "errors", "error", "rest", "excess errors", "q"],
        sl.worst.map((x) => [
          x.name,
          x.size,
          x.errors,
          pct(x.errorRate),
          pct(x.complementErrorRate),
          x.excessErrors.toFixed(1),
          x.q.toExponential(1),
        ]),
      ),
    );
  }
  const dc = d.dataChecks;
  if (dc) {
    s.push(`<h2>Data checks</h2>`);
    s.push(
      `<p>exact duplicate clusters ${dc.exactDuplicates.clusters} (${dc.exactDuplicates.crossSplit.length} across splits, ${dc.exactDuplicates.labelConflicts.length} label conflicts); near-duplicate pairs ${dc.nearDuplicates.pairs} (${dc.nearDuplicates.crossSplit.length} across splits); examples with a near-copy in train: ${esc(JSON.stringify(dc.nearDuplicates.leakedBySplit))}.</p>`,
    );
    s.push(
      tableHtml(
        ["split", "n", "classes"],
        dc.balance.map((b) => [
          b.split,
          b.n,
          Object.entries(b.counts)
            .map(([c, n]) => `${c} ${n}`)
            .join(" / "),
        ]),
      ),
    );
    s.push(
      tableHtml(
        ["family", "columns", "Jensen–Shannon", "largest shifts (train sd)"],
        dc.drift.map((f) => [
          f.family,
          f.columns,
          f.jensenShannon.toFixed(3),
          f.topColumns.map((c) => `${c.name} ${c.shift >= 0 ? "+" : ""}${c.shift.toFixed(2)}`).join(", "),
        ]),
      ),
    );
    if (dc.nearDuplicates.crossSplit.length > 0) {
      s.push(
        `<details><summary>near-duplicates across splits</summary>${tableHtml(
          ["a", "b", "splits", "similarity"],
          dc.nearDuplicates.crossSplit.map((p) => [p.a, p.b, `${p.splitA}/${p.splitB}`, p.similarity.toFixed(2)]),
        )}</details>`,
      );
    }
  }
  if (d.labelIssues.length > 0) {
    s.push(`<h2>Likely label errors</h2>`);
    for (const l of d.labelIssues) {
      s.push(`<p>${esc(l.split)}: ${l.issues.length} flagged (estimated ${l.estimatedErrors.toFixed(0)})</p>`);
      if (l.issues.length > 0) {
        s.push(
          tableHtml(
            ["example", "given", "suggested", "p(given)", "subject"],
            l.issues
              .slice(0, 20)
              .map((i) => [i.id, i.given, i.suggested, i.selfConfidence.toFixed(3), d.previews[i.id]?.subject ?? ""]),
          ),
        );
      }
    }
  }
  s.push(`<h2>Training dynamics</h2>`);
  s.push(
    `<p>${d.dynamics.iterations ?? "?"} iterations, ${d.dynamics.converged === null ? "convergence not reported" : d.dynamics.converged ? "converged" : "not converged"}.</p>`,
  );
  if (d.dynamics.findings.length > 0)
    s.push(`<ul>${d.dynamics.findings.map((f) => `<li>${esc(f.message)}</li>`).join("")}</ul>`);
  const th = d.threshold;
  if (th) {
    s.push(
      `<h2>Threshold and cost</h2><p>dev: ${th.n} messages, ${th.positives} positive; costs fp=${th.costs.fp}, fn=${th.costs.fn}; ECE ${th.ece.toFixed(4)}.</p>`,
    );
    s.push(
      tableHtml(
        [
          "policy",
          "threshold",
          "precision",
          "recall",
          "F1",
          "legitimate lost per 10,000",
          "spam delivered per 10,000",
          "cost per 10,000",
        ],
        th.points.map((p) => [
          p.policy + (p.feasible ? "" : " (infeasible)"),
          p.threshold.toPrecision(4),
          p.precision.toFixed(4),
          p.recall.toFixed(4),
          p.f1.toFixed(4),
          p.per10k.negativesLost.toFixed(1),
          p.per10k.positivesMissed.toFixed(1),
          p.per10k.cost.toFixed(0),
        ]),
      ),
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlloop diagnosis ${esc(d.runId)}</title><style>${CSS}</style></head>
<body>
${s.join("\n")}
<p class="muted">mlloop diagnosis v${d.version} · options ${esc(JSON.stringify(d.options))}</p>
</body></html>
`;
}
