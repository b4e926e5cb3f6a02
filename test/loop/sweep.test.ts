/**
 * Sweeps on a real SQLite store and the wine example (178 rows: a trial takes milliseconds): every
 * trial a recorded run under its derived id, resume after a kill, a dead attempt reclaimed, pruning,
 * a worker with other data refused, and the CLI.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSweep, sweepRuns, trialRunId } from "../../src/loop/sweep.js";
import { runTrial, STATE_TAG, type TrialTask } from "../../src/loop/sweep-trial.js";
import { sweepView } from "../../src/loop/sweep-view.js";
import { parseSweepSpace } from "../../src/search/space-file.js";
import { openStore } from "../../src/track/open.js";
import { runIdTime } from "../../src/track/run-id.js";
import type { Store } from "../../src/track/store.js";
import { BIN, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const SPEC = join(ROOT, "examples", "wine", "baseline.yaml");
const SPACE_FILE = join(ROOT, "examples", "wine", "space.yaml");
const space = parseSweepSpace(readFileSync(SPACE_FILE, "utf8"), SPACE_FILE);
const stores: Store[] = [];
async function freshStore(): Promise<Store> {
  const s = await openStore(join(tempDir("mlloop-sweep-"), "store"));
  stores.push(s);
  return s;
}
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe("sweep run", () => {
  it("records every trial as a run with its point, under the id derived from (sweep, trial)", async () => {
    const store = await freshStore();
    const out = await runSweep({
      store,
      name: "w",
      specFile: SPEC,
      space,
      trials: 12,
      sampler: { name: "tpe", seed: 3 },
      pruner: "none",
    });
    expect(out.trials.map((t) => t.trial)).toEqual([...Array(12).keys()]);
    const runs = await sweepRuns(store, "w");
    expect(runs.size).toBe(12);
    const createdAt = runIdTime(runs.get(0)!.id);
    for (const [n, run] of runs) {
      expect(run.id).toBe(trialRunId(createdAt, "w", n));
      expect(run.status).toBe("finished");
      expect(run.tags[STATE_TAG]).toBe("complete");
      const spec = JSON.parse(run.specJson!) as { model: { C: number }; features: { numeric: { missing: string } } };
      expect(spec.model.C).toBe(run.params["model.C"]);
      expect(spec.features.numeric.missing).toBe(run.params["features.numeric.missing"]);
    }
    // the best is the maximum of the recorded dev F1 (macro F1: three classes)
    const f1s = await Promise.all(
      [...runs.values()].map(async (r) => (await store.getMetrics(r.id, { split: "dev", name: "macro_f1" }))[0]!.value),
    );
    expect(out.best!.value).toBe(Math.max(...f1s));
    // seeded: the same sweep in another store proposes the same points
    const again = await runSweep({
      store: await freshStore(),
      name: "w",
      specFile: SPEC,
      space,
      trials: 12,
      sampler: { name: "tpe", seed: 3 },
      pruner: "none",
    });
    expect(again.trials.map((t) => t.params)).toEqual(out.trials.map((t) => t.params));
  });

  it("resumes: finished trials are kept, a dead attempt is reclaimed under the same id, nothing is duplicated", async () => {
    const store = await freshStore();
    const opts = {
      store,
      name: "r",
      specFile: SPEC,
      space,
      sampler: { name: "random" as const, seed: 1 },
      pruner: "none" as const,
    };
    await runSweep({ ...opts, trials: 5 });
    const before = await sweepRuns(store, "r");
    // a killed attempt of trial 5: its run exists, ended without a sweep state
    const id5 = trialRunId(runIdTime(before.get(0)!.id), "r", 5);
    await store.createRun({
      id: id5,
      experiment: "wine",
      tags: { sweep: "r", "sweep.trial": "5" },
      params: { "model.C": 1 },
    });
    await store.finishRun(id5, "failed", "killed");
    const out = await runSweep({ ...opts, trials: 8 });
    expect(out.resumed).toBe(5);
    const after = await sweepRuns(store, "r");
    expect(after.size).toBe(8);
    for (const n of [0, 1, 2, 3, 4]) expect(after.get(n)!.id).toBe(before.get(n)!.id);
    expect(after.get(5)!.id).toBe(id5);
    expect(after.get(5)!.status).toBe("finished");
    // the dead attempt's point was re-run, not a new one
    expect(after.get(5)!.params).toEqual({ "model.C": 1 });
    const all = await store.queryRuns({
      where: { kind: "cmp", field: { kind: "tag", key: "sweep" }, op: "=", value: { type: "string", value: "r" } },
    });
    expect(all).toHaveLength(8);
    // a different space under the same name is refused
    const other = parseSweepSpace("model.C: {log: [1, 2]}", "other.yaml");
    await expect(runSweep({ ...opts, space: other, trials: 9 })).rejects.toThrow(
      /already exists with a different space/,
    );
  });

  it("prunes on the dev loss: pruned trials are recorded failed with their curve and feed the sampler", async () => {
    const store = await freshStore();
    const out = await runSweep({
      store,
      name: "p",
      specFile: SPEC,
      space,
      trials: 16,
      sampler: { name: "random", seed: 2 },
      pruner: "median",
    });
    const pruned = out.trials.filter((t) => t.state === "pruned");
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      const run = await store.getRun(t.runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/^pruned at step \d+/);
      const curve = await store.getMetrics(t.runId, { split: "dev", name: "loss" });
      expect(curve.length).toBe(t.curve.length);
      expect(curve.at(-1)!.value).toBe(t.value);
    }
    const view = await sweepView(store, "p");
    expect(view.trials.filter((t) => t.state === "pruned").every((t) => t.value === null && t.note !== null)).toBe(
      true,
    );
    expect(view.best!.trial).toBe(out.best!.trial);
    expect(Object.keys(view.importance).sort()).toEqual(["features.numeric.missing", "model.C"]);
  });

  it("the halving pruner stops trials only at its rungs (steps 1, 4, 16 …)", async () => {
    const store = await freshStore();
    const out = await runSweep({
      store,
      name: "h",
      specFile: SPEC,
      space,
      trials: 12,
      sampler: { name: "random", seed: 5 },
      pruner: "halving",
    });
    const pruned = out.trials.filter((t) => t.state === "pruned");
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect([1, 4, 16, 64]).toContain(t.curve.at(-1)![0]);
    // the first trial has nobody to lose to
    expect(out.trials[0]!.state).toBe("complete");
  });

  it("a finished trial sent again is not run again; a worker with other data refuses the trial", async () => {
    const store = await freshStore();
    const out = await runSweep({
      store,
      name: "d",
      specFile: SPEC,
      space,
      trials: 1,
      sampler: { name: "random", seed: 1 },
      pruner: "none",
    });
    const run = await store.getRun(out.trials[0]!.runId);
    const task: TrialTask = {
      kind: "sweep-trial",
      sweep: "d",
      trial: 0,
      runId: run.id,
      spec: JSON.parse(run.specJson!) as TrialTask["spec"],
      baseDir: join(ROOT, "examples", "wine"),
      params: run.params,
      objective: out.objective,
      pruner: "none",
      others: [],
      dataFingerprint: null,
      sweepRecord: {},
    };
    const again = await runTrial(task, store);
    expect(again.reused).toBe(true);
    expect(again.value).toBe(out.trials[0]!.value);
    const other = { ...task, trial: 1, runId: trialRunId(runIdTime(run.id), "d", 1), dataFingerprint: "0".repeat(64) };
    const refused = await runTrial(other, store);
    expect(refused.state).toBe("failed");
    expect(refused.error).toMatch(
      /this worker's data differ from the sweep's: fingerprint [0-9a-f]{12} here, 000000000000 in the sweep/,
    );
    await expect(store.getRun(other.runId)).rejects.toThrow(/no run with id/);
  });
});

describe("mlloop sweep (CLI)", () => {
  it("runs, resumes and shows a sweep; --json; SVG plots", async () => {
    const dir = tempDir("mlloop-sweep-cli-");
    const store = join(dir, "store");
    const run = await runCli([
      "--store",
      store,
      "sweep",
      "run",
      SPEC,
      "--space",
      SPACE_FILE,
      "--trials",
      "6",
      "--name",
      "c",
      "--json",
    ]);
    expect(run.code).toBe(0);
    const outcome = JSON.parse(run.stdout) as { trials: unknown[]; best: { trial: number; value: number } };
    expect(outcome.trials).toHaveLength(6);
    const resumed = await runCli([
      "--store",
      store,
      "sweep",
      "run",
      SPEC,
      "--space",
      SPACE_FILE,
      "--trials",
      "7",
      "--name",
      "c",
    ]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/7 trials \(7 complete, 0 pruned, 0 failed; 6 recorded before, resumed\)/);
    const show = await runCli(["--store", store, "sweep", "show", "c", "--svg", join(dir, "svg")]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/parameter importance/);
    expect(show.stdout).toMatch(/optimisation history/);
    expect(readFileSync(join(dir, "svg", "history.svg"), "utf8")).toMatch(/^<svg/);
    // one line per complete trial through every parameter axis and the objective
    const parallel = readFileSync(join(dir, "svg", "parallel.svg"), "utf8");
    expect(parallel).toMatch(/^<svg/);
    expect(parallel.match(/<title>trial \d+: /g)?.length).toBeGreaterThanOrEqual(7);
    const json = await runCli(["--store", store, "sweep", "show", "c", "--json"]);
    const view = JSON.parse(json.stdout) as {
      trials: unknown[];
      best: { value: number };
      parallel: { axes: Array<{ name: string }>; lines: unknown[] };
    };
    expect(view.trials).toHaveLength(7);
    expect(view.parallel.lines).toHaveLength(7);
    expect(view.parallel.axes.map((a) => a.name)).toEqual(Object.keys(space.space));
    expect(view.best.value).toBeGreaterThanOrEqual(outcome.best.value);
  });

  it.each([
    [["--sampler", "bayes"], "--sampler bayes: expected one of tpe, random, grid"],
    [["--pruner", "hyperband"], "--pruner hyperband: expected one of none, median, halving"],
    [["--trials", "0"], "--trials 0: expected an integer >= 1"],
    [["--metric", "test.f1"], "a sweep never chooses on test"],
    [["--queue", "http://x"], "expected a redis:// or rediss:// URL"],
    [["--queue", "redis://:secret@127.0.0.1:1"], "--queue redis://:***@127.0.0.1:1: cannot reach Redis"],
  ])("refuses %j with a clear message and records nothing", async (args, message) => {
    const dir = tempDir("mlloop-sweep-bad-");
    const r = await runCli(["--store", join(dir, "s"), "sweep", "run", SPEC, "--space", SPACE_FILE, ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("help shows examples; an unknown sweep is a clear error", async () => {
    const help = await runCli(["sweep", "run", "--help"]);
    expect(help.stdout).toMatch(/Examples:\n\s+\$ mlloop sweep run/);
    const r = await runCli(["--store", join(tempDir(), "s"), "sweep", "show", "nope"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no sweep named nope");
    expect(BIN).toMatch(/mlloop\.js$/);
  });
});
