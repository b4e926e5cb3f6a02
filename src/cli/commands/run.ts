/** `mlloop run SPEC`: one iteration of the loop, recorded. */
import type { Command } from "commander";
import { loadSpecFile } from "../../spec/load.js";
import { HEADLINE_BINARY_METRICS } from "../../evaluate/metrics.js";
import { runExperiment, type RunOutcome } from "../../loop/run-experiment.js";
import { openStore } from "../../track/open.js";
import { UsageError } from "../../errors.js";
import { randomBytes } from "node:crypto";
import { canonicalize } from "../../spec/canonical.js";
import type { StageReporter } from "../progress.js";
import { bold, dim, err, out, printJson } from "../render.js";
import type { Store } from "../../track/store.js";
import type { GlobalOptions } from "../main.js";
import type { AppliedRecommendation } from "../../recommend/apply.js";
import type { RecommendationOutcome } from "../../recommend/outcome.js";

interface RunOptions {
  set: string[];
  parent?: string;
  note?: string;
  name?: string;
  tag: string[];
  repeat: string;
  json?: boolean;
  allowOutsidePaths?: boolean;
  apply?: string;
  /** false with --no-cache */
  cache: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--tag ${p}: expected key=value`);
    tags[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return tags;
}

/** Replicates one `run --repeat` may make: each is a full run, recorded. */
const MAX_REPEAT = 100;

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run an experiment spec: load data, split, featurise, train, evaluate, and record the run")
    .argument("[spec]", "experiment spec (YAML); omit with --apply")
    .option("-s, --set <key=value>", "override a spec key (repeatable), typed by the schema", collect, [])
    .option(
      "-p, --parent <run>",
      'parent run id (or unique prefix), or "auto": the latest finished run of the experiment with the closest spec',
    )
    .option("-n, --note <text>", "a note stored with the run")
    .option("--name <name>", "a short name for the run")
    .option("-t, --tag <key=value>", "a tag (repeatable)", collect, [])
    .option("--repeat <n>", "run n seed replicates (seed, seed+1, …) as one replicate group: the noise floor", "1")
    .option("--json", "print the result as JSON (no progress output)")
    .option("--no-cache", "parse and featurise from scratch: neither read nor write the stage cache (see mlloop cache)")
    .option(
      "--allow-outside-paths",
      "let data.path in the spec file point outside the spec's folder (refused by default: see README, Security)",
    )
    .option("--apply <run:n>", "run recommendation N of RUN's diagnosis as a child of RUN, and record whether it held")
    .addHelpText(
      "after",
      `
Examples:
  $ mlloop run examples/spam/baseline.yaml
  $ mlloop run examples/spam/baseline.yaml --set model.C=10 --parent 0193f2 --note "less regularisation"
  $ mlloop run examples/spam/baseline.yaml --set features.words.ngram_range=[1,2] --json
  $ mlloop run examples/spam/baseline.yaml --set model.C=3 --parent auto
  $ mlloop run examples/spam/baseline.yaml --repeat 5
  $ mlloop run --apply 01a21dc7:1          # recommendation 1 of \`mlloop diagnose 01a21dc7\``,
    )
    .action(async (specFile: string | undefined, opts: RunOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & RunOptions>();
      const tags = parseTags(opts.tag);
      const repeat = Number(opts.repeat);
      if (!Number.isInteger(repeat) || repeat < 1)
        throw new UsageError(`--repeat ${opts.repeat}: expected an integer >= 1`);
      if (repeat > MAX_REPEAT)
        throw new UsageError(
          `--repeat ${opts.repeat}: at most ${MAX_REPEAT} replicates (a noise floor needs 5–30; each one is a full run)`,
        );
      if (opts.apply !== undefined && (specFile !== undefined || opts.parent !== undefined || repeat > 1)) {
        throw new UsageError(
          "--apply RUN:N takes the spec and the parent from RUN: give no SPEC, --parent or --repeat",
        );
      }
      if (opts.apply === undefined && specFile === undefined) {
        throw new UsageError("run: expected a spec file (or --apply RUN:N)");
      }
      const store = await openStore(globals.store);
      let applied: AppliedRecommendation | null = null;
      try {
        // imported on demand: the diagnosis machinery is not needed to run a spec, and start-up time counts
        if (opts.apply !== undefined) {
          const { resolveApply } = await import("../../recommend/apply.js");
          applied = await resolveApply(store, opts.apply, opts.set);
        }
      } catch (e) {
        await store.close();
        throw e;
      }
      const loaded = applied
        ? { spec: applied.spec, baseDir: applied.baseDir, notes: applied.notes }
        : loadSpecFile(specFile!, opts.set, { allowOutsidePaths: opts.allowOutsidePaths === true });
      // stderr, so that --json output stays one document
      for (const note of loaded.notes) err(`note: ${note}\n`);
      // What only some runs use is imported when they do (start-up time counts, docs/benchmarks.md):
      // progress bars and the run card without --json, lineage with --parent auto, replicates' summary.
      const reporter: StageReporter = opts.json
        ? { start: () => {}, update: () => {}, finish: () => {}, stop: () => {} }
        : (await import("../progress.js")).createStageReporter({ enabled: true });
      try {
        let parent = applied?.parentRunId ?? opts.parent ?? null;
        if (parent === "auto") {
          // resolved once, so that replicates share the parent instead of descending from each other
          const { closestParent } = await import("../../compare/lineage.js");
          const found = await closestParent(store, loaded.spec.experiment, canonicalize(loaded.spec));
          parent = found?.runId ?? null;
          if (!opts.json) {
            err(
              found === null
                ? `--parent auto: experiment ${loaded.spec.experiment} has no finished run; this run has no parent\n`
                : `--parent auto: ${found.runId.slice(0, 12)} (${found.distance} spec change${found.distance === 1 ? "" : "s"} away)\n`,
            );
          }
        }
        const group = repeat > 1 ? randomBytes(6).toString("hex") : null;
        const replicateTag = group === null ? "" : (await import("../../compare/noise.js")).REPLICATE_TAG;
        const outcomes: RunOutcome[] = [];
        for (let i = 0; i < repeat; i++) {
          outcomes.push(
            await runExperiment({
              cache: opts.cache ? undefined : false,
              spec: group === null ? loaded.spec : { ...loaded.spec, seed: loaded.spec.seed + i },
              baseDir: loaded.baseDir,
              store,
              parent,
              notes: opts.note,
              name: opts.name,
              tags:
                group === null
                  ? { ...tags, ...applied?.tags }
                  : { ...tags, [replicateTag]: group, replicate_index: String(i) },
              // --json shows no progress: without events, no stage computes its detail line
              ...(opts.json
                ? {}
                : {
                    events: {
                      start: (s: string, total?: number) => reporter.start(s, total),
                      progress: (d: number, t?: number) => reporter.update(d, t),
                      finish: (s: string, ms: number, detail?: string) => reporter.finish(s, ms, detail),
                    },
                  }),
            }),
          );
        }
        const outcome = outcomes[outcomes.length - 1]!;
        reporter.stop();
        if (group !== null) {
          const { meanStd } = await import("../../track/query.js");
          const spread = (split: "dev" | "test", name: string) =>
            meanStd(outcomes.map((o) => o.metrics[split]?.[name] ?? Number.NaN));
          const names = Object.keys(outcome.metrics.dev ?? {}).filter((n) =>
            [...HEADLINE_BINARY_METRICS, "macro_f1"].includes(n),
          );
          const summary = Object.fromEntries(names.map((n) => [n, spread("dev", n)]));
          if (opts.json) {
            printJson({
              replicateGroup: group,
              runs: outcomes.map((o) => ({ ...o, training: { ...o.training, curve: undefined } })),
              dev: summary,
              store: store.location,
            });
          } else {
            out(
              `\nreplicate group ${group}: ${repeat} runs (seeds ${loaded.spec.seed}…${loaded.spec.seed + repeat - 1})\n`,
            );
            for (const n of names) {
              const s2 = summary[n]!;
              out(`  dev ${n.padEnd(18)} mean ${s2.mean.toFixed(4)}  std ${s2.std.toFixed(4)}\n`);
            }
          }
          return;
        }
        let held: RecommendationOutcome | null = null;
        if (applied) {
          const { measureOutcome, recordOutcome } = await import("../../recommend/outcome.js");
          held = await measureOutcome(store, applied.parentRunId, applied.recommendation, outcome.runId);
          await recordOutcome(store, held);
        }
        const run = await store.getRun(outcome.runId);
        const metrics = await store.getMetrics(run.id);
        const vsParent = run.parentId === null ? null : await parentDelta(store, run.parentId, run.id);
        if (opts.json) {
          printJson({
            ...outcome,
            training: { ...outcome.training, curve: undefined },
            store: store.location,
            ...(vsParent ? { vsParent } : {}),
            ...(held ? { recommendationOutcome: held } : {}),
            ...(loaded.notes.length > 0 ? { specNotes: loaded.notes } : {}),
          });
        } else {
          const { renderRunCard } = await import("../run-card.js");
          out(`
${renderRunCard(run, metrics)}
`);
          if (vsParent)
            out(`
${formatParentDelta(vsParent)}
`);
          if (held) {
            out(`\nrecommendation ${held.n} of ${held.parentRunId.slice(0, 12)} (${held.title}): ${held.summary}\n`);
          }
        }
      } finally {
        reporter.stop();
        await store.close();
      }
    });
}

/** The child's effect on the primary metric on dev, or why it could not be measured. */
export type ParentDelta =
  | {
      readonly measured: true;
      readonly metric: string;
      readonly parent: number;
      readonly child: number;
      readonly delta: number;
      readonly ciLow: number;
      readonly ciHigh: number;
      readonly verdict: string;
      readonly n: number;
      readonly paired: boolean;
    }
  | { readonly measured: false; readonly reason: string };

async function parentDelta(store: Store, parentId: string, childId: string): Promise<ParentDelta> {
  const { compareRuns } = await import("../../compare/compare-runs.js");
  const { bandNote, decidedByBand } = await import("../../compare/verdict.js");
  try {
    const c = await compareRuns(store, parentId, childId, { flipLimit: 0 });
    const split = c.splits[0];
    const m = split?.metrics.find((x) => x.metric === c.primaryMetric);
    if (!split || !m) return { measured: false, reason: `no ${c.primaryMetric} on dev for both runs` };
    return {
      measured: true,
      metric: m.metric,
      parent: m.a,
      child: m.b,
      delta: m.delta,
      ciLow: m.ciLow,
      ciHigh: m.ciHigh,
      verdict: decidedByBand(m) ? `${m.verdict} (${bandNote(c.band)})` : m.verdict,
      n: split.n,
      paired: split.paired,
    };
  } catch (error) {
    return { measured: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

const signed = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

export function formatParentDelta(d: ParentDelta): string {
  if (!d.measured) return dim(`vs parent: not measured — ${d.reason}`);
  return (
    `${bold("vs parent")}: dev ${d.metric} ${d.parent.toFixed(4)} → ${d.child.toFixed(4)} ` +
    `(Δ ${signed(d.delta)}, 95% CI [${signed(d.ciLow)}, ${signed(d.ciHigh)}], ${d.n} ${d.paired ? "shared" : "UNPAIRED"} examples): ${d.verdict}`
  );
}
