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
  /** Run the git commands through one `sh` (default true; false: one child process each, as without sh). */
  readonly oneProcess?: boolean;
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

const text = (result: GitResult): string | null => (result.code === 0 ? result.stdout.toString("utf8").trim() : null);

/** The git commands provenance runs, in the order of their results. */
function provenanceCommands(maxPatchBytes: number): ReadonlyArray<{ args: readonly string[]; maxBytes?: number }> {
  // The diff is taken from the top level whatever `cwd` is (diff.relative=false): a failure to
  // find HEAD (no commit yet) leaves the patch null.
  return [
    { args: ["rev-parse", "--show-toplevel"] },
    { args: ["rev-parse", "--verify", "-q", "HEAD"] },
    { args: ["symbolic-ref", "--short", "-q", "HEAD"] },
    { args: ["status", "--porcelain", "--untracked-files=no"] },
    { args: ["ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/"] },
    { args: ["-c", "diff.relative=false", "diff", "HEAD", "--no-color", "--no-ext-diff"], maxBytes: maxPatchBytes },
  ];
}

const shellQuote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

/** Thrown when there is no `sh` to run the commands through (the caller runs them one by one). */
class NoShell extends Error {}

/**
 * Every command in one child process: `sh` starts them at once, each writing its output to a pipe
 * of its own (fd 3 onwards; the first command's stderr to the pipe after them) and printing
 * "<index> <exit code>" when it ends. Spawning from this process forks it, which blocks this thread
 * for a time that grows with its memory (page tables): 2–12 ms a spawn from a run that has loaded
 * its data, six of them 25–70 ms (docs/benchmarks.md); sh forks git for a fraction of that.
 */
function gitAllAtOnce(
  cwd: string,
  commands: ReadonlyArray<{ args: readonly string[]; maxBytes?: number }>,
): Promise<GitResult[]> {
  const errFd = 3 + commands.length;
  const jobs = commands.map((c, i) => {
    const args = ["git", "-c", "core.quotepath=off", ...c.args].map(shellQuote).join(" ");
    return `{ ${args} >&${3 + i} 2>${i === 0 ? `&${errFd}` : "/dev/null"}; echo "${i} $?"; } &`;
  });
  const script = ["command -v git >/dev/null 2>&1 || exit 127", ...jobs, "wait"].join("\n");
  return new Promise((resolveAll, reject) => {
    const child = spawn("sh", ["-c", script], {
      cwd,
      stdio: ["ignore", "pipe", "ignore", ...commands.map(() => "pipe" as const), "pipe"],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
    });
    const outputs = commands.map((c) => ({
      chunks: [] as Buffer[],
      kept: 0,
      total: 0,
      max: c.maxBytes ?? 16 * 1024 * 1024,
    }));
    outputs.forEach((o, i) => {
      (child.stdio[3 + i] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
        o.total += chunk.length;
        if (o.kept < o.max) {
          const part = chunk.subarray(0, o.max - o.kept);
          o.chunks.push(part);
          o.kept += part.length;
        }
      });
    });
    let codes = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (codes += chunk.toString("latin1")));
    (child.stdio[errFd] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new NoShell("no sh") : error);
    });
    child.on("close", (code) => {
      if (code === 127 && codes === "") {
        reject(new GitUnavailable("git is not installed"));
        return;
      }
      const exit = new Map<number, number>();
      for (const line of codes.split("\n")) {
        const [i, c] = line.split(" ");
        if (i !== undefined && c !== undefined) exit.set(Number(i), Number(c));
      }
      resolveAll(
        outputs.map((o, i) => ({
          code: exit.get(i) ?? null,
          stdout: Buffer.concat(o.chunks),
          totalBytes: o.total,
          stderr: i === 0 ? stderr : "",
        })),
      );
    });
  });
}

/** The commands' results: through one `sh` (gitAllAtOnce), or one process each where there is no sh. */
async function runGitCommands(
  cwd: string,
  commands: ReadonlyArray<{ args: readonly string[]; maxBytes?: number }>,
  oneProcess: boolean,
): Promise<GitResult[]> {
  if (oneProcess) {
    try {
      return await gitAllAtOnce(cwd, commands);
    } catch (error) {
      if (!(error instanceof NoShell)) throw error;
    }
  }
  return Promise.all(commands.map((c) => git(cwd, c.args, c.maxBytes)));
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
    // All at once, not in waves: each wave waits for a turn of the caller's event loop, which a run
    // keeps busy loading its data.
    const results = await runGitCommands(cwd, provenanceCommands(maxPatchBytes), options.oneProcess ?? true);
    // one result per command, in order
    const [top, commitOut, branchOut, status, untrackedOut, diff] = results as [
      GitResult,
      GitResult,
      GitResult,
      GitResult,
      GitResult,
      GitResult,
    ];
    const commit = text(commitOut);
    const branch = text(branchOut);
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
