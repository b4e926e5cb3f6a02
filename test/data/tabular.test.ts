/** csv and jsonl sources: the data contract and its exact error messages. Files are written to a temp folder. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { loadDataset } from "../../src/data/load.js";
import { dataSchema, type DataSpec } from "../../src/spec/schema.js";

const dir = mkdtempSync(path.join(tmpdir(), "mlloop-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function write(ext: string, content: string | Buffer): { name: string; abs: string } {
  const name = `f${++fileCounter}.${ext}`;
  writeFileSync(path.join(dir, name), content);
  return { name, abs: path.join(dir, name) };
}

const columns = { id: "id", label: "label", text: ["text"], numeric: ["age"], categorical: ["color"] };

function csvSpec(name: string, extra: Record<string, unknown> = {}): DataSpec {
  return dataSchema.parse({ source: "csv", path: name, columns, ...extra });
}
function jsonlSpec(name: string, extra: Record<string, unknown> = {}): DataSpec {
  return dataSchema.parse({ source: "jsonl", path: name, columns, ...extra });
}
const load = (spec: DataSpec) => loadDataset(spec, { baseDir: dir, seed: 0 });

async function errorOf(p: Promise<unknown>): Promise<DataError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

const HEADER = "id,text,label,age,color";

describe("csv source", () => {
  it("reads declared columns, missing values, quoted multi-line fields, CRLF and blank lines", async () => {
    const f = write(
      "csv",
      [
        HEADER,
        "1,hello world,ham,31,red",
        '2,"buy now, cheap",spam,NA,',
        "",
        '3,"multi\r\nline",ham,4.5e1,blue',
        "",
      ].join("\r\n"),
    );
    const ds = await load(csvSpec(f.name));
    expect(ds.classes).toEqual(["ham", "spam"]);
    expect(ds.badRows).toEqual([]);
    expect(ds.examples.map((e) => [e.id, e.label, e.text.text, e.numeric.age, e.categorical.color])).toEqual([
      ["1", "ham", "hello world", 31, "red"],
      ["2", "spam", "buy now, cheap", null, null],
      ["3", "ham", "multi\r\nline", 45, "blue"],
    ]);
    expect(ds.fields).toEqual({ text: ["text"], numeric: ["age"], categorical: ["color"], group: null });
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("without an id column the id is the line number", async () => {
    const f = write("csv", "text,label\na,ham\n\nb,spam\n");
    const ds = await load(
      dataSchema.parse({ source: "csv", path: f.name, columns: { label: "label", text: ["text"] } }),
    );
    expect(ds.examples.map((e) => e.id)).toEqual(["2", "4"]);
  });

  it("a missing declared column names the column, the file, the columns and a suggestion", async () => {
    const f = write("csv", `${HEADER}\n1,a,ham,1,red\n`);
    const e = await errorOf(
      load(dataSchema.parse({ source: "csv", path: f.name, columns: { ...columns, label: "lable", text: ["body"] } })),
    );
    expect(e.message).toBe(
      `${f.abs}: column "lable" (data.columns.label) not found (did you mean "label"?); column "body" (data.columns.text[0]) not found; the file's columns are: "id", "text", "label", "age", "color"`,
    );
  });

  it("a declared column twice in the header is ambiguous", async () => {
    const f = write("csv", `id,text,label,age,color,label\n1,a,ham,1,red,spam\n`);
    expect((await errorOf(load(csvSpec(f.name)))).message).toBe(
      `${f.abs}:1: column "label" (data.columns.label) appears 2 times in the header; a declared column must be unique`,
    );
  });

  it("a non-numeric value in a numeric column names file:line:column and the value", async () => {
    const f = write("csv", `${HEADER}\n1,a,ham,1,red\n2,b,spam,abc,red\n`);
    const e = await errorOf(load(csvSpec(f.name)));
    expect(e.message).toBe(
      `${f.abs}:3:age: "abc" is not a number (numeric column; empty, NA, NaN or null mean missing)`,
    );
    expect(e.where).toBe(`${f.abs}:3:age`);
  });

  it("line numbers count the lines of a multi-line quoted field before the bad row", async () => {
    const f = write("csv", `${HEADER}\n1,"one\ntwo\nthree",ham,1,red\n2,b,spam,1e,red\n`);
    const e = await errorOf(load(csvSpec(f.name)));
    expect(e.message).toBe(
      `${f.abs}:5:age: "1e" is not a number (numeric column; empty, NA, NaN or null mean missing)`,
    );
  });

  it("a wrong field count names the line and shows the row", async () => {
    const f = write("csv", `${HEADER}\n1,a,ham,1,red\n2,b,spam,1,red,extra\n`);
    const e = await errorOf(load(csvSpec(f.name)));
    expect(e.message).toBe(`${f.abs}:3: expected 5 fields as in the header, found 6: "2,b,spam,1,red,extra"`);
  });

  it("a missing label and a duplicate id are errors", async () => {
    const f1 = write("csv", `${HEADER}\n1,a,,1,red\n`);
    expect((await errorOf(load(csvSpec(f1.name)))).message).toBe(`${f1.abs}:2:label: missing label (empty value)`);
    const f2 = write("csv", `${HEADER}\n1,a,ham,1,red\n1,b,spam,2,red\n`);
    expect((await errorOf(load(csvSpec(f2.name)))).message).toBe(
      `${f2.abs}:3:id: duplicate id "1" (first at ${f2.abs}:2)`,
    );
  });

  it("non-UTF-8 bytes name the file and line", async () => {
    const f = write(
      "csv",
      Buffer.concat([
        Buffer.from(`${HEADER}\n1,a,ham,1,red\n2,caf`),
        Buffer.from([0xe9]),
        Buffer.from(",spam,1,red\n"),
      ]),
    );
    const e = await errorOf(load(csvSpec(f.name)));
    expect(e.message).toBe(
      `${f.abs}:3: invalid UTF-8 byte 0xE9 at byte 6 of the line; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
    );
  });

  it("a missing file names the absolute path and the spec value", async () => {
    const e = await errorOf(load(csvSpec("nope.csv")));
    expect(e.message).toBe(`data file not found: ${path.join(dir, "nope.csv")} (from data.path = "nope.csv")`);
  });

  it("on_bad_row: skip keeps the good rows and lists the bad ones", async () => {
    const f = write(
      "csv",
      Buffer.concat([
        Buffer.from(
          `${HEADER}\n1,a,ham,1,red\n2,b,spam,x,red\n3,c,ham\n4,d,,1,red\n5,e,spam,2,blue\n1,f,spam,3,red\n7,caf`,
        ),
        Buffer.from([0xe9]),
        Buffer.from(",ham,1,red\n8,g,spam,,\n"),
      ]),
    );
    const ds = await load(csvSpec(f.name, { on_bad_row: "skip" }));
    expect(ds.examples.map((e) => e.id)).toEqual(["1", "5", "8"]);
    expect(ds.badRows).toEqual([
      { where: `${f.abs}:3:age`, reason: '"x" is not a number (numeric column; empty, NA, NaN or null mean missing)' },
      { where: `${f.abs}:4`, reason: 'expected 5 fields as in the header, found 3: "3,c,ham"' },
      { where: `${f.abs}:5:label`, reason: "missing label (empty value)" },
      { where: `${f.abs}:7:id`, reason: `duplicate id "1" (first at ${f.abs}:2)` },
      { where: `${f.abs}:8`, reason: "invalid UTF-8 byte 0xE9 at byte 6 of the line; the row is not UTF-8" },
    ]);
  });

  it("one class only is an error", async () => {
    const f = write("csv", `${HEADER}\n1,a,ham,1,red\n2,b,ham,1,red\n3,c,ham,1,red\n`);
    expect((await errorOf(load(csvSpec(f.name)))).message).toBe(
      "only one class in the data: 'ham' (3 examples); a classifier needs at least two",
    );
  });

  it("limit takes a seeded subsample in file order", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},t${i},${i % 2 === 0 ? "ham" : "spam"},${i},red`);
    const f = write("csv", [HEADER, ...rows].join("\n"));
    const a = await loadDataset(csvSpec(f.name, { limit: 10 }), { baseDir: dir, seed: 1 });
    const b = await loadDataset(csvSpec(f.name, { limit: 10 }), { baseDir: dir, seed: 1 });
    const c = await loadDataset(csvSpec(f.name, { limit: 10 }), { baseDir: dir, seed: 2 });
    const ids = (d: typeof a) => d.examples.map((e) => Number(e.id));
    expect(ids(a)).toHaveLength(10);
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).not.toEqual(ids(c));
    expect(ids(a)).toEqual([...ids(a)].sort((x, y) => x - y));
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });

  it("large files: multi-byte characters across chunk boundaries are fine, a bad byte far in is found by line", async () => {
    const rows = Array.from(
      { length: 6000 },
      (_, i) => `${i},"é€ ${"ü".repeat(i % 7)} 😀",${i % 2 === 0 ? "ham" : "spam"},${i},red`,
    );
    const good = write("csv", `\ufeff${[HEADER, ...rows].join("\n")}\n`);
    const ds = await load(csvSpec(good.name));
    expect(ds.examples).toHaveLength(6000);
    expect(ds.examples[5999]!.text.text).toBe(`é€ ${"ü".repeat(5999 % 7)} 😀`);
    const bad = write(
      "csv",
      Buffer.concat([
        Buffer.from([HEADER, ...rows].join("\n") + "\n"),
        Buffer.from([0x41, 0xc3, 0x28]),
        Buffer.from(",x,ham,1,red\n"),
      ]),
    );
    expect((await errorOf(load(csvSpec(bad.name)))).message).toBe(
      `${bad.abs}:6002: invalid UTF-8 byte 0xC3 at byte 2 of the line; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
    );
  });

  it("honours another delimiter", async () => {
    const f = write("csv", "id;text;label;age;color\n1;a,b;ham;1;red\n2;c;spam;2;red\n");
    const ds = await load(csvSpec(f.name, { delimiter: ";" }));
    expect(ds.examples.map((e) => e.text.text)).toEqual(["a,b", "c"]);
  });
});

describe("jsonl source", () => {
  it("reads objects, missing keys and nulls as missing values", async () => {
    const f = write(
      "jsonl",
      [
        '{"id": 1, "text": "hello", "label": "ham", "age": 31, "color": "red"}',
        "",
        '{"id": "2", "text": null, "label": "spam", "age": "4.5", "color": null}',
        '{"id": 3, "label": "ham", "age": null}',
      ].join("\n"),
    );
    const ds = await load(jsonlSpec(f.name));
    expect(ds.examples.map((e) => [e.id, e.label, e.text.text, e.numeric.age, e.categorical.color])).toEqual([
      ["1", "ham", "hello", 31, "red"],
      ["2", "spam", "", 4.5, null],
      ["3", "ham", "", null, null],
    ]);
  });

  it("a declared column missing from the first record names the line and its keys", async () => {
    const f = write("jsonl", '{"id": 1, "text": "a", "label": "ham", "age": 1, "colour": "red"}\n');
    expect((await errorOf(load(jsonlSpec(f.name)))).message).toBe(
      `${f.abs}:1: column "color" (data.columns.categorical[0]) not found (did you mean "colour"?); its keys are: "id", "text", "label", "age", "colour"`,
    );
  });

  it("invalid JSON names file:line and the line", async () => {
    const bad = '{"id": 2, "text": "b", "label": "spam",}';
    let parseMessage = "";
    try {
      JSON.parse(bad);
    } catch (e) {
      parseMessage = (e as Error).message;
    }
    const f = write("jsonl", `{"id": 1, "text": "a", "label": "ham", "age": 1, "color": "red"}\n${bad}\n`);
    expect((await errorOf(load(jsonlSpec(f.name)))).message).toBe(
      `${f.abs}:2: invalid JSON (${parseMessage}): ${JSON.stringify(bad)}`,
    );
  });

  it("a line that is not an object, a bad number and non-UTF-8 bytes", async () => {
    const f1 = write("jsonl", "[1, 2]\n");
    expect((await errorOf(load(jsonlSpec(f1.name)))).message).toBe(
      `${f1.abs}:1: expected a JSON object, found an array: "[1, 2]"`,
    );
    const f2 = write("jsonl", '{"id": 1, "text": "a", "label": "ham", "age": true, "color": "red"}\n');
    expect((await errorOf(load(jsonlSpec(f2.name)))).message).toBe(
      `${f2.abs}:1:age: true is not a number (numeric column; empty, NA, NaN or null mean missing)`,
    );
    const f3 = write(
      "jsonl",
      Buffer.concat([Buffer.from('{"id": 1, "text": "a'), Buffer.from([0xff]), Buffer.from('", "label": "ham"}\n')]),
    );
    expect((await errorOf(load(jsonlSpec(f3.name)))).message).toBe(
      `${f3.abs}:1: invalid UTF-8 byte 0xFF at byte 21 of the line; the file must be UTF-8 (re-save it as UTF-8, or set data.on_bad_row: skip to skip such rows)`,
    );
  });

  it("on_bad_row: skip counts the bad rows", async () => {
    const f = write(
      "jsonl",
      [
        '{"id": 1, "text": "a", "label": "ham", "age": 1, "color": "red"}',
        "not json",
        '{"id": 2, "text": "b", "label": "", "age": 1}',
        '"a string"',
        '{"id": 3, "text": "c", "label": "spam", "age": "many"}',
        '{"id": 4, "text": "d", "label": "spam"}',
      ].join("\n"),
    );
    const ds = await load(jsonlSpec(f.name, { on_bad_row: "skip" }));
    expect(ds.examples.map((e) => e.id)).toEqual(["1", "4"]);
    expect(ds.badRows.map((b) => b.where)).toEqual([`${f.abs}:2`, `${f.abs}:3:label`, `${f.abs}:4`, `${f.abs}:5:age`]);
  });

  it("a missing file", async () => {
    const e = await errorOf(load(jsonlSpec("missing/data.jsonl")));
    expect(e.message).toBe(
      `data file not found: ${path.join(dir, "missing/data.jsonl")} (from data.path = "missing/data.jsonl")`,
    );
  });
});
