/** `mlloop run SPEC`: one iteration of the loop, recorded. */
import type { Command } from "commander";
import { loadSpecFile } from "../../spec/load.js";
import { runExperiment } from "../../loop/run-experiment.js";
import { openStore } from "../../track/open.js";
import { UsageError } from "../../errors.js";
import { createStageReporter } from "../progress.js";
import { printJson } from "../render.js";
import { renderRunCard } from "../run-card.js";
import type { GlobalOptions } from "../main.js";

interface RunOptions {
  set: string[];
  parent?: string;
  note?: string;
  name?: string;
  tag: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--tag ${p}: expected key=value`);
    tags[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return tags;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run an experiment spec: load data, split, featurise, train, evaluate, and record the run")
    .argument("<spec>", "experiment spec (YAML)")
    .option("-s, --set <key=value>", "override a spec key (repeatable), typed by the schema", collect, [])
    .option("-p, --parent <run>", "parent run id (or unique prefix); the run records its change from it")
    .option("-n, --note <text>", "a note stored with the run")
    .option("--name <name>", "a short name for the run")
    .option("-t, --tag <key=value>", "a tag (repeatable)", collect, [])
    .option("--json", "print the result as JSON (no progress output)")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop run examples/spam/baseline.yaml
  $ mlloop run examples/spam/baseline.yaml --set model.C=10 --parent 0193f2 --note "less regularisation"
  $ mlloop run examples/spam/baseline.yaml --set features.words.ngram_range=[1,2] --json`,
    )
    .action(async (specFile: string, opts: RunOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & RunOptions>();
      const tags = parseTags(opts.tag);
      const loaded = loadSpecFile(specFile, opts.set);
      const store = await openStore(globals.store);
      const reporter = createStageReporter({ enabled: !opts.json });
      try {
        const outcome = await runExperiment({
          spec: loaded.spec,
          baseDir: loaded.baseDir,
          store,
          parent: opts.parent ?? null,
          notes: opts.note,
          name: opts.name,
          tags,
          events: {
            start: (s, total) => reporter.start(s, total),
            progress: (d, t) => reporter.update(d, t),
            finish: (s, ms, detail) => reporter.finish(s, ms, detail),
          },
        });
        reporter.stop();
        const run = await store.getRun(outcome.runId);
        const metrics = await store.getMetrics(run.id);
        if (opts.json) {
          printJson({ ...outcome, training: { ...outcome.training, curve: undefined }, store: store.location });
        } else {
          process.stdout.write(
            `\n${renderRunCard(
              run,
              metrics.filter((r) => r.name !== "loss"),
            )}\n`,
          );
        }
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}
