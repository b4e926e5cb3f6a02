/** eml folder source: labels from sub-folders, ids from relative paths, bytes decoded as UTF-8 with a warning. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { loadDataset } from "../../src/data/load.js";
import { dataSchema } from "../../src/spec/schema.js";

const dir = mkdtempSync(path.join(tmpdir(), "mlloop-eml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, content: string | Buffer): void {
  const abs = path.join(dir, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

put("mail/ham/a.eml", "Subject: lunch\nFrom: a@example.com\n\nSee you at noon");
put("mail/ham/.DS_Store", "junk");
put("mail/spam/b.eml", "Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\n\nBuy now at http://spam.example/");
put(
  "mail/spam/2002/c.txt",
  Buffer.concat([Buffer.from("Subject: caf"), Buffer.from([0xe9]), Buffer.from("\n\nlatin-1 bytes")]),
);
put("mail/README", "not a message");
put("flat/x.eml", "Subject: x\n\nx");

const spec = (p: string) => dataSchema.parse({ source: "eml", path: p });

describe("eml source", () => {
  it("reads one sub-folder per label, recursively, skipping dot-files", async () => {
    const ds = await loadDataset(spec("mail"), { baseDir: dir, seed: 0 });
    expect(ds.classes).toEqual(["ham", "spam"]);
    expect(ds.examples.map((e) => [e.id, e.label, e.group])).toEqual([
      ["ham/a.eml", "ham", "ham"],
      ["spam/2002/c.txt", "spam", "spam"],
      ["spam/b.eml", "spam", "spam"],
    ]);
    expect(ds.description).toBe(
      `eml ${path.join(dir, "mail")} (3 messages in 2 folders; 1 file outside the label folders ignored)`,
    );
    const b = ds.examples[2]!;
    expect(b.text.subject).toBe("Grüße");
    expect(b.text.body).toBe("Buy now at http://spam.example/");
    expect(b.email!.links).toEqual([{ href: "http://spam.example/", text: "http://spam.example/" }]);
    expect(ds.fields).toEqual({
      text: ["subject", "body", "from", "to", "headers", "raw"],
      numeric: [],
      categorical: [],
      group: "folder",
    });
  });

  it("invalid UTF-8 is replaced and noted in the message's warnings", async () => {
    const ds = await loadDataset(spec("mail"), { baseDir: dir, seed: 0 });
    const c = ds.examples[1]!;
    expect(c.text.subject).toBe("caf\ufffd");
    expect(c.email!.warnings).toEqual([
      "file is not valid UTF-8: 1 invalid byte (first 0xE9 at byte offset 12) read as U+FFFD",
    ]);
  });

  it("errors: missing folder, folder without label sub-folders", async () => {
    await expect(loadDataset(spec("nowhere"), { baseDir: dir, seed: 0 })).rejects.toSatisfy(
      (e) =>
        e instanceof DataError &&
        e.message === `data folder not found: ${path.join(dir, "nowhere")} (from data.path = "nowhere")`,
    );
    await expect(loadDataset(spec("flat"), { baseDir: dir, seed: 0 })).rejects.toSatisfy(
      (e) =>
        e instanceof DataError &&
        e.message ===
          `${path.join(dir, "flat")} has no sub-folders; data.source "eml" expects one sub-folder per label (e.g. ham/ and spam/) holding the messages (from data.path = "flat")`,
    );
  });
});
