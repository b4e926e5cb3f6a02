/**
 * The html family (email.html): how the message uses HTML, after SpamAssassin's 20_html_tests.cf
 * (MIME_HTML_ONLY, HTML_IMAGE_ONLY_*, HTML_FONT_LOW_CONTRAST, OBFUSCATING_COMMENT, HTML_IFRAME_SRC…).
 * Reads the raw HTML with regular expressions, not a DOM: spam HTML is broken more often than not,
 * and the signals are about what is written, not how a browser would repair it.
 *
 *   has_html, html_only         an HTML part; HTML and no text/plain part
 *   text_html_ratio             visible text characters / HTML characters (low = mostly markup)
 *   images, remote_images       <img> tags; those loading from http(s)
 *   img_text_lt400, img_text_400_1200   images with under 400 / 400–1,200 characters of visible text
 *   hidden_text                 display:none or visibility:hidden
 *   tiny_text                   a font size below tiny_font_px (px/pt), or 0
 *   low_contrast                a text colour within `low_contrast` of every background colour set
 *   comment_in_word             <!-- --> inside a word ("via<!-- x -->gra")
 *   letter_entities             letters written as character references (&#118;&#105;…)
 *   form, script, iframe, event_handler   <form>, <script>, <iframe>, on…= attributes
 */
import type { Example } from "../data/example.js";
import { htmlParamsSchema, type HtmlParams } from "../spec/schema.js";
import { emailOf } from "./email-util.js";
import type { FeatureFamilyDefinition } from "./family.js";
import { SignalFamily, type Signal } from "./signal-family.js";

const PREFIX = "html";
const SPEC_KEY = "features.html";
const MAX_CHARS = 500_000;

export const HTML_SIGNALS: readonly Signal[] = [
  { name: "has_html", kind: "flag" },
  { name: "html_only", kind: "flag" },
  { name: "text_html_ratio", kind: "ratio" },
  { name: "images", kind: "count" },
  { name: "remote_images", kind: "count" },
  { name: "img_text_lt400", kind: "flag" },
  { name: "img_text_400_1200", kind: "flag" },
  { name: "hidden_text", kind: "flag" },
  { name: "tiny_text", kind: "flag" },
  { name: "low_contrast", kind: "flag" },
  { name: "comment_in_word", kind: "flag" },
  { name: "letter_entities", kind: "count" },
  { name: "form", kind: "flag" },
  { name: "script", kind: "flag" },
  { name: "iframe", kind: "flag" },
  { name: "event_handler", kind: "flag" },
];

const NAMED_COLORS: Record<string, number> = {
  black: 0x000000,
  white: 0xffffff,
  red: 0xff0000,
  green: 0x008000,
  blue: 0x0000ff,
  yellow: 0xffff00,
  silver: 0xc0c0c0,
  gray: 0x808080,
  grey: 0x808080,
  maroon: 0x800000,
  navy: 0x000080,
  purple: 0x800080,
  teal: 0x008080,
  olive: 0x808000,
  lime: 0x00ff00,
  aqua: 0x00ffff,
  fuchsia: 0xff00ff,
  orange: 0xffa500,
};

/** An HTML/CSS colour value → 0xRRGGBB, or -1. */
export function parseColor(value: string): number {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, "");
  const named = NAMED_COLORS[v];
  if (named !== undefined) return named;
  let m = /^#?([0-9a-f]{6})$/.exec(v);
  if (m !== null) return parseInt(m[1]!, 16);
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(v);
  if (m !== null) return parseInt(m[1]! + m[1]! + m[2]! + m[2]! + m[3]! + m[3]!, 16);
  m = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/.exec(v);
  if (m !== null) return (Math.min(255, +m[1]!) << 16) | (Math.min(255, +m[2]!) << 8) | Math.min(255, +m[3]!);
  return -1;
}

/** Largest per-channel difference of two colours (0 = the same colour). */
function colorDistance(a: number, b: number): number {
  let d = 0;
  for (let shift = 0; shift <= 16; shift += 8) d = Math.max(d, Math.abs(((a >> shift) & 255) - ((b >> shift) & 255)));
  return d;
}

const TAG_STRIP = /<!--[\s\S]*?-->|<(script|style)\b[\s\S]*?<\/\1\s*>|<[^>]*>/gi;
const BODY_BG =
  /<body\b[^>]*?\bbgcolor\s*=\s*["']?([#\w]+)|<body\b[^>]*?\bstyle\s*=\s*["'][^"']*?background(?:-color)?\s*:\s*([#\w]+(?:\([^)]*\))?)/i;
const TEXT_COLOR =
  /<font\b[^>]*?\bcolor\s*=\s*["']?([#\w]+)|(?:^|[;"'\s{])color\s*:\s*(#[0-9a-f]{3,6}\b|rgb\([^)]*\)|[a-z]+)/gi;
const BACKGROUND = /\bbgcolor\s*=\s*["']?([#\w]+)|background(?:-color)?\s*:\s*(#[0-9a-f]{3,6}\b|rgb\([^)]*\)|[a-z]+)/gi;
const FONT_SIZE = /font-size\s*:\s*(\d*\.?\d+)\s*(px|pt)?/gi;
const LETTER_ENTITY = /&#(?:(\d{2,3})|x([0-9a-f]{2}));?/gi;

export function htmlExtractor(params: HtmlParams): (ex: Example, row: Float64Array) => void {
  const c = Object.fromEntries(HTML_SIGNALS.map((s, i) => [s.name, i])) as Record<string, number>;
  return (ex, row) => {
    const email = emailOf(ex, SPEC_KEY);
    if (email.html === null) return;
    const html = email.html.length > MAX_CHARS ? email.html.slice(0, MAX_CHARS) : email.html;
    const lower = html.toLowerCase();
    row[c.has_html!] = 1;
    if (!email.partTypes.includes("text/plain")) row[c.html_only!] = 1;
    const visible = html
      .replace(TAG_STRIP, " ")
      .replace(/&nbsp;|&#160;/gi, " ")
      .replace(/\s+/g, " ")
      .trim();
    row[c.text_html_ratio!] = html.length === 0 ? 0 : Math.min(1, visible.length / html.length);

    let images = 0;
    let remote = 0;
    for (const m of lower.matchAll(/<img\b[^>]*>/g)) {
      images++;
      if (/\bsrc\s*=\s*["']?\s*https?:/.test(m[0])) remote++;
    }
    row[c.images!] = images;
    row[c.remote_images!] = remote;
    if (images > 0) {
      if (visible.length < 400) row[c.img_text_lt400!] = 1;
      else if (visible.length < 1200) row[c.img_text_400_1200!] = 1;
    }

    if (/display\s*:\s*none|visibility\s*:\s*hidden/.test(lower)) row[c.hidden_text!] = 1;
    for (const m of lower.matchAll(FONT_SIZE)) {
      if (Number(m[1]) < params.tiny_font_px) {
        row[c.tiny_text!] = 1;
        break;
      }
    }

    // Text is low-contrast when its colour is close to every background the page sets: white text
    // on a page whose tables are dark is a normal newsletter, white text on a white page is hidden.
    const bgMatch = BODY_BG.exec(html);
    const backgrounds = [bgMatch === null ? 0xffffff : parseColor(bgMatch[1] ?? bgMatch[2]!)];
    for (const m of html.matchAll(BACKGROUND)) backgrounds.push(parseColor(m[1] ?? m[2]!));
    for (const m of html.matchAll(TEXT_COLOR)) {
      const color = parseColor(m[1] ?? m[2]!);
      if (color >= 0 && backgrounds.every((bg) => bg < 0 || colorDistance(color, bg) <= params.low_contrast)) {
        row[c.low_contrast!] = 1;
        break;
      }
    }

    if (/[a-z0-9]<!--[^<>]*-->[a-z0-9]/.test(lower)) row[c.comment_in_word!] = 1;
    let entities = 0;
    for (const m of html.matchAll(LETTER_ENTITY)) {
      const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
      if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) entities++;
    }
    row[c.letter_entities!] = entities;
    if (/<form\b/.test(lower)) row[c.form!] = 1;
    if (/<script\b/.test(lower)) row[c.script!] = 1;
    if (/<iframe\b/.test(lower)) row[c.iframe!] = 1;
    if (/<[a-z][^>]*\son[a-z]+\s*=/.test(lower)) row[c.event_handler!] = 1;
  };
}

export const htmlFamily: FeatureFamilyDefinition<HtmlParams> = {
  name: "html",
  prefix: PREFIX,
  paramsSchema: htmlParamsSchema,
  create: (params) => new SignalFamily("html", PREFIX, HTML_SIGNALS, htmlExtractor(params), params.scale),
  restore: (params, state) =>
    new SignalFamily("html", PREFIX, HTML_SIGNALS, htmlExtractor(params), params.scale).restoreState(state),
};
