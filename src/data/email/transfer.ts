/**
 * Content-Transfer-Encoding decoders (RFC 2045): base64 and quoted-printable. Both are lenient, as
 * mail readers are: they decode what they can and return a description of what they had to repair.
 */
import { decodeBytes } from "./charset.js";

export interface Base64Result {
  readonly bytes: Buffer;
  /** Why the data was not clean base64 (invalid characters, missing or misplaced padding), or null. */
  readonly problem: string | null;
}

/** Decodes base64, ignoring whitespace and stray characters; a dangling last group is reported as truncation. */
export function decodeBase64(s: string): Base64Result {
  let symbols = 0;
  let invalid = 0;
  let afterPadding = 0;
  let padded = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) {
      if (padded) afterPadding++;
      else symbols++;
    } else if (c === 61) {
      padded = true;
    } else if (c !== 10 && c !== 13 && c !== 32 && c !== 9) {
      invalid++;
    }
  }
  // Node's decoder skips invalid characters and stops at the first "=", which is what we report.
  const bytes = Buffer.from(s, "base64");
  const problems: string[] = [];
  if (invalid > 0) problems.push(`${invalid} invalid character${invalid === 1 ? "" : "s"} ignored`);
  const rest = symbols % 4;
  if (rest === 1) problems.push(`truncated: the last group has 1 character of 4; ${bytes.length} bytes decoded`);
  else if (rest !== 0 && !padded) problems.push(`truncated or unpadded: the last group has ${rest} characters of 4`);
  if (afterPadding > 0) problems.push(`${afterPadding} characters after the "=" padding ignored`);
  return { bytes, problem: problems.length === 0 ? null : problems.join("; ") };
}

/** Value of an ASCII hex digit, or -1 (NaN from charCodeAt past the end also gives -1). */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Quoted-printable → string in `charset`. `=XX` become bytes, `=` at the end of a line (after
 * optional trailing blanks) is a soft line break, a stray `=` stays as it is. Characters that are
 * already non-ASCII in the input (the corpus strings were decoded from UTF-8 upstream) are kept as
 * they are rather than re-encoded, so only the escaped bytes go through the declared charset.
 */
export function decodeQuotedPrintable(s: string, charset: string, warn: (message: string) => void): string {
  const out = new Uint8Array(s.length);
  let n = 0;
  let result = "";
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) {
      const h1 = hexValue(s.charCodeAt(i + 1));
      const h2 = h1 < 0 ? -1 : hexValue(s.charCodeAt(i + 2));
      if (h2 >= 0) {
        out[n++] = h1 * 16 + h2;
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < len && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
      if (j === len) {
        i = j;
        continue;
      }
      const d = s.charCodeAt(j);
      if (d === 10) {
        i = j;
        continue;
      }
      if (d === 13 && s.charCodeAt(j + 1) === 10) {
        i = j + 1;
        continue;
      }
      out[n++] = 61;
      continue;
    }
    if (c < 128) {
      out[n++] = c;
      continue;
    }
    if (n > 0) result += decodeBytes(out.subarray(0, n), charset, warn);
    n = 0;
    result += s[i];
  }
  if (n > 0) result += decodeBytes(out.subarray(0, n), charset, warn);
  return result;
}

/** Decoded size in bytes of a quoted-printable body (for attachment sizes; no charset involved). */
export function quotedPrintableSize(s: string): number {
  let size = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) {
      if (hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) {
        size++;
        i += 2;
      } else if (s.charCodeAt(i + 1) === 10) {
        i += 1;
      } else if (s.charCodeAt(i + 1) === 13 && s.charCodeAt(i + 2) === 10) {
        i += 2;
      } else size++;
    } else size += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return size;
}
