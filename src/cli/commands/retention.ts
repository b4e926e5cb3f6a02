/** `mlloop runs delete` and `mlloop gc`: removing runs, then the artifact files nothing refers to. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { transferStore } from "../../track/bundle.js";
import { openStore, resolveStoreLocation } from "../../track/open.js";
import { parseQuery, queryRuns } from "../../track/query.js";
import { collectArtifacts, planDelete } from "../../track/retention.js";
import type { RunId } from "../../track/run-id.js";
import { cacheDirFor, cacheMaxBytesFromEnv, StageCache } from "../../loop/cache.js";
import { inertLine } from "../../util/inert.js";
import { printJson } from "../render.js";
import type { GlobalOptions } from "../main.js";

export function registerRunsDelete(runs: Command): void {
  runs
    .command("delete")
    .description("delete runs (and their metrics, predictions, artifact links, results); then `mlloop gc` frees files")
    .argument("[runs...]", "run ids or unique prefixes")
    .option("-w, --where <expr>", "delete every run matching a query (same language as mlloop runs --where)")
    .option("--dry-run", "say what would be deleted, delete nothing")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop runs delete 0193f2 --dry-run
  $ mlloop runs delete --where 'status = failed OR status = crashed'
  $ mlloop gc`,
    )
    .action(async (ids: string[], opts: { where?: string; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      // `runs` has its own --where: commander may hand the value to it rather than to `delete`
      const globals = cmd.optsWithGlobals<GlobalOptions & { where?: string }>();
      opts.where ??= globals.where;
      if (ids.length === 0 && opts.where === undefined) {
        throw new UsageError("runs delete: give run ids or --where <expr> (nothing is deleted by default)");
      }
      const store = transferStore(await openStore(globals.store));
      try {
        const chosen = new Set<RunId>();
        for (const id of ids) chosen.add((await store.getRun(id)).id);
        if (opts.where !== undefined) {
          for (const r of await queryRuns(store, parseQuery(opts.where, "--where"))) chosen.add(r.id);
        }
        const plan = await planDelete(store, [...chosen].sort());
        if (!opts.dryRun) await store.deleteRunData(plan.runs);
        if (opts.json) {
          printJson({
            deleted: opts.dryRun ? [] : plan.runs,
            wouldDelete: opts.dryRun ? plan.runs : [],
            orphaned: plan.orphaned,
          });
          return;
        }
        const verb = opts.dryRun ? "would delete" : "deleted";
        process.stdout.write(`${verb} ${plan.runs.length} run${plan.runs.length === 1 ? "" : "s"}\n`);
        for (const id of plan.runs) process.stdout.write(`  ${id}\n`);
        for (const id of plan.orphaned)
          process.stdout.write(`  note: run ${id} keeps its deleted parent's id as lineage\n`);
        if (!opts.dryRun && plan.runs.length > 0)
          process.stdout.write("run `mlloop gc` to free artifact files no run uses\n");
      } finally {
        await store.close();
      }
    });
}

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description("remove artifact files no run refers to (shared ones are kept) and prune the stage cache to its bound")
    .option("--dry-run", "say what would be freed, remove nothing")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop gc --dry-run
  $ mlloop gc`,
    )
    .action(async (opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const store = transferStore(await openStore(globals.store));
      try {
        // What is kept and what would go is worked out (and printed) before anything is removed.
        const plan = await collectArtifacts(store, true);
        const loc = resolveStoreLocation(globals.store);
        const cache = new StageCache(cacheDirFor(loc.kind === "sqlite" ? loc.path : loc.url), cacheMaxBytesFromEnv());
        if (!opts.json) {
          process.stdout.write(
            `artifacts in ${inertLine(plan.root ?? "(none configured)")}: keeping ${plan.kept.files} file${plan.kept.files === 1 ? "" : "s"} (${plan.kept.bytes} bytes), ` +
              `${opts.dryRun ? "would free" : "freeing"} ${plan.freed.files} (${plan.freed.bytes} bytes)\n`,
          );
          for (const other of plan.sharedWith)
            process.stdout.write(`  shared with store ${inertLine(other)}: its files are kept too\n`);
        }
        const done = opts.dryRun ? plan : await collectArtifacts(store, false);
        const pruned = opts.dryRun ? null : cache.prune({ maxBytes: cache.maxBytes });
        if (opts.json) {
          printJson({
            ...done,
            cache:
              pruned === null
                ? null
                : { dir: cache.dir, removed: pruned.removed.length, freedBytes: pruned.freedBytes },
          });
          return;
        }
        if (pruned !== null) {
          process.stdout.write(
            `freed ${done.freed.files} artifact file${done.freed.files === 1 ? "" : "s"} (${done.freed.bytes} bytes); ` +
              `cache: removed ${pruned.removed.length} entr${pruned.removed.length === 1 ? "y" : "ies"} (${pruned.freedBytes} bytes)\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
