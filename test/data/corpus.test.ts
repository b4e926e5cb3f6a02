/**
 * The whole SpamAssassin corpus through loadDataset and splitDataset. Reference figures:
 * shared/reference/sklearn-baseline.md (corpus table) and test/fixtures/data/spamassassin_body_ref.json,
 * written by test/reference/data_body_ref.py (Python email package, compat32; the body-extraction
 * definition of the baseline, which it reproduces: 15 empty bodies, 154 exact-duplicate clusters).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../src/data/example.js";
import { loadDataset } from "../../src/data/load.js";
import { duplicateClusters, splitDataset } from "../../src/data/split.js";
import { spamAssassinFiles } from "../../src/data/sources/spamassassin.js";
import { dataSchema, SPAMASSASSIN_GROUPS } from "../../src/spec/schema.js";

interface BodyRef {
  messages: number;
  empty_bodies: number;
  duplicate_clusters_exact_body: number;
  duplicate_clusters_normalized_body: number;
  messages_in_clusters_normalized_body: number;
  total_tokens: number;
  tokens: number[];
}
const ref = JSON.parse(
  readFileSync(new URL("../fixtures/data/spamassassin_body_ref.json", import.meta.url), "utf8"),
) as BodyRef;

// Approximates scikit-learn's token_pattern (?u)\b\w\w+\b: Python's \w is Unicode letters, digits, marks and "_".
const TOKEN = /[\p{L}\p{N}\p{M}_]{2,}/gu;

let ds: Dataset;
beforeAll(async () => {
  ds = await loadDataset(dataSchema.parse({ source: "spamassassin" }), { baseDir: ".", seed: 0 });
});

describe("SpamAssassin corpus", () => {
  it("loads all 6,046 messages: 1,896 spam, 4,150 ham, groups as in the baseline table", () => {
    expect(ds.examples).toHaveLength(6046);
    expect(ds.classes).toEqual(["ham", "spam"]);
    expect(ds.examples.filter((e) => e.label === "spam")).toHaveLength(1896);
    const groups: Record<string, number> = {};
    for (const e of ds.examples) groups[e.group!] = (groups[e.group!] ?? 0) + 1;
    expect(groups).toEqual({
      "easy-ham-1": 2500,
      "easy-ham-2": 1400,
      "hard-ham-1": 250,
      "spam-1": 500,
      "spam-2": 1396,
    });
    expect(new Set(ds.examples.map((e) => e.id)).size).toBe(6046);
    expect(ds.examples[0]!.id).toBe("easy-ham-1/00001.7c53336b37003a9286aba55d2945844c");
    expect(ds.description).toBe("spamassassin (6,046 messages: easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2)");
  });

  it("body extraction agrees with the Python reference definition", () => {
    // Same order as the reference: file_list.json order.
    const files = spamAssassinFiles(SPAMASSASSIN_GROUPS).files;
    expect(ds.examples.map((e) => e.id)).toEqual(files.map((f) => f.replace(/\.txt$/, "")));
    expect(ref.messages).toBe(6046);
    let empty = 0;
    let total = 0;
    const outliers: string[] = [];
    ds.examples.forEach((e, i) => {
      const body = e.text.body!;
      if (body.trim() === "") empty++;
      const n = (body.toLowerCase().match(TOKEN) ?? []).length;
      total += n;
      const r = ref.tokens[i]!;
      if (Math.abs(n - r) > Math.max(2, 0.1 * r)) outliers.push(e.id);
    });
    expect(empty).toBe(ref.empty_bodies);
    // We decode HTML entities and drop <script>/<style>, which the reference's tag regex keeps as words
    // ("nbsp", CSS and JavaScript identifiers): fewer tokens, and the differing messages all have HTML.
    expect(total / ref.total_tokens).toBeGreaterThan(0.97);
    expect(total / ref.total_tokens).toBeLessThan(1.0);
    expect(outliers.length / 6046).toBeLessThan(0.05);
    const byId = new Map(ds.examples.map((e) => [e.id, e]));
    const withoutHtml = outliers.filter((id) => byId.get(id)!.email!.html === null);
    // A plain-text message may differ only through tokenization of U+FFFD runs (Python's \w vs \p{L}).
    expect(withoutHtml.length).toBeLessThanOrEqual(3);
    for (const id of withoutHtml) expect(byId.get(id)!.text.body).toContain("\ufffd");
  });

  it("default split: duplicate clusters close to the reference count, each cluster on one side", () => {
    const r = splitDataset(ds, dataSchema.parse({ source: "spamassassin" }).split, 0);
    const expected = ref.duplicate_clusters_normalized_body;
    expect(Math.abs(r.duplicates.clusters - expected) / expected).toBeLessThan(0.05);
    expect(
      Math.abs(r.duplicates.examplesInClusters - ref.messages_in_clusters_normalized_body) /
        ref.messages_in_clusters_normalized_body,
    ).toBeLessThan(0.05);
    for (const cluster of duplicateClusters(ds.examples)) {
      expect(new Set(cluster.map((i) => r.assignment[i])).size).toBe(1);
    }
    expect(r.counts.train + r.counts.dev + r.counts.test).toBe(6046);
  });

  it("temporal group split matches the baseline's sizes (duplicates kept)", () => {
    const split = dataSchema.parse({
      source: "spamassassin",
      split: {
        method: "group",
        groups: { train: ["easy-ham-1", "hard-ham-1", "spam-1"], test: ["easy-ham-2", "spam-2"] },
        duplicates: "keep",
      },
    }).split;
    const r = splitDataset(ds, split, 0);
    expect(r.counts).toEqual({ train: 3250, dev: 0, test: 2796, dropped: 0 });
  });

  it("group selection and limit read only what is asked", async () => {
    const progress: [number, number][] = [];
    const small = await loadDataset(
      dataSchema.parse({ source: "spamassassin", groups: ["hard-ham-1", "spam-1"], limit: 100 }),
      { baseDir: ".", seed: 3, onProgress: (done, total) => progress.push([done, total]) },
    );
    expect(progress.at(-1)).toEqual([100, 100]);
    expect(small.examples).toHaveLength(100);
    expect(new Set(small.examples.map((e) => e.group))).toEqual(new Set(["hard-ham-1", "spam-1"]));
    expect(small.description).toBe("spamassassin (100 of 750 messages: hard-ham-1, spam-1)");
  });
});
