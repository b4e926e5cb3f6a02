/** `mlloop ui`: the local web dashboard (runs, lineage, run, compare, diagnose, loop, attribution). */
import type { Command } from "commander";
import { spawn } from "node:child_process";
import { UsageError } from "../../errors.js";
import { openStore } from "../../track/open.js";
import { bold, dim } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface UiOptions {
  port: string;
  host: string;
  open?: boolean;
}

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () => process.stderr.write(dim(`(could not start ${command}; open the URL yourself)\n`)));
  child.unref();
}

export function registerUi(program: Command): void {
  program
    .command("ui")
    .description("serve the web dashboard: runs, lineage, run details, compare, diagnose (with Apply), live loop")
    .option("--port <n>", "port to listen on (0: any free port)", "7077")
    .option("--host <address>", "address to bind; anything but loopback requires the token", "127.0.0.1")
    .option("--open", "open the dashboard in the default browser")
    .addHelpText(
      "after",
      `
Bound to 127.0.0.1 (the default) the dashboard is for this machine only. Bound to any other
address, every API call needs the token printed at start (or set MLLOOP_UI_TOKEN); open the
printed URL, which carries it. Apply starts \`mlloop run --apply RUN:N\` as a child process.

Examples:
  $ mlloop ui
  $ mlloop ui --store /tmp/demo/mlloop.db --port 8080 --open
  $ MLLOOP_UI_TOKEN=… mlloop ui --host 0.0.0.0`,
    )
    .action(async (opts: UiOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & UiOptions>();
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port ${opts.port}: expected an integer from 0 to 65535`);
      const store = await openStore(globals.store);
      const { startUiServer } = await import("../../server/serve.js");
      let server;
      try {
        server = await startUiServer({ store, storeLocation: store.location, host: opts.host, port });
      } catch (e) {
        await store.close();
        throw e;
      }
      process.stdout.write(`${bold("mlloop ui")} ${server.url}\n${dim(`store ${store.location}`)}\n`);
      if (server.tokenRequired) {
        process.stdout.write(
          server.tokenFromEnv
            ? dim("token: from MLLOOP_UI_TOKEN\n")
            : `token (shown once; every API call needs it): ${server.token}\n`,
        );
      }
      process.stdout.write(dim("Ctrl-C to stop\n"));
      if (opts.open) openBrowser(server.url);
      await new Promise<void>((resolvePromise) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server
            .close()
            .then(() => store.close())
            .then(resolvePromise);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
