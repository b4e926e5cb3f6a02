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
import { dim, fmtMetric, fmtTime, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface RunsOptions {
  experiment?: string;
  status?: string;
  where?: string;
  sort?: string;
  groupBy?: string;
  columns?: string;
  limit: string;
  metric: string;
  json?: boolean;
}

function fmtValue(key: string, v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (key === "created" || key === "ended") return fmtTime(v as number);
  if (typeof v === "number") return key.startsWith("metrics.") ? fmtMetric(key.split(".").pop()!, v) : String(v);
  if (typeof v === "string") return v.length > 40 ? `${v.slice(0, 39)}…` : v;
  return JSON.stringify(v);
}

function and(left: QueryExpr | null, right: QueryExpr): QueryExpr {
  return left === null ? right : { kind: "and", left, right };
}

export function registerRuns(program: Command): void {
  program
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
    .option("-m, --metric <name>", "metric to show for dev and test", "f1")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Query language (--where):
  fields       spec.<key.path>  metrics.<split>.<name>  tags.<key>  status  experiment  name
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
      const devMetric = parseField(`metrics.dev.${opts.metric}`, "--metric");
      const testMetric = parseField(`metrics.test.${opts.metric}`, "--metric");
      const fields = [devMetric, testMetric, ...(columns ?? []), ...(groupBy ? [groupBy] : [])];

      const store = await openStore(globals.store);
      try {
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
          process.stdout.write(
            `${table(
              [fieldKey(groupBy), "runs", `n (with dev ${opts.metric})`, `mean dev ${opts.metric}`, "std"],
              groups.map((g) => [
                fmtValue(fieldKey(groupBy), g.value),
                g.count,
                g.n,
                fmtMetric(opts.metric, g.mean),
                fmtMetric(opts.metric, g.std),
              ]),
              ["left", "right", "right", "right", "right"],
            )}\n`,
          );
          return;
        }
        const rows = runs.map((r) => ({
          ...r,
          metrics: {
            dev: r.values[fieldKey(devMetric)] as number | undefined,
            test: r.values[fieldKey(testMetric)] as number | undefined,
          },
        }));
        if (opts.json) {
          printJson(rows);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(
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
          process.stdout.write(
            `${table(
              keys,
              rows.map((r) => keys.map((k) => fmtValue(k, k === "id" ? r.id.slice(0, 12) : r.values[k]))),
              keys.map((k) => (k.startsWith("metrics.") ? "right" : "left")),
            )}\n`,
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
