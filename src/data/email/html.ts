/**
 * HTML → readable text, in one forward scan (no DOM: spam HTML is often broken, and a DOM costs
 * far more than this stage can afford). Script, style and comments are dropped, block-level tags
 * become line breaks, other tags a space, character references are decoded, and `<a href>` links
 * are collected with their anchor text.
 */
import { decodeEntities } from "./entities.js";

export interface Link {
  readonly href: string;
  readonly text: string;
}

const BLOCK_TAGS = new Set([
  "address",
  "article",
  "blockquote",
  "br",
  "center",
  "dd",
  "div",
  "dl",
  "dt",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "title",
  "tr",
  "ul",
]);

const WHITESPACE = /\s+/g;
const NBSP = /\u00a0/g;

const HREF = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Index of the ">" that closes the tag opened at `start`, skipping quoted attribute values; -1 if none. */
function tagEnd(html: string, start: number): number {
  const gt = html.indexOf(">", start);
  if (gt < 0) return -1;
  const dq = html.indexOf('"', start);
  const sq = html.indexOf("'", start);
  // Fast path: no quote before the first ">".
  if ((dq < 0 || dq > gt) && (sq < 0 || sq > gt)) return gt;
  let quote = 0;
  for (let i = start; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      // A quote only opens a value right after "=" (optionally spaced); elsewhere it is junk.
      let j = i - 1;
      while (j > start && (html.charCodeAt(j) === 32 || html.charCodeAt(j) === 9)) j--;
      if (html.charCodeAt(j) === 61) quote = c;
    } else if (c === 62) return i;
  }
  // An unterminated quote: fall back to the first ">".
  return gt;
}

function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/**
 * Converts HTML to text and appends its links to `links`. Output: lines trimmed, runs of blanks
 * collapsed to one space, no empty lines.
 */
export function htmlToText(html: string, links: Link[]): string {
  const lower = html.toLowerCase();
  const pieces: string[] = [];
  const len = html.length;
  let anchorHref: string | null = null;
  let anchorStart = 0;
  const closeAnchor = (): void => {
    if (anchorHref === null) return;
    links.push({ href: anchorHref, text: collapse(decodeEntities(pieces.slice(anchorStart).join(""))) });
    anchorHref = null;
  };
  const pushText = (from: number, to: number): void => {
    if (to <= from) return;
    // Source line breaks are plain whitespace in HTML; "\n" in the output marks block boundaries only.
    pieces.push(html.slice(from, to).replace(WHITESPACE, " "));
  };
  let i = 0;
  while (i < len) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      pushText(i, len);
      break;
    }
    pushText(i, lt);
    const next = html.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (html.startsWith("<!--", lt)) {
        const close = html.indexOf("-->", lt + 4);
        if (close >= 0) i = close + 3;
        else {
          // HTML5 would swallow the rest of the document; spam uses "<!--#rotate>"-style markers, so end at the next ">".
          const gt = html.indexOf(">", lt + 4);
          i = gt < 0 ? len : gt + 1;
        }
      } else {
        const close = html.indexOf(">", lt);
        i = close < 0 ? len : close + 1;
      }
      continue;
    }
    if (next === 63 /* ? */) {
      const close = html.indexOf(">", lt);
      i = close < 0 ? len : close + 1;
      continue;
    }
    const closing = next === 47; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < len && isNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === nameStart || (!closing && !((next >= 97 && next <= 122) || (next >= 65 && next <= 90)))) {
      // "<" not starting a tag ("a < b", "<3"): it is text.
      pieces.push("<");
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, nameEnd);
    if (end < 0) {
      // Browsers drop an unterminated tag and everything after it.
      break;
    }
    const name = lower.slice(nameStart, nameEnd);
    i = end + 1;
    if (!closing && (name === "script" || name === "style")) {
      const close = lower.indexOf("</" + name, i);
      if (close < 0) break;
      const closeEnd = html.indexOf(">", close);
      i = closeEnd < 0 ? len : closeEnd + 1;
      pieces.push(" ");
      continue;
    }
    if (name === "a") {
      closeAnchor();
      if (!closing) {
        const m = HREF.exec(html.slice(nameEnd, end));
        if (m !== null) {
          anchorHref = decodeEntities((m[1] ?? m[2] ?? m[3]!).trim());
          anchorStart = pieces.length;
        }
      }
    }
    pieces.push(BLOCK_TAGS.has(name) ? "\n" : " ");
  }
  closeAnchor();
  // Simple character classes only: a negated class like [^\S\n] is several times slower on megabytes of spam HTML.
  return decodeEntities(pieces.join(""))
    .replace(NBSP, " ")
    .replace(/ {2,}/g, " ")
    .replace(/ ?\n[ \n]*/g, "\n")
    .trim();
}

const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`()[\]{}|\\^]+/gi;

/** Appends the http(s):// and www. URLs found in plain text (trailing punctuation trimmed). */
export function findBareUrls(text: string, links: Link[]): void {
  BARE_URL.lastIndex = 0;
  for (let m = BARE_URL.exec(text); m !== null; m = BARE_URL.exec(text)) {
    const url = m[0].replace(/[.,;:!?*]+$/, "");
    if (url.length > 4) links.push({ href: url, text: url });
  }
}
