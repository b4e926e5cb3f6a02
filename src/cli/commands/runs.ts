/** `mlloop runs`: the recorded runs, newest first. */
import type { Command } from "commander";
import { openStore } from "../../track/open.js";
import { RUN_STATUSES, type RunStatus } from "../../track/store.js";
import { UsageError } from "../../errors.js";
import { latestMetrics } from "../run-card.js";
import { dim, fmtMetric, fmtTime, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface RunsOptions {
  experiment?: string;
  status?: string;
  limit: string;
  metric: string;
  json?: boolean;
}

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list recorded runs, newest first, with their headline metric")
    .option("-e, --experiment <name>", "only runs of this experiment")
    .option("--status <status>", `only runs with this status (${RUN_STATUSES.join(", ")})`)
    .option("-l, --limit <n>", "at most this many runs", "50")
    .option("-m, --metric <name>", "metric to show for dev and test", "f1")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop runs
  $ mlloop runs --experiment spam --metric accuracy
  $ mlloop runs --status crashed --json`,
    )
    .action(async (opts: RunsOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & RunsOptions>();
      if (opts.status !== undefined && !RUN_STATUSES.includes(opts.status as RunStatus)) {
        throw new UsageError(`--status ${opts.status}: not a run status (allowed: ${RUN_STATUSES.join(", ")})`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit <= 0)
        throw new UsageError(`--limit ${opts.limit}: expected a positive integer`);
      const store = await openStore(globals.store);
      try {
        const runs = await store.listRuns({
          experiment: opts.experiment,
          status: opts.status as RunStatus | undefined,
          limit,
        });
        const rows = [];
        for (const r of runs) {
          const m = latestMetrics(await store.getMetrics(r.id, { name: opts.metric }));
          rows.push({ ...r, metrics: { dev: m["dev"]?.[opts.metric], test: m["test"]?.[opts.metric] } });
        }
        if (opts.json) {
          printJson(rows);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(
            dim(`no runs in ${store.location}${opts.experiment ? ` for experiment ${opts.experiment}` : ""}\n`),
          );
          return;
        }
        process.stdout.write(
          `${table(
            [
              "run",
              "experiment",
              "status",
              "created",
              "parent",
              `dev ${opts.metric}`,
              `test ${opts.metric}`,
              "name/notes",
            ],
            rows.map((r) => [
              r.id.slice(0, 12),
              r.experiment,
              r.status,
              fmtTime(r.createdAt),
              r.parentId ? r.parentId.slice(0, 12) : "",
              fmtMetric(opts.metric, r.metrics.dev),
              fmtMetric(opts.metric, r.metrics.test),
              (r.name ?? "").slice(0, 40),
            ]),
            ["left", "left", "left", "left", "left", "right", "right", "left"],
          )}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
