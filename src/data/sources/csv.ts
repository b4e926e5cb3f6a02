/**
 * CSV source, streamed: bytes → UTF-8 check (with line numbers) → csv-parse → contract checks.
 * The first record is the header. Line numbers are computed from csv-parse's byte offsets, so a
 * quoted field spanning lines still reports the line where its record starts.
 */
import { createReadStream } from "node:fs";
import { Transform, type TransformCallback } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { DataError } from "../../errors.js";
import type { DataSpec } from "../../spec/schema.js";
import {
  checkColumns,
  declaredColumns,
  DEFAULT_MAX_RECORD_BYTES,
  notText,
  quote,
  recordTooLong,
  RowBuilder,
  RowProblem,
} from "../contract.js";
import { Utf8LineValidator, type InvalidLine } from "../utf8.js";
import { resolveDataPath } from "./files.js";
import type { SourceOptions, SourceResult } from "./source.js";

type CsvSpec = Extract<DataSpec, { source: "csv" }>;

const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Line number of byte offsets, for offsets that only move forward. */
class LineIndex {
  private readonly chunks: Uint8Array[] = [];
  private chunkStart = 0;
  private pos = 0;
  private line = 1;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }

  /** 1-based line of the byte at `offset` (an offset past the data gives the line after the last newline). */
  lineAt(offset: number): number {
    while (this.pos < offset && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const end = Math.min(offset - this.chunkStart, chunk.length);
      let i = chunk.indexOf(10, this.pos - this.chunkStart);
      while (i >= 0 && i < end) {
        this.line++;
        i = chunk.indexOf(10, i + 1);
      }
      this.pos = this.chunkStart + end;
      if (end === chunk.length) {
        this.chunks.shift();
        this.chunkStart += chunk.length;
      }
    }
    return this.line;
  }
}

export async function loadCsv(data: CsvSpec, opts: SourceOptions): Promise<SourceResult> {
  const { abs, size } = await resolveDataPath(opts.baseDir, data.path, "file");
  const skip = data.on_bad_row === "skip";
  const builder = new RowBuilder(data.columns, skip);
  const invalidLines = new Map<number, string>();
  const lines = new LineIndex();
  let bomChecked = false;
  let linesBefore = 0;
  const maxBytes = data.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES;

  const validator = new Utf8LineValidator((bad: InvalidLine) => {
    if (!skip)
      throw new DataError(
        `${abs}:${bad.line}: ${bad.detail}; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
        { where: `${abs}:${bad.line}` },
      );
    invalidLines.set(bad.line, bad.detail);
  });
  const checkBytes = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      try {
        let bytes: Uint8Array = chunk;
        if (!bomChecked) {
          bomChecked = true;
          if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
        }
        const body = validator.push(bytes);
        const nul = body.indexOf(0);
        if (nul >= 0) {
          const lineStart = body.lastIndexOf(10, nul) + 1;
          let line = linesBefore + 1;
          for (let i = body.indexOf(10); i >= 0 && i < nul; i = body.indexOf(10, i + 1)) line++;
          throw notText(`${abs}:${line}`, nul - lineStart + 1);
        }
        for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) linesBefore++;
        lines.push(body);
        done(null, body);
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        const rest = validator.end();
        lines.push(rest);
        done(null, rest.length > 0 ? rest : undefined);
      } catch (e) {
        done(e as Error);
      }
    },
  });

  const parser = parse({
    delimiter: data.delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: skip,
    // characters, so at most as many bytes: a row (or a file with no newline) cannot grow past the limit
    max_record_size: maxBytes,
    on_skip: (err: CsvError | undefined) => {
      if (err !== undefined)
        builder.badRows.push({
          where: `${abs}:${String(err.lines)}`,
          reason: `malformed CSV: ${cut(err.message, 160)}`,
        });
      return undefined;
    },
  });
  const source = createReadStream(abs);
  source.on("error", (e) => parser.destroy(e));
  checkBytes.on("error", (e) => parser.destroy(e));
  source.pipe(checkBytes).pipe(parser);

  let header: string[] | null = null;
  let index = new Map<string, number>();
  let prevEnd = 0;
  let prevEmpty = 0;
  let records = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { bytes: number; empty_lines: number };
    }>) {
      const { record, info } = item;
      const startLine = lines.lineAt(prevEnd) + (info.empty_lines - prevEmpty);
      const endLine = lines.lineAt(Math.max(prevEnd, info.bytes - 1));
      prevEnd = info.bytes;
      prevEmpty = info.empty_lines;
      const where = `${abs}:${startLine}`;
      let invalid: string | null = null;
      for (let l = startLine; l <= endLine && invalidLines.size > 0; l++) {
        const detail = invalidLines.get(l);
        if (detail !== undefined) {
          invalid = l === startLine ? detail : `line ${l}: ${detail}`;
          break;
        }
      }
      if (header === null) {
        if (invalid !== null)
          throw new DataError(`${where}: the header line is not valid UTF-8 (${invalid})`, { where });
        header = record;
        index = new Map(header.map((name, i) => [name, i] as const));
        checkColumns(data.columns, header, abs, "the file's columns are");
        for (const { column, key } of declaredColumns(data.columns)) {
          const times = header.filter((h) => h === column).length;
          if (times > 1)
            throw new DataError(
              `${where}: column "${column}" (${key}) appears ${times} times in the header; a declared column must be unique`,
              { where },
            );
        }
        continue;
      }
      records++;
      if (invalid !== null) {
        builder.reject(new RowProblem(where, `${invalid}; the row is not UTF-8`));
        continue;
      }
      if (record.length !== header.length) {
        const raw = record.join(data.delimiter);
        builder.reject(
          new RowProblem(
            where,
            `expected ${header.length} fields as in the header, found ${record.length}: ${quote(raw)}`,
          ),
        );
        continue;
      }
      // The parsed fields, not the raw bytes, identify the row: re-saving with other quoting or line endings keeps the hash.
      builder.add(where, startLine, (column) => record[index.get(column)!], JSON.stringify(record));
      if (opts.onProgress !== undefined && (records & 1023) === 0) opts.onProgress(info.bytes, size);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    const err = e as CsvError;
    if (err.code === "CSV_MAX_RECORD_SIZE")
      throw recordTooLong(`${abs}:${String(err.lines)}`, maxBytes, data.max_record_bytes !== undefined);
    // every csv-parse error is about the file (INVALID_OPENING_QUOTE has no CSV_ prefix)
    if (e instanceof CsvError || (typeof err.code === "string" && err.code.startsWith("CSV_")))
      // csv-parse quotes the field it stopped in: a cut of it only
      throw new DataError(`${abs}:${String(err.lines)}: malformed CSV: ${cut(err.message, 160)}`, {
        where: `${abs}:${String(err.lines)}`,
        cause: e,
      });
    throw e;
  } finally {
    source.destroy();
  }
  if (header === null)
    throw new DataError(`${abs}: the file is empty (expected a header line and rows)`, { where: abs });
  opts.onProgress?.(size, size);
  const c = data.columns;
  return {
    description: `csv ${abs} (${builder.examples.length.toLocaleString("en-US")} rows)`,
    examples: builder.examples,
    badRows: builder.badRows,
    fields: { text: c.text, numeric: c.numeric, categorical: c.categorical, group: c.group ?? null },
  };
}
