/**
 * Issue #12: property-based fuzzing (fast-check) of everything that reads text a user or a file
 * supplies — the spec loader (YAML text and parsed objects), `--set`, the `--where`/`--sort` query
 * language, the CSV and JSONL readers and the MIME parser. The property: the input is accepted, or
 * refused with a typed mlloop error (never a TypeError or another "internal error"), and never
 * slowly. Seeded, so a failure reproduces; the whole file runs in a fixed budget (well under 20 s).
 */
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMlloopError } from "../../src/errors.js";
import { parseEmail } from "../../src/data/email/parse.js";
import { loadCsv } from "../../src/data/sources/csv.js";
import { loadJsonl } from "../../src/data/sources/jsonl.js";
import { applyOverrides, loadSpecFile, parseSpec } from "../../src/spec/load.js";
import { parseQuery, parseSort } from "../../src/track/query.js";
import { tempDir } from "../cli/cli-helpers.js";

const SEED = 20261205;
const dir = tempDir("mlloop-fuzz-");
const MAX_MS_PER_CASE = 1_000;

/** Runs `fn`; returns normally when it succeeded or threw a typed mlloop error; rethrows anything else. */
function typedOrOk(fn: () => unknown): void {
  const started = performance.now();
  try {
    fn();
  } catch (e) {
    if (!isMlloopError(e)) throw e;
  }
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CASE);
}

async function typedOrOkAsync(fn: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await fn();
  } catch (e) {
    if (!isMlloopError(e)) throw e;
  }
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CASE);
}

const BASE_SPEC = {
  experiment: "fuzz",
  data: { source: "csv", path: "d.csv", columns: { id: "id", label: "label", text: ["text"] } },
  features: { words: { fields: ["text"] } },
  model: { family: "logistic_regression" },
};

/** Text built from the pieces specs, YAML and queries are made of, plus arbitrary characters. */
const piece = fc.oneof(
  fc.constantFrom(
    "data",
    "features",
    "model",
    "family",
    "words",
    "ngram_range",
    "C",
    "source",
    "csv",
    ":",
    " ",
    "\n",
    "  ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a",
    "*a",
    "!!",
    "'",
    '"',
    "#",
    "1e400",
    "-1",
    "null",
    "~",
    "__proto__",
    "constructor",
    "<<",
    "\u001b[2J",
    "\u202e",
    "\u0000",
  ),
  fc.string({ maxLength: 6 }),
);
const pieces = (max: number): fc.Arbitrary<string> => fc.array(piece, { maxLength: max }).map((a) => a.join(""));

describe("fuzz: the spec loader and --set", () => {
  it("YAML text of any shape is a spec or a SpecError", () => {
    const file = join(dir, "spec.yaml");
    fc.assert(
      fc.property(pieces(40), (text) => {
        writeFileSync(file, text);
        typedOrOk(() => loadSpecFile(file, [], { allowOutsidePaths: true }));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("any JSON value as a spec, and any value at any key path of a good spec", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => typedOrOk(() => parseSpec(value, "fuzz"))),
      { seed: SEED, numRuns: 300 },
    );
    const key = fc
      .array(
        fc.oneof(fc.constantFrom("data", "features", "model", "words", "C", "split", "0", "columns"), fc.string()),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((k) => k.join("."));
    fc.assert(
      fc.property(key, pieces(6), (k, v) => {
        typedOrOk(() => parseSpec(applyOverrides(structuredClone(BASE_SPEC), [`${k}=${v}`]), "fuzz"));
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe("fuzz: the query language", () => {
  const queryPiece = fc.oneof(
    fc.constantFrom(
      "spec.model.C",
      "metrics.dev.f1",
      "tags.owner",
      "status",
      "notes",
      "name",
      " ",
      "=",
      "!=",
      "<",
      ">=",
      "~",
      "AND",
      "OR",
      "NOT",
      "(",
      ")",
      '"',
      "'",
      "/",
      "/(a+)+/",
      "/[/",
      "1e400",
      "2026-05-01",
      ":desc",
      ",",
      "\\",
    ),
    fc.string({ maxLength: 4 }),
  );
  it("--where and --sort text parses or is a UsageError", () => {
    fc.assert(
      fc.property(fc.array(queryPiece, { maxLength: 14 }), (parts) => {
        const text = parts.join("");
        typedOrOk(() => parseQuery(text));
        typedOrOk(() => parseSort(text));
      }),
      { seed: SEED, numRuns: 1_500 },
    );
  });
});

describe("fuzz: the CSV and JSONL readers", () => {
  const columns = { id: "id", label: "label", text: ["text"], numeric: [], categorical: [] };
  const cell = fc.oneof(
    fc.constantFrom("", '"', '""', ",", "\n", "\r\n", "\u0000", "\ufeff", "NaN", "1e400", "{", "}", "[", "]", ":"),
    fc.string({ maxLength: 8 }),
  );
  const fileText = fc.array(cell, { maxLength: 30 }).map((a) => a.join(""));

  it("any CSV bytes load or are a DataError", async () => {
    await fc.assert(
      fc.asyncProperty(fileText, fc.boolean(), async (body, skip) => {
        const file = join(dir, "f.csv");
        writeFileSync(file, `id,text,label\n${body}`);
        await typedOrOkAsync(() =>
          loadCsv(
            {
              source: "csv",
              path: file,
              delimiter: ",",
              columns,
              on_bad_row: skip ? "skip" : "error",
              split: undefined as never,
            },
            { baseDir: dir, seed: 0 },
          ),
        );
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("any JSONL bytes load or are a DataError", async () => {
    const record = fc
      .record({
        id: fc.jsonValue({ maxDepth: 1 }),
        text: fc.jsonValue({ maxDepth: 1 }),
        label: fc.jsonValue({ maxDepth: 1 }),
      })
      .map((r) => JSON.stringify(r));
    const line = fc.oneof(record, fileText);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.boolean(), async (lines, skip) => {
        const file = join(dir, "f.jsonl");
        writeFileSync(file, lines.join("\n"));
        await typedOrOkAsync(() =>
          loadJsonl(
            { source: "jsonl", path: file, columns, on_bad_row: skip ? "skip" : "error", split: undefined as never },
            { baseDir: dir, seed: 0 },
          ),
        );
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe("fuzz: the MIME parser", () => {
  const mimePiece = fc.oneof(
    fc.constantFrom(
      "From: a@b.c\n",
      "Subject: =?utf-8?B?",
      "=?iso-8859-1?Q?caf=E9?=",
      'Content-Type: multipart/mixed; boundary="b"\n',
      "Content-Type: text/html; charset=x-unknown\n",
      "Content-Transfer-Encoding: base64\n",
      "Content-Transfer-Encoding: quoted-printable\n",
      "--b\n",
      "--b--\n",
      "\n",
      "\r\n",
      "=\n",
      "=ZZ",
      "<a href='http://x'>",
      "&#x10FFFF;",
      "&#99999999;",
      "\u0000",
    ),
    fc.string({ maxLength: 10 }),
  );
  it("any message text parses without throwing", () => {
    fc.assert(
      fc.property(fc.array(mimePiece, { maxLength: 30 }), (parts) => {
        const started = performance.now();
        parseEmail(parts.join(""));
        expect(performance.now() - started).toBeLessThan(MAX_MS_PER_CASE);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
