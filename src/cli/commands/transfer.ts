/** `mlloop export` and `mlloop import`: moving runs between stores as one bundle file. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { exportBundle, importBundle, selectRuns } from "../../track/bundle.js";
import { openStore } from "../../track/open.js";
import { inertLine } from "../../util/inert.js";
import { checkOutputFile } from "../output-file.js";
import { printJson } from "../render.js";
import type { GlobalOptions } from "../main.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("write runs (all, an experiment's, or the given ones) with everything they own to one bundle file")
    .argument("[selectors...]", "experiment names or run ids (prefixes allowed); none = every run")
    .requiredOption("-o, --output <file>", "the bundle to write (a tar file)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
A bundle holds runs, params, metrics, per-example predictions, artifacts, lineage, tags and stored
results as JSONL files plus the artifact contents, with a manifest of sha256 checksums.

Examples:
  $ mlloop export -o all.tar
  $ mlloop export spam -o spam.tar
  $ mlloop export 0193f2 0193f3 -o two-runs.tar
  $ mlloop --store postgres://ml@db/team import spam.tar`,
    )
    .action(async (selectors: string[], opts: { output: string; json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const output = checkOutputFile(opts.output, "--output");
      const store = await openStore(globals.store);
      try {
        const ids = await selectRuns(store, selectors);
        const summary = await exportBundle(store, ids, output);
        if (opts.json) {
          printJson(summary);
          return;
        }
        process.stdout.write(
          `exported ${summary.runs.length} run${summary.runs.length === 1 ? "" : "s"} and ${summary.objects} artifact file${summary.objects === 1 ? "" : "s"} ` +
            `(${summary.bytes} bytes) to ${inertLine(summary.path)}\n`,
        );
        for (const p of summary.parentsOutside) {
          process.stdout.write(`  note: run ${p.run}'s parent ${p.parent} is not in the bundle (its id is kept)\n`);
        }
      } finally {
        await store.close();
      }
    });
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("add the runs of a bundle to the store, ids preserved; runs already there are left alone")
    .argument("<bundle>", "a bundle written by mlloop export")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
The whole bundle is checked (checksums, hashes, shapes) before anything is written: a damaged bundle
is refused and the store is left as it was. Importing twice adds nothing. A run whose id is already
in the store with different content is reported as a conflict and not changed; the exit code is
then 4.

Examples:
  $ mlloop import spam.tar
  $ mlloop --store postgres://ml@db/team --artifacts file:///mnt/team/mlloop import spam.tar`,
    )
    .action(async (bundle: string, opts: { json?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (bundle.trim() === "") throw new UsageError("import: give the bundle file to read");
      const store = await openStore(globals.store);
      try {
        const summary = await importBundle(store, resolve(bundle));
        if (opts.json) printJson(summary);
        else {
          process.stdout.write(
            `imported ${summary.added.length} run${summary.added.length === 1 ? "" : "s"}; ` +
              `${summary.present.length} already present; ${summary.conflicts.length} conflict${summary.conflicts.length === 1 ? "" : "s"}\n`,
          );
          for (const c of summary.conflicts) process.stdout.write(`  conflict: run ${c.run}: ${inertLine(c.reason)}\n`);
        }
        if (summary.conflicts.length > 0) process.exitCode = 4;
      } finally {
        await store.close();
      }
    });
}
