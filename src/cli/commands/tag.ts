/**
 * `mlloop tag RUN EXAMPLE TAG…`: manual error-analysis tags. A tag belongs to the run's experiment
 * and the example id, so it applies to every run of the experiment that sees the example.
 */
import type { Command } from "commander";
import { StoreError, UsageError } from "../../errors.js";
import { openStore } from "../../track/open.js";
import { out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface TagOptions {
  remove?: boolean;
  note?: string;
  list?: boolean;
  json?: boolean;
}

export function registerTag(program: Command): void {
  program
    .command("tag")
    .description("tag examples by hand for error analysis (kept per experiment and example id, reused across runs)")
    .argument("<run>", "a run of the experiment (id or unique prefix)")
    .argument("[example]", "example id (as in the run's predictions, e.g. spam-2/00123.abc…)")
    .argument("[tags...]", "one or more tags (no spaces), e.g. mislabeled newsletter")
    .option("-r, --remove", "remove the tags instead of adding them")
    .option("-n, --note <text>", "a note kept with the tags")
    .option("-l, --list", "list the experiment's tags (of EXAMPLE only, when given)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop tag 01a21dc7 spam-2/00789.ffe4e3c5dc50f5a9ac33a653b5f8b566 mislabeled
  $ mlloop tag 01a21dc7 hard-ham-1/00107.88cc… newsletter transactional --note "vendor mail"
  $ mlloop tag 01a21dc7 --list`,
    )
    .action(async (runArg: string, example: string | undefined, tags: string[], opts: TagOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & TagOptions>();
      const store = await openStore(globals.store);
      try {
        const run = await store.getRun(runArg);
        if (opts.list || example === undefined) {
          if (!opts.list) throw new UsageError("tag: expected EXAMPLE and at least one TAG (or --list)");
          const rows = await store.listExampleTags(run.experiment, example === undefined ? undefined : [example]);
          if (opts.json) printJson(rows);
          else if (rows.length === 0) out(`no manual tags in experiment ${run.experiment}\n`);
          else {
            out(
              `${table(
                ["example", "tag", "note", "from run"],
                rows.map((r) => [r.exampleId, r.tag, r.note ?? "", r.runId?.slice(0, 12) ?? ""]),
                ["left", "left", "left", "left"],
              )}\n`,
            );
          }
          return;
        }
        if (tags.length === 0) throw new UsageError("tag: expected at least one TAG after the example id");
        const known = (await store.getPredictions(run.id)).some((p) => p.exampleId === example);
        if (!known) {
          throw new StoreError(
            `run ${run.id} has no prediction for example "${example}" (ids look like spam-2/00123.abc…)`,
            {
              where: example,
            },
          );
        }
        if (opts.remove) {
          const n = await store.removeExampleTags(run.experiment, example, tags);
          if (opts.json) printJson({ experiment: run.experiment, example, removed: n });
          else out(`removed ${n} tag${n === 1 ? "" : "s"} from ${example}\n`);
        } else {
          await store.addExampleTags(run.experiment, example, tags, { runId: run.id, note: opts.note ?? null });
          const now = (await store.listExampleTags(run.experiment, [example])).map((r) => r.tag);
          if (opts.json) printJson({ experiment: run.experiment, example, tags: now });
          else out(`${example}: ${now.join(" ")}  (experiment ${run.experiment})\n`);
        }
      } finally {
        await store.close();
      }
    });
}
