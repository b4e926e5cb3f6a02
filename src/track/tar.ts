/**
 * The few lines of POSIX ustar that a run bundle needs: regular files only, names up to 100
 * bytes, every header checksummed. Written here rather than depending on `tar` (its current major
 * needs Node 22); `tar -tvf bundle.tar` lists what this writes, and this reads what it writes.
 */
import { StoreError } from "../errors.js";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length > 100) throw new StoreError(`tar entry name too long (over 100 bytes): ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(mtimeSeconds, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

export interface TarEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export function writeTar(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.bytes.length, mtimeSeconds), Buffer.from(e.bytes));
    const pad = (BLOCK - (e.bytes.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/** Every regular file of the archive, in order; anything malformed is a StoreError naming the offset. */
export function readTar(data: Uint8Array, what: string): TarEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const entries: TarEntry[] = [];
  let offset = 0;
  const damaged = (why: string): never => {
    throw new StoreError(`${what} is damaged: ${why} (at byte ${offset})`);
  };
  for (;;) {
    if (offset + BLOCK > buf.length) damaged("it ends before the end-of-archive marker");
    const h = buf.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const stored = parseInt(h.subarray(148, 156).toString("ascii").replace(/[\0 ]/g, ""), 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (stored !== sum) damaged("a header checksum does not match");
    const name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/[\0 ]/g, ""), 8);
    const type = String.fromCharCode(h[156]!);
    if (!Number.isSafeInteger(size) || size < 0) damaged(`entry "${name}" has an invalid size`);
    if (type !== "0" && type !== "\0") damaged(`entry "${name}" is not a regular file`);
    const start = offset + BLOCK;
    if (start + size > buf.length) damaged(`entry "${name}" is cut short`);
    entries.push({ name, bytes: new Uint8Array(buf.subarray(start, start + size)) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
