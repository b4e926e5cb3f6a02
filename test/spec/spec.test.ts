import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/errors.js";
import {
  applyOverrides,
  applyPatch,
  canonicalJson,
  diffSpecs,
  formatPatch,
  loadSpecFile,
  parseSpec,
  specHash,
  logisticRegressionParamsSchema,
} from "../../src/spec/index.js";

const base = {
  experiment: "spam",
  data: { source: "spamassassin" },
  features: { words: { fields: ["subject", "body"] } },
  model: { family: "logistic_regression" },
  evaluate: { positive_class: "spam" },
};

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as Error).message;
  }
  throw new Error("expected a SpecError");
}

describe("parseSpec", () => {
  it("fills defaults", () => {
    const s = parseSpec(base);
    expect(s.seed).toBe(0);
    expect(s.model).toMatchObject({ family: "logistic_regression", C: 1, tol: 1e-4, max_iter: 100 });
    expect(s.data.split).toMatchObject({ method: "stratified", train: 0.6, dev: 0.2, test: 0.2 });
    expect(s.evaluate.threshold).toEqual({ policy: "fixed", value: 0.5 });
  });

  it("names an unknown key and suggests the closest valid one", () => {
    const msg = messageOf(() => parseSpec({ ...base, model: { family: "logistic_regression", c: 2 } }, "s.yaml"));
    const allowed = Object.keys(logisticRegressionParamsSchema.shape).join(", ");
    expect(msg).toBe(
      `invalid spec (s.yaml):\n  ✖ unknown key "model.c" — did you mean "model.C"? (allowed here: ${allowed})`,
    );
  });

  it("suggests a feature family for a typo", () => {
    const msg = messageOf(() => parseSpec({ ...base, features: { word: {} } }, "s.yaml"));
    expect(msg).toBe(
      'invalid spec (s.yaml):\n  ✖ unknown key "features.word" — did you mean "features.words"? (allowed here: words, numeric, categorical, routing, urls, spelling, html, headers)',
    );
  });

  it("names a bad model family with the allowed ones", () => {
    const msg = messageOf(() => parseSpec({ ...base, model: { family: "logistic_regresion" } }, "s.yaml"));
    expect(msg).toContain(
      'model.family: "logistic_regresion" is not allowed — did you mean "logistic_regression"? (allowed: logistic_regression, naive_bayes',
    );
  });

  it("names a wrongly typed value", () => {
    const msg = messageOf(() => parseSpec({ ...base, model: { family: "naive_bayes", alpha: "lots" } }, "s.yaml"));
    expect(msg).toBe('invalid spec (s.yaml):\n  ✖ model.alpha: expected number, got "lots"');
  });

  it("names a bad enum value with a suggestion", () => {
    const msg = messageOf(() => parseSpec({ ...base, evaluate: { threshold: { policy: "maxf1" } } }, "s.yaml"));
    expect(msg).toBe(
      'invalid spec (s.yaml):\n  ✖ evaluate.threshold.policy: "maxf1" is not allowed — did you mean "max_f1"? (allowed: fixed, max_f1, min_cost, max_recall_at_precision)',
    );
  });

  it("lists every problem at once", () => {
    const msg = messageOf(() => parseSpec({ ...base, data: { source: "csv" }, seed: -1 }, "s.yaml"));
    expect(msg.split("\n")[0]).toBe("invalid spec (s.yaml), 3 problems:");
    expect(msg).toContain("data.path is required (expected string)");
    expect(msg).toContain("data.columns is required (expected object)");
    expect(msg).toContain("seed: -1");
  });

  it("requires at least one feature family", () => {
    const msg = messageOf(() => parseSpec({ ...base, features: {} }, "s.yaml"));
    expect(msg).toContain("at least one feature family is required");
  });
});

describe("--set overrides", () => {
  it("types values by the schema", () => {
    const raw = applyOverrides(base, ["model.C=0.3", "experiment=2024", "features.words.ngram_range=[1, 2]"]);
    const s = parseSpec(raw);
    expect(s.model).toMatchObject({ C: 0.3 });
    expect(s.experiment).toBe("2024");
    expect(s.features.words?.ngram_range).toEqual([1, 2]);
  });

  it("rejects a malformed override", () => {
    expect(() => applyOverrides(base, ["model.C"])).toThrow(
      "--set model.C: expected key.path=value, e.g. --set model.C=0.3",
    );
  });

  it("an override with a typo is reported like a spec typo", () => {
    const msg = messageOf(() => parseSpec(applyOverrides(base, ["model.CC=2"]), "s.yaml"));
    expect(msg).toContain('unknown key "model.CC" — did you mean "model.C"?');
  });
});

describe("canonical form and hash", () => {
  it("does not depend on key order or defaults written out", () => {
    const a = parseSpec(base);
    const b = parseSpec({
      evaluate: { positive_class: "spam", threshold: { value: 0.5, policy: "fixed" } },
      model: { C: 1, family: "logistic_regression" },
      features: { words: { fields: ["subject", "body"] } },
      data: { source: "spamassassin" },
      experiment: "spam",
    });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash(parseSpec(applyOverrides(base, ["model.C=2"])))).not.toBe(specHash(a));
  });
});

describe("SpecPatch", () => {
  it("diffs two specs and applies back", () => {
    const a = parseSpec(base);
    const b = parseSpec(applyOverrides(base, ["model.C=0.3", "features.words.min_df=2", "seed=7"]));
    const patch = diffSpecs(a, b);
    expect(patch.map((o) => o.path.join("."))).toEqual(["features.words.min_df", "model.C", "seed"]);
    expect(formatPatch(patch)).toEqual(["  features.words.min_df: 1 → 2", "  model.C: 1 → 0.3", "  seed: 0 → 7"]);
    expect(canonicalJson(parseSpec(applyPatch(a, patch)))).toBe(canonicalJson(b));
  });

  it("adding and removing a family are single ops", () => {
    const a = parseSpec(base);
    const b = parseSpec({ ...base, features: { ...base.features, categorical: { columns: ["group"] } } });
    const add = diffSpecs(a, b);
    expect(add).toHaveLength(1);
    expect(add[0]).toMatchObject({ op: "set", path: ["features", "categorical"] });
    const remove = diffSpecs(b, a);
    expect(remove).toEqual([{ op: "remove", path: ["features", "categorical"], from: b.features.categorical }]);
  });

  it("a changed model family replaces the whole model object", () => {
    const a = parseSpec(base);
    const b = parseSpec({ ...base, model: { family: "naive_bayes" } });
    const patch = diffSpecs(a, b);
    expect(patch).toHaveLength(1);
    expect(patch[0]!.path).toEqual(["model"]);
    expect(canonicalJson(parseSpec(applyPatch(a, patch)))).toBe(canonicalJson(b));
  });
});

describe("loadSpecFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlloop-spec-"));

  it("reports YAML syntax errors with file, line and column", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "data:\n  source: spamassassin\n model: [\n");
    const msg = messageOf(() => loadSpecFile(file));
    expect(msg).toMatch(new RegExp(`^YAML syntax error in ${file.replace(/[/.]/g, "\\$&")}:3:\\d+: `));
  });

  it("reports a missing file", () => {
    const msg = messageOf(() => loadSpecFile(join(dir, "nope.yaml")));
    expect(msg).toBe(`spec file not found: ${join(dir, "nope.yaml")}`);
  });

  it("loads, overrides and resolves relative to the spec folder", () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(
      file,
      "experiment: t\ndata:\n  source: spamassassin\nfeatures:\n  words: {}\nmodel:\n  family: naive_bayes\n",
    );
    const loaded = loadSpecFile(file, ["model.alpha=0.5"]);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.spec.model).toMatchObject({ family: "naive_bayes", alpha: 0.5 });
  });
});
