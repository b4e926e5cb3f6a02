/**
 * `report` and `demo` write their HTML to the same place: `reports/` beside the store (found
 * upwards from the working directory), whatever folder the command runs in.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportsDirFor } from "../../src/track/open.js";
import { json, ROOT, runCli, tempDir } from "./cli-helpers.js";

describe("where reports go", () => {
  it("beside a SQLite store, under .mlloop/ of the working directory for PostgreSQL", () => {
    expect(reportsDirFor("/data/team/mlloop.db")).toBe("/data/team/reports");
    expect(reportsDirFor("runs.sqlite", "/home/ann/p")).toBe("/home/ann/p/reports");
    expect(reportsDirFor("postgres://u@db/ml", "/home/ann/p")).toBe("/home/ann/p/.mlloop/reports");
  });

  it(
    "mlloop report RUN writes <store folder>/reports/<run>.html from any folder below the store",
    { timeout: 180_000 },
    async () => {
      const dir = tempDir("mlloop-report-");
      const run = json<{ runId: string }>(
        await runCli(["run", join(ROOT, "examples", "wine", "baseline.yaml"), "--json"], { cwd: dir }),
      );
      const sub = join(dir, "notebooks");
      mkdirSync(sub);
      const r = await runCli(["report", run.runId.slice(0, 12), "--no-cv"], { cwd: sub });
      expect(r.code, r.stderr).toBe(0);
      const file = join(dir, ".mlloop", "reports", `${run.runId.slice(0, 12)}.html`);
      expect(r.stdout).toMatch(new RegExp(`^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+ KB\\)\\n$`));
      expect(existsSync(file)).toBe(true);
      expect(existsSync(join(sub, `mlloop-report-${run.runId.slice(0, 12)}.html`))).toBe(false);
    },
  );
});
