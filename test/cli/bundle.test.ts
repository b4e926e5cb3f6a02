/**
 * `npm run build` bundles the command line into dist/bundle/ (scripts/bundle-cli.mjs) and
 * bin/mlloop.js runs it: every other CLI test goes through it, so here only that it is the bundle
 * that runs, and that the files a bundled module finds beside its compiled self still resolve.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { BIN, ROOT, tempDir } from "./cli-helpers.js";

/** The project files (not node_modules) that `bin/mlloop.js ARGS` loads as modules, relative to the root. */
function modulesLoaded(args: readonly string[]): string[] {
  const hook = `export async function load(url, context, next) {
    if (url.startsWith("file:") && !url.includes("/node_modules/")) process.stderr.write("LOADED " + url + "\\n");
    return next(url, context);
  }`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const r = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...args],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  expect(r.status, r.stderr).toBe(0);
  return [...r.stderr.matchAll(/^LOADED file:\/\/(.*)$/gm)].map((m) => m[1]!.slice(ROOT.length + 1));
}

describe("the bundled command line", () => {
  it("is what bin/mlloop.js runs: `run --help` loads bundle files only, a few dozen of them", () => {
    const loaded = modulesLoaded(["run", "--help"]);
    const own = loaded.filter((f) => f !== "bin/mlloop.js");
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((f) => !f.startsWith("dist/bundle/"))).toEqual([]);
    // unbundled, the same command loaded ~140 compiled files of mlloop's own and ~270 of its packages
    expect(own.length).toBeLessThan(80);
  });

  it("finds what its modules read beside their compiled files: the version, the stage code hashed for the cache", () => {
    const version = spawnSync(process.execPath, [BIN, "--version"], { cwd: ROOT, encoding: "utf8" });
    expect(version.stdout.trim()).toBe(VERSION);
    const store = join(tempDir(), "mlloop.db");
    const run = (c: string) =>
      spawnSync(
        process.execPath,
        [
          BIN,
          "run",
          "examples/spam/baseline.yaml",
          "--set",
          "data.limit=200",
          "--set",
          `model.C=${c}`,
          "--store",
          store,
          "--json",
        ],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      );
    expect(run("1").status).toBe(0);
    const warm = run("2");
    expect(warm.status, warm.stderr).toBe(0);
    expect((JSON.parse(warm.stdout) as { cache: { features: string } }).cache.features).toBe("hit");
    // the stage code hashes written into the bundle are those the compiled files give: the
    // unbundled CLI (dist/cli/main.js, which hashes dist/data and dist/features) hits the same entry
    const main = pathToFileURL(join(ROOT, "dist", "cli", "main.js")).href;
    // with -e, process.argv has no script path: main() reads the arguments after the first two
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(["node", "mlloop", ...process.argv.slice(1)]);`;
    const unbundled = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        script,
        "--",
        "run",
        "examples/spam/baseline.yaml",
        "--set",
        "data.limit=200",
        "--set",
        "model.C=3",
        "--store",
        store,
        "--json",
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(unbundled.status, unbundled.stderr).toBe(0);
    expect((JSON.parse(unbundled.stdout) as { cache: { features: string } }).cache.features).toBe("hit");
  });
});
