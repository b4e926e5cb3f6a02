/**
 * The dashboard's back end of the diagnosis view model (src/diagnose/view-model.ts): the same
 * sections, headings, text, tables and charts the terminal and the HTML report lay out. Every
 * string is React text (never HTML), charts are drawn with uPlot. Blocks meant for one other
 * medium are skipped; where the terminal and the HTML report differ, the page follows the HTML.
 */
import type { ReactNode } from "react";
import type { Block, Inline, TextRole, ViewModel, ViewSection } from "../../../src/diagnose/view-model";
import type { Chart } from "../../../src/diagnose/plots";
import { LineChart } from "./LineChart";

const MEDIUM = "html";

function visible(blocks: readonly Block[]): Block[] {
  return blocks.filter((b) => b.only === undefined || b.only === MEDIUM);
}

function InlineText({ s }: { s: Inline }) {
  if (typeof s === "string") return <>{s}</>;
  const cls = s.style.map((st) => `vm-${st}`).join(" ");
  return s.style.includes("code") ? <code className={cls}>{s.text}</code> : <span className={cls}>{s.text}</span>;
}

function Spans({ spans }: { spans: readonly Inline[] }) {
  return (
    <>
      {spans.map((s, i) => (
        <InlineText key={i} s={s} />
      ))}
    </>
  );
}

const ROLE_CLASS: Record<TextRole, string> = {
  p: "vm-p",
  muted: "muted",
  verdict: "vm-verdict",
  div: "vm-div",
  "div-muted": "muted",
  good: "good",
  bad: "bad",
  inline: "vm-inline",
};

export function ChartView({ chart }: { chart: Chart }) {
  const series = chart.series.map((s) => ({ label: s.name, x: s.x, y: s.y }));
  if (chart.hline) {
    const xs = chart.series.flatMap((s) => s.x);
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    series.push({ label: chart.hline.label, x: [x0, x1], y: [chart.hline.y, chart.hline.y] });
  }
  return (
    <figure className="vm-chart">
      <figcaption>{chart.title}</figcaption>
      <LineChart series={series} xLabel={chart.xLabel} yLabel={chart.yLabel} logX={chart.logX === true} height={240} />
    </figure>
  );
}

export function BlockView({ b }: { b: Block }): ReactNode {
  switch (b.kind) {
    case "heading":
      return b.level === 1 ? <h1>{b.text}</h1> : b.level === 2 ? <h2>{b.text}</h2> : <h3>{b.text}</h3>;
    case "text": {
      const role = b.role ?? "inline";
      const cls = ROLE_CLASS[role];
      return role === "p" || role === "muted" ? (
        <p className={cls}>
          <Spans spans={b.spans} />
        </p>
      ) : role === "inline" ? (
        <span>
          <Spans spans={b.spans} />
        </span>
      ) : (
        <div className={cls} id={role === "verdict" ? "verdict" : undefined}>
          <Spans spans={b.spans} />
        </div>
      );
    }
    case "list":
      return (
        <ul>
          {b.items.map((item, i) => (
            <li key={i}>
              <Spans spans={item} />
            </li>
          ))}
        </ul>
      );
    case "table":
      return (
        <table className="grid">
          <thead>
            <tr>
              {b.head.map((h, i) => (
                <th key={i} className={b.align?.[i] === "right" ? "num" : undefined}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {b.rows.map((row, r) => (
              <tr key={r}>
                {row.map((c, i) => (
                  <td key={i} className={b.align?.[i] === "right" || typeof c === "number" ? "num mono" : undefined}>
                    {String(c)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case "chart":
      return <ChartView chart={b.chart} />;
    case "gallery":
      return (
        <div className="vm-gallery">
          {b.charts.map((c, i) => (
            <ChartView key={i} chart={c} />
          ))}
        </div>
      );
    case "pre":
      return <pre className="diff">{b.lines.join("\n")}</pre>;
    case "details":
      return (
        <details>
          <summary>{b.summary}</summary>
          <Blocks blocks={b.blocks} />
        </details>
      );
    case "group":
      return b.frame === "card" ? (
        <div className="vm-card">
          <Blocks blocks={b.blocks} />
        </div>
      ) : (
        <Blocks blocks={b.blocks} />
      );
  }
}

export function Blocks({ blocks }: { blocks: readonly Block[] }) {
  return (
    <>
      {visible(blocks).map((b, i) => (
        <BlockView key={i} b={b} />
      ))}
    </>
  );
}

/** The view model, section by section; `extra` may add controls after a section's blocks (e.g. Apply). */
export function ViewModelView({
  vm,
  renderSection,
}: {
  vm: ViewModel;
  renderSection?: (section: ViewSection) => ReactNode | null;
}) {
  return (
    <div className="vm">
      {vm.sections
        .filter((s) => s.only === undefined || s.only === MEDIUM)
        .map((s) => (
          <section key={s.id} className="vm-section" id={`vm-${s.id}`} data-section={s.id}>
            {renderSection?.(s) ?? <Blocks blocks={s.blocks} />}
          </section>
        ))}
    </div>
  );
}
