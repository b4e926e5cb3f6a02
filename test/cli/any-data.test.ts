/**
 * Any data, not just email: wine (3 classes, 13 numeric columns), digits (10 classes, 64 pixel
 * columns) and a text + numeric + categorical tickets CSV each go through run → diagnose →
 * run --apply → a change of our own → compare → log → ledger → show (and report) on the built CLI, checked against golden transcripts
 * (test/cli/golden/, see golden.ts), and nothing printed for them uses email wording.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, ROOT, runCli, tempDir, type CliResult } from "./cli-helpers.js";
import { EMAIL_WORDING, expectGolden, Normaliser } from "./golden.js";

interface RunJson {
  runId: string;
  metrics: Record<string, Record<string, number>>;
}

const WINE_ALL = [
  "alcohol",
  "malic_acid",
  "ash",
  "alcalinity_of_ash",
  "magnesium",
  "total_phenols",
  "flavanoids",
  "nonflavanoid_phenols",
  "proanthocyanins",
  "color_intensity",
  "hue",
  "od280_per_od315_of_diluted_wines",
  "proline",
];

const CASES = [
  {
    experiment: "wine",
    classes: 3,
    change: [`data.columns.numeric=[${WINE_ALL.join(",")}]`],
  },
  { experiment: "digits", classes: 10, change: ["model.C=0.1"] },
  {
    experiment: "tickets",
    classes: 3,
    change: ["features.categorical={}", "features.numeric={missing: median}"],
  },
] as const;

function ok(r: CliResult): string {
  expect(r.stderr === "" || r.code === 0 ? r.code : r.stderr).toBe(0);
  return r.stdout;
}

describe.each(CASES)("$experiment through run → diagnose → run --apply → compare → log → ledger → show", (c) => {
  const dir = tempDir();
  const store = join(dir, "mlloop.db");
  const spec = join(ROOT, "examples", c.experiment, "baseline.yaml");
  const outputs: string[] = [];

  it(
    "runs the baseline, diagnoses it, applies a recommendation and a change, compares them and draws the lineage",
    {
      timeout: 400_000,
    },
    async () => {
      const a = json<RunJson>(await runCli(["run", spec, "--store", store, "--json"]));
      const childArgs = c.change.flatMap((s) => ["--set", s]);
      const bRun = await runCli(["run", spec, "--store", store, ...childArgs, "--parent", "auto"]);
      const card = ok(bRun);
      outputs.push(card);
      const b = json<Array<{ id: string }>>(await runCli(["runs", "--store", store, "--json"]))[0]!.id;

      // diagnose the baseline, then run its first recommendation that is a spec change
      const diagnosis = await runCli(["diagnose", a.runId, "--store", store]);
      const diagnosisText = ok(diagnosis);
      outputs.push(diagnosisText);
      expect(diagnosisText).toMatch(/class_?\w+ → \w+|d\d → d\d|\w+ → \w+/);
      // rows without text cannot be "empty or tiny"; short ticket texts can
      if (c.experiment !== "tickets") expect(diagnosisText).not.toContain("empty or tiny examples");
      const recs = json<{ recommendations: Array<{ patch: unknown }> }>(
        await runCli(["diagnose", a.runId, "--store", store, "--json"]),
      ).recommendations;
      const n = recs.findIndex((r) => r.patch !== null) + 1;
      expect(n).toBeGreaterThan(0);
      const applied = ok(await runCli(["run", "--apply", `${a.runId}:${n}`, "--store", store]));
      outputs.push(applied);
      expect(applied).toMatch(/recommendation \d+ of \w+ \(.*\): dev error/);
      const applyRun = json<Array<{ id: string }>>(await runCli(["runs", "--store", store, "--json"]))[0]!.id;
      const report = join(dir, `${c.experiment}.html`);
      expect((await runCli(["report", a.runId, "--store", store, "-o", report])).code).toBe(0);
      outputs.push(
        readFileSync(report, "utf8")
          .replace(/<style[\s\S]*?<\/style>/g, " ")
          .replace(/<[^>]*>/g, " "),
      );
      const norm = new Normaliser([dir, ROOT]).register(a.runId, b, applyRun);
      const primary = c.classes > 2 ? "macro_f1" : "f1";

      // the run card states the task-aware primary metric and the delta from the parent
      expect(card).toMatch(new RegExp(`primary metric ${primary} — macro F1.*multiclass, ${c.classes} classes`));
      expect(card).toMatch(new RegExp(`vs parent: dev ${primary} \\d\\.\\d{4} → \\d\\.\\d{4}`));

      const runs = ok(await runCli(["runs", "--store", store]));
      expect(runs).toContain(`dev ${primary}`);
      expect(runs).not.toContain(" — │");
      const compare = ok(await runCli(["compare", a.runId, b, "--store", store]));
      expect(compare).toContain(`${primary} ★`);
      const log = ok(await runCli(["log", c.experiment, "--store", store]));
      expect(log).toMatch(new RegExp(`Δ${primary} [+-]\\d\\.\\d{4} \\[`));
      const ledger = await runCli(["ledger", c.experiment, "--store", store]);
      expect(ledger.code).toBe(0);
      outputs.push(runs, compare, log, ledger.stdout);

      expectGolden(`${c.experiment}-compare`, norm.apply(compare));
      expectGolden(`${c.experiment}-log`, norm.apply(log));
      expectGolden(`${c.experiment}-ledger`, norm.apply(ledger.stdout));
      expectGolden(`${c.experiment}-runs`, norm.apply(runs));

      const show = ok(await runCli(["show", b, "--store", store]));
      outputs.push(show);
      expect(show).toContain("per class on dev");
      if (c.classes <= 12) expect(show).toContain("confusion matrix on dev");
      // the matrix counts every dev example once
      const shown = json<{ dataInfo: { counts: { dev: number } } }>(
        await runCli(["show", b, "--store", store, "--json"]),
      );
      expect(show).toContain(`per class on dev (${shown.dataInfo.counts.dev} examples)`);
    },
  );

  it("uses no email wording for non-email data", () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const text of outputs) expect(text).not.toMatch(EMAIL_WORDING);
  });
});
