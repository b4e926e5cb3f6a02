/**
 * RFC 5322 header blocks, RFC 2047 encoded-words and MIME parameters (RFC 2045 / RFC 2231).
 */
import { decodeBytes, normalizeCharset } from "./charset.js";
import { decodeBase64, hexValue } from "./transfer.js";

export interface RawHeader {
  /** Lower-cased name. */
  name: string;
  /** Unfolded value (each fold becomes one space), trimmed, not yet RFC 2047-decoded. */
  value: string;
}

export interface HeaderBlock {
  readonly headers: RawHeader[];
  /** Offset in the text where the body starts. */
  readonly bodyStart: number;
  /** How the block ended: "blank" (the normal blank line), "end" (no body at all), "nonheader" (a line that is not a header). */
  readonly end: "blank" | "end" | "nonheader";
  /** 1-based line (within the parsed text) of the first non-header line, when end is "nonheader". */
  readonly nonHeaderLine: number;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Length of the header name at `start` when the line is a header line ("Name:" or "Name :"),
 * else -1. Names are printable ASCII without ":" (RFC 5322 ftext).
 */
function headerNameLength(text: string, start: number, lineEnd: number): number {
  let i = start;
  while (i < lineEnd) {
    const c = text.charCodeAt(i);
    if (c === 58) return i > start ? i - start : -1;
    if (c < 33 || c > 126) break;
    i++;
  }
  const nameEnd = i;
  while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
  return i < lineEnd && text.charCodeAt(i) === 58 && nameEnd > start ? nameEnd - start : -1;
}

/** Reads the header block starting at `start`; stops at the first blank line or non-header line. */
export function readHeaderBlock(text: string, start: number): HeaderBlock {
  const headers: RawHeader[] = [];
  const len = text.length;
  let pos = start;
  let line = 0;
  let current: RawHeader | null = null;
  while (pos < len) {
    line++;
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = len;
    let lineEnd = nl;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd === pos) return { headers, bodyStart: Math.min(nl + 1, len), end: "blank", nonHeaderLine: 0 };
    const first = text.charCodeAt(pos);
    if (isBlank(first) && current !== null) {
      const cont = text.slice(pos, lineEnd).trim();
      if (cont !== "") current.value = current.value === "" ? cont : current.value + " " + cont;
    } else {
      const nameLen = headerNameLength(text, pos, lineEnd);
      if (nameLen < 0) return { headers, bodyStart: pos, end: "nonheader", nonHeaderLine: line };
      const colon = text.indexOf(":", pos + nameLen);
      current = { name: text.slice(pos, pos + nameLen).toLowerCase(), value: text.slice(colon + 1, lineEnd).trim() };
      headers.push(current);
    }
    pos = nl + 1;
  }
  return { headers, bodyStart: len, end: "end", nonHeaderLine: 0 };
}

export function findHeader(headers: readonly RawHeader[], name: string): string | null {
  for (const h of headers) if (h.name === name) return h.value;
  return null;
}

// ── RFC 2047 ─────────────────────────────────────────────────────────────────────────────────────

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function qWordBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 95) out[n++] = 32;
    else if (c === 61 && hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) {
      out[n++] = hexValue(s.charCodeAt(i + 1)) * 16 + hexValue(s.charCodeAt(i + 2));
      i += 2;
    } else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

/**
 * Decodes RFC 2047 encoded-words (`=?charset?B|Q?text?=`). Whitespace between adjacent encoded
 * words is dropped, and adjacent words in the same charset are decoded together so that a
 * multi-byte character split across two words survives.
 */
export function decodeEncodedWords(value: string, warn: (message: string) => void): string {
  if (value.indexOf("=?") < 0) return value;
  let out = "";
  let last = 0;
  let pendingCharset = "";
  let pending: Uint8Array[] = [];
  const flush = (): void => {
    if (pending.length > 0) out += decodeBytes(Buffer.concat(pending), pendingCharset, warn);
    pending = [];
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m !== null; m = ENCODED_WORD.exec(value)) {
    const between = value.slice(last, m.index);
    if (!(pending.length > 0 && between.trim() === "")) {
      flush();
      out += between;
    }
    // RFC 2231 allows a language suffix: =?utf-8*en?Q?…?=
    const charset = normalizeCharset(m[1]!.split("*")[0]);
    let bytes: Uint8Array;
    if (m[2] === "B" || m[2] === "b") {
      const r = decodeBase64(m[3]!);
      if (r.problem !== null) warn(`encoded-word "${m[0].slice(0, 60)}": base64 ${r.problem}`);
      bytes = r.bytes;
    } else bytes = qWordBytes(m[3]!);
    if (pending.length > 0 && charset !== pendingCharset) flush();
    pendingCharset = charset;
    pending.push(bytes);
    last = ENCODED_WORD.lastIndex;
  }
  flush();
  return out + value.slice(last);
}

// ── Content-Type and friends ─────────────────────────────────────────────────────────────────────

export interface ContentType {
  /** "text/plain" etc., lower-cased */
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Splits `a; b="c;d"; e` at top-level semicolons (quotes respected). */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 92 && quoted) i++;
    else if (c === 59 && !quoted) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') return t.slice(1, -1).replace(/\\(.)/g, "$1");
  return t;
}

function percentDecode(s: string, charset: string, warn: (message: string) => void): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return decodeBytes(Uint8Array.from(bytes), charset, warn);
}

/**
 * Parses a structured header value `main; name=value; …` into the lower-cased main value and its
 * parameters (names lower-cased, values unquoted). RFC 2231 continuations (`name*0=`, `name*1*=`)
 * and charset-encoded values (`name*=utf-8''%E2%82%AC`) are joined and decoded.
 */
export function parseParams(
  value: string,
  warn: (message: string) => void,
): { main: string; params: Map<string, string> } {
  const pieces = splitParams(value);
  const main = pieces[0]!.trim().toLowerCase();
  const params = new Map<string, string>();
  let sections: Map<string, { index: number; value: string; encoded: boolean }[]> | null = null;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const eq = piece.indexOf("=");
    if (eq < 0) continue;
    const rawName = piece.slice(0, eq).trim().toLowerCase();
    const rawValue = unquote(piece.slice(eq + 1));
    const star = rawName.indexOf("*");
    if (star < 0) {
      if (!params.has(rawName)) params.set(rawName, rawValue);
      continue;
    }
    const name = rawName.slice(0, star);
    const suffix = rawName.slice(star + 1);
    const encoded = suffix.endsWith("*") || suffix === "";
    const index = suffix === "" || suffix === "*" ? 0 : parseInt(suffix, 10);
    sections ??= new Map();
    let list = sections.get(name);
    if (list === undefined) sections.set(name, (list = []));
    list.push({ index: Number.isNaN(index) ? 0 : index, value: rawValue, encoded });
  }
  if (sections !== null) {
    for (const [name, list] of sections) {
      list.sort((a, b) => a.index - b.index);
      let charset = "";
      let joined = "";
      list.forEach((s, k) => {
        let v = s.value;
        if (s.encoded) {
          if (k === 0) {
            const q1 = v.indexOf("'");
            const q2 = q1 < 0 ? -1 : v.indexOf("'", q1 + 1);
            if (q2 >= 0) {
              charset = normalizeCharset(v.slice(0, q1));
              v = v.slice(q2 + 1);
            }
          }
          v = percentDecode(v, charset, warn);
        }
        joined += v;
      });
      params.set(name, joined);
    }
  }
  return { main, params };
}

export function parseContentType(value: string | null, fallback: string, warn: (message: string) => void): ContentType {
  if (value === null || value.trim() === "") return { type: fallback, params: new Map() };
  const { main, params } = parseParams(value, warn);
  const slash = main.indexOf("/");
  if (slash <= 0 || slash === main.length - 1 || /\s/.test(main)) {
    warn(`invalid Content-Type "${value.slice(0, 80)}"; read as ${fallback}`);
    return { type: fallback, params };
  }
  return { type: main, params };
}
