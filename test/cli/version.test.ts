import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { VERSION } from "../../src/version.js";
import { runCli, tempDir } from "./cli-helpers.js";

describe("mlloop --version", () => {
  it("prints the package version and exits 0", async () => {
    const r = await runCli(["--version"], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it("needs no command module (start-up), while --help lists them all", async () => {
    const bare = await buildProgram(null, true);
    expect(bare.commands.map((c) => c.name())).toEqual([]);
    const all = await buildProgram(null);
    expect(all.commands.map((c) => c.name())).toContain("run");
  });
});
