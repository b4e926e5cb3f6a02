/**
 * Issue #12, defect 8: unbounded feature explosion. `ngram_range: [1, 6]` made 3.3 M features
 * (2.2 GB RSS, 209 MB of artifacts a run) without a word, and `[1, 1000000]` validated. Now the
 * n-gram bounds are part of the schema and a family that learns more columns than
 * `limits.features_per_family` (default 1,000,000) stops the run, naming the family and the ways out.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-features-");
cpSync(join(ROOT, "examples", "tickets"), join(dir, "tickets"), { recursive: true });
const spec = join(dir, "tickets", "baseline.yaml");
const store = join(dir, "mlloop.db");

describe("feature guards", () => {
  it.each([
    ["features.words.ngram_range=[1, 1000000]", "features.words.ngram_range"],
    ["features.words.ngram_range=[1, 6]", "features.words.ngram_range"],
    ["features.words.char_ngrams=[3, 40]", "features.words.char_ngrams"],
  ])("--set %s is refused by the schema", async (set, key) => {
    const r = await runCli(["run", spec, "--store", store, "--set", set, "--no-cache"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(key);
    expect(r.stderr).toMatch(/at most (5|10)/);
  });

  it("a family over limits.features_per_family stops the run, naming the family and the ways out", async () => {
    const r = await runCli(["run", spec, "--store", store, "--set", "limits.features_per_family=10", "--no-cache"]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/features\.words learned \d+ features, more than limits\.features_per_family \(10\)/);
    expect(r.stderr).toContain("vectorizer: hashing");
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("within the default limit, word n-grams up to 5 run", async () => {
    const r = await runCli(["run", spec, "--store", store, "--set", "features.words.ngram_range=[1, 5]", "--no-cache"]);
    expect(r.code, r.stderr).toBe(0);
  });
});
