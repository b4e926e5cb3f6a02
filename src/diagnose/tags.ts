/**
 * Tags for error analysis (MLY ch. 13–19): built-in rules computed from the parsed message itself
 * (so they work whichever feature families the spec enables), the spec's own rules
 * (`diagnose.rules`: a regex or a numeric/equality predicate on a field), and manual tags.
 *
 * Built-in email tags, after SpamAssassin's rule families:
 *   ip-url            a link to a bare IP or numeric host (NORMAL_HTTP_TO_IP, NUMERIC_HTTP_ADDR)
 *   html-only         HTML parts and no text/plain part (MIME_HTML_ONLY)
 *   image-heavy       HTML with images and under 400 characters of text (HTML_IMAGE_ONLY_*)
 *   obfuscated-words  watch-list words written with look-alike characters or spaced out (FUZZY_*)
 *   mailing-list      List-Id / List-Unsubscribe / Precedence: list|bulk headers
 *   short-body        under 200 characters of body text
 *   forged-routing    no Received header, a dynamic-looking or bare-IP HELO, or no Message-ID
 *   mismatched-link   anchor text showing a URL on another host than its href (HTTPS_HTTP_MISMATCH)
 *   many-links        10 links or more
 *   has-attachment    a non-text part
 *   freemail-from     sender on a free-mail domain (FREEMAIL_FROM)
 *   caps-subject      a shouting subject (mostly capitals)
 *   parse-repairs     the parser had to repair the message (bad encoding, missing boundary…)
 * Examples without an email (CSV/JSONL text and tabular rows) get the generic tags of
 * data-profile.ts instead: text length bands, numeric ranges, missing values, rare categories —
 * measured against the training split. None of the email rules apply to them.
 */
import type { Example } from "../data/example.js";
import { LEET as SPELLING_LEET } from "../features/spelling.js";
import { SpecError } from "../errors.js";
import { genericTags, type DataProfile } from "./data-profile.js";

export type TagSource = "builtin" | "rule" | "manual";

export const BUILTIN_TAGS = [
  "ip-url",
  "html-only",
  "image-heavy",
  "obfuscated-words",
  "mailing-list",
  "short-body",
  "forged-routing",
  "mismatched-link",
  "many-links",
  "has-attachment",
  "freemail-from",
  "caps-subject",
  "parse-repairs",
] as const;

const IP_HOST = /^(?:\d{1,3}\.){3}\d{1,3}$|^\d{7,}$|^0x[0-9a-f]+$/i;
const WATCH = [
  "viagra",
  "cialis",
  "pharmacy",
  "mortgage",
  "money",
  "credit",
  "free",
  "casino",
  "million",
  "guarantee",
  "cash",
  "loan",
  "sex",
  "porn",
  "offer",
  "income",
  "debt",
  "refinance",
  "prescription",
  "weight",
];
// the watch-list tag also reads "€" as "e" ("fr€e"); the spelling family's vocabulary does not
const LEET: Readonly<Record<string, string>> = { ...SPELLING_LEET, "€": "e" };
const FREEMAIL = new Set([
  "hotmail.com",
  "yahoo.com",
  "gmail.com",
  "aol.com",
  "msn.com",
  "excite.com",
  "lycos.com",
  "mail.com",
  "netscape.net",
  "juno.com",
  "earthlink.net",
  "hotmail.co.uk",
  "yahoo.co.uk",
  "mail.ru",
  "rediffmail.com",
  "usa.net",
]);
const DYNAMIC_HELO =
  /(?:^|[.-])(?:dsl|adsl|ppp|dial|dialup|dhcp|cable|pool|dyn|dynamic|client|host)\d*[.-]|\d+[-.]\d+[-.]\d+[-.]\d+/i;

export function hostOf(href: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/:?#]+)/i.exec(href.trim());
  return m ? m[1]!.toLowerCase() : null;
}

function hasObfuscatedWord(text: string): boolean {
  // look-alike characters inside a word: v1agra, fr€e, m0ney
  for (const m of text.matchAll(/[a-z0-9@$!|€]{4,}/gi)) {
    const raw = m[0].toLowerCase();
    if (!/[a-z]/.test(raw) || !/[0-9@$!|€]/.test(raw) || /^\d+$/.test(raw)) continue;
    const clean = raw.replace(/[0-9@$!|€]/g, (c) => LEET[c] ?? c);
    if (clean !== raw && WATCH.some((w) => clean.includes(w))) return true;
  }
  // spaced or dotted out: v i a g r a, v.i.a.g.r.a
  for (const m of text.matchAll(/\b(?:[a-z][ ._*-]){3,}[a-z]\b/gi)) {
    const clean = m[0].toLowerCase().replace(/[ ._*-]/g, "");
    if (WATCH.some((w) => clean.includes(w))) return true;
  }
  return false;
}

function headerValues(ex: Example, name: string): string[] {
  const n = name.toLowerCase();
  return (ex.email?.headers ?? []).filter((h) => h.name === n).map((h) => h.value);
}

function domainOf(address: string): string | null {
  const m = /@([a-z0-9.-]+\.[a-z]{2,})/i.exec(address);
  return m ? m[1]!.toLowerCase() : null;
}

/** The body text of an example: the email's text, else the `body` field, else its first text field. */
export function bodyText(ex: Example): string {
  if (ex.email) return ex.email.text;
  if (typeof ex.text["body"] === "string") return ex.text["body"];
  const first = Object.values(ex.text)[0];
  return typeof first === "string" ? first : "";
}

/** The built-in tags that apply to an example. */
export function builtinTags(ex: Example, profile?: DataProfile): string[] {
  const tags: string[] = [];
  const body = bodyText(ex);
  const email = ex.email;
  if (!email) return profile ? genericTags(ex, profile) : tags;
  const hosts = email.links.map((l) => hostOf(l.href)).filter((h): h is string => h !== null);
  if (hosts.some((h) => IP_HOST.test(h))) tags.push("ip-url");
  const hasHtml = email.partTypes.includes("text/html");
  const hasPlain = email.partTypes.includes("text/plain");
  if (hasHtml && !hasPlain) tags.push("html-only");
  if (hasHtml && /<img\b/i.test(email.html ?? "") && body.trim().length < 400) tags.push("image-heavy");
  if (hasObfuscatedWord(`${email.subject}\n${body}`)) tags.push("obfuscated-words");
  const precedence = headerValues(ex, "precedence").join(" ").toLowerCase();
  if (
    headerValues(ex, "list-id").length > 0 ||
    headerValues(ex, "list-unsubscribe").length > 0 ||
    headerValues(ex, "list-post").length > 0 ||
    /\b(list|bulk)\b/.test(precedence)
  ) {
    tags.push("mailing-list");
  }
  if (body.trim().length < 200) tags.push("short-body");
  const received = headerValues(ex, "received");
  const helos = received.map((r) => /^\s*from\s+(\S+)/i.exec(r)?.[1] ?? "").filter((h) => h !== "");
  if (
    received.length === 0 ||
    helos.some((h) => DYNAMIC_HELO.test(h) || /^\[?\d{1,3}(?:\.\d{1,3}){3}\]?$/.test(h)) ||
    email.messageId === null
  ) {
    tags.push("forged-routing");
  }
  if (
    email.links.some((l) => {
      const shown = hostOf(l.text);
      const real = hostOf(l.href);
      return shown !== null && real !== null && shown !== real && !real.endsWith(`.${shown}`);
    })
  ) {
    tags.push("mismatched-link");
  }
  if (email.links.length >= 10) tags.push("many-links");
  if (email.attachments.length > 0) tags.push("has-attachment");
  const fromDomain = domainOf(email.from);
  if (fromDomain !== null && FREEMAIL.has(fromDomain)) tags.push("freemail-from");
  const letters = email.subject.replace(/[^a-z]/gi, "");
  if (letters.length >= 8 && letters.replace(/[^A-Z]/g, "").length / letters.length > 0.7) tags.push("caps-subject");
  if (email.warnings.length > 0) tags.push("parse-repairs");
  return tags;
}

// ── user rules ───────────────────────────────────────────────────────────────────────────────────

export interface TagRule {
  readonly tag: string;
  readonly field: string;
  readonly regex?: string;
  readonly flags?: string;
  readonly equals?: string | number | boolean;
  readonly min?: number;
  readonly max?: number;
}

/**
 * A field's value for rules and slices: a text/numeric/categorical field by name, "label", "group",
 * "header:<name>" (all values of that header, joined), "length" (body characters), "links",
 * "attachments" (counts).
 */
export function fieldValue(ex: Example, field: string): string | number | null {
  if (field === "label") return ex.label;
  if (field === "group") return ex.group;
  if (field === "length") return bodyText(ex).length;
  if (field === "links") return ex.email?.links.length ?? null;
  if (field === "attachments") return ex.email?.attachments.length ?? null;
  if (field.startsWith("header:")) {
    const values = headerValues(ex, field.slice("header:".length));
    return values.length === 0 ? null : values.join("\n");
  }
  if (Object.prototype.hasOwnProperty.call(ex.text, field)) return ex.text[field] ?? null;
  if (Object.prototype.hasOwnProperty.call(ex.numeric, field)) return ex.numeric[field] ?? null;
  if (Object.prototype.hasOwnProperty.call(ex.categorical, field)) return ex.categorical[field] ?? null;
  return null;
}

export interface CompiledRule {
  readonly tag: string;
  test(ex: Example): boolean;
}

/** Compiles the spec's rules; a bad regex or a rule without a predicate is a SpecError naming it. */
export function compileRules(rules: readonly TagRule[]): CompiledRule[] {
  return rules.map((rule, i) => {
    const where = `diagnose.rules.${i}`;
    let re: RegExp | null = null;
    if (rule.regex !== undefined) {
      try {
        re = new RegExp(rule.regex, rule.flags ?? "i");
      } catch (e) {
        throw new SpecError(`${where}.regex: ${(e as Error).message}`, { where: `${where}.regex` });
      }
    }
    const { equals, min, max } = rule;
    if (re === null && equals === undefined && min === undefined && max === undefined) {
      throw new SpecError(`${where}: rule "${rule.tag}" needs a predicate (regex, equals, min or max)`, { where });
    }
    return {
      tag: rule.tag,
      test(ex: Example): boolean {
        const v = fieldValue(ex, rule.field);
        if (v === null) return false;
        if (re !== null && !re.test(String(v))) return false;
        if (equals !== undefined && String(v) !== String(equals)) return false;
        if (min !== undefined || max !== undefined) {
          const num = typeof v === "number" ? v : Number(v);
          if (!Number.isFinite(num)) return false;
          if (min !== undefined && num < min) return false;
          if (max !== undefined && num > max) return false;
        }
        return true;
      },
    };
  });
}

/** All tags of one example: built-in, rule and manual, with their source. */
export function tagsOf(
  ex: Example,
  rules: readonly CompiledRule[],
  manual: ReadonlyMap<string, readonly string[]>,
  profile?: DataProfile,
): Array<{ tag: string; source: TagSource }> {
  const out: Array<{ tag: string; source: TagSource }> = builtinTags(ex, profile).map((tag) => ({
    tag,
    source: "builtin",
  }));
  for (const r of rules) if (r.test(ex)) out.push({ tag: r.tag, source: "rule" });
  for (const tag of manual.get(ex.id) ?? []) out.push({ tag, source: "manual" });
  return out;
}
