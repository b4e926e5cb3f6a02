/**
 * Reading new examples for prediction, whatever they come in: `.eml` files, an mbox, a maildir or
 * a folder of messages (email runs); CSV or JSON Lines (tabular runs); `-` for stdin. Every
 * example gets an id that says where it came from (the file path, `box.mbox#12`, `rows.csv:7` or
 * the row's id column), and every contract problem is one DataError naming file:line.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { DataError, UsageError } from "../errors.js";
import type { Example } from "../data/example.js";
import { decodeMessageBytes } from "../data/sources/eml.js";
import { checkInputColumns, describeContract, messageExample, rowExample, type DataContract } from "./contract.js";

export const INPUT_FORMATS = ["eml", "mbox", "maildir", "csv", "jsonl"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface ReadInputsOptions {
  /** Force a format (otherwise: by extension, folder layout, or content for stdin). */
  readonly format?: InputFormat;
  /** What `-` reads (tests pass a buffer; the CLI passes process.stdin). */
  readonly stdin?: () => Promise<Buffer>;
  /** Per input; within a folder, per message file. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReadInputsResult {
  readonly examples: Example[];
  /** Non-fatal notes (a message that is not valid UTF-8, …). */
  readonly warnings: string[];
}

type Tabular = Extract<DataContract, { kind: "tabular" }>;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function formatByName(file: string): InputFormat | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".mbox" || ext === ".mbx") return "mbox";
  if (ext === ".eml" || ext === ".msg" || ext === ".txt") return "eml";
  return null;
}

function sniff(bytes: Buffer, kind: DataContract["kind"]): InputFormat {
  const head = bytes
    .subarray(0, 64)
    .toString("utf8")
    .replace(/^\ufeff/, "");
  if (kind === "email") return head.startsWith("From ") ? "mbox" : "eml";
  return head.trimStart().startsWith("{") ? "jsonl" : "csv";
}

const EMAIL_FORMATS: readonly InputFormat[] = ["eml", "mbox", "maildir"];

function checkFormatFits(format: InputFormat, contract: DataContract, where: string): void {
  const emailInput = EMAIL_FORMATS.includes(format);
  if (emailInput === (contract.kind === "email")) return;
  throw new DataError(
    `${where}: read as ${format}, but the model takes ${describeContract(contract)}` +
      (contract.kind === "email" ? "" : " in a CSV or JSON Lines file"),
    { where },
  );
}

async function listMessageFiles(dir: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      // a maildir's tmp/ holds messages still being delivered
      if (e.name === "tmp") continue;
      await listMessageFiles(path.join(dir, e.name), childRel, out);
    } else if (e.isFile()) out.push(childRel);
  }
}

/** An mbox split into messages (mboxo/mboxrd: a "From " line starts each; ">From " lines are unquoted). */
export function splitMbox(text: string): Array<{ line: number; raw: string }> {
  const lines = text.split(/\r?\n/);
  const out: Array<{ line: number; raw: string }> = [];
  let current: string[] | null = null;
  let start = 0;
  const flush = (): void => {
    if (current === null) return;
    // the blank line that separates messages belongs to the mbox, not the message
    while (current.length > 0 && current[current.length - 1] === "") current.pop();
    out.push({ line: start, raw: current.join("\n") + "\n" });
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith("From ") && (i === 0 || lines[i - 1] === "")) {
      flush();
      current = [];
      start = i + 2;
      continue;
    }
    if (current === null) {
      if (l === "") continue;
      throw new DataError(`line ${i + 1}: an mbox must start with a "From " line`, { where: `line ${i + 1}` });
    }
    current.push(/^>+From /.test(l) ? l.slice(1) : l);
  }
  flush();
  return out;
}

function readEmailBytes(bytes: Buffer, id: string, warnings: string[]): Example {
  const { text, warning } = decodeMessageBytes(bytes);
  if (warning !== null) warnings.push(`${id}: ${warning}`);
  return messageExample(id, text, warning);
}

function readMbox(bytes: Buffer, name: string, warnings: string[]): Example[] {
  const { text, warning } = decodeMessageBytes(bytes);
  if (warning !== null) warnings.push(`${name}: ${warning}`);
  let messages: Array<{ line: number; raw: string }>;
  try {
    messages = splitMbox(text);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${name}:${e.message}`, { where: `${name}:${e.where ?? ""}` });
    throw e;
  }
  return messages.map((m, k) => messageExample(`${name}#${k + 1}`, m.raw, warning));
}

function readJsonl(bytes: Buffer, name: string, contract: Tabular): Example[] {
  const text = bytes.toString("utf8");
  const lines = text.split("\n");
  const out: Example[] = [];
  let checked = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const where = `${name}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DataError(`${where}: not valid JSON (${(e as Error).message}); each line must be one JSON object`, {
        where,
      });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new DataError(
        `${where}: expected a JSON object per line, found ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`,
        {
          where,
        },
      );
    }
    const record = value as Record<string, unknown>;
    if (!checked) {
      checkInputColumns(contract, Object.keys(record), where);
      checked = true;
    }
    out.push(rowExample(contract, (c) => record[c], where, where, line));
  }
  return out;
}

function readCsv(bytes: Buffer, name: string, contract: Tabular): Example[] {
  let records: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    records = parseCsv(bytes, {
      delimiter: contract.delimiter,
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number }; raw: string }>;
  } catch (e) {
    const err = e as { lines?: number; message: string };
    const where = `${name}:${err.lines ?? 1}`;
    throw new DataError(`${where}: malformed CSV: ${err.message}`, { where });
  }
  if (records.length === 0)
    throw new DataError(`${name}: the file is empty (expected a header line and rows)`, { where: name });
  // a record's line is where it starts: its end line minus the newlines inside it
  const lineOf = (r: { info: { lines: number }; raw: string }): number =>
    r.info.lines - (r.raw.replace(/\r?\n$/, "").match(/\n/g)?.length ?? 0);
  const header = records[0]!.record;
  checkInputColumns(contract, header, `${name}:${lineOf(records[0]!)}`);
  const index = new Map(header.map((h, i) => [h, i] as const));
  const out: Example[] = [];
  for (let k = 1; k < records.length; k++) {
    const r = records[k]!;
    const where = `${name}:${lineOf(r)}`;
    if (r.record.length !== header.length) {
      throw new DataError(`${where}: expected ${header.length} fields as in the header, found ${r.record.length}`, {
        where,
      });
    }
    out.push(rowExample(contract, (c) => r.record[index.get(c)!], where, where, r.raw));
  }
  return out;
}

async function readOne(
  input: string,
  contract: DataContract,
  opts: ReadInputsOptions,
  warnings: string[],
  out: Example[],
): Promise<void> {
  if (input === "-") {
    const bytes = await (opts.stdin ?? readStdin)();
    const format = opts.format ?? sniff(bytes, contract.kind);
    checkFormatFits(format, contract, "stdin");
    if (format === "mbox") out.push(...readMbox(bytes, "stdin", warnings));
    else if (format === "eml") out.push(readEmailBytes(bytes, "stdin", warnings));
    else if (format === "jsonl") out.push(...readJsonl(bytes, "stdin", contract as Tabular));
    else if (format === "csv") out.push(...readCsv(bytes, "stdin", contract as Tabular));
    else throw new UsageError(`--format ${format} cannot be read from stdin (a folder format)`);
    return;
  }
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new DataError(`${input}: no such file or folder`, { where: input });
  }
  if (info.isDirectory()) {
    const format = opts.format ?? "maildir";
    checkFormatFits(format, contract, input);
    if (format !== "maildir" && format !== "eml") {
      throw new UsageError(`${input} is a folder; --format ${format} reads a file`);
    }
    const files: string[] = [];
    await listMessageFiles(input, "", files);
    if (files.length === 0) throw new DataError(`${input}: the folder holds no message files`, { where: input });
    for (let k = 0; k < files.length; k++) {
      const id = path.join(input, files[k]!);
      out.push(readEmailBytes(await readFile(id), id, warnings));
      if ((k & 127) === 127) opts.onProgress?.(k + 1, files.length);
    }
    return;
  }
  const bytes = await readFile(input);
  const format = opts.format ?? formatByName(input) ?? sniff(bytes, contract.kind);
  checkFormatFits(format, contract, input);
  switch (format) {
    case "eml":
    case "maildir":
      out.push(readEmailBytes(bytes, input, warnings));
      return;
    case "mbox":
      out.push(...readMbox(bytes, input, warnings));
      return;
    case "jsonl":
      out.push(...readJsonl(bytes, input, contract as Tabular));
      return;
    case "csv":
      out.push(...readCsv(bytes, input, contract as Tabular));
      return;
  }
}

/** Reads every input (files, folders, `-`) as examples for a pipeline with this contract. */
export async function readInputs(
  inputs: readonly string[],
  contract: DataContract,
  opts: ReadInputsOptions = {},
): Promise<ReadInputsResult> {
  if (inputs.length === 0)
    throw new UsageError("no input given: name .eml files, an mbox, a maildir, a CSV or JSONL file, or - for stdin");
  const examples: Example[] = [];
  const warnings: string[] = [];
  for (let k = 0; k < inputs.length; k++) {
    await readOne(inputs[k]!, contract, opts, warnings, examples);
    opts.onProgress?.(k + 1, inputs.length);
  }
  const seen = new Map<string, number>();
  for (const e of examples) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  const dup = [...seen].find(([, n]) => n > 1);
  if (dup !== undefined) warnings.push(`the id ${JSON.stringify(dup[0])} appears ${dup[1]} times in the input`);
  return { examples, warnings };
}
