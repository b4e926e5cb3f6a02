/** `mlloop report RUN`: the run's diagnosis as one self-contained HTML file. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { diagnoseRun } from "../../loop/diagnose-run.js";
import { renderHtmlReport } from "../../report/report-html.js";
import { renderTrackedRunReport } from "../../report/tracked-run.js";
import { listOutcomes } from "../../recommend/outcome.js";
import { openStore, reportsDirFor } from "../../track/open.js";
import type { RunId } from "../../track/store.js";
import { UsageError } from "../../errors.js";
import { checkOutputFile } from "../output-file.js";
import { createStageReporter } from "../progress.js";
import type { GlobalOptions } from "../main.js";

interface ReportOptions {
  output?: string;
  cv: boolean;
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("write a run's diagnosis as one self-contained HTML file (diagnoses the run first if needed)")
    .argument("<run>", "run id or unique prefix")
    .option(
      "-o, --output <file>",
      "where to write it (default <store folder>/reports/<run>.html, beside the demo's reports; - for stdout)",
    )
    .option("--no-cv", "when a diagnosis must be computed: skip its cross-validated steps")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop report 01a21dc7
  $ mlloop report 01a21dc7 -o spam-baseline.html`,
    )
    .action(async (runArg: string, opts: ReportOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & ReportOptions>();
      if (opts.output === "") throw new UsageError("--output: expected a file name");
      const output = opts.output === undefined || opts.output === "-" ? null : checkOutputFile(opts.output, "--output");
      const store = await openStore(globals.store);
      const toStdout = opts.output === "-";
      const reporter = createStageReporter({ enabled: !toStdout });
      try {
        const run = await store.getRun(runArg);
        let html: string;
        if (run.specJson === null) {
          // logged through the tracking API: params, metrics, per-step charts and classes (no diagnosis without a spec)
          html = renderTrackedRunReport(run, await store.getMetrics(run.id), await store.getPredictions(run.id));
        } else {
          const { diagnosis } = await diagnoseRun(store, run.id, {
            noCv: !opts.cv,
            events: {
              start: (s, total) => reporter.start(s, total),
              progress: (d, t) => reporter.update(d, t),
              finish: (s, ms, detail) => reporter.finish(s, ms, detail),
            },
          });
          reporter.stop();
          html = renderHtmlReport(diagnosis, await listOutcomes(store, diagnosis.runId as RunId));
        }
        if (toStdout) process.stdout.write(html);
        else {
          const file = output ?? join(reportsDirFor(store.location), `${run.id.slice(0, 12)}.html`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, html);
          process.stdout.write(`wrote ${file} (${(html.length / 1024).toFixed(0)} KB)\n`);
        }
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}
