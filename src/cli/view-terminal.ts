/**
 * The terminal back end of the view model (`mlloop diagnose`): headings in bold cyan, tables with
 * cli-table3, charts as character grids, emphasis as ANSI colour on a TTY only. Every string that
 * reaches the terminal passes through `inertLine` (table cells, list items) or `inertBlock` (text
 * whose line breaks are layout), so text from the data can never act on the terminal.
 */
import { terminalChart } from "../diagnose/plots.js";
import { visible, type Block, type Inline, type Style, type ViewModel } from "../diagnose/view-model.js";
import { inertBlock, inertLine } from "../util/inert.js";
import { bold, cyan, dim, green, red, table, yellow } from "./render.js";

const PAINT: Record<Style, (s: string) => string> = {
  bold,
  dim,
  accent: cyan,
  good: green,
  warn: yellow,
  bad: red,
  italic: (s) => s,
  code: (s) => s,
};

/** A span made inert first, then painted (so the colour codes are ours and nothing else is). */
function inline(s: Inline, inert: (text: string) => string = inertBlock): string {
  if (typeof s === "string") return inert(s);
  return s.style.reduce((out, style) => PAINT[style](out), inert(s.text));
}

function block(b: Block): string[] {
  switch (b.kind) {
    case "heading":
      // the terminal shouts its section titles; the page keeps them as written
      return [`\n${bold(cyan(inertLine(b.level === 3 ? b.text : b.text.toUpperCase())))}`];
    case "text": {
      const line = b.spans.map((s) => inline(s)).join("");
      return [b.role === "p" ? `  ${line}` : line];
    }
    case "list": {
      const bullet = b.bullet === undefined ? "" : `${inline(b.bullet)} `;
      return b.items.map((item) => `  ${bullet}${item.map((s) => inline(s, inertLine)).join("")}`);
    }
    case "table":
      return [
        table(
          b.head.map(inertLine),
          b.rows.map((r) => r.map((c) => (typeof c === "number" ? c : inertLine(c)))),
          b.align ? [...b.align] : undefined,
        ),
      ];
    case "chart":
      return [inertBlock(terminalChart(b.chart))];
    case "gallery":
      return b.charts.map((c) => inertBlock(terminalChart(c)));
    case "pre":
      return b.lines.map((l) => `  ${inertLine(l)}`);
    case "details":
      return [inertLine(b.summary), ...blocks(b.blocks)];
    case "group":
      return [blocks(b.blocks).join("")];
  }
}

function blocks(list: readonly Block[]): string[] {
  return visible(list, "terminal").flatMap(block);
}

/** The view model as terminal text (no trailing newline). */
export function renderViewTerminal(vm: ViewModel): string {
  return blocks(vm.sections.filter((s) => s.only === undefined || s.only === "terminal").flatMap((s) => s.blocks)).join(
    "\n",
  );
}
