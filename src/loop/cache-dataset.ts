/**
 * A parsed dataset as a cache entry: the examples in the binary example codec (one section per
 * encoded shard, so that parsing workers' buffers are written as they arrive), and the dataset's
 * description, classes, bad rows, fields and fingerprint in the entry's metadata.
 */
import { decodeExamples, encodeExamples } from "../data/example-codec.js";
import type { BadRow, Dataset, DatasetFields, Example } from "../data/example.js";
import type { CacheEntry, CacheEntryWriter, StageCache } from "./cache.js";

export const DATASET_KIND = "dataset";

interface DatasetMeta {
  readonly description: string;
  readonly classes: readonly string[];
  readonly badRows: readonly BadRow[];
  readonly fields: DatasetFields | null;
  readonly fingerprint: string;
  readonly examples: number;
  /** Encoded shards in dataset order: section name and number of examples. */
  readonly shards: ReadonlyArray<{ readonly section: string; readonly count: number }>;
}

/**
 * Collects encoded shards (possibly out of order) and commits them with the dataset's metadata. A
 * failed write (disk full…) never fails the run: the entry is dropped and `error` says why.
 */
export class DatasetEntryWriter {
  private readonly shards: Array<{ start: number; section: string; count: number }> = [];
  /** Why the entry could not be written, once a write failed. */
  error: string | null = null;
  /** Time spent writing. */
  ms = 0;

  constructor(private readonly writer: CacheEntryWriter) {}

  private guarded(fn: () => void): void {
    if (this.error !== null) return;
    const t0 = performance.now();
    try {
      fn();
    } catch (e) {
      this.error = (e as Error).message;
      void this.writer.abort();
    } finally {
      this.ms += performance.now() - t0;
    }
  }

  /** One shard: `count` examples starting at dataset position `start`, already encoded. */
  shard(start: number, count: number, chunks: readonly Uint8Array[]): void {
    this.guarded(() => {
      const section = `examples@${start}`;
      this.writer.begin(section);
      for (const c of chunks) this.writer.append(c);
      this.writer.end();
      this.shards.push({ start, section, count });
    });
  }

  /**
   * Encodes `examples` (dataset positions start..) in shards of 1,024, letting at most 16 MB wait
   * for the disk at a time: the encoder is faster than the writes, and unbounded it would hold the
   * whole encoded dataset in memory.
   */
  async encode(examples: readonly Example[], start = 0): Promise<void> {
    let at = start;
    const perShard = 1024;
    for (let k = 0; k < examples.length && this.error === null; k += perShard) {
      const part = examples.slice(k, k + perShard);
      const chunks: Uint8Array[] = [];
      encodeExamples(part, (c) => chunks.push(c));
      this.shard(at, part.length, chunks);
      at += part.length;
      const t0 = performance.now();
      try {
        await this.writer.drain(16 << 20);
      } catch (e) {
        this.error = (e as Error).message;
        void this.writer.abort();
      } finally {
        this.ms += performance.now() - t0;
      }
    }
  }

  /** Makes the entry visible; resolves to its size, or null when it could not be written. */
  async commit(dataset: Dataset): Promise<number | null> {
    let pending: Promise<number> | null = null;
    this.guarded(() => {
      pending = this.commitNow(dataset);
    });
    if (pending === null) return null;
    const t0 = performance.now();
    try {
      return await pending;
    } catch (e) {
      this.error = (e as Error).message;
      return null;
    } finally {
      this.ms += performance.now() - t0;
    }
  }

  private commitNow(dataset: Dataset): Promise<number> {
    const shards = [...this.shards].sort((a, b) => a.start - b.start);
    let expected = 0;
    for (const s of shards) {
      if (s.start !== expected) throw new Error(`dataset cache: shard at ${s.start}, expected ${expected}`);
      expected += s.count;
    }
    if (expected !== dataset.examples.length) {
      throw new Error(`dataset cache: ${expected} examples encoded, the dataset has ${dataset.examples.length}`);
    }
    const meta: DatasetMeta = {
      description: dataset.description,
      classes: dataset.classes,
      badRows: dataset.badRows,
      fields: dataset.fields ?? null,
      fingerprint: dataset.fingerprint,
      examples: dataset.examples.length,
      shards: shards.map(({ section, count }) => ({ section, count })),
    };
    return this.writer.commit(meta);
  }

  abort(): void {
    void this.writer.abort();
  }
}

export function datasetEntryWriter(cache: StageCache, key: string): DatasetEntryWriter {
  return new DatasetEntryWriter(cache.writer(DATASET_KIND, key));
}

/**
 * The dataset stored in a (verified) entry, each example cut down by `keep` as it is decoded when
 * given. Throws RangeError if its content is inconsistent.
 */
export function readDatasetEntry(entry: CacheEntry, keep?: (ex: Example) => Example): Dataset {
  const meta = entry.meta as DatasetMeta;
  const examples: Example[] = [];
  for (const s of meta.shards) decodeExamples(entry.bytes(s.section), s.count, examples, keep);
  if (examples.length !== meta.examples) {
    throw new RangeError(`dataset entry holds ${examples.length} examples, its metadata says ${meta.examples}`);
  }
  return {
    description: meta.description,
    examples,
    classes: meta.classes,
    badRows: meta.badRows,
    fingerprint: meta.fingerprint,
    ...(meta.fields !== null ? { fields: meta.fields } : {}),
  };
}
