/**
 * The README's cross-validation lines on the built CLI: a cross-validated wine run, a child with a
 * change, and the lineage commands on them (they pair the pooled out-of-fold predictions); no email
 * wording anywhere.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, ROOT, runCli, tempDir, type CliResult } from "./cli-helpers.js";
import { EMAIL_WORDING } from "./golden.js";

function ok(r: CliResult): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("evaluate.cross_validate on the command line", () => {
  it(
    "runs the README's lines, then compare, log, ledger, attribute and diagnose pair the out-of-fold predictions",
    { timeout: 300_000 },
    async () => {
      const readme = readFileSync(join(ROOT, "README.md"), "utf8");
      const lines = readme
        .split("\n")
        .filter((l) => l.startsWith("npx mlloop run examples/wine/cross-validated.yaml"))
        .map((l) =>
          l
            .replace(/\s+#.*$/, "")
            .split(/\s+/)
            .slice(2),
        );
      expect(lines).toHaveLength(2);
      const store = join(tempDir("mlloop-cv-cli-"), "mlloop.db");
      const outputs: string[] = [];
      for (const args of lines) outputs.push(ok(await runCli([...args, "--store", store])));
      const [first, second] = outputs;
      expect(first).toContain("train + dev pooled 142 (107 + 35), 5-fold cross-validation / test 36");
      expect(first).toMatch(/macro_f1 per fold( \d\.\d{4}){5} — mean \d\.\d{4} ± \d\.\d{4} \(std\)/);
      expect(second).toMatch(
        /vs parent: dev macro_f1 \d\.\d{4} → \d\.\d{4} \(Δ [+-]\d\.\d{4}, 95% CI .*, 142 shared examples\)/,
      );
      const [b, a] = json<Array<{ id: string }>>(await runCli(["runs", "--store", store, "--json"])).map((r) => r.id);
      const compare = ok(await runCli(["compare", a!, b!, "--store", store]));
      expect(compare).toContain("dev — 142 shared examples");
      expect(compare).toContain("model.C: 0.01 → 1");
      const log = ok(await runCli(["log", "wine-cv", "--store", store]));
      expect(log).toMatch(/Δmacro_f1 [+-]\d\.\d{4} \[/);
      const ledger = ok(await runCli(["ledger", "wine-cv", "--store", store]));
      const attribute = ok(await runCli(["attribute", a!, b!, "--store", store]));
      expect(attribute).toContain("model.C");
      const diagnose = ok(await runCli(["diagnose", a!, "--store", store, "--no-cv"]));
      expect(diagnose).toContain("ERROR ANALYSIS  dev: ");
      expect(diagnose).toMatch(/of 142 \(/);
      for (const text of [...outputs, compare, log, ledger, attribute, diagnose])
        expect(text).not.toMatch(EMAIL_WORDING);
      // unequal footing: a held-out run of the same data is refused, and the hint names the cause
      ok(await runCli(["run", "examples/wine/baseline.yaml", "--store", store]));
      const holdout = json<Array<{ id: string }>>(await runCli(["runs", "--store", store, "--json"]))
        .map((r) => r.id)
        .find((id) => id !== a && id !== b)!;
      const refused = await runCli(["compare", a!, holdout, "--store", store]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("dev examples differ");
      expect(refused.stderr).toContain("is cross-validated (evaluate.cross_validate: 5)");
      expect(refused.stderr).toContain("held-out dev split");
      expect(refused.stderr).not.toMatch(/internal error|\n\s+at /);
    },
  );
});
