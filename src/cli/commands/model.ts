/**
 * `mlloop model promote|list|history`: named model versions with aliases (MLflow's registry
 * aliases, `spam-filter@production`). Thin: src/predict/registry.ts and the Store do the work.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { promoteRun } from "../../predict/registry.js";
import { openStore } from "../../track/open.js";
import type { PromotionMetrics } from "../../track/store.js";
import { inertJson, inertLine } from "../../util/inert.js";
import type { GlobalOptions } from "../main.js";
import { bold, dim, fmtTime, green, table } from "../render.js";

interface JsonOption {
  json?: boolean;
}

/** The headline metrics of a promotion, short: "dev f1 0.9312, test f1 0.9250". */
function metricsLine(metrics: PromotionMetrics, names: readonly string[] = ["f1", "accuracy", "roc_auc"]): string {
  const parts: string[] = [];
  for (const split of ["dev", "test"]) {
    const m = metrics[split];
    if (m === undefined) continue;
    const name = names.find((n) => typeof m[n] === "number");
    if (name !== undefined) parts.push(`${split} ${name} ${m[name]!.toFixed(4)}`);
  }
  return parts.length === 0 ? "—" : parts.join(", ");
}

export function registerModel(program: Command): void {
  const model = program
    .command("model")
    .description("named model versions with aliases: promote a run, list models, show a model's history")
    .addHelpText(
      "after",
      `
A model name collects versions (runs promoted under it, numbered 1, 2, 3…); an alias such as
production or staging points at one version and moves atomically. Predict with NAME@ALIAS
(where the alias points now) or NAME/VERSION.

Examples:
  $ mlloop model promote 0193f2 --as spam-filter@production
  $ mlloop model list
  $ mlloop model history spam-filter
  $ mlloop predict spam-filter@production message.eml`,
    );

  model
    .command("promote")
    .description("register a run as a version of a model and point an alias at it")
    .argument("<run>", "run id or unique prefix")
    .requiredOption("--as <name@alias>", "the model name and alias, e.g. spam-filter@production")
    .option("--note <text>", "why (kept in the history)")
    .option("--by <who>", "who promotes (default $MLLOOP_USER or user@host)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
The run must be finished and loadable as a pipeline. Its dev and test metrics at this moment are
recorded with the promotion, with who and when.

Examples:
  $ mlloop model promote 0193f2 --as spam-filter@production
  $ mlloop model promote 0193f2 --as spam-filter@staging --note "headers + html features"`,
    )
    .action(async (run: string, opts: { as: string; note?: string; by?: string } & JsonOption, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.by !== undefined && opts.by.trim() === "") throw new UsageError("--by: give a non-empty name");
      const store = await openStore(globals.store);
      try {
        const p = await promoteRun(store, run, opts.as, {
          ...(opts.by === undefined ? {} : { by: opts.by }),
          ...(opts.note === undefined ? {} : { note: opts.note }),
        });
        if (opts.json) {
          process.stdout.write(inertJson(p, 2) + "\n");
          return;
        }
        const moved =
          p.previousVersion === null
            ? "new alias"
            : p.previousVersion === p.version
              ? `already at version ${p.version}`
              : `moved from version ${p.previousVersion} (run ${p.previousRunId})`;
        process.stdout.write(
          `${green("✓")} ${bold(`${inertLine(p.name)}@${inertLine(p.alias)}`)} → version ${p.version}` +
            `${p.newVersion ? " (new)" : ""}, run ${p.runId} · ${moved}\n` +
            dim(`  ${metricsLine(p.metrics)} · by ${inertLine(p.promotedBy)} at ${fmtTime(p.promotedAt)}\n`),
        );
      } finally {
        await store.close();
      }
    });

  model
    .command("list")
    .description("registered models, their versions and aliases")
    .option("--json", "print JSON")
    .action(async (opts: JsonOption, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const store = await openStore(globals.store);
      try {
        const models = await store.listModels();
        if (opts.json) {
          process.stdout.write(inertJson(models, 2) + "\n");
          return;
        }
        if (models.length === 0) {
          process.stdout.write(dim("no models registered yet (mlloop model promote RUN --as NAME@ALIAS)\n"));
          return;
        }
        process.stdout.write(
          table(
            ["model", "versions", "latest", "aliases"],
            models.map((m) => [
              inertLine(m.name),
              m.versions,
              `v${m.latest.version} (run ${m.latest.runId.slice(0, 12)})`,
              m.aliases.map((a) => `${inertLine(a.alias)} → v${a.version}`).join(", ") || "—",
            ]),
            ["left", "right", "left", "left"],
          ) + "\n",
        );
      } finally {
        await store.close();
      }
    });

  model
    .command("history")
    .description("every promotion of a model: alias, version, run, who, when, metrics at that moment")
    .argument("<name>", "model name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: JsonOption, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const store = await openStore(globals.store);
      try {
        const history = await store.modelHistory(name);
        if (opts.json) {
          process.stdout.write(inertJson(history, 2) + "\n");
          return;
        }
        if (history.length === 0) {
          const names = (await store.listModels()).map((m) => m.name);
          throw new UsageError(
            `no model named ${JSON.stringify(name)}${names.length === 0 ? " (none is registered yet)" : ` (registered: ${names.join(", ")})`}`,
          );
        }
        process.stdout.write(
          table(
            ["when", "alias", "version", "run", "from", "by", "metrics then", "note"],
            history.map((p) => [
              fmtTime(p.promotedAt),
              inertLine(p.alias),
              `v${p.version}${p.newVersion ? " (new)" : ""}`,
              p.runId.slice(0, 12),
              p.previousVersion === null ? "—" : `v${p.previousVersion}`,
              inertLine(p.promotedBy),
              metricsLine(p.metrics),
              inertLine(p.note ?? ""),
            ]),
            ["left", "left", "left", "left", "left", "left", "left", "left"],
          ) + "\n",
        );
      } finally {
        await store.close();
      }
    });
}
