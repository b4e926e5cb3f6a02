/**
 * Tokenize-and-intern in one pass over char codes: the scanner hashes each word run as it reads it
 * and looks the run up in an open-addressing table by comparing char codes in place, so a token that
 * is already known costs no string allocation at all. Token characters live in one Uint16Array pool
 * (no string object per token to chase, and no V8 sliced string pinning a whole document); strings
 * are made only for the vocabulary that is kept.
 *
 * Tokens are keyed by (field, text): with separate_fields each field has its own tokens.
 */
import { IntBuffer } from "./int-buffer.js";
import { bmpClass, isWordAstral, isWordBmp } from "./word-chars.js";

/** bmpClass value of a word character */
const WORD_CLASS = 1;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** murmur3's finaliser: spreads FNV's weak low bits before masking into the table. */
function finish(h: number, field: number): number {
  h ^= Math.imul(field + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of a whole string, equal to what `scan` computes for the same run. */
export function tokenHash(token: string, field: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), FNV_PRIME);
  return finish(h, field);
}

/** Growable UTF-16 code unit pool holding every token's characters back to back. */
class CharPool {
  data = new Uint16Array(1 << 16);
  length = 0;
  append(text: string, start: number, end: number): number {
    const at = this.length;
    const len = end - start;
    if (at + len > this.data.length) {
      const next = new Uint16Array(Math.max(at + len, this.data.length * 2));
      next.set(this.data.subarray(0, at));
      this.data = next;
    }
    const data = this.data;
    for (let k = 0; k < len; k++) data[at + k] = text.charCodeAt(start + k);
    this.length = at + len;
    return at;
  }
}

const DECODER = new TextDecoder("utf-16le", { ignoreBOM: true });

export class TokenTable {
  /** entry id + 1 per slot; 0 = empty */
  private slots: Int32Array;
  private mask: number;
  private readonly hashes = new IntBuffer();
  private readonly fieldOf = new IntBuffer();
  private readonly offsets = new IntBuffer();
  private readonly lengths = new IntBuffer();
  private readonly chars = new CharPool();
  private decoded: string | null = null;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.offsets.length;
  }

  field(id: number): number {
    return this.fieldOf.data[id]!;
  }

  /**
   * The text of token `id`. The pool is decoded into one string once (per growth) and tokens are cut
   * from it: much faster than decoding tokens one by one, and it pins only the token characters.
   */
  token(id: number): string {
    if (this.decoded === null) this.decoded = DECODER.decode(this.chars.data.subarray(0, this.chars.length));
    const o = this.offsets.data[id]!;
    return this.decoded.slice(o, o + this.lengths.data[id]!);
  }

  /**
   * Appends to `out` the id of every token of `text` (word runs of >= 2 code points), in order.
   * With `insert` false unknown tokens are appended as -1 (they still break n-grams).
   */
  scan(text: string, field: number, insert: boolean, out: IntBuffer): void {
    const n = text.length;
    // a local copy: transpilers turn imported bindings into getters, far too slow for per-char use
    const charClass = bmpClass;
    let start = -1;
    let codePoints = 0;
    let h = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0xd800 || c >= 0xe000) {
        const k = charClass[c]!;
        if (k === WORD_CLASS || (k === 0 && isWordBmp(c))) {
          if (start < 0) {
            start = i;
            codePoints = 0;
            h = FNV_OFFSET;
          }
          h = Math.imul(h ^ c, FNV_PRIME);
          codePoints++;
          continue;
        }
      } else if (c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff && isWordAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000)) {
          if (start < 0) {
            start = i;
            codePoints = 0;
            h = FNV_OFFSET;
          }
          h = Math.imul(Math.imul(h ^ c, FNV_PRIME) ^ d, FNV_PRIME);
          codePoints++;
          i++;
          continue;
        }
      }
      if (start >= 0) {
        if (codePoints >= 2) out.push(this.find(text, start, i, finish(h, field), field, insert));
        start = -1;
      }
    }
    if (start >= 0 && codePoints >= 2) out.push(this.find(text, start, n, finish(h, field), field, insert));
  }

  /** Id of a whole-string token, or -1. */
  idOf(token: string, field: number): number {
    return this.find(token, 0, token.length, tokenHash(token, field), field, false);
  }

  /** Id of a whole-string token, added if new. */
  add(token: string, field: number): number {
    return this.find(token, 0, token.length, tokenHash(token, field), field, true);
  }

  private find(text: string, start: number, end: number, h: number, field: number, insert: boolean): number {
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    const hashes = this.hashes.data;
    let slot = h & mask;
    for (;;) {
      const e = slots[slot]!;
      if (e === 0) break;
      const id = e - 1;
      if (hashes[id] === h && this.lengths.data[id] === len && this.fieldOf.data[id] === field) {
        const chars = this.chars.data;
        const o = this.offsets.data[id]!;
        let k = 0;
        while (k < len && chars[o + k] === text.charCodeAt(start + k)) k++;
        if (k === len) return id;
      }
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    const id = this.offsets.length;
    this.offsets.push(this.chars.append(text, start, end));
    this.decoded = null;
    this.lengths.push(len);
    this.hashes.push(h);
    this.fieldOf.push(field);
    slots[slot] = id + 1;
    if (this.offsets.length * 2 > slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    const hashes = this.hashes.data;
    for (let id = 0; id < this.offsets.length; id++) {
      let slot = hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
