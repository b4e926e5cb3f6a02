/**
 * The stage cache: content-addressed binary entries under `<store dir>/cache/`, so that an
 * unchanged stage is never recomputed (a parsed dataset, a featurised matrix).
 *
 * ## Contract
 * - An entry is found by (kind, key); the key is a hash of everything the stage's output depends on
 *   (see cache-keys.ts). Entries are immutable: the same key always means the same content.
 * - Writes are crash-safe: an entry is written to a temporary file in the same folder and renamed
 *   into place, so a reader sees a whole entry or none. Several processes may write the same entry
 *   at once; the last rename wins, and both wrote the same bytes.
 * - Reads are verified: each entry carries the SHA-1 of its payload, checked on every read. A
 *   truncated or corrupted entry is deleted and reported as a miss with the reason; it is never
 *   trusted.
 * - The cache is bounded: after every write, entries are evicted least recently used first (a hit
 *   touches the entry's mtime) until the total is under `maxBytes` (default 2 GB). `prune` applies
 *   a bound or an age on demand (`mlloop cache prune`).
 *
 * ## File layout (little-endian)
 *   "MLLOOPC1" | sections, each 8-byte aligned | trailer JSON | u32 trailer length | "MLLC"
 * The trailer holds the kind, key, creation time, user metadata, the section table and the payload
 * hash. Sections are raw typed-array bytes, so a Float64Array section is read back as a view on the
 * file's buffer without a copy.
 */
import { createHash, randomBytes } from "node:crypto";
import * as zlib from "node:zlib";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  write,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

const MAGIC = Buffer.from("MLLOOPC1", "latin1");
const END_MAGIC = Buffer.from("MLLC", "latin1");
const FORMAT = 2;
export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;
const TMP_MARK = ".tmp-";
/** A temporary file older than this belongs to a writer that died; prune removes it. */
const STALE_TMP_MS = 60 * 60 * 1000;

export type SectionType = "u8" | "i8" | "i32" | "f64";
type TypedArray = Uint8Array | Int8Array | Int32Array | Float64Array;

const BYTES_PER: Record<SectionType, number> = { u8: 1, i8: 1, i32: 4, f64: 8 };

interface SectionInfo {
  readonly name: string;
  readonly type: SectionType;
  readonly offset: number;
  readonly bytes: number;
}

interface Trailer {
  readonly format: number;
  readonly kind: string;
  readonly key: string;
  readonly created: string;
  readonly meta: unknown;
  readonly sections: SectionInfo[];
  /** "crc32:<hex>" or "sha1:<hex>" of the sections and the trailer with an empty check. */
  readonly check: string;
}

interface Checksum {
  update(bytes: Uint8Array | string): void;
  digest(): string;
}

const crc32 = (zlib as { crc32?: (data: Uint8Array | string, value?: number) => number }).crc32;

function checksum(kind: "crc32" | "sha1" = crc32 !== undefined ? "crc32" : "sha1"): Checksum {
  if (kind === "crc32" && crc32 !== undefined) {
    let value = 0;
    return {
      // zlib's crc32 treats a null data pointer as "give me the initial value" and returns 0, which
      // is what Node passes for an empty array over an empty ArrayBuffer: skip empty input.
      update: (b) => void (b.length > 0 && (value = crc32(b, value))),
      digest: () => `crc32:${(value >>> 0).toString(16).padStart(8, "0")}`,
    };
  }
  if (kind === "crc32") throw new Error("this Node has no zlib.crc32 to check the entry with");
  const h = createHash("sha1");
  return { update: (b) => void h.update(b), digest: () => `sha1:${h.digest("hex")}` };
}

export interface CacheEntryInfo {
  readonly kind: string;
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  /** Last use (write or hit). */
  readonly lastUsed: Date;
}

export type CacheLookup<T> =
  | { readonly status: "hit"; readonly entry: T; readonly path: string; readonly bytes: number }
  | { readonly status: "miss" }
  | { readonly status: "corrupt"; readonly reason: string };

function typeOf(a: TypedArray): SectionType {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Int8Array) return "i8";
  return "u8";
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const ZEROS = new Uint8Array(8);

function writeAll(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void => {
      write(fd, bytes, off, bytes.length - off, position + off, (err, written) => {
        if (err) reject(err);
        else if (off + written < bytes.length) step(off + written);
        else resolve();
      });
    };
    step(0);
  });
}

/**
 * Writes one entry section by section; `commit` makes it visible, `abort` drops it. The bytes go
 * to the file by positional writes on libuv's thread pool, so encoding the next section (on the
 * calling thread) overlaps with writing the last one; a section's buffer must not be changed after
 * it is handed over. `commit` waits for every write.
 */
export class CacheEntryWriter {
  private readonly fd: number;
  private readonly pending: Array<Promise<void>> = [];
  /** Bytes handed to writes that have not finished yet. */
  private inFlight = 0;
  private readonly hash = checksum();
  private readonly sections: SectionInfo[] = [];
  private pos = 0;
  private open: { name: string; type: SectionType; offset: number } | null = null;
  private done = false;
  /**
   * The first failed write (ENOSPC, EIO…). Every write promise is observed as soon as it is made:
   * one left to reject before `commit` awaited it was an unhandled rejection that killed the
   * process, outside any error handling, with the temporary file left behind.
   */
  private failure: Error | null = null;

  constructor(
    private readonly cache: StageCache,
    readonly kind: string,
    readonly key: string,
    private readonly finalPath: string,
    private readonly tmpPath: string,
  ) {
    this.fd = openSync(tmpPath, "w");
    this.raw(MAGIC, false);
  }

  private raw(bytes: Uint8Array, hashed = true): void {
    if (this.done) throw new Error("the cache entry is already committed or aborted");
    if (this.failure !== null) throw this.failure;
    if (bytes.length > 0) {
      this.inFlight += bytes.length;
      this.pending.push(
        writeAll(this.fd, bytes, this.pos).then(
          () => void (this.inFlight -= bytes.length),
          (e: unknown) => {
            this.inFlight -= bytes.length;
            this.failure ??= e instanceof Error ? e : new Error(String(e));
          },
        ),
      );
    }
    this.pos += bytes.length;
    if (hashed) this.hash.update(bytes);
  }

  private align(): void {
    const pad = (8 - (this.pos % 8)) % 8;
    if (pad > 0) this.raw(ZEROS.subarray(0, pad));
  }

  /** A whole typed array as one section. */
  array(name: string, a: TypedArray): this {
    this.begin(name, typeOf(a));
    this.raw(bytesOf(a));
    return this.end();
  }

  /** Waits until at most `maxBytes` are still being written (bounds the memory of a fast producer). */
  async drain(maxBytes: number): Promise<void> {
    for (let k = 0; this.inFlight > maxBytes && k < this.pending.length; k++) await this.pending[k];
    if (this.failure !== null) throw this.failure;
  }

  /** Starts a section written in pieces with `append` (e.g. chunks from an encoder). */
  begin(name: string, type: SectionType = "u8"): this {
    if (this.open !== null) throw new Error(`cache section "${this.open.name}" is still open`);
    this.align();
    this.open = { name, type, offset: this.pos };
    return this;
  }

  append(chunk: Uint8Array): this {
    if (this.open === null) throw new Error("no cache section is open");
    this.raw(chunk);
    return this;
  }

  end(): this {
    const s = this.open;
    if (s === null) throw new Error("no cache section is open");
    this.sections.push({ ...s, bytes: this.pos - s.offset });
    this.open = null;
    return this;
  }

  /** Finishes the entry and renames it into place once every write is done; resolves to its size in bytes. */
  async commit(meta: unknown): Promise<number> {
    if (this.open !== null) this.end();
    const trailer: Trailer = {
      format: FORMAT,
      kind: this.kind,
      key: this.key,
      created: new Date().toISOString(),
      meta,
      sections: this.sections,
      check: "",
    };
    // The checksum covers the sections and the trailer without its check field.
    this.hash.update(Buffer.from(JSON.stringify(trailer), "utf8"));
    const sealed = Buffer.from(JSON.stringify({ ...trailer, check: this.hash.digest() }), "utf8");
    const tail = Buffer.alloc(8);
    tail.writeUInt32LE(sealed.length, 0);
    END_MAGIC.copy(tail, 4);
    this.raw(sealed, false);
    this.raw(tail, false);
    this.done = true;
    await Promise.all(this.pending);
    if (this.failure !== null) {
      await this.discard();
      throw this.failure;
    }
    // No fsync: a reader verifies the checksum, so an entry cut short by a power loss is a miss, not a lie.
    closeSync(this.fd);
    renameSync(this.tmpPath, this.finalPath);
    this.cache.afterWrite(this.finalPath);
    return this.pos;
  }

  /** Drops the entry: its temporary file goes once the writes in flight are done (awaiting is optional). */
  abort(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.done = true;
    return this.discard();
  }

  private async discard(): Promise<void> {
    await Promise.allSettled(this.pending);
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(this.tmpPath);
    } catch {
      // never created or already gone
    }
  }
}

/** A verified entry read back from disk. */
export class CacheEntry {
  private readonly byName = new Map<string, SectionInfo>();

  constructor(
    private readonly buf: Buffer,
    readonly kind: string,
    readonly key: string,
    readonly created: string,
    readonly meta: unknown,
    sections: readonly SectionInfo[],
  ) {
    for (const s of sections) this.byName.set(s.name, s);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private section(name: string, type?: SectionType): SectionInfo {
    const s = this.byName.get(name);
    if (s === undefined) throw new RangeError(`cache entry ${this.kind}/${this.key} has no section "${name}"`);
    if (type !== undefined && s.type !== type) {
      throw new RangeError(`cache entry ${this.kind}/${this.key}: section "${name}" is ${s.type}, not ${type}`);
    }
    return s;
  }

  bytes(name: string): Uint8Array {
    const s = this.section(name);
    return this.buf.subarray(s.offset, s.offset + s.bytes);
  }

  /** The section as a view on the entry's buffer (no copy). */
  i32(name: string): Int32Array {
    const s = this.section(name, "i32");
    return new Int32Array(this.buf.buffer, this.buf.byteOffset + s.offset, s.bytes / 4);
  }

  i8(name: string): Int8Array {
    const s = this.section(name, "i8");
    return new Int8Array(this.buf.buffer, this.buf.byteOffset + s.offset, s.bytes);
  }

  f64(name: string): Float64Array {
    const s = this.section(name, "f64");
    return new Float64Array(this.buf.buffer, this.buf.byteOffset + s.offset, s.bytes / 8);
  }
}

function parseEntry(buf: Buffer, kind: string, key: string): CacheEntry {
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error("not an mlloop cache file (bad header)");
  }
  if (!buf.subarray(buf.length - 4).equals(END_MAGIC)) throw new Error("truncated (no end marker)");
  const trailerBytes = buf.readUInt32LE(buf.length - 8);
  const trailerStart = buf.length - 8 - trailerBytes;
  if (trailerStart < MAGIC.length) throw new Error("truncated (trailer length out of range)");
  let trailer: Trailer;
  try {
    trailer = JSON.parse(buf.toString("utf8", trailerStart, buf.length - 8)) as Trailer;
  } catch {
    throw new Error("damaged trailer");
  }
  if (trailer.format !== FORMAT) throw new Error(`format ${trailer.format}, expected ${FORMAT}`);
  if (trailer.kind !== kind || trailer.key !== key) throw new Error(`holds ${trailer.kind}/${trailer.key}`);
  if (typeof trailer.check !== "string" || !/^(crc32|sha1):/.test(trailer.check)) throw new Error("damaged trailer");
  const hash = checksum(trailer.check.startsWith("crc32:") ? "crc32" : "sha1");
  hash.update(buf.subarray(MAGIC.length, trailerStart));
  hash.update(Buffer.from(JSON.stringify({ ...trailer, check: "" }), "utf8"));
  if (hash.digest() !== trailer.check) throw new Error("checksum mismatch");
  for (const s of trailer.sections) {
    const width = BYTES_PER[s.type];
    if (s.offset < MAGIC.length || s.offset + s.bytes > trailerStart || s.offset % 8 !== 0 || s.bytes % width !== 0) {
      throw new Error(`section "${s.name}" out of range`);
    }
  }
  // Typed views need an aligned buffer; readFileSync gives one for anything but tiny files.
  const aligned = buf.byteOffset % 8 === 0 ? buf : Buffer.from(new Uint8Array(buf));
  return new CacheEntry(aligned, kind, key, trailer.created, trailer.meta, trailer.sections);
}

export interface PruneOptions {
  /** Evict least recently used entries until the total is at most this. */
  readonly maxBytes?: number;
  /** Remove entries not used for this long. */
  readonly olderThanMs?: number;
  readonly now?: number;
}

export interface PruneResult {
  readonly removed: CacheEntryInfo[];
  readonly freedBytes: number;
  readonly keptBytes: number;
  readonly keptEntries: number;
}

/** Environment variable for the cache bound ("2GB", "500MB", bytes). */
export const CACHE_MAX_SIZE_ENV = "MLLOOP_CACHE_MAX_SIZE";

/** "2GB", "1.5 GiB", "500MB", "750k", "1048576" → bytes (powers of 1024); null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (m === null) return null;
  const unit = { "": 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Math.round(Number(m[1]) * 1024 ** unit);
}

/** "30d", "12h", "45m", "90s", "2w" → milliseconds; null when not a duration. */
export function parseAge(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/i.exec(text);
  if (m === null) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2]!.toLowerCase() as "s" | "m" | "h" | "d" | "w"];
  return Number(m[1]) * unit * 1000;
}

/** Where a store keeps its cache: `cache/` beside a SQLite file; `.mlloop/cache` for a server store. */
export function cacheDirFor(storeLocation: string, cwd = process.cwd()): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(storeLocation)
    ? resolve(cwd, ".mlloop", "cache")
    : join(dirname(resolve(cwd, storeLocation)), "cache");
}

/** The bound from MLLOOP_CACHE_MAX_SIZE, else the default; a malformed value is an error, not ignored. */
export function cacheMaxBytesFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[CACHE_MAX_SIZE_ENV];
  if (raw === undefined || raw.trim() === "") return DEFAULT_CACHE_MAX_BYTES;
  const bytes = parseSize(raw);
  if (bytes === null) {
    throw new UsageError(`${CACHE_MAX_SIZE_ENV}="${raw}" is not a size (examples: 2GB, 500MB, 1048576)`, {
      where: CACHE_MAX_SIZE_ENV,
    });
  }
  return bytes;
}

export class StageCache {
  constructor(
    readonly dir: string,
    readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {}

  private pathOf(kind: string, key: string): string {
    if (!/^[a-z][a-z0-9-]*$/.test(kind) || !/^[0-9a-f]{16,128}$/.test(key)) {
      throw new Error(`invalid cache kind/key: ${kind}/${key}`);
    }
    return join(this.dir, kind, `${key}.bin`);
  }

  /** Reads and verifies an entry; a damaged one is deleted and reported, never returned. */
  read(kind: string, key: string): CacheLookup<CacheEntry> {
    const path = this.pathOf(kind, key);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { status: "miss" };
      return { status: "corrupt", reason: `cannot read ${path}: ${(e as Error).message}` };
    }
    let entry: CacheEntry;
    try {
      entry = parseEntry(buf, kind, key);
    } catch (e) {
      try {
        unlinkSync(path);
      } catch {
        // another process removed it first
      }
      return { status: "corrupt", reason: `${path}: ${(e as Error).message}; recomputed` };
    }
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // evicted meanwhile: the entry in hand is still whole
    }
    return { status: "hit", entry, path, bytes: buf.length };
  }

  /** Starts writing an entry (kind/key.bin via a temporary file). */
  writer(kind: string, key: string): CacheEntryWriter {
    const path = this.pathOf(kind, key);
    mkdirSync(join(this.dir, kind), { recursive: true });
    const tmp = `${path}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`;
    return new CacheEntryWriter(this, kind, key, path, tmp);
  }

  /** Called after each commit: keeps the cache under its bound (the new entry is evicted last). */
  afterWrite(justWritten: string): void {
    this.prune({ maxBytes: this.maxBytes, keep: justWritten });
  }

  /**
   * Every entry, least recently used first; stale temporary files (left by a writer that died,
   * removed by the next prune); and the bytes of all temporary files, which use disk too.
   */
  list(): { entries: CacheEntryInfo[]; staleTmp: string[]; tmpFiles: number; tmpBytes: number } {
    const entries: CacheEntryInfo[] = [];
    const staleTmp: string[] = [];
    let tmpFiles = 0;
    let tmpBytes = 0;
    if (!existsSync(this.dir)) return { entries, staleTmp, tmpFiles, tmpBytes };
    const now = Date.now();
    for (const kind of readdirSync(this.dir, { withFileTypes: true })) {
      if (!kind.isDirectory()) continue;
      const sub = join(this.dir, kind.name);
      for (const f of readdirSync(sub)) {
        const path = join(sub, f);
        let st;
        try {
          st = statSync(path);
        } catch {
          continue;
        }
        if (f.includes(TMP_MARK)) {
          tmpFiles++;
          tmpBytes += st.size;
          if (now - st.mtimeMs > STALE_TMP_MS) staleTmp.push(path);
          continue;
        }
        if (!f.endsWith(".bin")) continue;
        entries.push({ kind: kind.name, key: f.slice(0, -4), path, bytes: st.size, lastUsed: st.mtime });
      }
    }
    entries.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
    return { entries, staleTmp, tmpFiles, tmpBytes };
  }

  prune(options: PruneOptions & { keep?: string } = {}): PruneResult {
    const { entries, staleTmp } = this.list();
    for (const p of staleTmp) {
      try {
        unlinkSync(p);
      } catch {
        // gone already
      }
    }
    const now = options.now ?? Date.now();
    let total = entries.reduce((s, e) => s + e.bytes, 0);
    const removed: CacheEntryInfo[] = [];
    for (const e of entries) {
      if (e.path === options.keep) continue;
      const tooOld = options.olderThanMs !== undefined && now - e.lastUsed.getTime() > options.olderThanMs;
      const overBound = options.maxBytes !== undefined && total > options.maxBytes;
      if (!tooOld && !overBound) continue;
      try {
        unlinkSync(e.path);
      } catch {
        continue;
      }
      total -= e.bytes;
      removed.push(e);
    }
    return {
      removed,
      freedBytes: removed.reduce((s, e) => s + e.bytes, 0),
      keptBytes: total,
      keptEntries: entries.length - removed.length,
    };
  }
}
