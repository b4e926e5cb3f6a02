/**
 * The README's Security section, run as written: each `npx mlloop …` line of its shell block, in a
 * folder holding a copy of examples/, must exit with the code its comment gives, print nothing of
 * /proc/self/environ, and never crash.
 */
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

function commands(): Array<{ args: string[]; exit: number }> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Security\n");
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split("\n")
    .filter((l) => l.startsWith("npx mlloop "))
    .map((l) => {
      const [command, comment] = l.split("  # ") as [string, string];
      // the shell's quoting of this block: single-quoted words, otherwise split on spaces
      const args = [...command.slice("npx mlloop ".length).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      return { args, exit: Number(/exit (\d+)/.exec(comment)![1]) };
    });
}

describe("README: Security", () => {
  it("runs as written", async () => {
    const cwd = tempDir("mlloop-readme-security-");
    cpSync(join(ROOT, "examples"), join(cwd, "examples"), { recursive: true });
    const list = commands();
    expect(list.length).toBeGreaterThanOrEqual(2);
    for (const { args, exit } of list) {
      const r = await runCli(args, { cwd, env: { MLLOOP_README_SECRET: "sekrit-7f3a" } });
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(exit);
      expect(r.stderr).not.toContain("sekrit-7f3a");
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
