/** `mlloop sweep run SPEC --space FILE` and `mlloop sweep show NAME`: hyperparameter sweeps, every trial a recorded run. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { terminalChart, svgChart } from "../../diagnose/plots.js";
import { svgParallel } from "../../diagnose/parallel-plot.js";
import { runSweep, lostTrial, type SweepOutcome } from "../../loop/sweep.js";
import type { TrialResult, TrialTask, Objective } from "../../loop/sweep-trial.js";
import { sweepView, type SweepView } from "../../loop/sweep-view.js";
import { localPoolExecutor, type Executor } from "../../search/executor.js";
import { PRUNER_NAMES, type PrunerName } from "../../search/pruners.js";
import { SAMPLER_NAMES, type SamplerName } from "../../search/sampler.js";
import { parseSweepSpace } from "../../search/space-file.js";
import { openStore } from "../../track/open.js";
import type { Store } from "../../track/store.js";
import { bold, dim, err, out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface SweepRunOptions {
  space: string;
  trials: string;
  sampler: string;
  pruner: string;
  workers: string;
  queue?: string;
  queueName: string;
  name?: string;
  seed: string;
  metric?: string;
  minimize?: boolean;
  set: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new UsageError(`${flag} ${value}: expected one of ${allowed.join(", ")}`);
  return value as T;
}

function parseCount(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} ${value}: expected an integer >= ${min}`);
  return n;
}

/** `--metric dev.f1` → split and metric. */
export function parseMetric(value: string | undefined, minimize: boolean | undefined): Partial<Objective> {
  const direction = minimize === true ? ("minimize" as const) : undefined;
  if (value === undefined) return direction ? { direction } : {};
  const m = /^(train|dev|test)\.([A-Za-z0-9_]+)$/.exec(value);
  if (m === null) throw new UsageError(`--metric ${value}: expected split.metric, e.g. dev.f1 or dev.log_loss`);
  if (m[1] === "test")
    throw new UsageError("--metric: a sweep never chooses on test (it is looked at once, at the end); use dev");
  return { split: m[1]!, metric: m[2]!, ...(direction ? { direction } : {}) };
}

async function makeExecutor(
  opts: SweepRunOptions,
  storeLocation: string,
  workers: number,
): Promise<Executor<TrialTask, TrialResult> | undefined> {
  if (opts.queue !== undefined) {
    const { queueExecutor } = await import("../../search/queue-executor.js");
    return queueExecutor<TrialTask, TrialResult>({
      url: opts.queue,
      queueName: opts.queueName,
      jobName: "sweep-trial",
      jobId: (t) => `trial-${t.runId}`,
      parallelism: Math.max(1, workers),
      onFailure: lostTrial,
    });
  }
  if (workers <= 1) return undefined;
  return localPoolExecutor({
    module: new URL("../../loop/sweep-pool.js", import.meta.url),
    shared: { store: storeLocation },
    size: workers,
  });
}

function fmtValue(v: number | null): string {
  return v === null ? "—" : v.toFixed(4);
}

function fmtParams(p: Readonly<Record<string, unknown>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : JSON.stringify(v)}`)
    .join(" ");
}

function printOutcome(o: SweepOutcome): void {
  const counts = { complete: 0, pruned: 0, failed: 0 };
  for (const t of o.trials) counts[t.state]++;
  out(
    `\nsweep ${bold(o.name)}: ${o.trials.length} trials (${counts.complete} complete, ${counts.pruned} pruned, ${counts.failed} failed` +
      `${o.resumed > 0 ? `; ${o.resumed} recorded before, resumed` : ""}) in ${(o.wallMs / 1000).toFixed(1)} s\n`,
  );
  if (o.best !== null) {
    out(
      `best: trial ${o.best.trial} ${o.objective.split} ${o.objective.metric} ${fmtValue(o.best.value)}  run ${o.best.runId}\n` +
        `      ${fmtParams(o.best.params)}\n`,
    );
  }
  out(dim(`details: mlloop sweep show ${o.name}\n`));
}

function registerSweepRun(sweep: Command): void {
  sweep
    .command("run")
    .description("run a sweep: N trials of SPEC over a space of spec keys, each trial a recorded run")
    .argument("<spec>", "experiment spec (YAML)")
    .requiredOption("--space <file>", "the space: spec keys with choices or ranges (YAML; see docs/sweeps.md)")
    .option("--trials <n>", "number of trials (a grid stops at its size)", "20")
    .option("--sampler <name>", `how points are chosen: ${SAMPLER_NAMES.join(", ")}`, "tpe")
    .option("--pruner <name>", `stop poor trials early on their dev loss: ${PRUNER_NAMES.join(", ")}`, "none")
    .option("--workers <n>", "trials at once: local worker threads, or jobs in flight with --queue", "1")
    .option("--queue <url>", "send trials to BullMQ on Redis (redis://host:6379) for `mlloop worker` processes")
    .option("--queue-name <name>", "queue name (the workers' --queue-name)", "mlloop")
    .option("--name <name>", "sweep name (default: <spec file>-<sampler>); an existing name resumes that sweep")
    .option("--seed <n>", "sampler seed", "0")
    .option("--metric <split.metric>", "objective (default: the spec's primary metric on dev)")
    .option("--minimize", "minimise the objective (default: maximise, minimise for losses)")
    .option("-s, --set <key=value>", "override a spec key for every trial (repeatable)", collect, [])
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop sweep run examples/wine/baseline.yaml --space examples/wine/space.yaml --trials 30
  $ mlloop sweep run examples/spam/baseline.yaml --space space.yaml --sampler random --pruner median --workers 2
  $ mlloop sweep run spec.yaml --space space.yaml --trials 100 --queue redis://queue-host:6379 --workers 8
  $ mlloop sweep run spec.yaml --space space.yaml --name s1        # again after a kill: resumes s1`,
    )
    .action(async (specFile: string, opts: SweepRunOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & SweepRunOptions>();
      const trials = parseCount("--trials", opts.trials, 1);
      const workers = parseCount("--workers", opts.workers, 1);
      const seed = parseCount("--seed", opts.seed, 0);
      const sampler = parseChoice<SamplerName>("--sampler", opts.sampler, SAMPLER_NAMES);
      const pruner = parseChoice<PrunerName>("--pruner", opts.pruner, PRUNER_NAMES);
      const objective = parseMetric(opts.metric, opts.minimize);
      let spaceText: string;
      try {
        spaceText = readFileSync(opts.space, "utf8");
      } catch {
        throw new UsageError(`--space ${opts.space}: cannot read the file`);
      }
      const space = parseSweepSpace(spaceText, opts.space);
      const name = opts.name ?? `${basename(specFile).replace(/\.ya?ml$/i, "")}-${sampler}`;
      const store = await openStore(globals.store);
      const executor = await makeExecutor(opts, globals.store ?? "", workers).catch(async (e: unknown) => {
        await store.close();
        throw e;
      });
      try {
        const outcome = await runSweep({
          store,
          name,
          specFile,
          sets: opts.set,
          space,
          trials,
          sampler: { name: sampler, seed },
          pruner,
          objective,
          executor,
          onTrial: opts.json
            ? undefined
            : (r, done, total) =>
                err(
                  `trial ${String(r.trial).padStart(3)} ${r.state.padEnd(8)} ${fmtValue(r.value)}  ${dim(`${done}/${total}`)}  ${fmtParams(r.params)}${r.error && r.state !== "pruned" ? `  ${r.error}` : ""}\n`,
                ),
        });
        if (opts.json) printJson({ ...outcome, store: store.location });
        else printOutcome(outcome);
      } finally {
        await executor?.close();
        await store.close();
      }
    });
}

function printView(v: SweepView, limit: number): void {
  const s = v.settings as { sampler?: { name?: string; seed?: number }; pruner?: string; spec?: string };
  out(
    `${bold(`sweep ${v.name}`)}  ${s.spec ?? ""}  sampler ${s.sampler?.name ?? "?"} (seed ${s.sampler?.seed ?? "?"}), pruner ${s.pruner ?? "?"}\n` +
      `objective: ${v.objective.direction} ${v.objective.split} ${v.objective.metric}\n\n`,
  );
  if (v.best !== null) {
    out(
      `${bold("best")}: trial ${v.best.trial}  ${fmtValue(v.best.value)}  run ${v.best.runId}\n  ${fmtParams(v.best.params)}\n\n`,
    );
  }
  const imp = Object.entries(v.importance).sort((a, b) => b[1] - a[1]);
  if (imp.length > 0) {
    out(
      `${bold("parameter importance")} ${dim("(permutation on a random-forest surrogate of the complete trials)")}\n`,
    );
    for (const [k, w] of imp) out(`  ${k.padEnd(32)} ${"█".repeat(Math.round(w * 30)).padEnd(30)} ${w.toFixed(3)}\n`);
    out("\n");
  }
  out(`${terminalChart(v.history)}\n\n`);
  const sign = v.objective.direction === "maximize" ? -1 : 1;
  const ranked = v.trials
    .slice()
    .sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : sign * (a.value - b.value)));
  const shown = ranked.slice(0, limit);
  out(
    `${table(
      ["trial", "state", v.objective.metric, "run", "params", "note"],
      shown.map((t) => [
        t.trial,
        t.state,
        fmtValue(t.value),
        t.runId,
        fmtParams(t.params),
        t.note ?? (t.error !== null && t.state !== "complete" ? t.error.slice(0, 60) : ""),
      ]),
      ["right", "left", "right", "left", "left", "left"],
    )}\n`,
  );
  if (ranked.length > shown.length) out(dim(`… ${ranked.length - shown.length} more (--limit ${ranked.length})\n`));
}

function writeSvgs(v: SweepView, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [["history.svg", svgChart(v.history)]];
  v.slices.forEach((c, i) => files.push([`slice-${i + 1}-${c.xLabel.replace(/[^\w.-]/g, "_")}.svg`, svgChart(c)]));
  if (v.parallel !== null) files.push(["parallel.svg", svgParallel(v.parallel)]);
  for (const [f, svg] of files) writeFileSync(join(dir, f), svg);
  return files.map(([f]) => join(dir, f));
}

function registerSweepShow(sweep: Command): void {
  sweep
    .command("show")
    .description("a sweep's best trial, parameter importance, optimisation history and trials")
    .argument("<name>", "sweep name")
    .option("--limit <n>", "trials in the table (best first)", "20")
    .option("--svg <dir>", "write the optimisation history, slice and parallel-coordinates plots as SVG files into DIR")
    .option("--json", "print the view as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop sweep show baseline-tpe
  $ mlloop sweep show baseline-tpe --svg plots/ --limit 50
  $ mlloop sweep show baseline-tpe --json | jq .best`,
    )
    .action(async (name: string, opts: { limit: string; svg?: string; json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const limit = parseCount("--limit", opts.limit, 1);
      const store: Store = await openStore(globals.store);
      try {
        const view = await sweepView(store, name);
        const svgs = opts.svg !== undefined ? writeSvgs(view, opts.svg) : [];
        if (opts.json) printJson({ ...view, svg: svgs });
        else {
          printView(view, limit);
          for (const f of svgs) out(dim(`wrote ${f}\n`));
        }
      } finally {
        await store.close();
      }
    });
}

export function registerSweep(program: Command): void {
  const sweep = program.command("sweep").description("hyperparameter sweeps: TPE, random or grid search with pruning");
  registerSweepRun(sweep);
  registerSweepShow(sweep);
}
