/**
 * Issue #12, lower list: user and environment errors are typed errors with a clear message and an
 * exit code (docs/exit-codes.md), never "internal error … this is a bug" nor a stack trace; output
 * that cannot be written (a closed pipe, a full disk) is handled, not a crash.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, collect, json, ROOT, runCli, tempDir, type CliResult } from "../cli/cli-helpers.js";

const dir = tempDir("mlloop-cli-errors-");
const store = join(dir, "mlloop.db");
let runId = "";

/** No "internal error", no "this is a bug", no stack frame. */
function expectClean(r: CliResult): void {
  expect(r.stderr).not.toMatch(/internal error|this is a bug|\n\s+at |node:internal|Node\.js v/);
}

beforeAll(async () => {
  cpSync(join(ROOT, "examples", "tickets"), join(dir, "tickets"), { recursive: true });
  const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  runId = json<{ runId: string }>(r).runId;
});

describe("output that cannot be written", () => {
  it("a reader that goes away (mlloop show … | head -1) ends the command quietly", async () => {
    const child = spawn(process.execPath, [BIN, "show", runId, "--predictions", "--store", store], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // the reader is gone before the first write: every write meets EPIPE
    child.stdout.destroy();
    const r = await collect(child);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("EPIPE");
    expectClean(r);
  });

  it("a full disk on stdout (> /dev/full) is an I/O error with exit 74, not a crash", async () => {
    const fd = openSync("/dev/full", "w");
    try {
      const child = spawn(process.execPath, [BIN, "runs", "--store", store], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", fd, "pipe"],
      });
      const r = await collect(child);
      expect(r.code, r.stderr).toBe(74);
      expect(r.stderr).toMatch(/cannot write to standard output: no space left on device/);
      expectClean(r);
    } finally {
      closeSync(fd);
    }
  });
});

describe("user and environment errors are typed", () => {
  it("a YAML alias bomb is a spec error", async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ["b", "c", "d", "e", "f", "g", "h", "i"].entries()) {
      const prev = "abcdefgh"[i]!;
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    writeFileSync(join(dir, "bomb.yaml"), `${lines.join("\n")}\n`);
    const r = await runCli(["run", join(dir, "bomb.yaml"), "--store", store]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("aliases");
    expectClean(r);
  });

  it.each(["__proto__.x=1", "constructor.prototype.x=1", "model.__proto__.C=1"])(
    "--set %s is refused as a spec error",
    async (set) => {
      const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store, "--set", set]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--set .*: .* is not a spec key/);
      expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
      expectClean(r);
    },
  );

  it("a malformed MLLOOP_CACHE_MAX_SIZE is a usage error naming the variable", async () => {
    const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store], {
      env: { MLLOOP_CACHE_MAX_SIZE: "lots" },
    });
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain('MLLOOP_CACHE_MAX_SIZE="lots" is not a size');
    expectClean(r);
  });

  it("report -o <folder> is refused before the diagnosis runs", async () => {
    mkdirSync(join(dir, "out"), { recursive: true });
    const r = await runCli(["report", runId, "-o", join(dir, "out"), "--store", store]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain("is a folder");
    expect(r.stderr).not.toContain("data checks");
    expectClean(r);
  });

  it("export -o onto a FIFO or device, or into a missing folder, is refused, and the FIFO is left alone", async () => {
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    for (const target of [fifo, join(dir, "no", "such", "folder", "b.tar")]) {
      const r = await runCli(["export", "-o", target, "--store", store]);
      expect(r.code, `${target}: ${r.stderr}`).toBe(64);
      expectClean(r);
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it("an environment error (a file system that refuses the write) is an I/O error, exit 74", async () => {
    const r = await runCli(["report", runId, "-o", "/proc/mlloop-report.html", "--store", store]);
    expect(r.code, r.stderr).toBe(74);
    expect(r.stderr).toContain("/proc/mlloop-report.html");
    expectClean(r);
  });

  it("model.C=1e400 names the overflow instead of 'got null'", async () => {
    const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store, "--set", "model.C=1e400"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("model.C");
    expect(r.stderr).toContain("Infinity");
    expect(r.stderr).not.toContain("got null");
    expectClean(r);
  });

  it('--store "" is refused instead of silently using the default store', async () => {
    const r = await runCli(["runs", "--store", ""], { cwd: dir });
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain("--store");
    expect(existsSync(join(dir, ".mlloop"))).toBe(false);
    expectClean(r);
  });

  it("--repeat is capped", async () => {
    const r = await runCli(["run", join(dir, "tickets", "baseline.yaml"), "--store", store, "--repeat", "100000000"]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/--repeat 100000000: at most \d+/);
    expectClean(r);
  });
});
