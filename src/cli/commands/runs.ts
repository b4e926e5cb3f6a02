/** `mlloop runs`: the recorded runs, newest first — or filtered, sorted, grouped by the query language. */
import type { Command } from "commander";
import { openStore } from "../../track/open.js";
import { RUN_STATUSES, type RunStatus } from "../../track/store.js";
import {
  fieldKey,
  groupRuns,
  parseField,
  parseQuery,
  parseSort,
  queryRuns,
  type QueryExpr,
  type QueryField,
} from "../../track/query.js";
import { UsageError } from "../../errors.js";
import { runEvaluation } from "../../compare/aligned.js";
import type { QueriedRun } from "../../track/store.js";
import { latestMetrics } from "../run-card.js";
import { dim, fmtMetric, fmtTime, out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";
import { registerRunsDelete } from "./retention.js";

interface RunsOptions {
  experiment?: string;
  status?: string;
  where?: string;
  sort?: string;
  groupBy?: string;
  columns?: string;
  limit: string;
  metric?: string;
  json?: boolean;
}

function fmtValue(key: string, v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (key === "created" || key === "ended") return fmtTime(v as number);
  if (typeof v === "number") return key.startsWith("metrics.") ? fmtMetric(key.split(".").pop()!, v) : String(v);
  if (typeof v === "string") return v.length > 40 ? `${v.slice(0, 39)}…` : v;
  return JSON.stringify(v);
}

/** The run's name and its notes' first line, shortened to fit one column. */
export function nameAndNotes(name: string | null, notes: unknown, width = 48): string {
  const note = typeof notes === "string" ? (notes.split("\n")[0] ?? "").trim() : "";
  const text = name && note ? `${name} — ${note}` : name || note;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function and(left: QueryExpr | null, right: QueryExpr): QueryExpr {
  return left === null ? right : { kind: "and", left, right };
}

export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description(
      "list recorded runs, newest first, with their headline metric; filter, sort and group with --where/--sort/--group-by",
    )
    .option("-e, --experiment <name>", "only runs of this experiment")
    .option("--status <status>", `only runs with this status (${RUN_STATUSES.join(", ")})`)
    .option("-w, --where <expr>", "only runs matching a query (see below)")
    .option("--sort <keys>", "order by fields, e.g. metrics.dev.f1:desc,created")
    .option(
      "--group-by <field>",
      "one row per value of a field (e.g. spec.model.C) with count, mean and std of --metric on dev",
    )
    .option("--columns <fields>", "columns to show, comma-separated fields (e.g. id,spec.model.C,metrics.dev.f1)")
    .option("-l, --limit <n>", "at most this many runs (0 = all)", "50")
    .option(
      "-m, --metric <name>",
      "metric to show for dev and test (default: each run's primary metric — f1 of the positive class for binary data, macro_f1 for multiclass)",
    )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Query language (--where):
  fields       spec.<key.path>  params.<key>  metrics.<split>.<name>  tags.<key>  status  experiment  name
               notes  parent  id  spec_hash  created  ended (times: ISO dates, e.g. 2026-05-01)
  comparisons  = != < <= > >=   and ~ (text match: "substring", case-insensitive, or /regex/flags)
  logic        AND OR NOT and parentheses; a missing field makes a comparison false
  values       numbers, "text" or bare words, true, false, null (= null: the field is missing)

Examples:
  $ mlloop runs
  $ mlloop runs --experiment spam --metric accuracy
  $ mlloop runs --where "spec.model.C >= 1 AND metrics.dev.f1 > 0.95" --sort metrics.dev.f1:desc
  $ mlloop runs --where 'tags.owner ~ /^ann/i OR NOT status = finished'
  $ mlloop runs --group-by spec.model.family --metric accuracy
  $ mlloop runs --columns id,spec.model.C,spec.features.words.ngram_range,metrics.dev.f1 --json`,
    )
    .action(async (opts: RunsOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & RunsOptions>();
      if (opts.status !== undefined && !RUN_STATUSES.includes(opts.status as RunStatus)) {
        throw new UsageError(`--status ${opts.status}: not a run status (allowed: ${RUN_STATUSES.join(", ")})`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0)
        throw new UsageError(`--limit ${opts.limit}: expected an integer >= 0`);
      let where: QueryExpr | null = opts.where === undefined ? null : parseQuery(opts.where, "--where");
      if (opts.experiment !== undefined) {
        where = and(where, {
          kind: "cmp",
          field: { kind: "column", column: "experiment" },
          op: "=",
          value: { type: "string", value: opts.experiment },
        });
      }
      if (opts.status !== undefined) {
        where = and(where, {
          kind: "cmp",
          field: { kind: "column", column: "status" },
          op: "=",
          value: { type: "string", value: opts.status },
        });
      }
      const sort = opts.sort === undefined ? [] : parseSort(opts.sort);
      const groupBy = opts.groupBy === undefined ? null : parseField(opts.groupBy, "--group-by");
      const columns: QueryField[] | null =
        opts.columns === undefined
          ? null
          : opts.columns
              .split(",")
              .map((c) => c.trim())
              .filter((c) => c !== "")
              .map((c) => parseField(c, "--columns"));
      const store = await openStore(globals.store);
      try {
        // without --metric: each run's own primary metric in the list; one metric (the newest
        // matching run's) when runs are grouped
        let metricName = opts.metric;
        if (metricName === undefined && groupBy !== null) {
          const newest = await queryRuns(store, where, { limit: 1 });
          metricName = newest.length === 0 ? "f1" : runEvaluation(await store.getRun(newest[0]!.id)).primaryMetric;
        }
        const shown = metricName ?? "f1";
        const devMetric = parseField(`metrics.dev.${shown}`, "--metric");
        const testMetric = parseField(`metrics.test.${shown}`, "--metric");
        const notesField = parseField("notes");
        const fields = [
          ...(metricName !== undefined ? [devMetric, testMetric] : []),
          notesField,
          ...(columns ?? []),
          ...(groupBy ? [groupBy] : []),
        ];
        const runs = await queryRuns(store, where, {
          sort,
          fields,
          // grouping summarises every matching run
          limit: groupBy !== null || limit === 0 ? undefined : limit,
        });
        if (groupBy !== null) {
          const groups = groupRuns(runs, groupBy, devMetric);
          if (opts.json) {
            printJson({ groupBy: fieldKey(groupBy), metric: fieldKey(devMetric), groups });
            return;
          }
          out(
            `${table(
              [fieldKey(groupBy), "runs", `n (with dev ${shown})`, `mean dev ${shown}`, "std"],
              groups.map((g) => [
                fmtValue(fieldKey(groupBy), g.value),
                g.count,
                g.n,
                fmtMetric(shown, g.mean),
                fmtMetric(shown, g.std),
              ]),
              ["left", "right", "right", "right", "right"],
            )}\n`,
          );
          return;
        }
        const rows: Array<QueriedRun & { metric: string; metrics: { dev?: number; test?: number } }> = [];
        for (const r of runs) {
          if (metricName !== undefined) {
            rows.push({
              ...r,
              metric: metricName,
              metrics: {
                dev: r.values[fieldKey(devMetric)] as number | undefined,
                test: r.values[fieldKey(testMetric)] as number | undefined,
              },
            });
            continue;
          }
          const metric = runEvaluation(await store.getRun(r.id)).primaryMetric;
          const latest = latestMetrics(await store.getMetrics(r.id, { name: metric }));
          rows.push({ ...r, metric, metrics: { dev: latest["dev"]?.[metric], test: latest["test"]?.[metric] } });
        }
        if (opts.json) {
          printJson(rows);
          return;
        }
        if (rows.length === 0) {
          out(
            dim(
              `no runs in ${store.location}` +
                (opts.where !== undefined || opts.experiment !== undefined || opts.status !== undefined
                  ? " match"
                  : "") +
                "\n",
            ),
          );
          return;
        }
        if (columns !== null) {
          const keys = columns.map(fieldKey);
          out(
            `${table(
              keys,
              rows.map((r) => keys.map((k) => fmtValue(k, k === "id" ? r.id.slice(0, 12) : r.values[k]))),
              keys.map((k) => (k.startsWith("metrics.") ? "right" : "left")),
            )}\n`,
          );
          return;
        }
        // one metric for all rows: named in the header; several (binary and multiclass runs
        // listed together): the header says "primary" and a column names each row's
        const oneMetric = new Set(rows.map((r) => r.metric)).size <= 1;
        const metricHead = oneMetric ? (rows[0]?.metric ?? shown) : "primary";
        out(
          `${table(
            [
              "run",
              "experiment",
              "status",
              "created",
              "parent",
              ...(oneMetric ? [] : ["metric"]),
              `dev ${metricHead}`,
              `test ${metricHead}`,
              "name/notes",
            ],
            rows.map((r) => [
              r.id.slice(0, 12),
              r.experiment,
              r.status,
              fmtTime(r.createdAt),
              r.parentId ? r.parentId.slice(0, 12) : "",
              ...(oneMetric ? [] : [r.metric]),
              fmtMetric(r.metric, r.metrics.dev),
              fmtMetric(r.metric, r.metrics.test),
              nameAndNotes(r.name, r.values["notes"]),
            ]),
            ["left", "left", "left", "left", "left", ...(oneMetric ? [] : ["left" as const]), "right", "right", "left"],
            // on a narrow terminal the lineage and the time give way before the metrics and notes
            { hideable: [4, 3, 1], hiddenHint: "--columns picks them" },
          )}\n`,
        );
      } finally {
        await store.close();
      }
    });
  registerRunsDelete(runs);
}
