/**
 * Examples as bytes, and back: the parse cache stores datasets this way, and parsing workers send
 * their shards to the main thread this way (one transferable buffer instead of a structured clone
 * of thousands of small objects). Measured on the 6,046-message corpus: v8.serialize took 0.7–1.0 s
 * and v8.deserialize 1.6–2.6 s for 112 MB (it stores every string, even the same one twice); this
 * codec writes each string once, ASCII as one byte a character.
 *
 * Layout: a stream of examples, each one record (see RecordWriter): its numbers, its string
 * lengths, and its strings as one block, latin1 when all ASCII and UTF-16LE otherwise, so every JS
 * string (lone surrogates included) comes back exactly. Email examples store the raw message and
 * the ParsedEmail; their text fields are rebuilt by `emailExample`, as the sources build them. Any
 * other example stores its text, numeric and categorical records as they are.
 */
import type { ParsedEmail } from "./email/types.js";
import type { Example } from "./example.js";
import { EMAIL_TEXT_FIELDS, emailExample, isMadeByEmailExample } from "./sources/email-example.js";

const HAS_GROUP = 1;
const EMAIL = 2;
const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Appends values to fixed-size chunks and hands each full chunk to `emit`. */
export class ByteWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;
  /** Bytes handed to `emit` so far. */
  emitted = 0;

  constructor(
    private readonly emit: (chunk: Uint8Array) => void,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  /** Emits what has been written since the last flush (a fresh buffer follows: emitted chunks are never reused). */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.emitted += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, 0));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
    this.emit(chunk);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** A non-negative integer below 2^53, seven bits a byte. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  str(s: string): void {
    // utf8 length equals the UTF-16 length exactly when every character is ASCII
    const ascii = Buffer.byteLength(s, "utf8") === s.length;
    const bytes = ascii ? s.length : 2 * s.length;
    this.varint(s.length * 2 + (ascii ? 0 : 1));
    this.ensure(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, ascii ? "latin1" : "utf16le");
  }

  strOrNull(s: string | null): void {
    if (s === null) this.u8(0);
    else {
      this.u8(1);
      this.str(s);
    }
  }

  /** Raw string bytes in the given encoding (the reader must know the byte count). */
  chars(s: string, encoding: "latin1" | "utf16le", bytes: number): void {
    this.ensure(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, encoding);
  }
}

/** Reads what ByteWriter wrote, from one contiguous buffer. */
export class ByteReader {
  private readonly buf: Buffer;
  private readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`truncated data: ${n} bytes wanted at offset ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
      if (shift > 49) throw new RangeError(`bad varint at offset ${this.pos}`);
    }
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const head = this.varint();
    const len = Math.floor(head / 2);
    const twoByte = head % 2 === 1;
    const bytes = twoByte ? 2 * len : len;
    this.need(bytes);
    const s = this.buf.toString(twoByte ? "utf16le" : "latin1", this.pos, this.pos + bytes);
    this.pos += bytes;
    return s;
  }

  strOrNull(): string | null {
    return this.u8() === 0 ? null : this.str();
  }

  chars(encoding: "latin1" | "utf16le", bytes: number): string {
    this.need(bytes);
    const s = this.buf.toString(encoding, this.pos, this.pos + bytes);
    this.pos += bytes;
    return s;
  }
}

/** The field writer of one example (numbers and strings in order), as ExampleWriter and RecordWriter share it. */
interface FieldWriter {
  u8(v: number): void;
  varint(v: number): void;
  f64(v: number): void;
  str(s: string): void;
  strOrNull(s: string | null): void;
}

interface FieldReader {
  u8(): number;
  varint(): number;
  f64(): number;
  str(): string;
  strOrNull(): string | null;
}

/**
 * One example as a record: its numbers (flags, counts, sizes) as f64s, then the lengths of its
 * strings, then all its strings as one block — latin1 when the whole block is ASCII, else UTF-16LE.
 * Reading decodes the block with one call and slices the strings out of it: an email has dozens of
 * short strings (header names and values), and one native decode per string cost 3× as much.
 */
class RecordWriter implements FieldWriter {
  private readonly nums: number[] = [];
  private readonly lengths: number[] = [];
  private block = "";

  u8(v: number): void {
    this.nums.push(v);
  }
  varint(v: number): void {
    this.nums.push(v);
  }
  f64(v: number): void {
    this.nums.push(v);
  }
  str(s: string): void {
    this.lengths.push(s.length);
    this.block += s;
  }
  strOrNull(s: string | null): void {
    this.nums.push(s === null ? 0 : 1);
    if (s !== null) this.str(s);
  }

  writeTo(w: ByteWriter): void {
    const block = this.block;
    const ascii = Buffer.byteLength(block, "utf8") === block.length;
    const bytes = ascii ? block.length : 2 * block.length;
    w.varint(this.nums.length);
    w.varint(this.lengths.length);
    for (const v of this.nums) w.f64(v);
    for (const n of this.lengths) w.varint(n);
    w.u8(ascii ? 0 : 1);
    w.varint(bytes);
    w.chars(block, ascii ? "latin1" : "utf16le", bytes);
  }
}

class RecordReader implements FieldReader {
  private readonly nums: Float64Array;
  private readonly lengths: Int32Array;
  private readonly block: string;
  private num = 0;
  private strIndex = 0;
  private at = 0;

  constructor(r: ByteReader) {
    const nNums = r.varint();
    const nStrs = r.varint();
    this.nums = new Float64Array(nNums);
    for (let k = 0; k < nNums; k++) this.nums[k] = r.f64();
    this.lengths = new Int32Array(nStrs);
    let chars = 0;
    for (let k = 0; k < nStrs; k++) chars += this.lengths[k] = r.varint();
    const twoByte = r.u8() === 1;
    const bytes = r.varint();
    if (bytes !== (twoByte ? 2 * chars : chars))
      throw new RangeError(`record strings: ${bytes} bytes for ${chars} characters`);
    this.block = r.chars(twoByte ? "utf16le" : "latin1", bytes);
  }

  private next(): number {
    if (this.num >= this.nums.length) throw new RangeError("record: no number left");
    return this.nums[this.num++]!;
  }
  u8(): number {
    return this.next();
  }
  varint(): number {
    return this.next();
  }
  f64(): number {
    return this.next();
  }
  str(): string {
    if (this.strIndex >= this.lengths.length) throw new RangeError("record: no string left");
    const end = this.at + this.lengths[this.strIndex++]!;
    const s = this.block.slice(this.at, end);
    this.at = end;
    return s;
  }
  strOrNull(): string | null {
    return this.next() === 0 ? null : this.str();
  }

  /** Throws unless every number and string of the record was read. */
  done(): void {
    if (this.num !== this.nums.length || this.strIndex !== this.lengths.length) {
      throw new RangeError("record: fields left unread");
    }
  }
}

function headersText(email: ParsedEmail): string {
  let headers = "";
  for (const h of email.headers) headers += (headers === "" ? "" : "\n") + h.name + ": " + h.value;
  return headers;
}

/** True when the example is exactly what `emailExample` builds from its raw text and parsed email. */
function isPlainEmailExample(ex: Example): boolean {
  if (isMadeByEmailExample(ex)) return true;
  const email = ex.email;
  if (email === undefined || typeof ex.text["raw"] !== "string") return false;
  const keys = Object.keys(ex.text);
  if (keys.length !== EMAIL_TEXT_FIELDS.length || !EMAIL_TEXT_FIELDS.every((k, i) => keys[i] === k)) return false;
  if (Object.keys(ex.numeric).length > 0 || Object.keys(ex.categorical).length > 0) return false;
  const t = ex.text;
  return (
    t["subject"] === email.subject &&
    t["body"] === email.text &&
    t["from"] === email.from &&
    t["to"] === email.to &&
    t["headers"] === headersText(email)
  );
}

function writeEmail(w: FieldWriter, e: ParsedEmail): void {
  w.varint(e.headers.length);
  for (const h of e.headers) {
    w.str(h.name);
    w.str(h.value);
  }
  w.str(e.subject);
  w.str(e.from);
  w.str(e.to);
  w.strOrNull(e.date);
  w.strOrNull(e.messageId);
  w.str(e.text);
  w.strOrNull(e.html);
  w.varint(e.links.length);
  for (const l of e.links) {
    w.str(l.href);
    w.str(l.text);
  }
  w.varint(e.attachments.length);
  for (const a of e.attachments) {
    w.str(a.contentType);
    w.strOrNull(a.filename);
    w.f64(a.size);
  }
  w.varint(e.partTypes.length);
  for (const p of e.partTypes) w.str(p);
  w.varint(e.warnings.length);
  for (const m of e.warnings) w.str(m);
}

function readEmail(r: FieldReader): ParsedEmail {
  const headers = new Array<{ name: string; value: string }>(r.varint());
  for (let k = 0; k < headers.length; k++) headers[k] = { name: r.str(), value: r.str() };
  const subject = r.str();
  const from = r.str();
  const to = r.str();
  const date = r.strOrNull();
  const messageId = r.strOrNull();
  const text = r.str();
  const html = r.strOrNull();
  const links = new Array<{ href: string; text: string }>(r.varint());
  for (let k = 0; k < links.length; k++) links[k] = { href: r.str(), text: r.str() };
  const attachments = new Array<{ contentType: string; filename: string | null; size: number }>(r.varint());
  for (let k = 0; k < attachments.length; k++)
    attachments[k] = { contentType: r.str(), filename: r.strOrNull(), size: r.f64() };
  const partTypes = new Array<string>(r.varint());
  for (let k = 0; k < partTypes.length; k++) partTypes[k] = r.str();
  const warnings = new Array<string>(r.varint());
  for (let k = 0; k < warnings.length; k++) warnings[k] = r.str();
  return { headers, subject, from, to, date, messageId, text, html, links, attachments, partTypes, warnings };
}

export function writeExample(out: ByteWriter, ex: Example): void {
  const w = new RecordWriter();
  writeFields(w, ex);
  w.writeTo(out);
}

export function readExample(input: ByteReader): Example {
  const r = new RecordReader(input);
  const ex = readFields(r);
  r.done();
  return ex;
}

function writeFields(w: FieldWriter, ex: Example): void {
  const email = isPlainEmailExample(ex);
  w.u8((ex.group !== null ? HAS_GROUP : 0) | (email ? EMAIL : 0));
  w.str(ex.id);
  w.str(ex.label);
  if (ex.group !== null) w.str(ex.group);
  w.str(ex.contentHash);
  if (email) {
    w.str(ex.text["raw"]!);
    writeEmail(w, ex.email!);
    return;
  }
  const text = Object.entries(ex.text);
  w.varint(text.length);
  for (const [k, v] of text) {
    w.str(k);
    w.str(v);
  }
  const numeric = Object.entries(ex.numeric);
  w.varint(numeric.length);
  for (const [k, v] of numeric) {
    w.str(k);
    if (v === null) w.u8(0);
    else {
      w.u8(1);
      w.f64(v);
    }
  }
  const categorical = Object.entries(ex.categorical);
  w.varint(categorical.length);
  for (const [k, v] of categorical) {
    w.str(k);
    w.strOrNull(v);
  }
  if (ex.email !== undefined) {
    w.u8(1);
    writeEmail(w, ex.email);
  } else w.u8(0);
}

function readFields(r: FieldReader): Example {
  const flags = r.u8();
  const id = r.str();
  const label = r.str();
  const group = flags & HAS_GROUP ? r.str() : null;
  const contentHash = r.str();
  if (flags & EMAIL) {
    const raw = r.str();
    return emailExample(id, label, group, raw, readEmail(r), contentHash);
  }
  const text: Record<string, string> = {};
  for (let n = r.varint(); n > 0; n--) {
    const k = r.str();
    text[k] = r.str();
  }
  const numeric: Record<string, number | null> = {};
  for (let n = r.varint(); n > 0; n--) {
    const k = r.str();
    numeric[k] = r.u8() === 0 ? null : r.f64();
  }
  const categorical: Record<string, string | null> = {};
  for (let n = r.varint(); n > 0; n--) {
    const k = r.str();
    categorical[k] = r.strOrNull();
  }
  const email = r.u8() === 1 ? readEmail(r) : undefined;
  return email === undefined
    ? { id, label, group, text, numeric, categorical, contentHash }
    : { id, label, group, text, numeric, categorical, email, contentHash };
}

/** Encodes examples into chunks of about `chunkBytes` (each handed to `emit` as it fills). */
export function encodeExamples(
  examples: Iterable<Example>,
  emit: (chunk: Uint8Array) => void,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): number {
  const w = new ByteWriter(emit, chunkBytes);
  let n = 0;
  for (const ex of examples) {
    writeExample(w, ex);
    n++;
  }
  w.flush();
  return n;
}

/**
 * Decodes `count` examples from `bytes` (throws RangeError on truncated or malformed data). With
 * `keep`, each example is cut down as soon as it is decoded (what a run keeps of a message:
 * keepTextFields), so that the whole decoded corpus is never in memory at once.
 */
export function decodeExamples(
  bytes: Uint8Array,
  count: number,
  out: Example[] = [],
  keep?: (ex: Example) => Example,
): Example[] {
  const r = new ByteReader(bytes);
  for (let k = 0; k < count; k++) {
    const ex = readExample(r);
    out.push(keep === undefined ? ex : keep(ex));
  }
  if (r.remaining !== 0) throw new RangeError(`${r.remaining} bytes left after ${count} examples`);
  return out;
}
