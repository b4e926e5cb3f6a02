/**
 * `mlloop explain` end to end, in process: real runs of a small CSV text problem recorded in a real
 * SQLite store, then explained from their stored model.json and features.json.
 */
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { candidateBaseDirs, runDataBaseDir } from "../../src/cli/commands/explain.js";
import type { Provenance } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";

const dir = mkdtempSync(join(tmpdir(), "mlloop-explain-"));
const store = join(dir, "mlloop.db");

/** Runs the CLI in process as `mlloop ...args`, with process.argv as the real binary would see it. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const argv = process.argv;
  process.argv = ["node", "/usr/bin/mlloop", ...args, "--store", store];
  try {
    const code = await main(process.argv);
    return { code, stdout, stderr };
  } finally {
    process.argv = argv;
    out.mockRestore();
    err.mockRestore();
  }
}

function writeData(): void {
  const rng = createRng(4);
  const noise = ["hello", "today", "please", "thanks", "time", "list", "new", "world", "info", "check"];
  const lines = ["id,text,label"];
  for (let i = 0; i < 240; i++) {
    const spam = i % 2 === 1;
    const words: string[] = [];
    for (let k = 0; k < 6; k++) words.push(noise[rng.int(noise.length)]!);
    if (rng.next() < 0.8) words.push(spam ? "viagra" : "meeting");
    if (rng.next() < 0.7) words.push(spam ? "lottery" : "agenda");
    lines.push(`m${i},${words.join(" ")},${spam ? "spam" : "ham"}`);
  }
  writeFileSync(join(dir, "data.csv"), `${lines.join("\n")}\n`);
}

function spec(name: string, model: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `experiment: explain-test
seed: 0
data:
  source: csv
  path: data.csv
  columns: { id: id, text: [text], label: label }
features:
  words: { fields: [text] }
model: { ${model} }
evaluate:
  positive_class: spam
`,
  );
  return file;
}

describe("mlloop explain", () => {
  let lr = "";
  let gbdt = "";

  beforeAll(async () => {
    writeData();
    const a = await cli("run", spec("lr", "family: logistic_regression"), "--json");
    expect(a.code, a.stderr).toBe(0);
    lr = (JSON.parse(a.stdout) as { runId: string }).runId;
    const b = await cli("run", spec("gbdt", "family: gradient_boosting, max_iter: 5"), "--json");
    expect(b.code, b.stderr).toBe(0);
    gbdt = (JSON.parse(b.stdout) as { runId: string }).runId;
  }, 60_000);

  afterAll(() => vi.restoreAllMocks());

  it("--json: the planted words are the top features of each class", async () => {
    const r = await cli("explain", lr, "--top", "2", "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      family: string;
      classes: string[];
      top: Array<{ class: string; features: Array<{ feature: string; weight: number }> }>;
    };
    expect(j.family).toBe("logistic_regression");
    expect(j.classes).toEqual(["ham", "spam"]);
    expect(j.top.map((t) => t.class)).toEqual(["ham", "spam"]);
    expect(new Set(j.top[0]!.features.map((f) => f.feature))).toEqual(new Set(["words:meeting", "words:agenda"]));
    expect(new Set(j.top[1]!.features.map((f) => f.feature))).toEqual(new Set(["words:viagra", "words:lottery"]));
  });

  it("--example: re-featurised from the data, its score is the one the run recorded", async () => {
    const r = await cli("explain", lr, "--example", "m7", "--top", "3", "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      example: {
        id: string;
        label: string;
        split: string;
        score: number;
        dataChanged: boolean;
        classes: Array<{ class: string; score: number; intercept: number; contributions: Array<{ feature: string }> }>;
      };
    };
    const e = j.example;
    expect(e).toMatchObject({ id: "m7", label: "spam", dataChanged: false });
    expect(["train", "dev", "test"]).toContain(e.split);
    // The recorded score is P(spam); the spam class's score is its log-odds.
    const spam = e.classes.find((c) => c.class === "spam")!;
    expect(spam.score).toBeCloseTo(Math.log(e.score / (1 - e.score)), 9);
    expect(e.classes.find((c) => c.class === "ham")!.score).toBeCloseTo(-spam.score, 12);
    expect(spam.contributions.length).toBeLessThanOrEqual(3);
  });

  it("text output: top features per class, then the example's contributions", async () => {
    const r = await cli("explain", lr, "--example", "m7", "--top", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`run ${lr} · logistic_regression · classes ham, spam`);
    expect(r.stdout).toContain("Top 2 features towards ham");
    expect(r.stdout).toContain("Top 2 features towards spam");
    expect(r.stdout).toMatch(
      /Example m7 \((train|dev|test) split, label spam, predicted (spam|ham) \(score 0\.\d{4}\)\)/,
    );
    expect(r.stdout).toMatch(/Pushed towards spam \(score [+-]\d+\.\d{4} = intercept [+-]\d+\.\d{4} \+ \d+ features\)/);
  });

  it("gradient boosting: a clear message that it cannot be explained", async () => {
    const r = await cli("explain", gbdt);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      "error: explanations are not available for the gradient_boosting family: a feature's effect there depends on the other features, so there is no per-feature weight to show (available for logistic_regression, linear_svm, sgd, naive_bayes)\n",
    );
  });

  it("an unknown example and a bad --top", async () => {
    const r = await cli("explain", lr, "--example", "nope");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: example "nope" is not in the run\'s data (240 examples; ids look like m0, m1, m2)\n');
    const t = await cli("explain", lr, "--top", "0");
    expect(t.code).toBe(64);
    expect(t.stderr).toBe("error: --top 0: expected a positive integer\n");
  });

  it("the data file moved: says where it looked", async () => {
    renameSync(join(dir, "data.csv"), join(dir, "moved.csv"));
    try {
      const r = await cli("explain", lr, "--example", "m7");
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(
        `error: cannot find the run's data (data.path "data.csv"): not at ${join(dir, "data.csv")} (the folder of the spec ${join(dir, "lr.yaml")}) or ${join(process.cwd(), "data.csv")} (the folder the run was started from); it may have moved since the run — put it back to explain an example\n`,
      );
      // Top features need only the stored artifacts.
      expect((await cli("explain", lr)).code).toBe(0);
    } finally {
      renameSync(join(dir, "moved.csv"), join(dir, "data.csv"));
    }
  });
});

describe("where a run's relative data path is looked for", () => {
  const provenance = (argv: string[], cwd: string): Provenance =>
    ({ git: null, env: {}, cwd, argv, capturedAt: 0 }) as unknown as Provenance;

  it("the spec's folder from the recorded command line, then the working directory", () => {
    expect(candidateBaseDirs(provenance(["node", "mlloop", "run", "examples/spam/x.yaml", "--json"], "/w"))).toEqual([
      { dir: "/w/examples/spam", why: "the folder of the spec examples/spam/x.yaml" },
      { dir: "/w", why: "the folder the run was started from" },
    ]);
    expect(candidateBaseDirs(provenance(["node", "train.js"], "/w"))).toEqual([
      { dir: "/w", why: "the folder the run was started from" },
    ]);
    expect(candidateBaseDirs(null)).toEqual([]);
  });

  it("no provenance and a relative path: a clear error", () => {
    expect(() =>
      runDataBaseDir({ source: "csv", path: "d.csv" } as Parameters<typeof runDataBaseDir>[0], null),
    ).toThrow('the run does not record where it was started from, so its relative data.path "d.csv" cannot be found');
  });
});
