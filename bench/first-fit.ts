/**
 * First fit in a fresh process, side by side: for each learner, a fresh Node process per kernel
 * back end (MLLOOP_KERNELS=js, =wasm) and a fresh Python process with scikit-learn fit the same
 * matrix (the spam TF-IDF / counts of examples/spam/baseline.yaml) `--fits` times in a row,
 * interleaved round by round. Reports medians of the first fit and of the last fit of each
 * process, and their ratios to scikit-learn's. The first fit is what a new `mlloop run` or a
 * fresh pool worker pays.
 *
 *   npx tsx bench/first-fit.ts                       # lr, svm, sgd, nb; 5 rounds; 3 fits a process
 *   npx tsx bench/first-fit.ts --models lr --rounds 7 --json
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spamProblems, writeProblem } from "./models.js";
import { PYTHON } from "./python.js";
import { loadAverage, median, ratio, secs } from "./stats.js";

const ROOT = join(import.meta.dirname, "..");
const DATA: Record<string, string> = { lr: "spam-tfidf", svm: "spam-tfidf", sgd: "spam-tfidf", nb: "spam-counts" };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

function ours(model: string, dir: string, backend: string, fits: number): { wall_s: number[]; f1: number } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench", "fit-once.ts"), model, dir, "--fits", String(fits)],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, MLLOOP_KERNELS: backend } },
  );
  if (r.status !== 0) throw new Error(`fit-once ${model} (${backend}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { wall_s: number[]; f1: number };
}

function sklearn(model: string, dir: string, fits: number): { wall_s: number[]; f1: number } {
  const lines = [JSON.stringify({ cmd: "load", name: "p", dir })];
  for (let k = 0; k < fits; k++) lines.push(JSON.stringify({ cmd: "fit", model, data: "p" }));
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "sklearn_worker.py")], {
    input: lines.join("\n") + "\n",
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`sklearn_worker failed: ${r.stderr}`);
  const replies = r.stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => (JSON.parse(l) as { result: { wall_s: number; f1: number } }).result);
  return { wall_s: replies.map((x) => x.wall_s), f1: replies.at(-1)!.f1 };
}

async function main(): Promise<void> {
  const models = arg("--models", "lr,svm,sgd,nb").split(",");
  const rounds = Number(arg("--rounds", "5"));
  const fits = Number(arg("--fits", "3"));
  const tmp = mkdtempSync(join(tmpdir(), "mlloop-first-fit-"));
  const loadStart = loadAverage();
  try {
    const { tfidf, counts } = await spamProblems(tmp);
    writeProblem(join(tmp, "spam-tfidf"), tfidf);
    writeProblem(join(tmp, "spam-counts"), counts);
    const sides = ["js", "wasm", "sklearn"] as const;
    const got: Record<string, Record<string, { first: number[]; last: number[]; f1: number }>> = {};
    for (let r = 0; r < rounds; r++) {
      for (const m of models) {
        const dir = join(tmp, DATA[m] ?? "spam-tfidf");
        got[m] ??= {};
        for (const side of sides) {
          const out = side === "sklearn" ? sklearn(m, dir, fits) : ours(m, dir, side, fits);
          const slot = (got[m][side] ??= { first: [], last: [], f1: NaN });
          slot.first.push(out.wall_s[0]!);
          slot.last.push(out.wall_s.at(-1)!);
          slot.f1 = out.f1;
        }
      }
      process.stderr.write(`round ${r + 1}/${rounds} done (load ${loadAverage().join(" / ")})\n`);
    }
    const loadEnd = loadAverage();
    const rows = models.map((m) => {
      const s = got[m]!;
      const med = (side: string, k: "first" | "last"): number => median(s[side]![k]);
      return {
        model: m,
        ...Object.fromEntries(
          sides.flatMap((side) => [
            [`${side}_first_s`, med(side, "first")],
            [`${side}_last_s`, med(side, "last")],
            [`${side}_f1`, s[side]!.f1],
          ]),
        ),
        wasm_over_sklearn_first: med("wasm", "first") / med("sklearn", "first"),
        wasm_over_sklearn_last: med("wasm", "last") / med("sklearn", "last"),
        js_over_sklearn_first: med("js", "first") / med("sklearn", "first"),
        js_over_sklearn_last: med("js", "last") / med("sklearn", "last"),
      };
    });
    if (process.argv.includes("--json")) {
      process.stdout.write(
        JSON.stringify({ rounds, fits, loadAverage: { start: loadStart, end: loadEnd }, rows }) + "\n",
      );
      return;
    }
    const out = [
      `First fit in a fresh process: medians of ${rounds} interleaved rounds, ${fits} fits a process; load average ${loadStart.join(" / ")} → ${loadEnd.join(" / ")}`,
      "",
      "| model | JS first | JS fit " +
        fits +
        " | WASM first | WASM fit " +
        fits +
        " | scikit-learn first | scikit-learn fit " +
        fits +
        " | WASM / sklearn (first, fit " +
        fits +
        ") | JS / sklearn (first, fit " +
        fits +
        ") | F1 js / wasm / sklearn |",
      "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows as Array<Record<string, number | string>>) {
      const n = (k: string): number => r[k] as number;
      out.push(
        `| ${r["model"]} | ${secs(n("js_first_s"))} | ${secs(n("js_last_s"))} | ${secs(n("wasm_first_s"))} | ${secs(n("wasm_last_s"))} | ${secs(n("sklearn_first_s"))} | ${secs(n("sklearn_last_s"))} | **${ratio(n("wasm_first_s"), n("sklearn_first_s"))}**, ${ratio(n("wasm_last_s"), n("sklearn_last_s"))} | ${ratio(n("js_first_s"), n("sklearn_first_s"))}, ${ratio(n("js_last_s"), n("sklearn_last_s"))} | ${n("js_f1").toFixed(4)} / ${n("wasm_f1").toFixed(4)} / ${n("sklearn_f1").toFixed(4)} |`,
      );
    }
    process.stdout.write(out.join("\n") + "\n");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`first-fit failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
