/**
 * Defect 4 of issue #12: secrets in error messages. `data.path: /proc/self/environ` in a spec (say,
 * from an untrusted pull request run by CI) printed the whole environment in the column error.
 * Policy: a data path written in a spec file must resolve (realpath) under the spec's folder unless
 * --allow-outside-paths is given; a path typed on the command line is the user's. And file contents
 * echoed in an error are cut and escaped, whatever the path.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../cli/cli-helpers.js";

const SECRET = "tok-9f8e7d6c5b4a-do-not-print";
const env: Record<string, string> = { MLLOOP_TEST_SECRET_TOKEN: SECRET };

function spec(dir: string, name: string, dataPath: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      "experiment: untrusted",
      "data:",
      "  source: csv",
      `  path: ${JSON.stringify(dataPath)}`,
      "  columns: { id: id, label: label, text: [text] }",
      "features:",
      "  words: { fields: [text] }",
      "model: { family: logistic_regression }",
      "",
    ].join("\n"),
  );
  return file;
}

describe("untrusted specs", () => {
  const root = tempDir("mlloop-untrusted-");
  const dir = join(root, "pr");
  mkdirSync(dir);
  writeFileSync(join(root, "outside.csv"), "id,text,label\nm1,hello,ham\n");
  symlinkSync("/proc/self/environ", join(dir, "env.csv"));
  const store = join(root, "mlloop.db");

  for (const [what, dataPath] of [
    ["an absolute path outside the spec's folder", "/proc/self/environ"],
    ["a relative path that climbs out of it", "../outside.csv"],
    ["a symlink inside it that points outside", "env.csv"],
  ] as const) {
    it(`refuses ${what}, naming the key and the way to allow it`, async () => {
      const r = await runCli(["run", spec(dir, "s.yaml", dataPath), "--store", store], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("data.path");
      expect(r.stderr).toContain("outside the spec's folder");
      expect(r.stderr).toContain("--allow-outside-paths");
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }

  it("with --allow-outside-paths, or a path typed with --set, reads it; the error quotes nothing of it", async () => {
    for (const args of [
      ["run", spec(dir, "s.yaml", "/proc/self/environ"), "--allow-outside-paths"],
      ["run", spec(dir, "t.yaml", "data.csv"), "--set", "data.path=/proc/self/environ"],
    ]) {
      const r = await runCli([...args, "--store", store], { env });
      expect(r.code, r.stderr).toBe(3);
      // NUL bytes separate its entries: not a text file, refused before any of it is quoted
      expect(r.stderr).toContain("NUL byte");
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stderr.length).toBeLessThan(800);
    }
  });

  it("a path under the spec's folder is read as before", async () => {
    writeFileSync(join(dir, "data.csv"), "id,text,label\nm1,hello,ham\nm2,cheap,spam\n");
    const r = await runCli(["run", spec(dir, "ok.yaml", "data.csv"), "--store", store], { env });
    expect(r.stderr).not.toContain("outside the spec's folder");
  });
});
