/** `mlloop demo`: `mlloop loop` on the bundled spam corpus from a simple first model, then attribution, ledger and report. */
import type { Command } from "commander";
import { runDemo } from "../../loop/demo.js";
import { parseBudget, parseWorkers } from "../../loop/loop-options.js";
import { openStore } from "../../track/open.js";
import { createStageReporter, loopProgress } from "../progress.js";
import { bold, dim, out, printJson } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface DemoCliOptions {
  fast?: boolean;
  budget: string;
  experiment?: string;
  report?: string;
  workers?: string;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "`mlloop loop` on the spam corpus, from subject words + naive Bayes: each round diagnoses the incumbent, " +
        "screens the catalogue of spec changes on the training split, runs the best and accepts it only on a paired " +
        "test on dev; then the attribution of the whole move, the ledger and an HTML report",
    )
    .option("--fast", "train on a 1,000-message sample with lighter screening: about a minute on two cores")
    .option("--budget <n>", "full runs, the baseline included", "8")
    .option("--experiment <name>", "experiment name (default spam-demo-<time>)")
    .option("--report <path>", "where to write the HTML report (default <store folder>/reports/<experiment>.html)")
    .option("--workers <n>", "screening workers (default MLLOOP_WORKERS, else up to 2; 0 runs inline)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop demo --fast
  $ mlloop demo --store /tmp/demo/mlloop.db --budget 4
  $ mlloop demo --json > demo.json`,
    )
    .action(async (opts: DemoCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & DemoCliOptions>();
      const budget = parseBudget(opts.budget);
      const workers = opts.workers !== undefined ? parseWorkers(opts.workers) : undefined;
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json && process.stderr.isTTY === true });
      const log = opts.json ? () => {} : (line: string) => out(`${line}\n`);
      try {
        const result = await runDemo({
          store,
          fast: opts.fast === true,
          budget,
          workers,
          experiment: opts.experiment,
          reportPath: opts.report,
          log,
          ...loopProgress(reporter),
        });
        reporter.stop();
        if (opts.json) {
          printJson({ ...result, store: store.location });
          return;
        }
        const t = result.loop.trajectory;
        log("");
        log(
          bold(
            `dev ${result.primaryMetric}: ${t[0]?.toFixed(4) ?? "—"} → ${t[t.length - 1]?.toFixed(4) ?? "—"} in ${result.loop.runsUsed} full run(s), ` +
              `${result.loop.attempts.filter((a) => a.decision.accepted).length} accepted change(s); test ${result.loop.test?.value.toFixed(4) ?? "—"} (read once)`,
          ),
        );
        log(`report: ${result.reportPath}`);
        log(dim("explore:"));
        const s = globals.store ? ` --store ${globals.store}` : "";
        log(`  mlloop log ${result.experiment}${s}`);
        log(`  mlloop ledger ${result.experiment}${s}`);
        log(`  mlloop compare ${result.firstRunId.slice(0, 12)} ${result.bestRunId.slice(0, 12)}${s}`);
        log(`  mlloop diagnose ${result.bestRunId.slice(0, 12)}${s}`);
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}
