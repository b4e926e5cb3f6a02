/**
 * JSON Lines source, streamed line by line: one JSON object per line, blank lines ignored. The
 * declared columns are checked against the keys of the first record (later records may omit a
 * key, which reads as a missing value — except the label, which every record needs).
 */
import { createReadStream } from "node:fs";
import { isUtf8 } from "node:buffer";
import { DataError } from "../../errors.js";
import type { DataSpec } from "../../spec/schema.js";
import {
  checkColumns,
  DEFAULT_MAX_RECORD_BYTES,
  notText,
  quote,
  recordTooLong,
  RowBuilder,
  RowProblem,
  type CellValue,
} from "../contract.js";
import { firstInvalidUtf8 } from "../utf8.js";
import { resolveDataPath } from "./files.js";
import type { SourceOptions, SourceResult } from "./source.js";

type JsonlSpec = Extract<DataSpec, { source: "jsonl" }>;

/**
 * Yields the file's lines as bytes (without "\n" / "\r\n") with their 1-based line numbers. A line
 * longer than `maxBytes` is an error as soon as it is seen: a file without newlines must not be
 * gathered into memory whole.
 */
async function* readLines(
  file: string,
  maxBytes: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<{ bytes: Buffer; line: number; offset: number }> {
  // the start of the current line, in pieces: joined once when its newline comes (never re-copied per chunk)
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let line = 0;
  let offset = 0;
  const strip = (b: Buffer): Buffer => (b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      const piece = chunk.subarray(start, nl);
      if (pendingLength + piece.length > maxBytes) throw tooLong(line + 1);
      const bytes = pendingLength === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingLength = 0;
      line++;
      yield { bytes: strip(bytes), line, offset: offset + nl + 1 };
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingLength += chunk.length - start;
      if (pendingLength > maxBytes) throw tooLong(line + 1);
    }
    offset += chunk.length;
  }
  if (pendingLength > 0) {
    line++;
    yield { bytes: strip(Buffer.concat(pending)), line, offset };
  }
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "string" ? "a string" : typeof v === "number" ? "a number" : typeof v;
}

export async function loadJsonl(data: JsonlSpec, opts: SourceOptions): Promise<SourceResult> {
  const { abs, size } = await resolveDataPath(opts.baseDir, data.path, "file");
  const builder = new RowBuilder(data.columns, data.on_bad_row === "skip");
  let checked = false;
  let lines = 0;
  const maxBytes = data.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES;
  const tooLong = (line: number): Error =>
    recordTooLong(`${abs}:${line}`, maxBytes, data.max_record_bytes !== undefined);
  for await (const { bytes: lineBytes, line, offset } of readLines(abs, maxBytes, tooLong)) {
    const where = `${abs}:${line}`;
    // a byte-order mark (Windows editors write one) is not part of the first record
    const bom = line === 1 && lineBytes[0] === 0xef && lineBytes[1] === 0xbb && lineBytes[2] === 0xbf;
    const bytes = bom ? lineBytes.subarray(3) : lineBytes;
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw notText(where, nul + 1);
    if (!isUtf8(bytes)) {
      const bad = firstInvalidUtf8(bytes);
      const hex = bytes[bad]!.toString(16).toUpperCase().padStart(2, "0");
      builder.reject(
        new RowProblem(
          where,
          `invalid UTF-8 byte 0x${hex} at byte ${bad + 1} of the line; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
        ),
      );
      continue;
    }
    const text = bytes.toString("utf8");
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      // V8's message quotes the start of the line itself: keep only what it says is wrong
      const reason = (e as Error).message.replace(/, ".*?"(\.\.\.)? is not valid JSON$/s, "");
      builder.reject(new RowProblem(where, `invalid JSON (${reason}): ${quote(text, 60)}`));
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      builder.reject(new RowProblem(where, `expected a JSON object, found ${kindOf(value)}: ${quote(text)}`));
      continue;
    }
    const record = value as Record<string, CellValue>;
    if (!checked) {
      checkColumns(data.columns, Object.keys(record), where, "its keys are");
      checked = true;
    }
    builder.add(where, line, (column) => record[column], text);
    if (opts.onProgress !== undefined && (++lines & 1023) === 0) opts.onProgress(offset, size);
  }
  if (!checked) throw new DataError(`${abs}: no JSON records in the file`, { where: abs });
  opts.onProgress?.(size, size);
  const c = data.columns;
  return {
    description: `jsonl ${abs} (${builder.examples.length.toLocaleString("en-US")} records)`,
    examples: builder.examples,
    badRows: builder.badRows,
    fields: { text: c.text, numeric: c.numeric, categorical: c.categorical, group: c.group ?? null },
  };
}
