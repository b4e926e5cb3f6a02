import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, decodeExamples, encodeExamples } from "../../src/data/example-codec.js";
import { parseEmail } from "../../src/data/email/parse.js";
import type { Example } from "../../src/data/example.js";
import { emailExample } from "../../src/data/sources/email-example.js";

function roundTrip(examples: Example[], chunkBytes?: number): Example[] {
  const chunks: Uint8Array[] = [];
  expect(encodeExamples(examples, (c) => chunks.push(c), chunkBytes)).toBe(examples.length);
  return decodeExamples(Buffer.concat(chunks), examples.length);
}

const MESSAGE = [
  "From: =?utf-8?q?Ren=C3=A9?= <rene@example.com>",
  "To: you@example.org",
  "Subject: caf\u00e9 \u2014 offer",
  "Date: Mon, 1 Jul 2002 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/alternative; boundary="b"',
  "",
  "--b",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Visit http://example.com/x now \ud83d\ude00",
  "--b",
  "Content-Type: text/html",
  "",
  '<p>Click <a href="http://bad.example/">here</a></p>',
  "--b",
  "Content-Type: application/pdf; name=doc.pdf",
  "Content-Transfer-Encoding: base64",
  "",
  "JVBERi0xLjQK",
  "--b--",
  "",
].join("\n");

describe("example codec", () => {
  it("round-trips email examples exactly, text fields rebuilt as the sources build them", () => {
    const a = emailExample("spam-1/0001", "spam", "spam-1", MESSAGE, parseEmail(MESSAGE), "f".repeat(40));
    const plain = "no headers at all";
    const b = emailExample("easy-ham-1/0002", "ham", null, plain, parseEmail(plain), "0".repeat(40));
    const back = roundTrip([a, b]);
    expect(back).toEqual([a, b]);
    expect(back[0]!.email!.links.length).toBeGreaterThan(0);
    expect(back[0]!.email!.attachments[0]!.contentType).toBe("application/pdf");
    expect(back[0]!.text["headers"]).toBe(a.text["headers"]);
  });

  it("keeps tabular examples as they are: nulls, non-ASCII, lone surrogates, empty strings, -0 and NaN", () => {
    const rows: Example[] = [
      {
        id: "r1",
        label: "yes",
        group: "g\u00e9",
        text: { title: "", body: "lone \ud800 surrogate and \u00e9" },
        numeric: { age: 42.5, missing: null, neg: -0, nan: Number.NaN, big: 1e300 },
        categorical: { color: "red", none: null },
        contentHash: "1".repeat(40),
      },
      { id: "r2", label: "no", group: null, text: {}, numeric: {}, categorical: {}, contentHash: "2".repeat(40) },
    ];
    const back = roundTrip(rows);
    expect(back).toEqual(rows);
    expect(Object.is(back[0]!.numeric["neg"], -0)).toBe(true);
    expect(back[0]!.text["body"]!.charCodeAt(5)).toBe(0xd800);
  });

  it("an email example whose text fields were edited is stored field by field, not rebuilt", () => {
    const a = emailExample("x", "ham", null, MESSAGE, parseEmail(MESSAGE), "3".repeat(40));
    const edited: Example = { ...a, text: { ...a.text, body: "replaced body" } };
    expect(roundTrip([edited])).toEqual([edited]);
  });

  it("splits into chunks of the requested size and still decodes the concatenation", () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      emailExample(`m${i}`, i % 2 ? "spam" : "ham", null, MESSAGE, parseEmail(MESSAGE), "4".repeat(40)),
    );
    const chunks: Uint8Array[] = [];
    encodeExamples(many, (c) => chunks.push(c), 4096);
    expect(chunks.length).toBeGreaterThan(5);
    expect(decodeExamples(Buffer.concat(chunks), 50)).toEqual(many);
  });

  it("rejects truncated data and trailing bytes", () => {
    const chunks: Uint8Array[] = [];
    encodeExamples([emailExample("x", "ham", null, MESSAGE, parseEmail(MESSAGE), "5".repeat(40))], (c) =>
      chunks.push(c),
    );
    const bytes = Buffer.concat(chunks);
    expect(() => decodeExamples(bytes.subarray(0, bytes.length - 3), 1)).toThrow(RangeError);
    expect(() => decodeExamples(Buffer.concat([bytes, Buffer.from([0])]), 1)).toThrow(/1 bytes left after 1 examples/);
  });

  it("varints and strings survive the byte writer and reader", () => {
    const chunks: Uint8Array[] = [];
    const w = new ByteWriter((c) => chunks.push(c), 16);
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 32 + 5];
    for (const v of values) w.varint(v);
    w.str("x".repeat(100));
    w.strOrNull(null);
    w.f64(-1.5);
    w.flush();
    const r = new ByteReader(Buffer.concat(chunks));
    expect(values.map(() => r.varint())).toEqual(values);
    expect(r.str()).toBe("x".repeat(100));
    expect(r.strOrNull()).toBeNull();
    expect(r.f64()).toBe(-1.5);
    expect(r.remaining).toBe(0);
  });
});
