/**
 * The README cannot drift from the CLI: every `mlloop …` line in its shell blocks names a real
 * command and only options that command (or the program) has, checked against the built CLI's own
 * `--help`. The sections whose commands are run for real are tested where they run:
 * test/predict/readme.test.ts ("Using the model"), test/cli/cross-validate.test.ts (the
 * cross-validated lines), test/cli/exit-codes.test.ts (the exit codes), test/cli/demo.test.ts and
 * test/loop/ (the loop), scripts/readme-quickstart.sh (the two quick-start commands, in CI).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../cli/cli-helpers.js";

interface Line {
  readonly text: string;
  readonly words: string[];
}

/** `mlloop` lines of the README's ```sh blocks, comments and prompts stripped. */
function readmeLines(): Line[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const out: Line[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split("\n")) {
      const text = raw
        .replace(/^\$\s+/, "")
        .replace(/\s+#.*$/, "")
        .trim();
      for (const part of text.split(/&&|\|/)) {
        const words = part.trim().split(/\s+/);
        const at = words.indexOf("mlloop");
        if (at >= 0 && (at === 0 || words[at - 1] === "npx")) out.push({ text, words: words.slice(at + 1) });
      }
    }
  }
  return out;
}

const helpCache = new Map<string, Promise<{ code: number; text: string }>>();
function help(cmd: string[]): Promise<{ code: number; text: string }> {
  const key = cmd.join(" ");
  let h = helpCache.get(key);
  if (h === undefined) {
    h = runCli([...cmd, "--help"]).then((r) => ({ code: r.code ?? -1, text: r.stdout + r.stderr }));
    helpCache.set(key, h);
  }
  return h;
}

describe("README commands", () => {
  it("name real commands and only options they have", { timeout: 180_000 }, async () => {
    const lines = readmeLines();
    expect(lines.length).toBeGreaterThan(10);
    const program = await help([]);
    const problems: string[] = [];
    for (const { text, words } of lines) {
      const first = words[0]!;
      if (first.startsWith("-")) continue; // `mlloop --version` and the like: program options
      // a two-word command (model promote, cache info, sweep run) when its help says so
      const two = words[1] !== undefined && !words[1].startsWith("-") ? await help([first, words[1]]) : null;
      const cmd = two !== null && two.code === 0 && two.text.includes(`mlloop ${first} ${words[1]}`) ? 2 : 1;
      const h = cmd === 2 ? two! : await help([first]);
      if (h.code !== 0 || !h.text.includes(`mlloop ${first}`)) {
        problems.push(`${text}: no command "${first}"`);
        continue;
      }
      for (const w of words.slice(cmd)) {
        if (!w.startsWith("--")) continue;
        const flag = w.replace(/=.*$/, "");
        if (!h.text.includes(flag) && !program.text.includes(flag)) problems.push(`${text}: ${flag} is not an option`);
      }
    }
    expect(problems).toEqual([]);
  });
});
