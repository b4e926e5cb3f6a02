/**
 * A run's change from its parent, as a typed edge of the lineage graph: the SpecPatch, the code
 * change (commits between the two runs' commits, uncommitted patches), the data change (dataset
 * and split fingerprints, counts) and the environment change (node, mlloop, OS, CPU, host).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { diffSpecs, formatPatch, type SpecPatch } from "../spec/patch.js";
import type { EnvInfo, RunRecord } from "../track/store.js";

export interface CodeChange {
  readonly from: string | null;
  readonly to: string | null;
  /** `git log --oneline from..to` when both commits exist locally; null when unknown. */
  readonly commits: readonly string[] | null;
  /** Why `commits` is null, when it is. */
  readonly commitsUnavailable?: string;
  readonly fromDirty: boolean;
  readonly toDirty: boolean;
  /** The uncommitted patches differ (sizes or text). */
  readonly patchChanged: boolean;
  readonly changed: boolean;
}

export interface DataChange {
  readonly fingerprintChanged: boolean;
  readonly from: string | null;
  readonly to: string | null;
  readonly splits: ReadonlyArray<{ split: string; from: string | null; to: string | null }>;
  readonly counts: ReadonlyArray<{ split: string; from: number | null; to: number | null }>;
  readonly changed: boolean;
}

export interface EnvChange {
  readonly keys: ReadonlyArray<{ key: string; from: unknown; to: unknown }>;
  readonly changed: boolean;
}

export interface RunChange {
  readonly parent: string;
  readonly child: string;
  readonly spec: SpecPatch;
  /** The change of the free-form params (tracking API runs), paths starting with "params". Absent in results stored before it existed. */
  readonly params?: SpecPatch;
  readonly code: CodeChange;
  readonly data: DataChange;
  readonly env: EnvChange;
  readonly unchanged: boolean;
}

export interface DescribeChangeOptions {
  /** Ask git for the commits between the two runs (default true). */
  readonly git?: boolean;
}

const ENV_KEYS: readonly (keyof EnvInfo)[] = [
  "node",
  "mlloop",
  "os",
  "platform",
  "arch",
  "cpuModel",
  "cpuCount",
  "hostname",
];

function gitLog(root: string, from: string, to: string): { commits: string[] | null; reason?: string } {
  if (!existsSync(root)) return { commits: null, reason: `repository ${root} is not on this machine` };
  try {
    const out = execFileSync("git", ["-C", root, "log", "--oneline", "--no-decorate", `${from}..${to}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 5000,
      maxBuffer: 4 << 20,
    });
    return { commits: out.split("\n").filter((l) => l.trim() !== "") };
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim();
    return { commits: null, reason: stderr.split("\n")[0] || (e as Error).message };
  }
}

function codeChange(parent: RunRecord, child: RunRecord, options: DescribeChangeOptions): CodeChange {
  const ga = parent.provenance?.git ?? null;
  const gb = child.provenance?.git ?? null;
  const from = ga?.commit ?? null;
  const to = gb?.commit ?? null;
  const fromDirty = ga?.dirty ?? false;
  const toDirty = gb?.dirty ?? false;
  const patchChanged = (ga?.patch ?? null) !== (gb?.patch ?? null) || (ga?.patchBytes ?? 0) !== (gb?.patchBytes ?? 0);
  let commits: string[] | null = null;
  let reason: string | undefined;
  if (from !== null && to !== null) {
    if (from === to) commits = [];
    else if (options.git === false) reason = "not asked";
    else {
      const log = gitLog(gb!.root, from, to);
      commits = log.commits;
      reason = log.reason;
    }
  } else reason = ga === null || gb === null ? "a run has no git information" : "a run has no commit";
  const changed = from !== to || patchChanged;
  return {
    from,
    to,
    commits,
    ...(commits === null && reason !== undefined ? { commitsUnavailable: reason } : {}),
    fromDirty,
    toDirty,
    patchChanged,
    changed,
  };
}

function dataChange(parent: RunRecord, child: RunRecord): DataChange {
  const da = parent.dataInfo;
  const db = child.dataInfo;
  const from = (da?.fingerprint as string | undefined) ?? null;
  const to = (db?.fingerprint as string | undefined) ?? null;
  const sa = (da?.splits ?? {}) as Record<string, string>;
  const sb = (db?.splits ?? {}) as Record<string, string>;
  const ca = (da?.counts ?? {}) as Record<string, number>;
  const cb = (db?.counts ?? {}) as Record<string, number>;
  const splitNames = [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort();
  const splits = splitNames
    .filter((s) => sa[s] !== sb[s])
    .map((s) => ({ split: s, from: sa[s] ?? null, to: sb[s] ?? null }));
  const countNames = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
  const counts = countNames
    .filter((s) => ca[s] !== cb[s])
    .map((s) => ({ split: s, from: ca[s] ?? null, to: cb[s] ?? null }));
  const fingerprintChanged = from !== to;
  return { fingerprintChanged, from, to, splits, counts, changed: fingerprintChanged || splits.length > 0 };
}

function envChange(parent: RunRecord, child: RunRecord): EnvChange {
  const ea = parent.provenance?.env;
  const eb = child.provenance?.env;
  if (ea === undefined || eb === undefined) return { keys: [], changed: false };
  const keys = ENV_KEYS.filter((k) => ea[k] !== eb[k]).map((k) => ({ key: k, from: ea[k], to: eb[k] }));
  return { keys, changed: keys.length > 0 };
}

/** The change from `parent` to `child` (any two runs; usually a lineage edge). */
export function describeChange(parent: RunRecord, child: RunRecord, options: DescribeChangeOptions = {}): RunChange {
  let spec: SpecPatch;
  if (parent.specJson !== null && child.specJson !== null) {
    spec = diffSpecs(JSON.parse(parent.specJson) as unknown, JSON.parse(child.specJson) as unknown);
  } else spec = child.parentId === parent.id ? ((child.specPatch ?? []) as SpecPatch) : [];
  const params = diffSpecs(parent.params ?? {}, child.params ?? {}).map((op) => ({
    ...op,
    path: ["params", ...op.path],
  })) as SpecPatch;
  const code = codeChange(parent, child, options);
  const data = dataChange(parent, child);
  const env = envChange(parent, child);
  return {
    parent: parent.id,
    child: child.id,
    spec,
    params,
    code,
    data,
    env,
    unchanged: spec.length === 0 && params.length === 0 && !code.changed && !data.changed && !env.changed,
  };
}

/** One line per changed thing: spec ops, then code, data and environment. */
export function formatChange(change: RunChange, options: { maxCommits?: number } = {}): string[] {
  const lines = [...formatPatch(change.spec), ...formatPatch(change.params ?? [])];
  const c = change.code;
  if (c.changed) {
    const head =
      c.from !== c.to
        ? `code ${c.from?.slice(0, 10) ?? "(none)"} → ${c.to?.slice(0, 10) ?? "(none)"}` +
          (c.commits !== null ? ` (${c.commits.length} commit${c.commits.length === 1 ? "" : "s"})` : "")
        : `code: same commit ${c.to?.slice(0, 10) ?? "(none)"}, different uncommitted changes`;
    lines.push(head + (c.from !== c.to && c.toDirty ? " + uncommitted changes" : ""));
    const max = options.maxCommits ?? 5;
    for (const commit of (c.commits ?? []).slice(0, max)) lines.push(`    ${commit}`);
    if ((c.commits?.length ?? 0) > max) lines.push(`    … ${c.commits!.length - max} more`);
  }
  const d = change.data;
  if (d.fingerprintChanged) lines.push(`data ${d.from?.slice(0, 10) ?? "(none)"} → ${d.to?.slice(0, 10) ?? "(none)"}`);
  for (const s of d.splits)
    lines.push(`data: ${s.split} split ${s.from?.slice(0, 10) ?? "(none)"} → ${s.to?.slice(0, 10) ?? "(none)"}`);
  for (const e of change.env.keys) lines.push(`env ${e.key}: ${String(e.from)} → ${String(e.to)}`);
  return lines;
}
