/**
 * The two spec keys of issue #11 through the built CLI: `model.calibration` (sklearn-style
 * cross-validated calibration, trained, recorded, reloaded by `predict`) and the threshold policy
 * `max_recall_at_precision` with its precision floor (chosen on dev, as the other data-driven
 * policies; test is never used to choose it).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, runCli, tempDir } from "./cli-helpers.js";

const dir = tempDir("mlloop-calib-");
const store = join(dir, "mlloop.db");

/** 300 rows: a word that is positive 80 % of the time, one that is negative 80 %, and noise words. */
function csv(): string {
  let state = 12345;
  const rand = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ["id,text,label"];
  for (let i = 0; i < 300; i++) {
    const label = rand() < 0.4 ? 1 : 0;
    const words: string[] = [];
    for (let k = 0; k < 4; k++) {
      const signal = rand() < 0.8 ? label : 1 - label;
      words.push(signal === 1 ? `good${k}` : `bad${k}`, `noise${Math.floor(rand() * 30)}`);
    }
    rows.push(`r${i},${words.join(" ")},${label}`);
  }
  return `${rows.join("\n")}\n`;
}

writeFileSync(join(dir, "data.csv"), csv());
const SPEC = join(dir, "spec.yaml");
writeFileSync(
  SPEC,
  [
    "experiment: calib",
    "data: { source: csv, path: data.csv, columns: { id: id, label: label, text: [text] } }",
    "features: { words: { fields: [text] } }",
    "model: { family: logistic_regression, C: 1 }",
    "",
  ].join("\n"),
);

interface RunJson {
  runId: string;
  threshold: { value: number; policy: string; chosenOn: string };
  metrics: Record<string, Record<string, number>>;
  warnings: string[];
}

describe("model.calibration and the max_recall_at_precision policy on the CLI", () => {
  it("a calibrated model with a precision floor trains, records its policy and predicts after reload", async () => {
    const r = await runCli([
      "run",
      SPEC,
      "--store",
      store,
      "--set",
      "model.calibration=isotonic",
      "--set",
      "evaluate.threshold={policy: max_recall_at_precision, min_precision: 0.9}",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const run = json<RunJson>(r);
    expect(run.threshold.policy).toBe("max_recall_at_precision");
    expect(run.threshold.chosenOn).toBe("dev");
    // chosen on dev for the floor: dev precision reaches it (or nothing is flagged, and the run says so)
    const dev = run.metrics.dev!;
    if (dev.recall! > 0) expect(dev.precision).toBeGreaterThanOrEqual(0.9);
    else expect(run.warnings.join("\n")).toContain("no threshold reaches precision 0.9 on dev");

    const p = await runCli(["predict", run.runId, join(dir, "data.csv"), "--store", store, "--csv", "--no-drift"]);
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split("\n");
    expect(lines).toHaveLength(301);
    const scores = lines.slice(1).map((l) => Number(l.split(",")[1]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);

    // no per-feature weights behind calibrated probabilities: said plainly, not as a family limit
    const e = await runCli(["explain", run.runId, "--store", store]);
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain(
      "explanations are not available for a calibrated logistic_regression (model.calibration: isotonic)",
    );
    expect(e.stderr).not.toMatch(/\n\s+at /);
  });

  it("calibration changes the probabilities but not their order much, and none is the plain model", async () => {
    const plain = json<RunJson>(await runCli(["run", SPEC, "--store", store, "--json"]));
    const none = json<RunJson>(
      await runCli(["run", SPEC, "--store", store, "--set", "model.calibration=none", "--json"]),
    );
    const sig = json<RunJson>(
      await runCli(["run", SPEC, "--store", store, "--set", "model.calibration=sigmoid", "--json"]),
    );
    expect(none.metrics.dev!.log_loss).toBe(plain.metrics.dev!.log_loss);
    expect(sig.metrics.dev!.log_loss).not.toBe(plain.metrics.dev!.log_loss);
    expect(Math.abs(sig.metrics.dev!.roc_auc! - plain.metrics.dev!.roc_auc!)).toBeLessThan(0.05);
  });

  it("label_issues: drop trains without the likely label errors and says how many it left out", async () => {
    const r = await runCli(["run", SPEC, "--store", store, "--set", "model.label_issues=drop", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const run = json<RunJson>(r);
    expect(run.warnings.join("\n")).toMatch(
      /label_issues: drop left out \d+ of \d+ training rows as likely label errors \(confident learning on 5-fold out-of-fold probabilities\)/,
    );
  });

  it("a bad calibration method or a missing floor is one clear error", async () => {
    const bad = await runCli(["run", SPEC, "--store", store, "--set", "model.calibration=platt"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('model.calibration: "platt" is not allowed (allowed: none, sigmoid, isotonic)');
    const floor = await runCli([
      "run",
      SPEC,
      "--store",
      store,
      "--set",
      "evaluate.threshold.policy=max_recall_at_precision",
    ]);
    expect(floor.code).not.toBe(0);
    expect(floor.stderr).toContain("evaluate.threshold.min_precision is required (expected number)");
    expect(floor.stderr).not.toMatch(/\n\s+at /);
  });
});
