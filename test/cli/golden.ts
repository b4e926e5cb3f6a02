/**
 * Golden transcripts: a command's output with what legitimately changes from run to run (run
 * ids, times, durations, the commit, temporary paths) replaced by stable placeholders, compared
 * with a committed file. `UPDATE_GOLDEN=1 npx vitest run <test>` rewrites the files; the diff is
 * then reviewed like code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";

const GOLDEN_DIR = join(dirname(new URL(import.meta.url).pathname), "golden");

/** Replaces run ids (full or 12-character prefixes) by RUN1, RUN2… in order of first appearance. */
export class Normaliser {
  private readonly ids = new Map<string, string>();

  constructor(private readonly paths: readonly string[] = []) {}

  /** Registers full run ids in the order they were made, so that the names do not depend on output order. */
  register(...ids: string[]): this {
    for (const id of ids) if (!this.ids.has(id)) this.ids.set(id, `RUN${this.ids.size + 1}`);
    return this;
  }

  apply(text: string): string {
    let out = text;
    for (const p of this.paths) out = out.split(p).join("<dir>");
    for (const [id, name] of this.ids) {
      out = out.split(id).join(name.padEnd(20, "_"));
      out = out.split(id.slice(0, 12)).join(name.padEnd(12, "_"));
    }
    return out
      .replace(/\b[0-9a-f]{20}\b/g, "<run-id>")
      .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, "<time>")
      .replace(/\b\d+(\.\d+)? (ms|s)\b/g, "<t>")
      .replace(/code [0-9a-f]{12}( \+ uncommitted changes)?/g, "code <commit>")
      .replace(/spec [0-9a-f]{12}/g, "spec <hash>")
      .replace(/[ \t]+$/gm, "");
  }
}

export function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) {
    if (process.env["UPDATE_GOLDEN"] !== "1") {
      throw new Error(`golden transcript ${file} is missing; run with UPDATE_GOLDEN=1 to write it, then review it`);
    }
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  expect(text).toBe(readFileSync(file, "utf8"));
}

/** Words that belong to the email example and must not appear for other data. */
export const EMAIL_WORDING =
  /\b(spam|ham|e-?mails?|messages?|headers?|html|subject|body|sender|legitimate)\b|short-body|false positives|false negatives/i;
