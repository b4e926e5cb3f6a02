/** Growable typed arrays for the featurizers' hot loops (amortised O(1) push, no boxing). */

export class IntBuffer {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Make room for `n` elements in total, keeping the content. */
  grow(n: number): void {
    if (n <= this.data.length) return;
    const next = new Int32Array(Math.max(n, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** A copy of the content, exactly `length` long. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class FloatBuffer {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(n: number): void {
    if (n <= this.data.length) return;
    const next = new Float64Array(Math.max(n, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Append-only int storage in fixed-size chunks, for a stream whose length is not known up front (the
 * words family's training token stream: 1.1 million ints for the spam corpus). Growing one buffer by
 * doubling holds up to twice the content plus the copy it grows from; chunks hold the content and at
 * most one chunk's slack. What `reserve(n)` gives room for is contiguous in one chunk.
 */
export class IntChunks {
  readonly chunks: Int32Array[] = [];
  /** Write position in the last chunk. */
  at = 0;

  constructor(private readonly chunkSize: number) {}

  /** The chunk (the last one, maybe new) with room for `n` more values from `at`. */
  reserve(n: number): Int32Array {
    const last = this.chunks[this.chunks.length - 1];
    if (last !== undefined && this.at + n <= last.length) return last;
    const chunk = new Int32Array(Math.max(this.chunkSize, n));
    this.chunks.push(chunk);
    this.at = 0;
    return chunk;
  }

  /** Index of the chunk `reserve` returned last. */
  get current(): number {
    return this.chunks.length - 1;
  }
}
