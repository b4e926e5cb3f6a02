/**
 * Every email family over the whole SpamAssassin corpus (6,046 messages): no crash, the columns
 * each family promises, finite values, sorted rows, signal columns within [0, 1] on the rows they
 * were scaled on, a few columns checked against the headers read independently, and the fitted
 * pipeline restored from its JSON giving the same matrix.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../src/data/example.js";
import { loadDataset } from "../../src/data/load.js";
import type { CsrMatrix } from "../../src/features/csr.js";
import { fitTransformFeatures, loadFeatures, type FittedFeatures } from "../../src/features/pipeline.js";
import { dataSchema, featuresSchema } from "../../src/spec/schema.js";
import { assertSortedRows } from "./helpers.js";

const EMAIL_FAMILIES = ["routing", "urls", "spelling", "html", "headers"] as const;

let ds: Dataset;
let fitted: FittedFeatures;
let matrix: CsrMatrix;
beforeAll(async () => {
  ds = await loadDataset(dataSchema.parse({ source: "spamassassin" }), { baseDir: ".", seed: 0 });
  const spec = featuresSchema.parse(Object.fromEntries(EMAIL_FAMILIES.map((f) => [f, {}])));
  const r = fitTransformFeatures(spec, ds.examples);
  fitted = r.features;
  matrix = r.train;
});

/** Column `name` as a dense array over the corpus. */
function column(name: string): Float64Array {
  const col = fitted.featureNames.indexOf(name);
  if (col < 0) throw new Error(`no column ${name}`);
  const out = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) {
    for (let k = matrix.indptr[r]!; k < matrix.indptr[r + 1]!; k++)
      if (matrix.indices[k] === col) out[r] = matrix.data[k]!;
  }
  return out;
}

describe("email families on the whole corpus", () => {
  it("transform all 6,046 messages with the columns each family promises", () => {
    expect(matrix.rows).toBe(6046);
    const byFamily = Object.fromEntries(fitted.families.map((f) => [f.name, f.nFeatures]));
    expect(byFamily).toMatchObject({ routing: 31, urls: 24, spelling: 34, html: 16 });
    // headers: subject words, domains, types, mailers seen in 2+ messages
    expect(byFamily.headers).toBeGreaterThan(1000);
    expect(byFamily.headers).toBeLessThan(10000);
    expect(matrix.cols).toBe(fitted.featureNames.length);
    expect(new Set(fitted.featureNames).size).toBe(fitted.featureNames.length);
    for (const f of fitted.families) expect(f.fitMs).toBeGreaterThan(0);
  });

  it("gives finite values, sorted rows, and signal columns within [0, 1] where they were scaled", () => {
    assertSortedRows(matrix);
    const bad = matrix.data.findIndex((v) => !(Number.isFinite(v) && v > 0 && v <= 1));
    expect(bad).toBe(-1);
    // most signals fire somewhere: no family is silently dead (the per-word look-alike columns
    // are left out: disguised spellings are rare in 2002 mail)
    const used = new Set(matrix.indices);
    for (const f of ["routing", "urls", "spelling", "html"]) {
      const cols = fitted.featureNames.flatMap((n, i) =>
        n.startsWith(`${f}:`) && !n.startsWith("spelling:fuzzy:") ? [i] : [],
      );
      expect(cols.filter((c) => used.has(c)).length, f).toBeGreaterThanOrEqual(0.75 * cols.length);
    }
  });

  it("agrees with the headers read directly: List-Id, Precedence, HTML parts, Subject words", () => {
    const listId = column("routing:list_id");
    const bulk = column("routing:precedence_bulk");
    const hasHtml = column("html:has_html");
    let nList = 0;
    ds.examples.forEach((ex, i) => {
      const headers = ex.email!.headers;
      const hasList = headers.some((h) => h.name === "list-id");
      const prec = headers
        .find((h) => h.name === "precedence")
        ?.value.trim()
        .toLowerCase();
      expect(listId[i] === 1, ex.id).toBe(hasList);
      expect(bulk[i] === 1, ex.id).toBe(prec === "bulk" || prec === "junk");
      expect(hasHtml[i] === 1, ex.id).toBe(ex.email!.html !== null);
      if (hasList) nList++;
    });
    // mailing lists: about half of the corpus carries List-Id (most of it ham)
    expect(nList).toBeGreaterThan(2500);
    const free = column("headers:subject:free");
    const subjectHasFree = ds.examples.map((ex) =>
      /(^|[^\p{L}\p{N}_])free([^\p{L}\p{N}_]|$)/iu.test(ex.email!.subject),
    );
    expect(Array.from(free, (v) => v === 1)).toEqual(subjectHasFree);
  });

  it("a pipeline restored from its JSON gives the same matrix", () => {
    const restored = loadFeatures(JSON.stringify(fitted.serialize()));
    const some = ds.examples.filter((_, i) => i % 10 === 0);
    const a = fitted.transform(some);
    const b = restored.transform(some);
    expect(b.cols).toBe(a.cols);
    expect(Array.from(b.indptr)).toEqual(Array.from(a.indptr));
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
});
