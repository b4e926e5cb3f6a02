/** `mlloop loop SPEC`: diagnose → screen the catalogue → run the best → paired comparison → accept or reject → next. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { runLoop, type LoopResult } from "../../loop/loop.js";
import { parseBudget, parseDuration, parseTarget, parseWorkers } from "../../loop/loop-options.js";
import { renderLoopReport } from "../../loop/loop-report.js";
import { loadSpecFile } from "../../spec/load.js";
import { openStore } from "../../track/open.js";
import { inertLine } from "../../util/inert.js";
import { UsageError } from "../../errors.js";
import { createStageReporter, loopProgress } from "../progress.js";
import { bold, printJson } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface LoopCliOptions {
  budget: string;
  time?: string;
  target?: string;
  experiment?: string;
  report?: string;
  set: string[];
  workers?: string;
  queue?: string;
  queueName: string;
  start: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerLoop(program: Command): void {
  program
    .command("loop")
    .argument("<spec>", "experiment spec (YAML)")
    .description(
      "the experiment loop on any spec: diagnose the incumbent, screen the catalogue of spec changes by cross-validation " +
        "on the training split, run the best as a child run, accept it only if a paired test on dev says so " +
        "(Bonferroni over the budget), repeat; test is read once at the end",
    )
    .option("--budget <n>", "full runs, the baseline included", "8")
    .option("--time <duration>", "start no full run after this long (e.g. 90s, 10m, 1h)")
    .option("--target <metric op value>", "stop once the incumbent's dev metric meets it, e.g. 'f1>=0.97'")
    .option(
      "--experiment <name>",
      "experiment name (default: the spec's); an existing experiment resumes from its incumbent",
    )
    .option("--report <path>", "HTML report (default <store folder>/reports/<experiment>-loop.html)")
    .option("-s, --set <key=value>", "override a spec key of the starting spec (repeatable)", collect, [])
    .option(
      "--start <screened|spec>",
      "a new experiment's first full run: the best screened configuration (screened), or the spec as given (spec)",
      "screened",
    )
    .option("--workers <n>", "screening workers (default MLLOOP_WORKERS, else up to 2; 0 runs inline)")
    .option(
      "--queue <url>",
      "send screening trials to BullMQ on Redis (redis://host:6379) for `mlloop worker` processes on any machine",
    )
    .option("--queue-name <name>", "queue name (the workers' --queue-name)", "mlloop")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop loop examples/spam/demo-baseline.yaml --budget 8 --target 'f1>=0.97'
  $ mlloop loop my-spec.yaml --time 10m --experiment churn-loop --json
  $ mlloop loop examples/spam/demo-baseline.yaml --experiment spam-loop   # again: resumes, repeats no finished run
  $ mlloop loop examples/spam/demo-baseline.yaml --start spec   # run the spec as given first, as a reference on dev
  $ mlloop loop examples/spam/demo-baseline.yaml --queue redis://queue-host:6379   # screening on \`mlloop worker\`s`,
    )
    .action(async (specPath: string, opts: LoopCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & LoopCliOptions>();
      // every check before the store is opened: bad input records nothing
      const budget = parseBudget(opts.budget);
      const timeMs = opts.time !== undefined ? parseDuration(opts.time) : undefined;
      const target = opts.target !== undefined ? parseTarget(opts.target) : undefined;
      const workers = opts.workers !== undefined ? parseWorkers(opts.workers) : undefined;
      if (opts.start !== "screened" && opts.start !== "spec")
        throw new UsageError(`--start must be "screened" or "spec", not ${JSON.stringify(opts.start)}`);
      const loaded = loadSpecFile(
        specPath,
        opts.experiment ? [...opts.set, `experiment=${opts.experiment}`] : opts.set,
      );
      for (const note of loaded.notes) process.stderr.write(`${inertLine(`note: ${note}`)}\n`);
      // screening trials carry their matrices: the workers need neither the data nor this store
      const executor =
        opts.queue === undefined
          ? undefined
          : await (
              await import("../../recommend/screen-job.js")
            ).screenQueueExecutor({ url: opts.queue, queueName: opts.queueName, parallelism: 64 });
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json && process.stderr.isTTY === true });
      const log = opts.json ? () => {} : (line: string) => process.stdout.write(`${inertLine(line)}\n`);
      try {
        const result: LoopResult = await runLoop({
          store,
          spec: loaded.spec,
          baseDir: loaded.baseDir,
          budget,
          timeMs,
          target,
          experiment: opts.experiment,
          workers,
          executor,
          start: opts.start,
          log,
          ...loopProgress(reporter),
        });
        reporter.stop();
        const reportPath = resolve(
          opts.report ?? join(dirname(resolve(store.location)), "reports", `${result.experiment}-loop.html`),
        );
        mkdirSync(dirname(reportPath), { recursive: true });
        writeFileSync(reportPath, renderLoopReport(result));
        if (opts.json) {
          printJson({ ...result, reportPath, store: store.location });
          return;
        }
        const t = result.trajectory;
        log("");
        log(
          bold(
            `dev ${result.metric}: ${t[0]?.toFixed(4) ?? "—"} → ${t[t.length - 1]?.toFixed(4) ?? "—"} in ${result.runsUsed} full run(s) (${(result.elapsedMs / 1000).toFixed(0)} s)`,
          ),
        );
        log(`report: ${reportPath}`);
      } finally {
        reporter.stop();
        await executor?.close();
        await store.close();
      }
    });
}
