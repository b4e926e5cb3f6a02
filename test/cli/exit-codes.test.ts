/**
 * Exit codes are the ones the README lists, the same for the same kind of problem in every command
 * (an unknown experiment is "not in the store" for `log` as for `ledger`), and a store is found in
 * a folder above the working directory as git finds `.git`.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CompareError, DataError, ModelError, SpecError, StoreError, UsageError } from "../../src/errors.js";
import { json, ROOT, runCli, tempDir } from "./cli-helpers.js";

const dir = tempDir("mlloop-exit-");
const wine = join(ROOT, "examples", "wine", "baseline.yaml");

function documentedCodes(): Map<number, string> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const line = /Exit codes:([\s\S]*?)\n\n/.exec(readme);
  expect(line, "README has an 'Exit codes:' paragraph").not.toBeNull();
  const codes = new Map<number, string>();
  for (const m of line![1]!.matchAll(/`(\d+)` ([^·]+)/g)) codes.set(Number(m[1]), m[2]!.replace(/\s+/g, " ").trim());
  return codes;
}

describe("exit codes", () => {
  beforeAll(async () => {
    // the default store: .mlloop/ under the working directory
    const r = await runCli(["run", wine, "--json"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it("the README lists every error type's code", () => {
    const codes = documentedCodes();
    expect([...codes.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 64, 74, 130]);
    expect(codes.get(2)).toMatch(/spec/);
    expect(new SpecError("x").exitCode).toBe(2);
    expect(new DataError("x").exitCode).toBe(3);
    expect(new StoreError("x").exitCode).toBe(4);
    expect(new ModelError("x").exitCode).toBe(5);
    expect(new CompareError("x").exitCode).toBe(6);
    expect(new UsageError("x").exitCode).toBe(64);
  });

  it("an unknown experiment is not in the store: 4 for log and ledger alike, with one message", async () => {
    for (const command of ["log", "ledger"]) {
      const r = await runCli([command, "nosuch"], { cwd: dir });
      expect(r.code, `${command} nosuch`).toBe(4);
      expect(r.stderr).toMatch(/^error: no runs of experiment "nosuch" in store .*mlloop\.db\n$/);
      expect(r.stdout).toBe("");
    }
    const jsonLog = await runCli(["log", "nosuch", "--json"], { cwd: dir });
    expect(jsonLog.code).toBe(4);
  });

  it("an unknown run id is 4, a bad flag 64, a missing spec file 2; a known experiment 0", async () => {
    expect((await runCli(["show", "0000000000aa"], { cwd: dir })).code).toBe(4);
    expect((await runCli(["runs", "--no-such-flag"], { cwd: dir })).code).toBe(64);
    expect((await runCli(["run", join(dir, "missing.yaml")], { cwd: dir })).code).toBe(2);
    expect((await runCli(["log", "wine"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["ledger", "wine"], { cwd: dir })).code).toBe(0);
  });

  it("finds the store in a folder above the working directory and creates none below it", async () => {
    const sub = join(dir, "examples", "wine");
    mkdirSync(sub, { recursive: true });
    const runs = json<Array<{ experiment: string }>>(await runCli(["runs", "--json"], { cwd: sub }));
    expect(runs.map((r) => r.experiment)).toEqual(["wine"]);
    expect(existsSync(join(sub, ".mlloop"))).toBe(false);
    expect(existsSync(join(dir, "examples", ".mlloop"))).toBe(false);
  });
});
