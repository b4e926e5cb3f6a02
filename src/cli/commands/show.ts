/** `mlloop show RUN`: one run in full — change, data, features, model, metrics, predictions. */
import type { Command } from "commander";
import { openStore } from "../../track/open.js";
import { UsageError } from "../../errors.js";
import { lineChart } from "../chart.js";
import { renderClassReport, renderRunCard } from "../run-card.js";
import { fmtMetric, out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface ShowOptions {
  json?: boolean;
  predictions?: boolean;
  split?: string;
  errors?: boolean;
  limit: string;
  metric?: string;
}

export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show one run: its change from the parent, data, features, model, metrics, timings")
    .argument("<run>", "run id or unique prefix")
    .option("--predictions", "list per-example predictions")
    .option("--split <split>", "with --predictions: only this split (train, dev, test)")
    .option("--errors", "with --predictions: only misclassified examples")
    .option("-l, --limit <n>", "with --predictions: at most this many rows (0 = all)", "50")
    .option("-m, --metric <name>", "chart this metric by step (e.g. loss), one line per split")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop show 0193f2
  $ mlloop show 0193f2 --predictions --split dev --errors
  $ mlloop show 0193f2 --metric loss
  $ mlloop show 0193f2 --json`,
    )
    .action(async (id: string, opts: ShowOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & ShowOptions>();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0)
        throw new UsageError(`--limit ${opts.limit}: expected a non-negative integer`);
      const store = await openStore(globals.store);
      try {
        const run = await store.getRun(id);
        const metrics = await store.getMetrics(run.id);
        if (opts.metric !== undefined) {
          const rows = metrics.filter((r) => r.name === opts.metric);
          if (rows.length === 0) {
            const names = [...new Set(metrics.map((r) => r.name))].sort();
            throw new UsageError(
              `--metric ${opts.metric}: run ${run.id.slice(0, 12)} recorded no such metric (recorded: ${names.join(", ") || "none"})`,
            );
          }
          const bySplit = new Map<string, Array<{ step: number; value: number }>>();
          for (const r of rows) {
            const split = r.split ?? "-";
            bySplit.set(split, [...(bySplit.get(split) ?? []), { step: r.step, value: r.value }]);
          }
          const series = [...bySplit].map(([split, points]) => ({
            label: split === "-" ? opts.metric! : split,
            points: points.sort((a, b) => a.step - b.step),
          }));
          if (opts.json) {
            printJson({ run: run.id, metric: opts.metric, series });
            return;
          }
          out(
            `${opts.metric} by step — run ${run.id.slice(0, 12)} (${run.experiment})\n` +
              `${lineChart(series, { width: process.stdout.columns ?? 80 })}\n`,
          );
          return;
        }
        // the class report reads dev (else the first split with decisions) of every run that logged predictions
        const reportPredictions = opts.json ? [] : await store.getPredictions(run.id);
        let predictions = opts.predictions ? await store.getPredictions(run.id, opts.split) : undefined;
        if (predictions && opts.errors) predictions = predictions.filter((p) => p.correct === false);
        const total = predictions?.length ?? 0;
        if (predictions && limit > 0) predictions = predictions.slice(0, limit);
        if (opts.json) {
          printJson({
            ...run,
            metrics,
            artifacts: await store.listArtifacts(run.id),
            ...(predictions ? { predictions, predictionsTotal: total } : {}),
          });
          return;
        }
        const parent = run.parentId ? await store.getRun(run.parentId).catch(() => null) : null;
        out(`${renderRunCard(run, metrics, parent)}
`);
        const report = renderClassReport(run, reportPredictions);
        if (report !== "") out(`\n${report}\n`);
        if (predictions) {
          out(
            `\n${table(
              ["example", "split", "label", "score", "decision", "correct"],
              predictions.map((p) => [
                p.exampleId,
                p.split,
                p.label ?? "",
                fmtMetric("score", p.score ?? Number.NaN),
                p.decision ?? "",
                p.correct === null ? "" : p.correct ? "✓" : "✗",
              ]),
              ["left", "left", "left", "right", "left", "left"],
            )}\n`,
          );
          if (total > predictions.length) out(`(${predictions.length} of ${total}; --limit 0 for all)\n`);
        }
      } finally {
        await store.close();
      }
    });
}
