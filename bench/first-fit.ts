/**
 * First fit in a fresh process, side by side: for each learner, a fresh Node process per kernel
 * back end (MLLOOP_KERNELS=js, =wasm) and a fresh Python process with scikit-learn fit the same
 * matrix (the spam TF-IDF / counts of examples/spam/baseline.yaml) `--fits` times in a row,
 * interleaved round by round. Reports medians of the first fit and of the last fit of each
 * process, and their ratios to scikit-learn's. The first fit is what a new `mlloop run` or a
 * fresh pool worker pays.
 *
 *   npx tsx bench/first-fit.ts                       # lr, svm, sgd, nb, gbdt; 5 rounds; 3 fits a process
 *   npx tsx bench/first-fit.ts --models lr --rounds 7 --json
 *   npx tsx bench/first-fit.ts --sides wasm --models sgd,nb   # skip the JavaScript-kernel processes
 *   npx tsx bench/first-fit.ts --sides base,wasm --base /tmp/old   # before/after: side "base" runs
 *       bench/fit-once.ts of another checkout (built, with this fit-once.ts copied in) on the same data
 *
 * Wall and CPU seconds of each fit are both reported: the machine is shared, and CPU time is what
 * other processes disturb least (scikit-learn's GBDT uses OpenMP threads, so its CPU exceeds wall).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spamProblems, writeProblem } from "./models.js";
import { PYTHON } from "./python.js";
import { loadAverage, median, secs } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const DATA: Record<string, string> = {
  lr: "spam-tfidf",
  svm: "spam-tfidf",
  svm_calibrated: "spam-tfidf",
  sgd: "spam-tfidf",
  nb: "spam-counts",
  gbdt: "tabular",
};
const GBDT_PARAMS = {
  learning_rate: 0.1,
  max_iter: 100,
  max_leaf_nodes: 31,
  min_samples_leaf: 20,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: false,
};

interface ProcessFits {
  readonly wall_s: number[];
  readonly cpu_s: number[];
  readonly f1: number;
  /** Minor page faults during each fit (our side on Linux; absent for scikit-learn). */
  readonly faults?: number[];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

/** `backend` is js or wasm, or "base": this script's fit-once.ts in the checkout given by --base (wasm kernels). */
function ours(model: string, dir: string, backend: string, fits: number): ProcessFits {
  const root = backend === "base" ? arg("--base", "") : ROOT;
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "bench", "fit-once.ts"), model, dir, "--fits", String(fits)],
    { cwd: root, encoding: "utf8", env: { ...process.env, MLLOOP_KERNELS: backend === "base" ? "wasm" : backend } },
  );
  if (r.status !== 0) throw new Error(`fit-once ${model} (${backend}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ProcessFits;
}

function sklearnRun(lines: object[]): Array<Record<string, number>> {
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "sklearn_worker.py")], {
    input: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`sklearn_worker failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => {
      const reply = JSON.parse(l) as { ok: boolean; error?: string; result: Record<string, number> };
      if (!reply.ok) throw new Error(`sklearn_worker: ${reply.error}`);
      return reply.result;
    });
}

function sklearn(model: string, dir: string, fits: number): ProcessFits {
  const lines: object[] = [{ cmd: "load", name: "p", dir }];
  const params = model === "gbdt" ? GBDT_PARAMS : {};
  for (let k = 0; k < fits; k++) lines.push({ cmd: "fit", model, data: "p", params });
  const replies = sklearnRun(lines).slice(1);
  return {
    wall_s: replies.map((x) => x["wall_s"]!),
    cpu_s: replies.map((x) => x["cpu_s"]!),
    f1: replies.at(-1)!["f1"]!,
  };
}

type Slot = {
  first: number[];
  last: number[];
  firstCpu: number[];
  lastCpu: number[];
  firstFaults: number[];
  f1: number;
};

function record(slot: Slot, out: ProcessFits): void {
  slot.first.push(out.wall_s[0]!);
  slot.last.push(out.wall_s.at(-1)!);
  slot.firstCpu.push(out.cpu_s[0]!);
  slot.lastCpu.push(out.cpu_s.at(-1)!);
  slot.firstFaults.push(out.faults?.[0] ?? NaN);
  slot.f1 = out.f1;
}

function summarise(model: string, s: Record<string, Slot>, sides: readonly string[]): Record<string, number | string> {
  const row: Record<string, number | string> = { model };
  for (const side of sides) {
    const v = s[side]!;
    row[`${side}_first_s`] = median(v.first);
    row[`${side}_last_s`] = median(v.last);
    row[`${side}_first_cpu_s`] = median(v.firstCpu);
    row[`${side}_last_cpu_s`] = median(v.lastCpu);
    row[`${side}_first_faults`] = median(v.firstFaults);
    row[`${side}_f1`] = v.f1;
  }
  const sk = s["sklearn"]!;
  for (const side of sides.filter((x) => x !== "sklearn")) {
    const v = s[side]!;
    row[`${side}_over_sklearn_first`] = median(v.first) / median(sk.first);
    row[`${side}_over_sklearn_last`] = median(v.last) / median(sk.last);
    row[`${side}_over_sklearn_first_cpu`] = median(v.firstCpu) / median(sk.firstCpu);
    row[`${side}_over_sklearn_last_cpu`] = median(v.lastCpu) / median(sk.lastCpu);
  }
  return row;
}

function markdown(
  rows: Array<Record<string, number | string>>,
  sides: readonly string[],
  head: string,
  fits: number,
): string {
  const ourSides = sides.filter((x) => x !== "sklearn");
  const out = [
    head,
    "",
    `| model | side | first fit wall | fit ${fits} wall | first fit CPU | fit ${fits} CPU | / sklearn wall (first, fit ${fits}) | / sklearn CPU (first, fit ${fits}) | first fit page faults | test F1 |`,
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const n = (k: string): number => r[k] as number;
    for (const side of sides) {
      const rel = ourSides.includes(side)
        ? `**${n(`${side}_over_sklearn_first`).toFixed(2)}×**, ${n(`${side}_over_sklearn_last`).toFixed(2)}× | ${n(`${side}_over_sklearn_first_cpu`).toFixed(2)}×, ${n(`${side}_over_sklearn_last_cpu`).toFixed(2)}×`
        : " | ";
      out.push(
        `| ${r["model"]} | ${side} | ${secs(n(`${side}_first_s`))} | ${secs(n(`${side}_last_s`))} | ${secs(n(`${side}_first_cpu_s`))} | ${secs(n(`${side}_last_cpu_s`))} | ${rel} | ${Number.isNaN(n(`${side}_first_faults`)) ? "" : n(`${side}_first_faults`)} | ${n(`${side}_f1`).toFixed(4)} |`,
      );
    }
  }
  return out.join("\n") + "\n";
}

async function writeProblems(tmp: string, models: readonly string[]): Promise<void> {
  const { tfidf, counts } = await spamProblems(tmp);
  writeProblem(join(tmp, "spam-tfidf"), tfidf);
  writeProblem(join(tmp, "spam-counts"), counts);
  if (models.includes("gbdt")) sklearnRun([{ cmd: "tabular", dir: join(tmp, "tabular"), n: 20_000, d: 20, seed: 0 }]);
}

async function main(): Promise<void> {
  const models = arg("--models", "lr,svm,sgd,nb,gbdt").split(",");
  const sides = arg("--sides", "js,wasm,sklearn").split(",");
  if (sides.includes("base") && arg("--base", "") === "") throw new Error("--sides base needs --base <checkout>");
  if (!sides.includes("sklearn")) sides.push("sklearn");
  const rounds = Number(arg("--rounds", "5"));
  const fits = Number(arg("--fits", "3"));
  const tmp = mkdtempSync(join(tmpdir(), "mlloop-first-fit-"));
  const loadStart = loadAverage();
  try {
    await writeProblems(tmp, models);
    const got: Record<string, Record<string, Slot>> = {};
    for (let r = 0; r < rounds; r++) {
      for (const m of models) {
        const dir = join(tmp, DATA[m] ?? "spam-tfidf");
        got[m] ??= {};
        for (const side of sides) {
          const out = side === "sklearn" ? sklearn(m, dir, fits) : ours(m, dir, side, fits);
          record((got[m][side] ??= { first: [], last: [], firstCpu: [], lastCpu: [], firstFaults: [], f1: NaN }), out);
        }
      }
      process.stderr.write(`round ${r + 1}/${rounds} done (load ${loadAverage().join(" / ")})\n`);
    }
    const loadEnd = loadAverage();
    const rows = models.map((m) => summarise(m, got[m]!, sides));
    if (process.argv.includes("--json")) {
      process.stdout.write(
        JSON.stringify({ rounds, fits, loadAverage: { start: loadStart, end: loadEnd }, rows }) + "\n",
      );
      return;
    }
    const head = `First fit in a fresh process: medians of ${rounds} interleaved rounds, ${fits} fits a process; load average ${loadStart.join(" / ")} → ${loadEnd.join(" / ")}`;
    process.stdout.write(markdown(rows, sides, head, fits));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`first-fit failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
