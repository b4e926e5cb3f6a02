/**
 * `mlloop run`, `runs` and `show` end to end on the spam corpus (a seeded 900-message subsample
 * keeps it quick), through the built CLI and a real SQLite store.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { json, ROOT, runCli, tempDir, type CliResult } from "./cli-helpers.js";

const spec = join(ROOT, "examples", "spam", "baseline.yaml");

interface RunJson {
  runId: string;
  parentId: string | null;
  patch: Array<{ op: string; path: string[]; value?: unknown; from?: unknown }>;
  metrics: Record<string, Record<string, number>>;
  counts: { train: number; dev: number; test: number };
  training: { iterations: number; converged: boolean };
}

describe("mlloop run / runs / show", () => {
  const dir = tempDir();
  const store = join(dir, "store", "mlloop.db");
  let first: CliResult;
  let firstRun: RunJson;

  beforeAll(async () => {
    first = await runCli(["run", spec, "--store", store, "--set", "data.limit=900", "--json"]);
    firstRun = json<RunJson>(first);
  });

  it("runs the spam baseline and records it", () => {
    expect(first.code).toBe(0);
    expect(firstRun.runId).toMatch(/^[0-9a-f]{20}$/);
    expect(firstRun.counts.train + firstRun.counts.dev + firstRun.counts.test).toBe(900);
    expect(firstRun.training.converged).toBe(true);
    // a working spam filter, not a constant: well above the 31% spam share on dev
    expect(firstRun.metrics["dev"]!["f1"]).toBeGreaterThan(0.8);
    expect(firstRun.metrics["dev"]!["roc_auc"]).toBeGreaterThan(0.95);
  });

  it("records the change from a parent run", async () => {
    const child = await runCli([
      "run",
      spec,
      "--store",
      store,
      "--set",
      "data.limit=900",
      "--set",
      "model.C=10",
      "--parent",
      firstRun.runId.slice(0, 14),
      "--json",
    ]);
    expect(child.code).toBe(0);
    const c = json<RunJson>(child);
    expect(c.parentId).toBe(firstRun.runId);
    expect(c.patch).toEqual([{ op: "set", path: ["model", "C"], value: 10, from: 1 }]);

    const shown = await runCli(["show", c.runId, "--store", store]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("change from parent");
    expect(shown.stdout).toContain("model.C: 1 → 10");
  });

  it("lists runs and shows one in full", async () => {
    const runs = await runCli(["runs", "--store", store, "--json"]);
    expect(runs.code).toBe(0);
    const list = json<Array<{ id: string; status: string; experiment: string; metrics: { dev: number } }>>(runs);
    expect(list).toHaveLength(2);
    expect(list.every((r) => r.status === "finished" && r.experiment === "spam")).toBe(true);
    expect(list[1]!.id).toBe(firstRun.runId); // newest first
    expect(list[1]!.metrics.dev).toBeCloseTo(firstRun.metrics["dev"]!["f1"]!, 12);

    const table = await runCli(["runs", "--store", store]);
    expect(table.stdout).toContain(firstRun.runId.slice(0, 12));

    const show = await runCli(["show", firstRun.runId, "--store", store, "--json"]);
    const record = json<{
      id: string;
      specHash: string;
      specJson: string;
      seeds: Record<string, number>;
      provenance: { env: { node: string }; git: { commit: string | null } | null };
      dataInfo: { fingerprint: string; splits: Record<string, string>; counts: Record<string, number> };
      timings: Record<string, number>;
      artifacts: Array<{ name: string; sha256: string }>;
      metrics: Array<{ split: string; name: string; value: number }>;
    }>(show);
    expect(record.id).toBe(firstRun.runId);
    expect(record.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(record.specJson)).toMatchObject({ experiment: "spam", model: { family: "logistic_regression" } });
    expect(record.seeds).toHaveProperty("split");
    expect(record.provenance.env.node).toBe(process.version);
    expect(record.dataInfo.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(record.dataInfo.splits).sort()).toEqual(["dev", "test", "train"]);
    expect(Object.keys(record.timings)).toEqual(
      expect.arrayContaining(["load", "split", "features", "train", "predict", "evaluate", "record"]),
    );
    // train-profile.json: the training data's per-family profile that `mlloop predict` checks drift against
    expect(record.artifacts.map((a) => a.name).sort()).toEqual(["features.json", "model.json", "train-profile.json"]);
    const devF1 = record.metrics.find((m) => m.split === "dev" && m.name === "f1");
    expect(devF1?.value).toBeCloseTo(firstRun.metrics["dev"]!["f1"]!, 12);
  });

  it("shows per-example predictions", async () => {
    const r = await runCli([
      "show",
      firstRun.runId,
      "--store",
      store,
      "--predictions",
      "--split",
      "dev",
      "--limit",
      "0",
      "--json",
    ]);
    const shown = json<{
      predictions: Array<{
        exampleId: string;
        split: string;
        label: string;
        score: number;
        decision: string;
        correct: boolean;
      }>;
    }>(r);
    expect(shown.predictions).toHaveLength(firstRun.counts["dev"]!);
    for (const p of shown.predictions) {
      expect(p.split).toBe("dev");
      expect(p.decision).toBe(p.score >= 0.5 ? "spam" : "ham");
      expect(p.correct).toBe(p.decision === p.label);
    }
    const errors = shown.predictions.filter((p) => !p.correct).length;
    expect(errors).toBe(firstRun.metrics["dev"]!["fp"]! + firstRun.metrics["dev"]!["fn"]!);
  });

  it("the same spec and data give the same run", async () => {
    const again = json<RunJson>(await runCli(["run", spec, "--store", store, "--set", "data.limit=900", "--json"]));
    expect(again.metrics).toEqual(firstRun.metrics);
  });

  it("prints a run card on a terminal-less stdout", async () => {
    const r = await runCli(["run", spec, "--store", join(dir, "other.db"), "--set", "data.limit=300"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run [0-9a-f]{20} {2}experiment spam {2}finished$/m);
    expect(r.stdout).toMatch(/│ dev +│/);
    expect(r.stderr).toContain("✓ train");
  });
});
