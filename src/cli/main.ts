/**
 * The mlloop command line. Commands are thin: parse arguments, call the library, render. User
 * errors (MlloopError) print their message alone and exit with their code; anything else is a
 * bug, shown with its stack under --verbose.
 */
import { Command, CommanderError } from "commander";
import { isMlloopError } from "../errors.js";
import { registerDiagnose } from "./commands/diagnose.js";
import { registerReport } from "./commands/report.js";
import { registerTag } from "./commands/tag.js";
import { registerDemo } from "./commands/demo.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerShow } from "./commands/show.js";
import { registerCompare } from "./commands/compare.js";
import { registerAttribute } from "./commands/attribute.js";
import { registerLog } from "./commands/log.js";
import { registerLedger } from "./commands/ledger.js";
import { registerCache } from "./commands/cache.js";
import { registerExplain } from "./commands/explain.js";
import { red } from "./render.js";
import { VERSION } from "../version.js";

export interface GlobalOptions {
  store?: string;
  verbose?: boolean;
}

export function buildProgram(): Command {
  const program = new Command("mlloop")
    .description("The ML experiment loop: spec → train → evaluate → diagnose → next change, every run recorded")
    .version(VERSION)
    .option("--store <location>", "store to use: a SQLite file path (default .mlloop/mlloop.db, or $MLLOOP_STORE)")
    .option("--verbose", "show stack traces and more detail")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop run examples/spam/baseline.yaml
  $ mlloop run examples/spam/baseline.yaml --set model.C=10 --note "weaker regularisation"
  $ mlloop runs --experiment spam
  $ mlloop show <run-id> --predictions`,
    );
  program.exitOverride();
  registerRun(program);
  registerRuns(program);
  registerDemo(program);
  registerShow(program);
  registerDiagnose(program);
  registerReport(program);
  registerTag(program);
  registerCompare(program);
  registerAttribute(program);
  registerLog(program);
  registerLedger(program);
  registerCache(program);
  registerExplain(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit through here with code 0; usage errors were already printed
      return err.exitCode === 0 ? 0 : 64;
    }
    const verbose = program.opts<GlobalOptions>().verbose === true || argv.includes("--verbose");
    if (isMlloopError(err)) {
      process.stderr.write(`${red("error:")} ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`${red("internal error:")} ${e?.message ?? String(err)}\n`);
    if (verbose) process.stderr.write(`${e?.stack ?? ""}\n`);
    else process.stderr.write("(this is a bug in mlloop; run again with --verbose for the stack trace)\n");
    return 1;
  }
}
