/**
 * The diagnosis as plain data: sections of headings, text, tables and charts. Every diagnostic
 * describes its own section once, here; the terminal (`src/cli/view-terminal.ts`), the HTML
 * report (`src/report/view-html.ts`) and the dashboard are back ends that lay it out and never
 * decide content. Text is raw (never pre-escaped): each back end makes it inert for its medium.
 *
 * Where the terminal and the HTML report said different things before the view model existed
 * (shorter tables, other wording), a block carries `only` so that both reports stay byte-identical;
 * a block without `only` is shown by every back end, the dashboard included.
 */
import type { Chart } from "./plots.js";

export type Medium = "terminal" | "html";

/** Emphasis; the back end chooses how (ANSI colour, an HTML element or class). */
export type Style = "bold" | "italic" | "dim" | "accent" | "good" | "warn" | "bad" | "code";

export type Inline = string | { readonly text: string; readonly style: readonly Style[] };

/** How a text block stands on the page: a paragraph, a muted note, the verdict banner… */
export type TextRole = "p" | "muted" | "verdict" | "div" | "div-muted" | "good" | "bad" | "inline";

export type Block = (
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: "text"; readonly spans: readonly Inline[]; readonly role?: TextRole }
  | { readonly kind: "list"; readonly items: ReadonlyArray<readonly Inline[]>; readonly bullet?: Inline }
  | {
      readonly kind: "table";
      readonly head: readonly string[];
      readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
      readonly align?: ReadonlyArray<"left" | "right">;
    }
  | { readonly kind: "chart"; readonly chart: Chart }
  | { readonly kind: "gallery"; readonly charts: readonly Chart[] }
  | { readonly kind: "pre"; readonly lines: readonly string[] }
  | { readonly kind: "details"; readonly summary: string; readonly blocks: readonly Block[] }
  /** Blocks laid out as one unit (a recommendation card, a heading and its first line). */
  | { readonly kind: "group"; readonly blocks: readonly Block[]; readonly frame?: "card" }
) & { readonly only?: Medium };

export interface ViewSection {
  /** Stable id ("bias-variance", "error-analysis", …) for back ends that link or collapse sections. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
  readonly only?: Medium;
}

export interface ViewModel {
  readonly title: string;
  readonly sections: readonly ViewSection[];
}

/** Inline text with styles. */
export const span = (text: string, ...style: Style[]): Inline => ({ text, style });

export const text = (spans: readonly Inline[] | string, role?: TextRole, only?: Medium): Block => ({
  kind: "text",
  spans: typeof spans === "string" ? [spans] : spans,
  ...(role ? { role } : {}),
  ...(only ? { only } : {}),
});

export const heading = (level: 1 | 2 | 3, title: string, only?: Medium): Block => ({
  kind: "heading",
  level,
  text: title,
  ...(only ? { only } : {}),
});

export const table = (
  head: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  options: { align?: ReadonlyArray<"left" | "right">; only?: Medium } = {},
): Block => ({ kind: "table", head, rows, ...options });

export const group = (blocks: readonly Block[], frame?: "card"): Block => ({
  kind: "group",
  blocks,
  ...(frame ? { frame } : {}),
});

/** Blocks shown by one back end only (see the file comment). */
export function only(medium: Medium, blocks: readonly Block[]): Block[] {
  return blocks.map((b) => ({ ...b, only: medium }));
}

/** The blocks a back end shows, nested groups included. */
export function visible(blocks: readonly Block[], medium: Medium): Block[] {
  return blocks.filter((b) => b.only === undefined || b.only === medium);
}

/** Shared number formats of the reports. */
export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
export const signedPts = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pt`;
