import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, totalmem } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureEnvironment, captureGit, captureProvenance } from "../../src/track/provenance.js";

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });
}

describe("provenance", () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), "mlloop-prov-"));
  });
  afterEach(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it("records commit, branch, dirty flag, the patch and untracked files", async () => {
    git(repo, "init", "-q", "-b", "trunk");
    writeFileSync(join(repo, "train.ts"), "const lr = 0.1;\n");
    writeFileSync(join(repo, ".gitignore"), "cache/\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    const clean = await captureGit({ cwd: repo });
    expect(clean.git).toMatchObject({ dirty: false, patch: "", patchBytes: 0, untracked: [], branch: "trunk" });

    writeFileSync(join(repo, "train.ts"), "const lr = 0.05;\n");
    mkdirSync(join(repo, "src"));
    writeFileSync(join(repo, "src", "new-feature.ts"), "export {};\n");
    mkdirSync(join(repo, "cache"));
    writeFileSync(join(repo, "cache", "ignored.bin"), "x");
    // From a sub-folder: everything is still relative to the repository's top.
    const { git: info } = await captureGit({ cwd: join(repo, "src") });
    expect(info).not.toBeNull();
    expect(info!.root).toBe(git(repo, "rev-parse", "--show-toplevel").trim());
    expect(info!.commit).toBe(git(repo, "rev-parse", "HEAD").trim());
    expect(info!.branch).toBe("trunk");
    expect(info!.dirty).toBe(true);
    expect(info!.patch).toBe(git(repo, "diff", "HEAD"));
    expect(info!.patch).toContain("-const lr = 0.1;\n+const lr = 0.05;\n");
    expect(info!.patchTruncated).toBe(false);
    expect(info!.untracked).toEqual(["src/new-feature.ts"]);
    expect(info!.untrackedTruncated).toBe(false);
  });

  it("caps the patch with a marker and still reports its full size", async () => {
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "data.txt"), "a\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    for (let i = 0; i < 200; i++) appendFileSync(join(repo, "data.txt"), `line ${i} ünïcödé\n`);
    const full = Buffer.from(git(repo, "diff", "HEAD"), "utf8");
    // Cap in the middle of a two-byte "ü": the half character must be dropped, not garbled.
    const cap = full.indexOf(Buffer.from("ü", "utf8"), 900) + 1;
    const { git: info } = await captureGit({ cwd: repo, maxPatchBytes: cap });
    expect(info!.patchTruncated).toBe(true);
    expect(info!.patchBytes).toBe(full.length);
    const [kept, marker] = info!.patch!.split("\n# mlloop: patch truncated: ");
    expect(marker).toBe(`kept ${cap} of ${full.length} bytes\n`);
    expect(kept).toBe(full.subarray(0, cap - 1).toString("utf8"));
    expect(kept).not.toContain("\ufffd");
  });

  it("handles a repository without commits", async () => {
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "a.txt"), "a");
    const { git: info } = await captureGit({ cwd: repo });
    expect(info).toMatchObject({ commit: null, branch: "main", patch: null, untracked: ["a.txt"] });
  });

  it("gives the same record through one sh as with one git process per command", async () => {
    const both = async (cwd: string, maxPatchBytes?: number) => {
      const options = { cwd, ...(maxPatchBytes === undefined ? {} : { maxPatchBytes }) };
      const [one, each] = await Promise.all([captureGit(options), captureGit({ ...options, oneProcess: false })]);
      expect(one).toEqual(each);
      return one;
    };
    expect((await both(repo)).gitUnavailable).toBe("not a git repository");
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "it's quoted.txt"), "a\n");
    expect((await both(repo)).git).toMatchObject({ commit: null, branch: "main", untracked: ["it's quoted.txt"] });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    for (let i = 0; i < 500; i++) appendFileSync(join(repo, "it's quoted.txt"), `line ${i}\n`);
    mkdirSync(join(repo, "sub"));
    writeFileSync(join(repo, "sub", "new.ts"), "export {};\n");
    const dirty = await both(join(repo, "sub"), 1000);
    expect(dirty.git).toMatchObject({ dirty: true, patchTruncated: true, untracked: ["sub/new.ts"] });
    expect(dirty.git!.patchBytes).toBe(Buffer.byteLength(git(repo, "diff", "HEAD")));
  });

  it("tolerates a folder that is not in a git repository", async () => {
    const result = await captureProvenance({ cwd: repo });
    expect(result.git).toBeNull();
    expect(result.gitUnavailable).toBe("not a git repository");
    expect(result.cwd).toBe(repo);
    expect(result.argv).toEqual(process.argv);
  });

  it("records the environment", () => {
    const env = captureEnvironment();
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(env.node).toBe(process.version);
    expect(env.mlloop).toBe(pkg.version);
    expect(env.platform).toBe(process.platform);
    expect(env.arch).toBe(process.arch);
    expect(env.cpuCount).toBe(cpus().length);
    expect(env.cpuModel).toBe(cpus()[0]!.model.trim());
    expect(env.hostname).toBe(hostname());
    expect(env.totalMemoryBytes).toBe(totalmem());
    expect(env.os.length).toBeGreaterThan(0);
  });
});
