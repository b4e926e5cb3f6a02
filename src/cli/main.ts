/**
 * The mlloop command line. Commands are thin: parse arguments, call the library, render. User
 * errors (MlloopError) print their message alone and exit with their code; anything else is a
 * bug, shown with its stack under --verbose.
 */
import { Command, CommanderError } from "commander";
import { environmentError, isMlloopError, isSystemError } from "../errors.js";
import { guardOutput, inertText, outputExitCode, red } from "./render.js";
import { VERSION } from "../version.js";
import { ARTIFACTS_ENV_VAR } from "../track/artifacts-location.js";

export interface GlobalOptions {
  store?: string;
  artifacts?: string;
  verbose?: boolean;
}

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for help or an unknown
 * command): a command pulls in only the libraries it uses, so `mlloop run` does not load the
 * diagnosis, report or explanation code and their dependencies. In help order.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["run", async () => (await import("./commands/run.js")).registerRun],
  ["runs", async () => (await import("./commands/runs.js")).registerRuns],
  ["loop", async () => (await import("./commands/loop.js")).registerLoop],
  ["export", async () => (await import("./commands/transfer.js")).registerExport],
  ["import", async () => (await import("./commands/transfer.js")).registerImport],
  ["gc", async () => (await import("./commands/retention.js")).registerGc],
  ["demo", async () => (await import("./commands/demo.js")).registerDemo],
  ["show", async () => (await import("./commands/show.js")).registerShow],
  ["diagnose", async () => (await import("./commands/diagnose.js")).registerDiagnose],
  ["report", async () => (await import("./commands/report.js")).registerReport],
  ["tag", async () => (await import("./commands/tag.js")).registerTag],
  ["compare", async () => (await import("./commands/compare.js")).registerCompare],
  ["attribute", async () => (await import("./commands/attribute.js")).registerAttribute],
  ["log", async () => (await import("./commands/log.js")).registerLog],
  ["ledger", async () => (await import("./commands/ledger.js")).registerLedger],
  ["cache", async () => (await import("./commands/cache.js")).registerCache],
  ["explain", async () => (await import("./commands/explain.js")).registerExplain],
  ["predict", async () => (await import("./commands/predict.js")).registerPredict],
  ["model", async () => (await import("./commands/model.js")).registerModel],
  ["ui", async () => (await import("./commands/ui.js")).registerUi],
  ["sweep", async () => (await import("./commands/sweep.js")).registerSweep],
  ["worker", async () => (await import("./commands/worker.js")).registerWorker],
];

/** The command named on the command line (after the global options), if any. */
export function commandName(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--store" || a === "--artifacts") i++;
    else if (a.startsWith("-")) continue;
    else return a;
  }
  return null;
}

/** The program with every command, or with only `only` when it names one (start-up time), or with none for `--version`. */
export async function buildProgram(only: string | null = null, noCommands = false): Promise<Command> {
  const program = new Command("mlloop")
    .description("The ML experiment loop: spec → train → evaluate → diagnose → next change, every run recorded")
    .version(VERSION)
    .option(
      "--store <location>",
      "store to use: a SQLite file path (default .mlloop/mlloop.db) or a postgres://user@host/db URL (or $MLLOOP_STORE)",
    )
    .option(
      "--artifacts <dir>",
      "a PostgreSQL store's shared artifacts directory, a path or file:///mnt/team/mlloop (or $MLLOOP_ARTIFACTS)",
    )
    .option("--verbose", "show stack traces and more detail")
    .showHelpAfterError("(run with --help for usage)")
    // commander quotes the unknown option or argument the user typed
    .configureOutput({ writeErr: (text) => process.stderr.write(inertText(text)) })
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
  // Every command opens its store through openStore, which reads the artifacts location from the environment.
  program.hook("preAction", () => {
    const artifacts = program.opts<GlobalOptions>().artifacts;
    if (artifacts !== undefined) process.env[ARTIFACTS_ENV_VAR] = artifacts;
  });
  const chosen = noCommands
    ? []
    : COMMANDS.some(([name]) => name === only)
      ? COMMANDS.filter(([name]) => name === only)
      : COMMANDS;
  for (const register of await Promise.all(chosen.map(([, load]) => load()))) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  guardOutput();
  const args = argv.slice(2);
  const name = commandName(args);
  // `mlloop --version` needs no command module: loading all of them tripled its time.
  const versionOnly = name === null && (args.includes("--version") || args.includes("-V")) && !args.includes("--help");
  const program = await buildProgram(name, versionOnly);
  try {
    await program.parseAsync(argv);
    return outputExitCode(typeof process.exitCode === "number" ? process.exitCode : 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit through here with code 0; usage errors were already printed
      return outputExitCode(err.exitCode === 0 ? 0 : 64);
    }
    const verbose = program.opts<GlobalOptions>().verbose === true || argv.includes("--verbose");
    // a full disk, a read-only file system, a permission: the machine's answer, not a bug
    const known = isSystemError(err) ? environmentError(err) : err;
    if (isMlloopError(known)) {
      // messages quote spec values, file names and ids: inert like everything else printed
      process.stderr.write(`${red("error:")} ${inertText(known.message)}\n`);
      if (verbose && known.stack) process.stderr.write(`${inertText(known.stack)}\n`);
      return outputExitCode(known.exitCode);
    }
    const e = err as Error;
    process.stderr.write(`${red("internal error:")} ${inertText(e?.message ?? String(err))}\n`);
    if (verbose) process.stderr.write(`${inertText(e?.stack ?? "")}\n`);
    else process.stderr.write("(this is a bug in mlloop; run again with --verbose for the stack trace)\n");
    return 1;
  }
}
