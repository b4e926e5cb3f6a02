/**
 * UTF-8 validation of streamed files with the line of the first bad byte, so that a file saved as
 * latin-1 is reported as "file:line: invalid UTF-8" rather than silently read as U+FFFD.
 */
import { isUtf8 } from "node:buffer";

/** Offset of the first byte that does not start a valid UTF-8 sequence (WHATWG rules), or -1. */
export function firstInvalidUtf8(b: Uint8Array, from = 0, to = b.length): number {
  let i = from;
  while (i < to) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lower = 0xa0;
      if (c === 0xed) upper = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lower = 0x90;
      if (c === 0xf4) upper = 0x8f;
    } else return i;
    if (i + need >= to) return i;
    const c1 = b[i + 1]!;
    if (c1 < lower || c1 > upper) return i;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Bytes at the end of `b` that start a multi-byte sequence the next chunk completes (0–3). */
export function incompleteTail(b: Uint8Array): number {
  const len = b.length;
  for (let k = 1; k <= 3 && k <= len; k++) {
    const c = b[len - k]!;
    if ((c & 0xc0) === 0x80) continue;
    if (c < 0xc0) return 0;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return need > k ? k : 0;
  }
  return 0;
}

function countNewlines(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = b.indexOf(10, from);
  while (i >= 0 && i < to) {
    n++;
    i = b.indexOf(10, i + 1);
  }
  return n;
}

export interface InvalidLine {
  readonly line: number;
  /** e.g. "invalid UTF-8 byte 0xE9 at byte 12 of the line" */
  readonly detail: string;
}

/**
 * Validates a stream of chunks; `push` returns the bytes that are safe to hand on (a multi-byte
 * sequence split across chunks is held back until the next chunk) and reports invalid lines.
 */
export class Utf8LineValidator {
  private carry: Uint8Array = new Uint8Array(0);
  private linesBefore = 0;
  /** Bytes of the current line already passed on in earlier chunks. */
  private partialLine = 0;

  constructor(private readonly onInvalid: (bad: InvalidLine) => void) {}

  push(chunk: Uint8Array, final = false): Uint8Array {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const tail = final ? 0 : incompleteTail(data);
    const body = data.subarray(0, data.length - tail);
    this.carry = tail > 0 ? Uint8Array.from(data.subarray(data.length - tail)) : new Uint8Array(0);
    if (!isUtf8(body)) this.report(body);
    this.linesBefore += countNewlines(body, 0, body.length);
    const lastNl = body.lastIndexOf(10);
    this.partialLine = lastNl < 0 ? this.partialLine + body.length : body.length - lastNl - 1;
    return body;
  }

  /** Flushes a dangling incomplete sequence at end of input (itself invalid). */
  end(): Uint8Array {
    return this.push(new Uint8Array(0), true);
  }

  private report(body: Uint8Array): void {
    let lastLine = -1;
    let pos = 0;
    let line = this.linesBefore + 1;
    let lineStart = -this.partialLine;
    for (let bad = firstInvalidUtf8(body); bad >= 0; bad = firstInvalidUtf8(body, bad + 1)) {
      const nl = countNewlines(body, pos, bad);
      if (nl > 0) {
        line += nl;
        lineStart = body.lastIndexOf(10, bad) + 1;
      }
      pos = bad;
      if (line !== lastLine) {
        const hex = body[bad]!.toString(16).toUpperCase().padStart(2, "0");
        this.onInvalid({ line, detail: `invalid UTF-8 byte 0x${hex} at byte ${bad - lineStart + 1} of the line` });
        lastLine = line;
      }
    }
  }
}
