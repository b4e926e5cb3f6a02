/**
 * `mlloop run --no-cache`, `mlloop cache info` and `mlloop cache prune` through the built CLI, the
 * way a user runs them (`npm test` builds dist/ first).
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { json, runCli, tempDir } from "../cli/cli-helpers.js";

const SPEC = "examples/spam/baseline.yaml";
const dir = tempDir("mlloop-cache-cli-");
const store = join(dir, "store", "mlloop.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Info {
  dir: string;
  maxBytes: number;
  totalBytes: number;
  entries: Array<{ kind: string; key: string; bytes: number; lastUsed: string }>;
}

describe("the cache from the command line", () => {
  it("--no-cache neither reads nor writes the cache", async () => {
    const r = await runCli(["run", SPEC, "--store", store, "--set", "data.limit=300", "--no-cache", "--json"]);
    expect(r.code).toBe(0);
    expect(json<{ cache: { features: string; dataset: string } }>(r).cache).toMatchObject({
      features: "off",
      dataset: "off",
    });
    expect(existsSync(join(dir, "store", "cache"))).toBe(false);
  });

  it("a run fills the cache beside the store; info lists it; a second run hits it", async () => {
    const first = await runCli(["run", SPEC, "--store", store, "--set", "data.limit=300", "--json"]);
    expect(first.code).toBe(0);
    const info = json<Info>(await runCli(["cache", "info", "--store", store, "--json"]));
    expect(info.dir).toBe(join(dir, "store", "cache"));
    // the parsed data, the featurised matrices, and the run's train profile (drift reference)
    expect(info.entries.map((e) => e.kind).sort()).toEqual(["dataset", "features", "train-profile"]);
    expect(info.totalBytes).toBe(info.entries.reduce((s, e) => s + e.bytes, 0));
    const second = await runCli(["run", SPEC, "--store", store, "--set", "data.limit=300", "--set", "model.C=4"]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/load .*\(features cached\)/);
    const text = await runCli(["cache", "info", "--store", store]);
    expect(text.stdout).toMatch(/3 entries, .* of 2\.0 GB/);
  });

  it("prune keeps the cache under the size asked for, most recently used first", async () => {
    const before = json<Info>(await runCli(["cache", "info", "--store", store, "--json"]));
    const features = before.entries.find((e) => e.kind === "features")!;
    const profile = before.entries.find((e) => e.kind === "train-profile")!;
    // room for the features and train-profile entries (used last, by the second run) but not for all three
    const bound = features.bytes + profile.bytes + 1;
    const r = await runCli(["cache", "prune", "--store", store, "--max-size", String(bound), "--json"]);
    expect(r.code).toBe(0);
    const result = json<{ removed: Array<{ kind: string }>; keptBytes: number }>(r);
    expect(result.removed.map((e) => e.kind)).toEqual(["dataset"]);
    expect(result.keptBytes).toBe(features.bytes + profile.bytes);
    const after = json<Info>(await runCli(["cache", "info", "--store", store, "--json"]));
    expect(after.entries.map((e) => e.kind).sort()).toEqual(["features", "train-profile"]);
    const byAge = await runCli(["cache", "prune", "--store", store, "--older-than", "0s"]);
    expect(byAge.stdout).toMatch(/^removed 2 entries \(.*\); 0 left \(0 B\)/);
  });

  it("rejects a size or an age it cannot read, saying what is allowed", async () => {
    const size = await runCli(["cache", "prune", "--store", store, "--max-size", "lots"]);
    expect(size.code).toBe(64);
    expect(size.stderr).toContain("--max-size lots: expected a size such as 500MB, 2GB or 1048576");
    const age = await runCli(["cache", "prune", "--store", store, "--older-than", "soon"]);
    expect(age.code).toBe(64);
    expect(age.stderr).toContain("--older-than soon: expected an age such as 30m, 12h, 14d or 2w");
  });
});
