/**
 * `mlloop explain RUN [--example ID]`: the features the run's model weighs most towards each class
 * and, for one example, the features that pushed it towards each class. Reads the run's model.json
 * and features.json artifacts; an example is re-read from the run's data and re-featurised with the
 * run's own fitted featurizer, so its contributions are exactly what the model saw.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../../data/load.js";
import { DataError, StoreError, UsageError } from "../../errors.js";
import { loadFeatures } from "../../features/pipeline.js";
import { classScores, contributions, topFeatures, type ClassContributions } from "../../models/explain.js";
import { loadModel } from "../../models/registry.js";
import type { SerializedModel } from "../../models/estimator.js";
import { parseSpec } from "../../spec/load.js";
import type { DataSpec } from "../../spec/schema.js";
import { openStore } from "../../track/open.js";
import type { Provenance } from "../../track/store.js";
import { deriveSeed } from "../../util/random.js";
import type { GlobalOptions } from "../main.js";
import { bold, dim, out as write, printJson, table, yellow } from "../render.js";

interface ExplainOptions {
  example?: string;
  top: string;
  json?: boolean;
}

/**
 * Where a run's relative data path was resolved from. The runner resolves it against the spec
 * file's folder, which the run does not store; its command line and working directory are stored,
 * so the spec's folder is recovered from them, with the working directory as a fallback.
 */
export function candidateBaseDirs(provenance: Provenance | null): Array<{ dir: string; why: string }> {
  if (provenance === null) return [];
  const out: Array<{ dir: string; why: string }> = [];
  const at = provenance.argv.indexOf("run");
  const spec = at < 0 ? undefined : provenance.argv.slice(at + 1).find((a) => /\.(ya?ml|json)$/i.test(a));
  if (spec !== undefined)
    out.push({ dir: dirname(resolve(provenance.cwd, spec)), why: `the folder of the spec ${spec}` });
  if (!out.some((c) => c.dir === provenance.cwd)) {
    out.push({ dir: provenance.cwd, why: "the folder the run was started from" });
  }
  return out;
}

/** The folder to resolve the run's data.path against; a DataError naming every place tried. */
export function runDataBaseDir(data: DataSpec, provenance: Provenance | null): string {
  const fallback = provenance?.cwd ?? process.cwd();
  if (!("path" in data)) return fallback;
  if (isAbsolute(data.path)) {
    if (existsSync(data.path)) return fallback;
    throw new DataError(
      `the run's data is no longer at ${data.path} (data.path); it may have moved or been deleted since the run — put it back to explain an example`,
      { where: "data.path" },
    );
  }
  const candidates = candidateBaseDirs(provenance);
  if (candidates.length === 0) {
    throw new DataError(
      `the run does not record where it was started from, so its relative data.path "${data.path}" cannot be found`,
      { where: "data.path" },
    );
  }
  for (const c of candidates) if (existsSync(resolve(c.dir, data.path))) return c.dir;
  const tried = candidates.map((c) => `${resolve(c.dir, data.path)} (${c.why})`).join(" or ");
  throw new DataError(
    `cannot find the run's data (data.path "${data.path}"): not at ${tried}; it may have moved since the run — put it back to explain an example`,
    { where: "data.path" },
  );
}

function parseJsonArtifact(bytes: Uint8Array, name: string, runId: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new StoreError(`run ${runId}: artifact ${name} is not valid JSON (${(e as Error).message})`);
  }
}

const fmt = (v: number): string => (v >= 0 ? "+" : "") + v.toFixed(4);

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("show the features a run's model weighs most towards each class, and why it scored one example")
    .argument("<run>", "run id or unique prefix")
    .option("-e, --example <id>", "also explain this example: the features that pushed it towards each class")
    .option("-k, --top <k>", "features to show per class", "10")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Available for linear models and naive Bayes (logistic_regression, linear_svm, sgd, naive_bayes):
a weight is how much one unit of a feature moves a class's score (its log-odds, margin, or for
naive Bayes its log-probability ratio); a contribution is the example's value times that weight.

Examples:
  $ mlloop explain 0193f2
  $ mlloop explain 0193f2 --top 20
  $ mlloop explain 0193f2 --example spam-2/00123.8bc2 --json`,
    )
    .action(async (id: string, opts: ExplainOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & ExplainOptions>();
      const k = Number(opts.top);
      if (!Number.isInteger(k) || k < 1) throw new UsageError(`--top ${opts.top}: expected a positive integer`);
      const store = await openStore(globals.store);
      try {
        const run = await store.getRun(id);
        const model = loadModel(
          parseJsonArtifact(
            (await store.getArtifact(run.id, "model.json")).bytes,
            "model.json",
            run.id,
          ) as SerializedModel,
        );
        // Fails here, with the family named, before anything else is read for a model that cannot be explained.
        const { nClasses } = classScores(model);
        const features = loadFeatures(
          parseJsonArtifact((await store.getArtifact(run.id, "features.json")).bytes, "features.json", run.id),
        );
        const names = features.featureNames;
        const classes =
          run.dataInfo?.classes?.length === nClasses
            ? [...run.dataInfo.classes]
            : Array.from({ length: nClasses }, (_, c) => String(c));
        const top = topFeatures(model, names, k);

        let example:
          | {
              id: string;
              split: string | null;
              label: string;
              decision: string | null;
              score: number | null;
              dataChanged: boolean;
              classes: ClassContributions[];
            }
          | undefined;
        if (opts.example !== undefined) {
          if (run.specJson === null) throw new StoreError(`run ${run.id} has no spec, so its data cannot be re-read`);
          const spec = parseSpec(JSON.parse(run.specJson) as unknown, `run ${run.id} spec`);
          const baseDir = runDataBaseDir(spec.data, run.provenance);
          const dataset = await loadDataset(spec.data, {
            baseDir,
            seed: run.seeds["data"] ?? deriveSeed(spec.seed, "data"),
          });
          const ex = dataset.examples.find((e) => e.id === opts.example);
          if (ex === undefined) {
            const sample = dataset.examples
              .slice(0, 3)
              .map((e) => e.id)
              .join(", ");
            throw new DataError(
              `example "${opts.example}" is not in the run's data (${dataset.examples.length.toLocaleString("en-US")} examples; ids look like ${sample})`,
              { where: `example ${opts.example}` },
            );
          }
          const prediction = (await store.getPredictions(run.id)).find((p) => p.exampleId === ex.id);
          example = {
            id: ex.id,
            split: prediction?.split ?? null,
            label: ex.label,
            decision: prediction?.decision ?? null,
            score: prediction?.score ?? null,
            dataChanged: run.dataInfo?.fingerprint !== undefined && run.dataInfo.fingerprint !== dataset.fingerprint,
            classes: contributions(model, features.transform([ex]), names, 0),
          };
        }

        if (opts.json) {
          printJson({
            runId: run.id,
            family: model.family,
            classes,
            top: top.map((t) => ({ class: classes[t.classIndex], features: t.features })),
            ...(example === undefined
              ? {}
              : {
                  example: {
                    ...example,
                    classes: example.classes.map((c) => ({
                      class: classes[c.classIndex],
                      intercept: c.intercept,
                      score: c.score,
                      contributions: c.contributions.filter((x) => x.contribution > 0).slice(0, k),
                    })),
                  },
                }),
          });
          return;
        }

        const out: string[] = [`${bold(`run ${run.id}`)} · ${model.family} · classes ${classes.join(", ")}`];
        for (const t of top) {
          out.push(
            "",
            bold(`Top ${t.features.length} features towards ${classes[t.classIndex]}`),
            t.features.length === 0
              ? dim("  (no feature has a positive weight towards this class)")
              : table(
                  ["feature", "weight"],
                  t.features.map((f) => [f.feature, fmt(f.weight)]),
                ),
          );
        }
        if (example !== undefined) {
          const predicted =
            example.decision === null
              ? ""
              : `, predicted ${example.decision}${example.score === null ? "" : ` (score ${example.score.toFixed(4)})`}`;
          out.push(
            "",
            bold(`Example ${example.id}`) +
              ` (${example.split === null ? "no recorded prediction" : `${example.split} split`}, label ${example.label}${predicted})`,
          );
          if (example.dataChanged) {
            out.push(yellow("  note: the data has changed since this run; the example is explained as it is now"));
          }
          for (const c of example.classes) {
            const pushes = c.contributions.filter((x) => x.contribution > 0).slice(0, k);
            out.push(
              "",
              `${bold(`Pushed towards ${classes[c.classIndex]}`)} (score ${fmt(c.score)} = intercept ${fmt(c.intercept)} + ${c.contributions.length} features)`,
              pushes.length === 0
                ? dim("  (no feature of this example pushes towards this class)")
                : table(
                    ["feature", "value", "weight", "contribution"],
                    pushes.map((x) => [x.feature, x.value.toPrecision(4), fmt(x.weight), fmt(x.contribution)]),
                  ),
            );
          }
        }
        write(`${out.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
}
