/**
 * Interning of word n-grams as sequences of token ids (open addressing over an Int32Array pool), so
 * that an n-gram is looked up without building its "a b c" string.
 */
import { IntBuffer } from "./int-buffer.js";

function hashSequence(keys: Int32Array, start: number, n: number): number {
  let h = Math.imul(n, 0x9e3779b1);
  for (let k = 0; k < n; k++) {
    h = Math.imul(h ^ keys[start + k]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class SequenceTable {
  private slots: Int32Array;
  private mask: number;
  private readonly hashes = new IntBuffer();
  /** entry id → offset of its ids in `pool` */
  private readonly offsets = new IntBuffer();
  private readonly lengths = new IntBuffer();
  private readonly pool = new IntBuffer(4096);

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.offsets.length;
  }

  /** The token ids of entry `id`. */
  sequence(id: number): Int32Array {
    const o = this.offsets.data[id]!;
    return this.pool.data.subarray(o, o + this.lengths.data[id]!);
  }

  /** Id of keys[start, start + n), added if new and `insert`, else -1. */
  find(keys: Int32Array, start: number, n: number, insert: boolean): number {
    const h = hashSequence(keys, start, n);
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = slots[slot]!;
      if (e === 0) break;
      const id = e - 1;
      if (this.hashes.data[id] === h && this.lengths.data[id] === n) {
        const o = this.offsets.data[id]!;
        const pool = this.pool.data;
        let k = 0;
        while (k < n && pool[o + k] === keys[start + k]) k++;
        if (k === n) return id;
      }
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    const id = this.offsets.length;
    this.hashes.push(h);
    this.offsets.push(this.pool.length);
    this.lengths.push(n);
    this.pool.grow(this.pool.length + n);
    this.pool.data.set(keys.subarray(start, start + n), this.pool.length);
    this.pool.length += n;
    slots[slot] = id + 1;
    if (this.offsets.length * 2 > slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.offsets.length; id++) {
      let slot = this.hashes.data[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
