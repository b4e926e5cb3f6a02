/**
 * A mail folder: one sub-folder per label (ham/, spam/…), each holding message files (any name;
 * nested folders are read too; dot-files are skipped). id = the path relative to data.path.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { TextDecoder } from "node:util";
import { DataError } from "../../errors.js";
import type { DataSpec } from "../../spec/schema.js";
import { sha1Hex } from "../../util/hash.js";
import { parseEmail } from "../email/parse.js";
import type { Example } from "../example.js";
import { seededSubsample } from "../subsample.js";
import { firstInvalidUtf8 } from "../utf8.js";
import { EMAIL_TEXT_FIELDS, emailExample } from "./email-example.js";
import { resolveDataPath, yieldToEventLoop } from "./files.js";
import type { SourceOptions, SourceResult } from "./source.js";

type EmlSpec = Extract<DataSpec, { source: "eml" }>;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

async function listFiles(dir: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await listFiles(path.join(dir, e.name), childRel, out);
    else if (e.isFile()) out.push(childRel);
  }
}

/** Message bytes as a string: UTF-8, with invalid bytes replaced and described for a warning. */
export function decodeMessageBytes(bytes: Uint8Array): { text: string; warning: string | null } {
  try {
    return { text: strictUtf8.decode(bytes), warning: null };
  } catch {
    let count = 0;
    const first = firstInvalidUtf8(bytes);
    for (let i = first; i >= 0; i = firstInvalidUtf8(bytes, i + 1)) count++;
    const hex = bytes[first]!.toString(16).toUpperCase().padStart(2, "0");
    return {
      text: lenientUtf8.decode(bytes),
      warning: `file is not valid UTF-8: ${count} invalid byte${count === 1 ? "" : "s"} (first 0x${hex} at byte offset ${first}) read as U+FFFD`,
    };
  }
}

export async function loadEml(data: EmlSpec, opts: SourceOptions): Promise<SourceResult> {
  const { abs } = await resolveDataPath(opts.baseDir, data.path, "folder");
  const top = await readdir(abs, { withFileTypes: true });
  const labels = top
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  const strayFiles = top.filter((e) => e.isFile() && !e.name.startsWith(".")).length;
  if (labels.length === 0)
    throw new DataError(
      `${abs} has no sub-folders; data.source "eml" expects one sub-folder per label (e.g. ham/ and spam/) holding the messages (from data.path = "${data.path}")`,
      { where: "data.path" },
    );
  const files: { rel: string; label: string }[] = [];
  for (const label of labels) {
    const inLabel: string[] = [];
    await listFiles(path.join(abs, label), label, inLabel);
    for (const rel of inLabel) files.push({ rel, label });
  }
  const chosen = seededSubsample(files.length, data.limit, opts.seed);
  const examples: Example[] = [];
  for (let k = 0; k < chosen.length; k++) {
    const { rel, label } = files[chosen[k]!]!;
    const bytes = await readFile(path.join(abs, rel));
    const { text, warning } = decodeMessageBytes(bytes);
    let email = parseEmail(text);
    if (warning !== null) email = { ...email, warnings: [warning, ...email.warnings] };
    examples.push(emailExample(rel, label, label, text, email, sha1Hex(bytes)));
    if ((k & 255) === 255) {
      opts.onProgress?.(k + 1, chosen.length);
      await yieldToEventLoop();
    }
  }
  opts.onProgress?.(chosen.length, chosen.length);
  const stray =
    strayFiles === 0 ? "" : `; ${strayFiles} file${strayFiles === 1 ? "" : "s"} outside the label folders ignored`;
  return {
    description: `eml ${abs} (${examples.length.toLocaleString("en-US")} messages in ${labels.length} folders${stray})`,
    examples,
    badRows: [],
    fields: { text: EMAIL_TEXT_FIELDS, numeric: [], categorical: [], group: "folder" },
  };
}
