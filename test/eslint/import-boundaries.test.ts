/**
 * The import-boundary lint (eslint-rules/import-boundaries.js, on in eslint.config.js for src/):
 * a planted upward import fails it, a forward import passes, and the real config has it on.
 */
import { join } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import boundaries from "../../eslint-rules/import-boundaries.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** ESLint with only the boundary rule (no type information needed for a planted file). */
function boundaryLint(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        plugins: { mlloop: boundaries },
        rules: { "mlloop/import-boundaries": "error" },
      },
    ],
  });
}

async function lint(code: string, file: string): Promise<string[]> {
  const [result] = await boundaryLint().lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => m.message);
}

describe("import boundaries", () => {
  it("fails on a planted upward import: diagnose → recommend", async () => {
    const messages = await lint(
      `import { recommend } from "../recommend/recommend.js";\nexport const r = recommend;\n`,
      "src/diagnose/planted.ts",
    );
    expect(messages).toEqual([
      "upward import: src/diagnose must not import src/recommend (recommend comes after diagnose in the dataflow; move the shared code down, e.g. to src/util/, or inject it)",
    ]);
  });

  it("fails on type-only, re-export and dynamic upward imports too", async () => {
    const messages = await lint(
      [
        `import type { Diagnosis } from "../recommend/diagnosis.js";`,
        `export { createPool } from "../loop/diagnose-run.js";`,
        `export const later = () => import("../loop/demo.js");`,
        `export type D = Diagnosis;`,
      ].join("\n"),
      "src/diagnose/planted.ts",
    );
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain("src/diagnose must not import src/recommend");
    expect(messages[1]).toContain("src/diagnose must not import src/loop");
    expect(messages[2]).toContain("src/diagnose must not import src/loop");
  });

  it("passes forward imports, same-folder imports and packages", async () => {
    const messages = await lint(
      [
        `import { recommend } from "../recommend/recommend.js";`,
        `import { diagnoseRun } from "./diagnose-run.js";`,
        `import { createPool } from "../util/pool.js";`,
        `import { readFileSync } from "node:fs";`,
        `export const all = [recommend, diagnoseRun, createPool, readFileSync];`,
      ].join("\n"),
      "src/loop/planted.ts",
    );
    expect(messages).toEqual([]);
  });

  it("is on in the project's ESLint config for every source file", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ["src/diagnose/diagnose.ts", "src/track/query.ts", "src/cli/main.ts"]) {
      const config = (await eslint.calculateConfigForFile(join(ROOT, file))) as { rules: Record<string, unknown> };
      expect(config.rules["mlloop/import-boundaries"]).toEqual([2]);
    }
  });
});
