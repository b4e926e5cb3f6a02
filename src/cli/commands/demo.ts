/** `mlloop demo`: the whole loop, on the bundled corpus, in one command. */
import type { Command } from "commander";
import { runDemo } from "../../loop/demo.js";
import { openStore } from "../../track/open.js";
import { createStageReporter } from "../progress.js";
import { bold, dim, out, printJson } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface DemoCliOptions {
  fast?: boolean;
  iterations: string;
  experiment?: string;
  report?: string;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "run the loop end to end on the spam corpus: a simple first model, its diagnosis, the recommended change " +
        "as a child run compared with significance, a few iterations, attribution, the ledger and an HTML report",
    )
    .option("--fast", "train on a 1,000-message sample, 3-fold diagnostics: under a minute on two cores")
    .option("--iterations <n>", "at most this many diagnose → change → compare iterations", "3")
    .option("--experiment <name>", "experiment name (default spam-demo-<time>)")
    .option("--report <path>", "where to write the HTML report (default <store folder>/reports/<experiment>.html)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop demo --fast
  $ mlloop demo --store /tmp/demo/mlloop.db --iterations 4`,
    )
    .action(async (opts: DemoCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & DemoCliOptions>();
      const iterations = Number(opts.iterations);
      if (!Number.isInteger(iterations) || iterations < 1) {
        const { UsageError } = await import("../../errors.js");
        throw new UsageError(`--iterations ${opts.iterations}: expected a positive integer`);
      }
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json && process.stderr.isTTY === true });
      const log = opts.json ? () => {} : (line: string) => out(`${line}\n`);
      try {
        const result = await runDemo({
          store,
          fast: opts.fast === true,
          iterations,
          experiment: opts.experiment,
          reportPath: opts.report,
          log,
          stages: {
            start: (s, total) => reporter.start(s, total),
            progress: (d, t) => reporter.update(d, t),
            finish: () => reporter.stop(),
          },
        });
        reporter.stop();
        if (opts.json) {
          printJson({ ...result, store: store.location });
          return;
        }
        const first = result.iterations[0]?.devMetric ?? null;
        const best = result.iterations[result.iterations.length - 1]?.devMetric ?? null;
        log("");
        log(
          bold(
            `dev ${result.primaryMetric}: ${first?.toFixed(4) ?? "—"} → ${best?.toFixed(4) ?? "—"} ` +
              `(${result.ledger.entries.length - 1} accepted change${result.ledger.entries.length === 2 ? "" : "s"}); stopped: ${result.stopReason}`,
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
