/** `mlloop log [EXPERIMENT]`: the run tree, each edge with its change and measured effect. */
import type { Command } from "commander";
import { fmtCi, fmtDelta, fmtValue } from "../../compare/format.js";
import { noRunsOfExperiment, runLog, type Edge, type LogNode } from "../../compare/lineage.js";
import { openStore } from "../../track/open.js";
import { bold, dim, fmtTime, out, printJson, red, yellow } from "../render.js";
import type { GlobalOptions } from "../main.js";
import { parseIntOption, verdictText } from "./compare.js";

interface LogOptions {
  metric?: string;
  split: string;
  limit?: string;
  resamples: string;
  json?: boolean;
}

export function renderEdge(edge: Edge, metric: string): string[] {
  const lines: string[] = [];
  const e = edge.effect;
  if (e !== null) {
    lines.push(
      `Δ${metric} ${fmtDelta(e.delta)} ${fmtCi(e.ciLow, e.ciHigh)} ${verdictText(e.verdict, e)}` +
        (e.paired ? "" : red(" UNPAIRED (different examples)")) +
        (e.exceedsNoise === false ? yellow(" within replicate noise") : ""),
    );
  } else if (edge.effectUnavailable !== undefined)
    lines.push(dim(`Δ${metric} not measured: ${edge.effectUnavailable}`));
  lines.push(...(edge.change.length === 0 ? [dim("(same spec, code and data)")] : edge.change.map((l) => l.trim())));
  for (const at of edge.attributions) {
    lines.push(
      dim("attribution: ") +
        at.players
          .map(
            (p) => `${p.player} ${fmtDelta(p.value)} ${fmtCi(p.ciLow, p.ciHigh)}${p.coversZero ? dim(" noise") : ""}`,
          )
          .join(", "),
    );
  }
  return lines;
}

function renderTree(nodes: readonly LogNode[], metric: string, split: string): string[] {
  const out: string[] = [];
  const walk = (node: LogNode, prefix: string, last: boolean, root: boolean): void => {
    const branch = root ? "" : last ? "└─" : "├─";
    const r = node.run;
    out.push(
      `${prefix}${branch}* ${bold(r.id.slice(0, 12))} ${dim(fmtTime(r.createdAt))} ${r.status === "finished" ? "" : red(`${r.status} `)}` +
        `${split} ${metric} ${fmtValue(node.value)}${r.name ? `  ${r.name}` : ""}`,
    );
    const childPrefix = root ? "" : prefix + (last ? "  " : "│ ");
    const bar = node.children.length > 0 ? "│ " : "  ";
    if (node.edge !== null) for (const l of renderEdge(node.edge, metric)) out.push(`${childPrefix}${bar}  ${l}`);
    node.children.forEach((c, i) => walk(c, childPrefix, i === node.children.length - 1, false));
  };
  nodes.forEach((n) => {
    walk(n, "", true, true);
    out.push("");
  });
  return out;
}

export function registerLog(program: Command): void {
  program
    .command("log")
    .description(
      "the run tree (like git log --graph): each run's change from its parent and the metric delta with its CI",
    )
    .argument("[experiment]", "only this experiment's runs")
    .option("-m, --metric <name>", "metric whose delta each edge shows (default: the spec's primary metric)")
    .option("--split <split>", "split the delta is measured on", "dev")
    .option("-l, --limit <n>", "only the newest n runs")
    .option("--resamples <n>", "bootstrap resamples per edge (results are stored and reused)", "2000")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop log spam
  $ mlloop log spam --metric accuracy --json`,
    )
    .action(async (experiment: string | undefined, opts: LogOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & LogOptions>();
      const store = await openStore(globals.store);
      try {
        const log = await runLog(store, {
          experiment,
          metric: opts.metric,
          split: opts.split,
          limit: opts.limit === undefined ? undefined : parseIntOption("--limit", opts.limit, 1),
          resamples: parseIntOption("--resamples", opts.resamples, 1),
        });
        // a named experiment without runs is not found (exit 4, as `ledger` and an unknown run id); an empty store is not an error
        if (log.runs === 0 && experiment !== undefined) throw noRunsOfExperiment(experiment, store.location);
        if (opts.json) {
          printJson(log);
          return;
        }
        if (log.runs === 0) {
          out(dim(`no runs in ${store.location}\n`));
          return;
        }
        out(
          dim(
            `${log.runs} runs${experiment ? ` of ${experiment}` : ""}; edges: Δ${log.metric} on ${log.split} with paired bootstrap 95% CI\n\n`,
          ) + `${renderTree(log.roots, log.metric, log.split).join("\n")}`,
        );
      } finally {
        await store.close();
      }
    });
}
