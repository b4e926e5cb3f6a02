/**
 * Issue #12, lower list: catastrophic backtracking in `runs --where 'notes ~ /^(a+)+$/'` hung the
 * command (killed at 20 s on a 41-character note). Such a pattern is refused when the query is
 * parsed, saying why; ordinary patterns still work.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, ROOT, runCli, tempDir } from "../cli/cli-helpers.js";

describe("runs --where with a regex", () => {
  const dir = tempDir("mlloop-regex-");
  const store = join(dir, "mlloop.db");

  it("refuses nested quantifiers at once, and still matches ordinary patterns", async () => {
    cpSync(join(ROOT, "examples", "tickets"), join(dir, "tickets"), { recursive: true });
    const note = `${"a".repeat(40)}!`;
    const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store, "--note", note]);
    expect(r.code, r.stderr).toBe(0);
    for (const pattern of ["/^(a+)+$/", "/(a*)*b/", "/^(\\w+\\s?)*$/", "/(?:a|b+){2,}c/", "/((ab)+c?)*/"]) {
      const started = Date.now();
      const q = await runCli(["runs", "--store", store, "--where", `notes ~ ${pattern}`]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(q.code, `${pattern}: ${q.stderr}`).toBe(64);
      expect(q.stderr).toContain("exponential time");
    }
    for (const pattern of ["/^a+!$/", "/(ab)+|a{40}/", "/^(a{2}){20}!$/i", "/[(a+)+]/"]) {
      const q = await runCli(["runs", "--store", store, "--where", `notes ~ ${pattern}`, "--json"]);
      expect(q.code, `${pattern}: ${q.stderr}`).toBe(0);
      expect(json<unknown[]>(q).length, pattern).toBe(1);
    }
  });
});
