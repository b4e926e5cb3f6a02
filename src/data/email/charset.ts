/**
 * Bytes → string with a MIME charset label. TextDecoder (Node's full ICU) knows the WHATWG
 * labels, which cover what mail declares (iso-8859-*, windows-125*, koi8-r, gb2312, big5,
 * ks_c_5601-1987, shift_jis…). An unknown label falls back to latin-1, which never fails and keeps
 * one character per byte, as Python's email package does.
 */
import { TextDecoder } from "node:util";

const decoders = new Map<string, TextDecoder | null>();

/**
 * windows-1252 bytes 0x80–0x9F (from Python's cp1252 codec; the five undefined bytes map to the
 * C1 control as WHATWG does). Node 20's TextDecoder("windows-1252") — which every "iso-8859-1" and
 * "us-ascii" label resolves to — decodes these as latin-1 C1 controls, losing the smart quotes and
 * dashes that such mail is full of, so we decode that charset ourselves.
 */
// prettier-ignore
export const WINDOWS_1252_C1 = String.fromCharCode(
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
);

function decodeWindows1252(bytes: Uint8Array): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!) : s;
}

function decoderFor(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    decoders.set(label, d);
  }
  return d;
}

/** Lower-cased, unquoted charset label; "" when none was declared. */
export function normalizeCharset(label: string | null | undefined): string {
  if (!label) return "";
  let s = label.trim().toLowerCase();
  if (s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"') s = s.slice(1, -1).trim();
  return s;
}

/**
 * Decodes `bytes` as `charset` (default utf-8). Invalid sequences become U+FFFD; an unknown charset
 * is decoded as latin-1 and reported through `warn`.
 */
export function decodeBytes(bytes: Uint8Array, charset: string, warn: (message: string) => void): string {
  const label = charset === "" ? "utf-8" : charset;
  const decoder = decoderFor(label);
  if (decoder === null) {
    warn(`unknown charset "${label}"; decoded as latin-1`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  }
  if (decoder.encoding === "windows-1252") return decodeWindows1252(bytes);
  return decoder.decode(bytes);
}

/** True when every UTF-16 unit is below 0x80 (a fast path: such a string is its own byte sequence). */
export function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(s);
}
