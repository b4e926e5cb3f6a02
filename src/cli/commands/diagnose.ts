/** `mlloop diagnose RUN`: verdict first, then the evidence, then the ranked next changes. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { VERDICT_LABEL } from "../../diagnose/bias-variance.js";
import { diagnoseRun, type Diagnosis } from "../../loop/diagnose-run.js";
import { listOutcomes, type RecommendationOutcome } from "../../recommend/outcome.js";
import { openStore } from "../../track/open.js";
import type { RunId } from "../../track/store.js";
import { createStageReporter } from "../progress.js";
import { diagnosisView } from "../../report/diagnosis-view.js";
import { dim, err, printJson } from "../render.js";
import { renderViewTerminal } from "../view-terminal.js";
import type { GlobalOptions } from "../main.js";

interface DiagnoseCliOptions {
  json?: boolean;
  folds?: string;
  sizes?: string;
  sample?: string;
  trainDev?: string;
  errors?: string;
  cv: boolean;
  cache: boolean;
  workers?: string;
  queue?: string;
  queueName: string;
  baseDir?: string;
}

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} ${v}: expected a whole number ≥ ${min}`);
  return Number(v);
}

/** The diagnosis as terminal text: its view model through the terminal back end. */
export function renderDiagnosis(d: Diagnosis, outcomes: readonly RecommendationOutcome[], cached: boolean): string {
  return renderViewTerminal(diagnosisView(d, outcomes, cached));
}

export function registerDiagnose(program: Command): void {
  program
    .command("diagnose")
    .description(
      "diagnose a run: bias/variance verdict, curves, error analysis, slices, data checks, and ranked next changes",
    )
    .argument("<run>", "run id or unique prefix")
    .option("--json", "print the diagnosis as JSON (no progress output)")
    .option("--folds <k>", "cross-validation folds (default 5)")
    .option("--sizes <n>", "learning-curve sizes from 10% to 100% (default 8)")
    .option("--sample <n>", "errors sampled for reading (default 100)")
    .option("--train-dev <mode>", 'train-dev error: "cv" (default), a fraction of train held out (e.g. 0.1), or "none"')
    .option("--errors <split>", "split whose errors are analysed: dev (default) or train (high bias, MLY ch. 26)")
    .option("--no-cv", "skip the cross-validated steps (learning and validation curves, training-set label errors)")
    .option("--no-cache", "recompute even if a diagnosis with these options is stored")
    .option("--workers <n>", "worker threads for cross-validation (default: CPU count; 0 = none)")
    .option(
      "--queue <url>",
      "send the cross-validation folds to BullMQ on Redis (redis://host:6379) for `mlloop worker` processes on any machine",
    )
    .option("--queue-name <name>", "queue name (the workers' --queue-name)", "mlloop")
    .option("--base-dir <dir>", "folder that relative data paths in the spec are resolved against")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop diagnose 01a21dc7
  $ mlloop diagnose 01a21dc7 --json > diagnosis.json
  $ mlloop diagnose 01a21dc7 --train-dev 0.1 --errors train
  $ mlloop diagnose 01a21dc7 --queue redis://queue-host:6379   # curve folds on \`mlloop worker\`s
  $ mlloop run --apply 01a21dc7:1      # run recommendation 1 as a child run`,
    )
    .action(async (runArg: string, opts: DiagnoseCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & DiagnoseCliOptions>();
      let trainDev: "cv" | "none" | number | undefined;
      if (opts.trainDev !== undefined) {
        if (opts.trainDev === "cv" || opts.trainDev === "none") trainDev = opts.trainDev;
        else if (/^0?\.\d+$/.test(opts.trainDev) && Number(opts.trainDev) > 0 && Number(opts.trainDev) < 0.5)
          trainDev = Number(opts.trainDev);
        else
          throw new UsageError(
            `--train-dev ${opts.trainDev}: expected "cv", "none" or a fraction between 0 and 0.5 (e.g. 0.1)`,
          );
      }
      if (opts.errors !== undefined && !["dev", "train", "test"].includes(opts.errors)) {
        throw new UsageError(`--errors ${opts.errors}: expected dev, train or test`);
      }
      // the folds carry their features: the workers need neither the data nor this store
      const cvExecutor =
        opts.queue === undefined
          ? undefined
          : await (
              await import("../../diagnose/cv-job.js")
            ).cvQueueExecutor({ url: opts.queue, queueName: opts.queueName });
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json });
      try {
        const { diagnosis, cached } = await diagnoseRun(store, runArg, {
          folds: intOption("folds", opts.folds, 2),
          sizes: intOption("sizes", opts.sizes, 2),
          sample: intOption("sample", opts.sample, 1),
          workers: intOption("workers", opts.workers, 0),
          cvExecutor,
          trainDev,
          errorSplit: opts.errors as "dev" | "train" | "test" | undefined,
          noCv: !opts.cv,
          cache: opts.cache,
          baseDir: opts.baseDir,
          events: {
            start: (s, total) => reporter.start(s, total),
            progress: (d, t) => reporter.update(d, t),
            finish: (s, ms, detail) => reporter.finish(s, ms, detail),
          },
        });
        reporter.stop();
        const outcomes = await listOutcomes(store, diagnosis.runId as RunId);
        const saved = cached || store.readOnly !== true;
        if (opts.json) printJson({ ...diagnosis, cached, saved, outcomes, verdictLabels: VERDICT_LABEL });
        else process.stdout.write(`${renderDiagnosis(diagnosis, outcomes, cached)}\n`);
        if (!saved) err(dim(`not saved: store ${store.location} is read-only (the next diagnose computes it again)\n`));
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}
