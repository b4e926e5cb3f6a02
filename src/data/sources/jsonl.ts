/**
 * JSON Lines source, streamed line by line: one JSON object per line, blank lines ignored. The
 * declared columns are checked against the keys of the first record (later records may omit a
 * key, which reads as a missing value — except the label, which every record needs).
 */
import { createReadStream } from "node:fs";
import { isUtf8 } from "node:buffer";
import { DataError } from "../../errors.js";
import type { DataSpec } from "../../spec/schema.js";
import { checkColumns, quote, RowBuilder, RowProblem, type CellValue } from "../contract.js";
import { firstInvalidUtf8 } from "../utf8.js";
import { resolveDataPath } from "./files.js";
import type { SourceOptions, SourceResult } from "./source.js";

type JsonlSpec = Extract<DataSpec, { source: "jsonl" }>;

/** Yields the file's lines as bytes (without "\n" / "\r\n") with their 1-based line numbers. */
async function* readLines(file: string): AsyncGenerator<{ bytes: Buffer; line: number; offset: number }> {
  let carry: Buffer | null = null;
  let line = 0;
  let offset = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const data: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    let nl = data.indexOf(10, start);
    while (nl >= 0) {
      const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      line++;
      yield { bytes: data.subarray(start, end), line, offset: offset + nl + 1 };
      start = nl + 1;
      nl = data.indexOf(10, start);
    }
    offset += start;
    carry = start < data.length ? data.subarray(start) : null;
  }
  if (carry !== null && carry.length > 0) {
    line++;
    const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    yield { bytes: carry.subarray(0, end), line, offset: offset + carry.length };
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
  for await (const { bytes, line, offset } of readLines(abs)) {
    const where = `${abs}:${line}`;
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
      builder.reject(new RowProblem(where, `invalid JSON (${(e as Error).message}): ${quote(text)}`));
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
