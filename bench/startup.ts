/**
 * Start-up and the warm iteration, in fresh processes: Node's own floor (`node -e ''`),
 * `mlloop --version`, `mlloop run --help` (the `run` command's modules, no work), and a warm
 * iteration (examples/spam/baseline.yaml with only model.C changed, on the cache of one cold run
 * made first), interleaved round by round. Each process is measured from outside by
 * bench/measure.py (wall and CPU seconds); medians are reported.
 *
 *   npx tsx bench/startup.ts                         # 15 rounds
 *   npx tsx bench/startup.ts --rounds 21 --json
 *   npx tsx bench/startup.ts --base /tmp/base        # before/after: the same commands with the
 *       bin/mlloop.js of another built checkout, interleaved with this one's
 *
 * The machine is shared: compare sides of one run (same rounds, same load), never two runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PYTHON } from "./python.js";
import { loadAverage, median, secs } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const SPEC = join(ROOT, "examples", "spam", "baseline.yaml");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

interface Sample {
  readonly wall_s: number;
  readonly cpu_s: number;
}

function measure(cmd: readonly string[]): Sample {
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "measure.py"), "--cwd", ROOT, "--", ...cmd], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", MLLOOP_STORE: "" },
  });
  if (r.status !== 0) throw new Error(`measure.py failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as Sample & { exit_code: number; stderr: string };
  if (out.exit_code !== 0) throw new Error(`\`${cmd.join(" ")}\` exited with ${out.exit_code}:\n${out.stderr}`);
  return out;
}

const rounds = Number(arg("--rounds", "15"));
const base = arg("--base", "");
const sides =
  base === ""
    ? [{ name: "this", root: ROOT }]
    : [
        { name: "base", root: base },
        { name: "this", root: ROOT },
      ];
const tmp = mkdtempSync(join(tmpdir(), "mlloop-startup-"));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

try {
  const cases: Array<{ label: string; cmd: string[]; samples: Sample[] }> = [
    { label: "node -e ''", cmd: [process.execPath, "-e", ""], samples: [] },
  ];
  for (const side of sides) {
    const bin = join(side.root, "bin", "mlloop.js");
    const store = join(tmp, side.name, "mlloop.db");
    measure([process.execPath, bin, "run", SPEC, "--store", store, "--json"]); // cold: fills the cache
    const tag = base === "" ? "" : ` (${side.name})`;
    cases.push(
      { label: `mlloop --version${tag}`, cmd: [process.execPath, bin, "--version"], samples: [] },
      { label: `mlloop run --help${tag}`, cmd: [process.execPath, bin, "run", "--help"], samples: [] },
      {
        label: `warm iteration${tag}`,
        cmd: [process.execPath, bin, "run", SPEC, "--store", store, "--json", "--set", "model.C=0.5"],
        samples: [],
      },
    );
  }
  const loadStart = loadAverage();
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) c.samples.push(measure(c.cmd));
    log(`round ${r + 1}/${rounds}: ${cases.map((c) => `${c.label} ${secs(c.samples.at(-1)!.wall_s)}`).join(", ")}`);
  }
  const loadEnd = loadAverage();
  const rows = cases.map((c) => ({
    command: c.label,
    median_wall_s: median(c.samples.map((s) => s.wall_s)),
    median_cpu_s: median(c.samples.map((s) => s.cpu_s)),
  }));
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ rounds, base: base || null, loadAverage: { start: loadStart, end: loadEnd }, rows }));
  } else {
    console.log(`${rounds} interleaved rounds, load average ${loadStart[0]} → ${loadEnd[0]}\n`);
    console.log("| command | median wall | median CPU |\n|---|---|---|");
    for (const row of rows) console.log(`| ${row.command} | ${secs(row.median_wall_s)} | ${secs(row.median_cpu_s)} |`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
