/**
 * compare / attribute / log / ledger / runs --where through the built CLI (bin/mlloop.js → dist/),
 * on real runs of the spam corpus (600-message subsample) in a real SQLite store.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { json, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

const spec = join(ROOT, "examples", "spam", "baseline.yaml");

describe("mlloop compare / attribute / log / ledger / runs --where", () => {
  const dir = tempDir("mlloop-compare-cli-");
  const store = join(dir, "mlloop.db");
  const cli = (...args: string[]) => runCli([...args, "--store", store]);
  let a = "";
  let b = "";
  let other = "";

  beforeAll(async () => {
    const common = ["--set", "data.limit=600", "--json"];
    a = json<{ runId: string }>(await cli("run", spec, ...common, "--set", "model.C=0.1", "--name", "weak")).runId;
    b = json<{ runId: string }>(
      await cli(
        "run",
        spec,
        ...common,
        "--set",
        "model.C=10",
        "--set",
        "model.max_iter=1000",
        "--parent",
        a,
        "--tag",
        "owner=ann",
      ),
    ).runId;
    other = json<{ runId: string }>(await cli("run", spec, ...common, "--set", "seed=1")).runId;
  });

  it("compare --json: paired deltas with CIs, McNemar, flips and the change", async () => {
    const r = await cli("compare", a, b, "--metric", "accuracy,f1", "--resamples", "500", "--json");
    expect(r.code).toBe(0);
    const c = json<{
      paired: boolean;
      change: { spec: Array<{ path: string[] }> };
      splits: Array<{
        split: string;
        n: number;
        metrics: Array<{
          metric: string;
          delta: number;
          ciLow: number;
          ciHigh: number;
          verdict: string;
          mcnemar?: { b: number; c: number };
        }>;
        flips: { fixed: number; broken: number };
      }>;
    }>(r);
    expect(c.paired).toBe(true);
    expect(c.change.spec.map((op) => op.path.join("."))).toEqual(["model.C", "model.max_iter"]);
    const dev = c.splits[0]!;
    expect(dev.split).toBe("dev");
    const acc = dev.metrics.find((m) => m.metric === "accuracy")!;
    expect(acc.ciLow).toBeLessThanOrEqual(acc.delta);
    expect(acc.ciHigh).toBeGreaterThanOrEqual(acc.delta);
    expect(acc.mcnemar!.c - acc.mcnemar!.b).toBe(dev.flips.fixed - dev.flips.broken);
    expect(acc.delta).toBeCloseTo((dev.flips.fixed - dev.flips.broken) / dev.n, 12);
    const text = await cli("compare", a, b, "--resamples", "500");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("model.C: 0.1 → 10");
    expect(text.stdout).toContain(
      `McNemar (accuracy): b = ${acc.mcnemar!.b} (A right, B wrong), c = ${acc.mcnemar!.c}`,
    );
  });

  it("refuses runs on different splits with the exact message and exit code 6", async () => {
    const r = await cli("compare", a, other);
    expect(r.code).toBe(6);
    const fps = json<Array<{ id: string }>>(await cli("runs", "--json"));
    expect(fps).toHaveLength(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: cannot compare run ${a.slice(0, 12)} with run ${other.slice(0, 12)} on equal footing:\\n` +
          `  - dev examples differ: split fingerprint [0-9a-f]{12} \\(run ${a.slice(0, 12)}\\) ≠ [0-9a-f]{12} \\(run ${other.slice(0, 12)}\\)\\n` +
          "The runs were evaluated on different examples: --unpaired gives an explicitly labelled unpaired comparison.\\n$",
      ),
    );
    const unpaired = await cli("compare", a, other, "--unpaired", "--resamples", "200");
    expect(unpaired.code).toBe(0);
    expect(unpaired.stdout).toContain("UNPAIRED");
  });

  it("attribute --json: the do-nothing change gets 0 with a CI covering 0; efficiency holds", async () => {
    const r = await cli("attribute", a, b, "--metric", "accuracy", "--resamples", "500", "--json");
    expect(r.code).toBe(0);
    const rec = json<{
      attribution: {
        players: Array<{ player: string; value: number; ciLow: number; ciHigh: number }>;
        total: { value: number };
        efficiencyGap: number;
      };
      plan: { toTrain: number };
    }>(r);
    expect(rec.plan.toTrain).toBe(2);
    const [c, maxIter] = rec.attribution.players;
    expect(maxIter).toMatchObject({ player: "model.max_iter", value: 0 });
    expect(maxIter!.ciLow).toBeLessThanOrEqual(0);
    expect(maxIter!.ciHigh).toBeGreaterThanOrEqual(0);
    expect(c!.value + maxIter!.value).toBeCloseTo(rec.attribution.total.value, 14);
    const dry = await cli("attribute", a, b, "--dry-run", "--json");
    expect(json<{ toTrain: number }>(dry).toTrain).toBe(0);
  });

  it("log --json: the tree with each edge's change, effect and attribution", async () => {
    const r = await cli("log", "spam", "--json", "--resamples", "300");
    expect(r.code).toBe(0);
    const log = json<{
      metric: string;
      roots: Array<{
        run: { id: string };
        children: Array<{
          run: { id: string };
          edge: { change: string[]; effect: { delta: number } | null; attributions: unknown[] };
        }>;
      }>;
    }>(r);
    const root = log.roots.find((n) => n.run.id === a)!;
    const edge = root.children.find((ch) => ch.run.id === b)!.edge;
    // other lines may report code changes: the working tree can change between the two runs
    const specLines = edge.change.map((l) => l.trim()).filter((l) => !/^(code|data|env)\b/.test(l));
    expect(specLines).toEqual(["model.C: 0.1 → 10", "model.max_iter: 100 → 1000"]);
    expect(edge.effect).not.toBeNull();
    expect(edge.attributions).toHaveLength(1);
    const text = await cli("log", "spam", "--resamples", "300");
    expect(text.stdout).toContain("attribution: model.C");
  });

  it("ledger --json: from the first run to the best, skipping ablation runs", async () => {
    const r = await cli("ledger", "spam", "--metric", "accuracy", "--json", "--resamples", "300");
    expect(r.code).toBe(0);
    const ledger = json<{ best: { id: string }; entries: Array<{ run: { id: string } }> }>(r);
    expect(ledger.best.id).toBe(b);
    expect(ledger.entries.map((e) => e.run.id)).toEqual([a, b]);
  });

  it("run --repeat 2 --parent auto: a replicate group under the closest run; compare shows the noise floor", async () => {
    const r = await cli(
      "run",
      spec,
      "--set",
      "data.limit=600",
      "--set",
      "model.C=10",
      "--parent",
      "auto",
      "--repeat",
      "2",
      "--json",
    );
    expect(r.code).toBe(0);
    const out = json<{
      replicateGroup: string;
      runs: Array<{ runId: string; parentId: string }>;
      dev: Record<string, { count: number }>;
    }>(r);
    expect(out.runs).toHaveLength(2);
    // a and b are both one change away (C, max_iter); the newer one wins; ablation runs are no candidates
    expect(out.runs.map((x) => x.parentId)).toEqual([b, b]);
    expect(out.dev["accuracy"]!.count).toBe(2);
    const tagged = json<Array<{ id: string }>>(
      await cli("runs", "--where", `tags.replicate_group = "${out.replicateGroup}"`, "--json"),
    );
    expect(tagged.map((x) => x.id).sort()).toEqual(out.runs.map((x) => x.runId).sort());
    // replicates differ in seed, hence in split: compare them with b unpaired, and see the spread
    const cmp = json<{
      splits: Array<{ metrics: Array<{ noise: { std: number; groups: Array<{ runs: number }> } | null }> }>;
    }>(
      await cli("compare", b, out.runs[0]!.runId, "--unpaired", "--metric", "accuracy", "--resamples", "200", "--json"),
    );
    expect(cmp.splits[0]!.metrics[0]!.noise!.groups[0]!.runs).toBe(2);
  });

  it("runs --where/--sort/--columns/--group-by --json, and parse errors with a caret", async () => {
    const r = await cli(
      "runs",
      "--where",
      "spec.model.C >= 1 AND tags.owner = ann",
      "--columns",
      "id,spec.model.C",
      "--json",
    );
    expect(r.code).toBe(0);
    const rows = json<Array<{ id: string; values: Record<string, unknown> }>>(r);
    expect(rows.map((x) => x.id)).toEqual([b]);
    expect(rows[0]!.values["spec.model.C"]).toBe(10);
    const sorted = json<Array<{ id: string }>>(
      await cli(
        "runs",
        "--where",
        "tags.attribution = null AND tags.replicate_group = null",
        "--sort",
        "spec.model.C:desc,created",
        "--json",
      ),
    );
    expect(sorted.map((x) => x.id)).toEqual([b, other, a]);
    const grouped = json<{ groups: Array<{ value: unknown; count: number }> }>(
      await cli("runs", "--group-by", "spec.model.C", "--metric", "accuracy", "--json"),
    );
    expect(grouped.groups.map((g) => [g.value, g.count])).toEqual([
      [0.1, 2],
      [1, 1],
      [10, 4], // b, its ablation run +model.C and two replicates
    ]);
    const bad = await cli("runs", "--where", "metrics.dev.f1 >> 0.9");
    expect(bad.code).toBe(64);
    expect(bad.stderr).toBe(
      'error: --where: expected a value (a number, "text", true, false or null), found ">" (at column 17)\n' +
        "  metrics.dev.f1 >> 0.9\n" +
        "                  ^\n",
    );
  });
});
