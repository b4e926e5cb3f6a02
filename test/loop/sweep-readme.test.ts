/** The README's "Sweeps" section, run as written: every `npx mlloop sweep …` line of its shell block. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

it("the README's sweep commands run and show what they say", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Sweeps, on one machine or many\n");
  expect(start).toBeGreaterThanOrEqual(0);
  const block = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const lines = [...block.matchAll(/^npx mlloop (sweep .*?)(?:\s+#.*)?$/gm)].map((m) => m[1]!.trim().split(/\s+/));
  expect(lines.map((l) => l.slice(0, 2).join(" "))).toEqual(["sweep run", "sweep show"]);
  const store = join(tempDir("mlloop-readme-sweep-"), "store");
  const run = await runCli(["--store", store, ...lines[0]!], { cwd: ROOT });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/sweep baseline-tpe: 20 trials \(\d+ complete, \d+ pruned, 0 failed\)/);
  const show = await runCli(["--store", store, ...lines[1]!], { cwd: ROOT });
  expect(show.code).toBe(0);
  for (const what of ["best", "parameter importance", "optimisation history", "trial"])
    expect(show.stdout).toContain(what);
}, 120_000);
