/**
 * What produced a run besides its spec: the code (git commit, branch, dirty flag, the patch of
 * uncommitted changes, untracked files — two runs "on the same commit" with different local edits
 * must not look alike) and the machine (node, mlloop version, OS, CPU, memory).
 * Never throws: no git, not a repository, or a refused repository gives `git: null` and a reason.
 */
import { spawn } from "node:child_process";
import { arch, cpus, hostname, platform, release, totalmem, type } from "node:os";
import { VERSION } from "../version.js";
import type { EnvInfo, GitInfo, Provenance } from "./store.js";

export const DEFAULT_MAX_PATCH_BYTES = 1024 * 1024;
export const DEFAULT_MAX_UNTRACKED = 1000;

export interface ProvenanceOptions {
  readonly cwd?: string;
  readonly maxPatchBytes?: number;
  readonly maxUntracked?: number;
}

interface GitResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  /** Bytes git wrote to stdout, including those beyond the cap. */
  readonly totalBytes: number;
  readonly stderr: string;
}

class GitUnavailable extends Error {}

/** Runs git, keeping at most `maxBytes` of its output (the rest is counted and dropped). */
function git(cwd: string, args: readonly string[], maxBytes = 16 * 1024 * 1024): Promise<GitResult> {
  return new Promise((resolveGit, reject) => {
    const child = spawn("git", ["-c", "core.quotepath=off", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (kept < maxBytes) {
        const part = chunk.subarray(0, maxBytes - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new GitUnavailable("git is not installed") : error);
    });
    child.on("close", (code) => resolveGit({ code, stdout: Buffer.concat(chunks), totalBytes: total, stderr }));
  });
}

async function gitText(cwd: string, args: readonly string[]): Promise<string | null> {
  const result = await git(cwd, args);
  return result.code === 0 ? result.stdout.toString("utf8").trim() : null;
}

/** Decodes a byte prefix, dropping a last character that the cut split, so that the patch stays valid text. */
function decodeUtf8Prefix(bytes: Buffer): string {
  let end = bytes.length;
  let lead = end - 1;
  while (lead >= 0 && end - lead < 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead >= 0) {
    const byte = bytes[lead]!;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (end - lead < length) end = lead;
  }
  return bytes.subarray(0, end).toString("utf8");
}

export async function captureGit(
  options: ProvenanceOptions = {},
): Promise<{ git: GitInfo | null; gitUnavailable?: string }> {
  const cwd = options.cwd ?? process.cwd();
  const maxPatchBytes = options.maxPatchBytes ?? DEFAULT_MAX_PATCH_BYTES;
  const maxUntracked = options.maxUntracked ?? DEFAULT_MAX_UNTRACKED;
  try {
    // One wave of child processes: each wave waits for a turn of the caller's event loop, which a
    // run keeps busy loading its data. The diff is taken from the top level whatever `cwd` is
    // (diff.relative=false): a failure to find HEAD (no commit yet) leaves the patch null.
    const [top, commit, branch, status, untrackedOut, diff] = await Promise.all([
      git(cwd, ["rev-parse", "--show-toplevel"]),
      gitText(cwd, ["rev-parse", "--verify", "-q", "HEAD"]),
      gitText(cwd, ["symbolic-ref", "--short", "-q", "HEAD"]),
      git(cwd, ["status", "--porcelain", "--untracked-files=no"]),
      git(cwd, ["ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/"]),
      git(cwd, ["-c", "diff.relative=false", "diff", "HEAD", "--no-color", "--no-ext-diff"], maxPatchBytes),
    ]);
    if (top.code !== 0) {
      const reason = top.stderr.trim().split("\n")[0] ?? "";
      return { git: null, gitUnavailable: /not a git repository/i.test(reason) ? "not a git repository" : reason };
    }
    const root = top.stdout.toString("utf8").trim();
    const untrackedAll = untrackedOut.stdout
      .toString("utf8")
      .split("\0")
      .filter((f) => f.length > 0);
    let patch: string | null = null;
    let patchBytes = 0;
    let patchTruncated = false;
    if (commit !== null && diff.code === 0) {
      patchBytes = diff.totalBytes;
      patchTruncated = diff.totalBytes > maxPatchBytes;
      patch = patchTruncated
        ? `${decodeUtf8Prefix(diff.stdout)}\n# mlloop: patch truncated: kept ${maxPatchBytes} of ${diff.totalBytes} bytes\n`
        : diff.stdout.toString("utf8");
    }
    return {
      git: {
        root,
        commit,
        branch: branch === "" ? null : branch,
        dirty: status.code === 0 && status.stdout.length > 0,
        patch,
        patchTruncated,
        patchBytes,
        untracked: untrackedAll.slice(0, maxUntracked),
        untrackedTruncated: untrackedAll.length > maxUntracked,
      },
    };
  } catch (error) {
    return { git: null, gitUnavailable: (error as Error).message };
  }
}

export function captureEnvironment(): EnvInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    mlloop: VERSION,
    os: `${type()} ${release()}`,
    platform: platform(),
    arch: arch(),
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    cpuCount: cpuList.length,
    hostname: hostname(),
    totalMemoryBytes: totalmem(),
  };
}

export async function captureProvenance(options: ProvenanceOptions = {}): Promise<Provenance> {
  const cwd = options.cwd ?? process.cwd();
  const { git: gitInfo, gitUnavailable } = await captureGit({ ...options, cwd });
  return {
    git: gitInfo,
    ...(gitUnavailable === undefined ? {} : { gitUnavailable }),
    env: captureEnvironment(),
    cwd,
    argv: process.argv.slice(),
    capturedAt: Date.now(),
  };
}
