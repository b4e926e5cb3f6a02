/**
 * What a run keeps of a parsed message: copies of the fields its features read that hold nothing
 * else alive, and the duplicate judgement of the whole message.
 */
import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { parseEmail } from "../../src/data/email/parse.js";
import { decodeExamples, encodeExamples } from "../../src/data/example-codec.js";
import { emailExample } from "../../src/data/sources/email-example.js";
import { detachedString, keepTextFields } from "../../src/data/kept-fields.js";
import { duplicateClusters } from "../../src/data/split.js";
import { collectGarbage } from "../../src/util/collect-garbage.js";

/** A flat one-byte string of `n` characters, distinct per `seed`. */
function flatText(n: number, seed: number): string {
  const b = Buffer.alloc(n, 97 + (seed % 26));
  b.write(`message ${seed}\n`, 0, "latin1");
  return b.toString("latin1");
}

/** Heap bytes still used after a full collection while `kept` is alive. */
function liveBytesWith(kept: readonly string[]): number {
  expect(collectGarbage()).toBe(true);
  const used = getHeapStatistics().used_heap_size;
  expect(kept.length).toBeGreaterThan(0);
  return used;
}

describe("detachedString", () => {
  it("is equal to the string, two-byte text and lone surrogates included", () => {
    for (const s of ["", "a", "subject: cheap meds", "caf\u00e9 \u2014 \ud83d\ude00 \ud800 end"]) {
      expect(detachedString(s)).toBe(s);
    }
  });

  it("does not keep alive the string it was cut from, where a slice does", () => {
    // 60 messages of 256 KB (15 MB); a 30-character slice of each is a view that pins the whole message
    const make = (detach: boolean) =>
      Array.from({ length: 60 }, (_, i) => {
        const cut = flatText(256 * 1024, i).slice(2, 32);
        return detach ? detachedString(cut) : cut;
      });
    const sliced = make(false);
    const withSlices = liveBytesWith(sliced);
    sliced.length = 0;
    const detached = make(true);
    const withCopies = liveBytesWith(detached);
    expect(withSlices - withCopies).toBeGreaterThan(12 * 1024 * 1024);
    expect(detached[0]).toBe("ssage 0\naaaaaaaaaaaaaaaaaaaaaa");
  });
});

describe("keepTextFields", () => {
  const raw = (n: number, body: string) =>
    `From: a${n}@example.com\nTo: b@example.com\nSubject: offer number ${n} for you\n\n${body}\n`;
  const message = (n: number, body: string) => {
    const text = raw(n, body);
    return emailExample(`m/${n}`, n % 2 === 0 ? "spam" : "ham", "m", text, parseEmail(text), `hash${n}`);
  };

  it("keeps the named fields, the identity and the columns, and drops the message", () => {
    const whole = message(1, "Hello there, this is the body.");
    const kept = keepTextFields(whole, ["subject", "body"]);
    expect(kept.text).toEqual({ subject: "offer number 1 for you", body: whole.text["body"] });
    expect([kept.id, kept.label, kept.group, kept.contentHash]).toEqual(["m/1", "ham", "m", "hash1"]);
    expect(kept.email).toBeUndefined();
    expect(Object.keys(kept.text)).toEqual(["subject", "body"]);
  });

  it("keeps nothing of a decoded message's record, whose strings are all views of one string", () => {
    // 40 messages with 256 KB bodies, through the parse cache's codec; only the subject is kept
    const chunks: Uint8Array[] = [];
    encodeExamples(
      Array.from({ length: 40 }, (_, i) => message(i, flatText(256 * 1024, i))),
      (c) => chunks.push(c),
    );
    const bytes = Buffer.concat(chunks);
    const decodedWhole = decodeExamples(bytes, 40);
    const withWhole = liveBytesWith(decodedWhole.map((e) => e.id));
    decodedWhole.length = 0;
    const kept = decodeExamples(bytes, 40, [], (e) => keepTextFields(e, ["subject"]));
    const withKept = liveBytesWith(kept.map((e) => e.id));
    expect(withWhole - withKept).toBeGreaterThan(8 * 1024 * 1024);
    expect(kept[3]!.text).toEqual({ subject: "offer number 3 for you" });
    expect([kept[3]!.id, kept[3]!.contentHash]).toEqual(["m/3", "hash3"]);
  });

  it("returns the example itself when a field is missing or it is not a parsed message", () => {
    const whole = message(2, "body");
    expect(keepTextFields(whole, ["subject", "nope"])).toBe(whole);
    const tabular = { ...whole, email: undefined };
    expect(keepTextFields(tabular, ["subject"])).toBe(tabular);
  });

  it("judges duplicates on the whole message's body, whichever fields are kept", () => {
    // 0 and 2 have the same body up to case and spacing; 1 differs; subjects all differ
    const whole = [message(0, "Buy  NOW cheap"), message(1, "a letter"), message(2, "buy now\ncheap")];
    const clusters = duplicateClusters(whole);
    expect(clusters).toEqual([[0, 2]]);
    expect(duplicateClusters(whole.map((e) => keepTextFields(e, ["subject", "body"])))).toEqual(clusters);
    expect(duplicateClusters(whole.map((e) => keepTextFields(e, ["subject"])))).toEqual(clusters);
  });
});
