/**
 * The corpus loader reads each message's .txt file (no JSON.parse) unless it shows U+FFFD; for
 * every one of the 6,046 messages that gives exactly the "text" of the .json file the package's own
 * loader reads.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSpamAssassinText, spamAssassinFiles } from "../../src/data/sources/spamassassin.js";
import { SPAMASSASSIN_GROUPS } from "../../src/spec/schema.js";

describe("corpus message text", () => {
  it("is the package's .json text for every message", () => {
    const { dir, files } = spamAssassinFiles(SPAMASSASSIN_GROUPS);
    expect(files.length).toBe(6046);
    let viaJson = 0;
    for (const file of files) {
      const [group, name] = file.split("/") as [string, string];
      const stem = name.replace(/\.txt$/, "");
      const expected = (JSON.parse(readFileSync(path.join(dir, group, `${stem}.json`), "utf8")) as { text: string })
        .text;
      const text = readSpamAssassinText(dir, group, stem);
      if (text !== expected) throw new Error(`${file}: the text differs from the .json`);
      if (expected.includes("\ufffd")) viaJson++;
    }
    expect(viaJson).toBe(500);
  });
});
