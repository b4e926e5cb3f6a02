/** `mlloop attribute A B`: how much of the metric delta each change from A to B is responsible for. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { isAttributionRecord, type AttributionPlan, type AttributionRecord } from "../../compare/attribute.js";
import { attributeRuns } from "../../loop/attribute.js";
import { fmtCi, fmtCount, fmtDelta, fmtShare, fmtValue } from "../../compare/format.js";
import { openStore } from "../../track/open.js";
import { createStageReporter } from "../progress.js";
import { bold, dim, err, out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";
import { parseIntOption } from "./compare.js";
import { localPoolExecutor, type Executor } from "../../search/executor.js";
import type { RunJobResult, RunJobTask } from "../../loop/run-job.js";
import type { SweepPoolShared } from "../../loop/sweep-pool.js";

interface AttributeCliOptions {
  metric?: string;
  split: string;
  group: string[];
  resamples: string;
  seed: string;
  permutations: string;
  baseDir?: string;
  dryRun?: boolean;
  workers?: string;
  queue?: string;
  queueName: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function renderPlan(plan: AttributionPlan): string {
  const lines = [
    `${bold("attribution")} ${plan.runA.slice(0, 12)} → ${plan.runB.slice(0, 12)}: ${plan.metric} on ${plan.split}, ` +
      `${plan.mode === "exact" ? "exact Shapley" : "sampled permutations"} over ${plan.players.length} players, ` +
      `${plan.coalitions.length} coalitions (${plan.coalitions.length - plan.toTrain} existing, ${plan.toTrain} to train)`,
  ];
  for (const p of plan.players) lines.push(`  ${bold(p.name)}  ${dim(p.change)}`);
  if (plan.ignored.length > 0)
    lines.push(dim(`  not players (cannot change a prediction): ${plan.ignored.join("; ")}`));
  return lines.join("\n");
}

function renderRecord(r: AttributionRecord): string {
  const a = r.attribution;
  const lines = [renderPlan(r.plan), ""];
  lines.push(
    dim(
      `${fmtCount(a.n)} shared examples; ${Math.round(a.ci * 100)}% CIs from a joint bootstrap across all ${a.coalitions.length} coalition runs (${fmtCount(a.resamples)} resamples, seed ${a.seed})` +
        (a.mode === "sampled" ? `; ${a.permutations} permutations` : ""),
    ),
  );
  const changes = new Map(r.plan.players.map((p) => [p.name, p.change]));
  lines.push(
    table(
      ["player", "change", "contribution", `${Math.round(a.ci * 100)}% CI`, "share", ""],
      [
        ...a.players.map((p) => [
          p.player,
          (changes.get(p.player) ?? "").slice(0, 48),
          fmtDelta(p.value),
          fmtCi(p.ciLow, p.ciHigh),
          fmtShare(p.share),
          p.coversZero ? dim("noise (CI covers 0)") : "",
        ]),
        [bold("total (B − A)"), "", fmtDelta(a.total.value), fmtCi(a.total.ciLow, a.total.ciHigh), "100%", ""],
      ],
      ["left", "left", "right", "right", "right", "left"],
    ),
  );
  lines.push(dim(`efficiency: the contributions sum to the total delta (gap ${a.efficiencyGap.toExponential(1)})`));
  const interacting = a.interactions.filter((i) => !(i.ciLow <= 0 && i.ciHigh >= 0) || Math.abs(i.value) > 1e-12);
  if (interacting.length > 0) {
    lines.push("", bold("interactions") + dim(" (Shapley interaction index: + complements, − substitutes)"));
    for (const i of interacting) lines.push(`  ${i.a} × ${i.b}  ${fmtDelta(i.value)} ${fmtCi(i.ciLow, i.ciHigh)}`);
  }
  if (a.path.length > 0) {
    const start = a.coalitions.find((c) => c.mask === 0)?.value;
    lines.push(
      "",
      bold("greedy ablation path") + dim(" (biggest step first)"),
      `  A ${fmtValue(start)}` +
        a.path.map((s) => ` → +${s.playerName} ${fmtValue(s.value)} (${fmtDelta(s.gain)})`).join(""),
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

export function registerAttribute(program: Command): void {
  program
    .command("attribute")
    .description("attribute the metric delta from run A to run B to each of its changes (Shapley over ablation runs)")
    .argument("<a>", "baseline run (id or unique prefix)")
    .argument("<b>", "changed run")
    .option("-m, --metric <name>", "metric to attribute (default: the spec's primary metric)")
    .option("--split <split>", "split the metric is measured on", "dev")
    .option("-g, --group <keys>", "spec keys that form one player, comma-separated (repeatable)", collect, [])
    .option("--resamples <n>", "bootstrap resamples", "2000")
    .option("--seed <n>", "seed for the bootstrap and the permutation sample", "0")
    .option("--permutations <n>", "permutations sampled beyond 6 players", "12")
    .option("--base-dir <dir>", "folder relative data paths in the specs are resolved against (default: .)")
    .option("--dry-run", "show the players and the runs that would be trained, train nothing")
    .option(
      "--workers <n>",
      "coalition runs trained at once: local worker threads, or jobs in flight with --queue (default 1; with --queue all)",
    )
    .option(
      "--queue <url>",
      "send the coalition runs to BullMQ on Redis (redis://host:6379) for `mlloop worker` processes",
    )
    .option("--queue-name <name>", "queue name (the workers' --queue-name)", "mlloop")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Every subset of the changes is a run (A with only those changes applied); up to 6 players all 2^k
subsets are run (A and B themselves, and any run with the same spec, are reused) and the exact
Shapley value of each change is its average marginal effect over all orders. The contributions
sum to B − A; a change whose CI covers 0 is indistinguishable from noise.

With --workers N the coalition runs train N at a time on worker threads; with --queue they are
jobs for \`mlloop worker\` processes on any machine that share this store (PostgreSQL), and a job
whose worker dies is retried once and recorded once.

Examples:
  $ mlloop attribute 0193f2 0193f5
  $ mlloop attribute 0193f2 0193f5 --workers 2
  $ mlloop --store postgres://db-host/mlloop attribute 0193f2 0193f5 --queue redis://queue-host:6379
  $ mlloop attribute 0193f2 0193f5 --group model.C,model.penalty --metric accuracy
  $ mlloop attribute 0193f2 0193f5 --dry-run`,
    )
    .action(async (a: string, b: string, opts: AttributeCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & AttributeCliOptions>();
      const groups = opts.group.map((g) =>
        g
          .split(",")
          .map((k) => k.trim())
          .filter((k) => k !== ""),
      );
      if (groups.some((g) => g.length === 0))
        throw new UsageError("--group: give spec keys, e.g. --group model.C,model.penalty");
      const workers = opts.workers === undefined ? undefined : parseIntOption("--workers", opts.workers, 1);
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json });
      const executor = await attributionExecutor(opts, globals.store ?? "", workers);
      try {
        const result = await attributeRuns(store, a, b, {
          executor,
          metric: opts.metric,
          split: opts.split,
          groups,
          resamples: parseIntOption("--resamples", opts.resamples, 1),
          seed: parseIntOption("--seed", opts.seed, 0),
          permutations: parseIntOption("--permutations", opts.permutations, 2),
          baseDir: opts.baseDir,
          dryRun: opts.dryRun === true,
          events: {
            plan: (plan) => {
              if (!opts.json && !opts.dryRun) err(`${renderPlan(plan)}\n`);
            },
            runStart: (i, total, label) => {
              if (!opts.json) err(`training coalition ${i + 1}/${total}: ${label}\n`);
            },
            stages: {
              start: (s, total) => reporter.start(s, total),
              progress: (d, t) => reporter.update(d, t),
              finish: (s, ms, detail) => reporter.finish(s, ms, detail),
            },
          },
        });
        reporter.stop();
        if (opts.json) {
          printJson(result);
          return;
        }
        out(`${isAttributionRecord(result) ? renderRecord(result) : renderPlan(result)}\n`);
      } finally {
        reporter.stop();
        await executor?.close();
        await store.close();
      }
    });
}

/** Where coalition runs go: BullMQ (--queue), local worker threads (--workers N > 1), or this thread. */
async function attributionExecutor(
  opts: AttributeCliOptions,
  storeLocation: string,
  workers: number | undefined,
): Promise<Executor<RunJobTask, RunJobResult> | undefined> {
  if (opts.queue !== undefined) {
    const { queueExecutor } = await import("../../search/queue-executor.js");
    return queueExecutor<RunJobTask, RunJobResult>({
      url: opts.queue,
      queueName: opts.queueName,
      jobName: "run",
      jobId: (t) => `run-${t.runId}`,
      retryFailed: true,
      // all coalitions in flight unless limited: any number of workers may take them
      parallelism: workers ?? 64,
      onFailure: (t, message) => ({ runId: t.runId, error: message, reused: false, ms: 0, host: null }),
    });
  }
  if (workers === undefined || workers <= 1) return undefined;
  return localPoolExecutor<SweepPoolShared, RunJobTask, RunJobResult>({
    module: new URL("../../loop/sweep-pool.js", import.meta.url),
    shared: { store: storeLocation },
    size: workers,
  });
}
