/** `mlloop ledger EXPERIMENT`: the chain of accepted changes from the first run to the best, each with its effect. */
import type { Command } from "commander";
import { fmtCi, fmtDelta, fmtValue } from "../../compare/format.js";
import { buildLedger } from "../../compare/lineage.js";
import { openStore } from "../../track/open.js";
import { bold, dim, fmtTime, out, printJson, red } from "../render.js";
import type { GlobalOptions } from "../main.js";
import { parseIntOption, verdictText } from "./compare.js";
import { renderEdge } from "./log.js";

interface LedgerOptions {
  metric?: string;
  split: string;
  resamples: string;
  json?: boolean;
}

export function registerLedger(program: Command): void {
  program
    .command("ledger")
    .description(
      "the lab notebook: accepted changes from the first run to the best, each with its effect ± CI and attribution",
    )
    .argument("<experiment>", "experiment name")
    .option("-m, --metric <name>", "metric that picks the best run (default: the spec's primary metric)")
    .option("--split <split>", "split the metric is read on", "dev")
    .option("--resamples <n>", "bootstrap resamples per step (results are stored and reused)", "2000")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop ledger spam
  $ mlloop ledger spam --metric accuracy --json`,
    )
    .action(async (experiment: string, opts: LedgerOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & LedgerOptions>();
      const store = await openStore(globals.store);
      try {
        const ledger = await buildLedger(store, experiment, {
          metric: opts.metric,
          split: opts.split,
          resamples: parseIntOption("--resamples", opts.resamples, 1),
        });
        if (opts.json) {
          printJson(ledger);
          return;
        }
        const lines = [
          `${bold("ledger")} ${experiment}: best ${ledger.split} ${ledger.metric} ${fmtValue(ledger.bestValue)} ` +
            `(run ${ledger.best.id.slice(0, 12)}), ${ledger.entries.length - 1} accepted change${ledger.entries.length === 2 ? "" : "s"} from the first run`,
        ];
        if (ledger.overall !== null) {
          const o = ledger.overall;
          lines.push(
            dim("overall: ") +
              `${fmtValue(o.parentValue)} → ${fmtValue(o.childValue)}  Δ ${fmtDelta(o.delta)} ${fmtCi(o.ciLow, o.ciHigh)} ${verdictText(o.verdict, o)}` +
              (o.paired ? "" : red(" UNPAIRED")),
          );
        }
        lines.push("");
        ledger.entries.forEach((entry, i) => {
          const r = entry.run;
          lines.push(
            `${String(i).padStart(2)}. ${bold(r.id.slice(0, 12))} ${dim(fmtTime(r.createdAt))} ${ledger.metric} ${fmtValue(entry.value)}${r.name ? `  ${r.name}` : ""}`,
          );
          if (entry.edge === null) lines.push(dim("    the first run"));
          else for (const l of renderEdge(entry.edge, ledger.metric)) lines.push(`    ${l}`);
        });
        out(`${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
}
