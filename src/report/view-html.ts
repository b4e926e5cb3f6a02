/**
 * The HTML back end of the view model: one self-contained file, inline CSS and inline SVG charts,
 * no script, no external request (a Content-Security-Policy of default-src 'none' says so to the
 * browser too). Every piece of text is HTML-escaped here — subjects, snippets, ids, tags, feature
 * names — so spam HTML stays inert text.
 */
import { escapeXml as esc, svgChart } from "../diagnose/plots.js";
import { visible, type Block, type Inline, type TextRole, type ViewModel } from "../diagnose/view-model.js";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.verdict{font-size:1.3rem;font-weight:700;padding:.6rem .9rem;border-radius:6px;background:#fff4e0;border:1px solid #f0c36d;display:inline-block}
.muted{color:#777}table{border-collapse:collapse;margin:.5rem 0;font-size:13px;max-width:100%}th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}
th{background:#fafafa}td:not(:first-child){font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:12px}
.rec{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}.rec code{background:#f4f4f4;padding:1px 4px}
pre{background:#f7f7f7;padding:.4rem .6rem;white-space:pre-wrap;margin:.3rem 0}.ok{color:#1a7f37}.bad{color:#c62828}
`;

const WRAP: Record<TextRole, [string, string]> = {
  p: ["<p>", "</p>"],
  muted: ['<p class="muted">', "</p>"],
  verdict: ['<div class="verdict">', "</div>"],
  div: ["<div>", "</div>"],
  "div-muted": ['<div class="muted">', "</div>"],
  good: ['<div class="ok">', "</div>"],
  bad: ['<div class="bad">', "</div>"],
  inline: ["", ""],
};

function inline(s: Inline): string {
  if (typeof s === "string") return esc(s);
  let out = esc(s.text);
  for (const style of s.style) {
    if (style === "bold") out = `<b>${out}</b>`;
    else if (style === "italic") out = `<i>${out}</i>`;
    else if (style === "code") out = `<code>${out}</code>`;
    else if (style === "dim") out = `<span class="muted">${out}</span>`;
    // colours (good, warn, bad, accent) are the terminal's emphasis; the page says it in words
  }
  return out;
}

function tableHtml(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `<h${b.level}>${esc(b.text)}</h${b.level}>`;
    case "text": {
      const [open, close] = WRAP[b.role ?? "inline"];
      return `${open}${b.spans.map(inline).join("")}${close}`;
    }
    case "list":
      return `<ul>${b.items.map((item) => `<li>${item.map(inline).join("")}</li>`).join("")}</ul>`;
    case "table":
      return tableHtml(b.head, b.rows);
    case "chart":
      return svgChart(b.chart);
    case "gallery":
      return `<div class="charts">${b.charts.map((c) => svgChart(c)).join("")}</div>`;
    case "pre":
      return `<pre>${esc(b.lines.join("\n"))}</pre>`;
    case "details":
      return `<details><summary>${esc(b.summary)}</summary>${blocks(b.blocks).join("")}</details>`;
    case "group": {
      const inner = blocks(b.blocks).join("");
      return b.frame === "card" ? `<div class="rec">${inner}</div>` : inner;
    }
  }
}

function blocks(list: readonly Block[]): string[] {
  return visible(list, "html").map(block);
}

/** The view model as a standalone HTML document. */
export function renderViewHtml(vm: ViewModel): string {
  const chunks = visible(
    vm.sections.filter((s) => s.only === undefined || s.only === "html").flatMap((s) => s.blocks),
    "html",
  ).map(block);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(vm.title)}</title><style>${CSS}</style></head>
<body>
${chunks.join("\n")}
</body></html>
`;
}
