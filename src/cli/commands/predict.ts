/**
 * `mlloop predict RUN|NAME@ALIAS INPUT…`: score new examples with a run's exact pipeline (features,
 * model, threshold), check them against the run's data contract, and report drift against the
 * training data per feature family. Thin: the work is src/predict/.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { loadPipeline, type Explanation, type Prediction } from "../../predict/pipeline.js";
import { INPUT_FORMATS, readInputs, type InputFormat } from "../../predict/inputs.js";
import type { DriftReport } from "../../predict/drift.js";
import { describeContract } from "../../predict/contract.js";
import { openStore } from "../../track/open.js";
import { inertJson, inertLine } from "../../util/inert.js";
import type { GlobalOptions } from "../main.js";
import { createStageReporter } from "../progress.js";
import { bold, dim, fmtCount, fmtMs, table, yellow } from "../render.js";

interface PredictOptions {
  json?: boolean;
  csv?: boolean;
  explain?: boolean;
  top: string;
  format?: string;
  drift: boolean;
}

function cut(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + "…";
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function renderDrift(drift: DriftReport | null, hasProfile: boolean): string[] {
  if (!hasProfile) {
    return [
      dim(
        "drift: not available — this run was recorded before mlloop saved a training profile (train-profile.json); re-run its spec to get one",
      ),
    ];
  }
  if (drift === null) return [];
  const out = [
    bold(`Drift against the training data`) +
      dim(
        ` (Jensen–Shannon per feature family, base 2, the diagnosis's measure; ${fmtCount(drift.examples)} examples vs ${fmtCount(drift.trainRows)} training rows; ` +
          `flagged at ≥ ${drift.level} and above what same-source data of this size reads: seeded subsets of the run's ${fmtCount(drift.devRows)} dev examples)`,
      ),
    table(
      ["family", "columns", "JS", "same source", "", "largest shifts (train sd)"],
      drift.families.map((f) => [
        f.family,
        fmtCount(f.columns),
        f.jensenShannon.toFixed(3),
        f.reference === null ? "—" : f.reference.toFixed(3),
        f.drifted ? yellow("DRIFT") : "ok",
        inertLine(
          f.topColumns
            .slice(0, 3)
            .map((c) => `${c.name} ${c.shift >= 0 ? "+" : ""}${c.shift.toFixed(1)}`)
            .join(", "),
        ),
      ]),
      ["left", "right", "right", "right", "left", "left"],
    ),
  ];
  const drifted = drift.families.filter((f) => f.drifted);
  if (drifted.length > 0) {
    out.push(
      yellow(
        `warning: ${drifted.map((f) => f.family).join(", ")} drifted (JS ≥ ${drift.level} and above same-source data of this size): these inputs differ from what the model was trained on; scores may be less reliable`,
      ),
    );
  }
  if (drift.fewExamples) out.push(dim(`(only ${drift.examples} examples: JS from so few is noisy)`));
  return out;
}

export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("score new examples with a run's pipeline (features + model + threshold)")
    .argument("<model>", "run id (or unique prefix), NAME@ALIAS or NAME/VERSION")
    .argument("<inputs...>", ".eml files, an mbox, a maildir or folder of messages, CSV, JSONL, or - for stdin")
    .option("--json", "print JSON (predictions, drift, warnings)")
    .option("--csv", "print CSV: id,score,decision")
    .option("--explain", "also show the features that pushed each example towards its decision")
    .option("-k, --top <k>", "features per example with --explain", "5")
    .option("--format <format>", `read inputs as ${INPUT_FORMATS.join(", ")} (default: by extension or content)`)
    .option("--no-drift", "skip the drift report")
    .addHelpText(
      "after",
      `
Inputs must match the run's data: an email model (spamassassin or eml data) takes raw messages; a
CSV/JSONL model takes rows with the columns it was trained on (the label column is not needed). A
missing column or a value of the wrong type stops with one error naming file:line.

Examples:
  $ mlloop predict 0193f2 message.eml
  $ mlloop predict spam-filter@production inbox.mbox --csv > scores.csv
  $ mlloop predict spam-filter@production ~/Maildir --json
  $ cat message.eml | mlloop predict spam-filter@production - --explain
  $ mlloop predict 0193f2 new-rows.csv --json`,
    )
    .action(async (ref: string, inputs: string[], opts: PredictOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & PredictOptions>();
      if (opts.json && opts.csv) throw new UsageError("--json and --csv: choose one output format");
      const k = Number(opts.top);
      if (!Number.isInteger(k) || k < 1) throw new UsageError(`--top ${opts.top}: expected a positive integer`);
      if (opts.format !== undefined && !(INPUT_FORMATS as readonly string[]).includes(opts.format)) {
        throw new UsageError(`--format ${opts.format}: expected one of ${INPUT_FORMATS.join(", ")}`);
      }
      const machine = opts.json === true || opts.csv === true;
      const progress = createStageReporter({ enabled: !machine && Boolean(process.stderr.isTTY) });
      const store = await openStore(globals.store);
      try {
        let t0 = performance.now();
        progress.start("load");
        const pipeline = await loadPipeline(store, ref);
        progress.finish("load", performance.now() - t0, `run ${pipeline.runId} · ${pipeline.modelFamily}`);
        t0 = performance.now();
        progress.start("read", inputs.length);
        const read = await readInputs(inputs, pipeline.contract, {
          ...(opts.format === undefined ? {} : { format: opts.format as InputFormat }),
          onProgress: (done, total) => progress.update(done, total),
        });
        progress.finish("read", performance.now() - t0, `${fmtCount(read.examples.length)} examples`);
        if (read.examples.length === 0) {
          throw new UsageError(`the inputs hold no examples (the model takes ${describeContract(pipeline.contract)})`);
        }
        t0 = performance.now();
        progress.start("score");
        const rows: Array<Prediction | Explanation> = opts.explain
          ? read.examples.map((e) => pipeline.explain(e, k))
          : pipeline.predict(read.examples);
        const scoreMs = performance.now() - t0;
        progress.finish("score", scoreMs);
        const drift = opts.drift ? pipeline.drift(read.examples) : null;
        progress.stop();

        const source =
          pipeline.ref.kind === "alias"
            ? { model: pipeline.ref.name, alias: pipeline.ref.alias, version: pipeline.ref.version }
            : pipeline.ref.kind === "version"
              ? { model: pipeline.ref.name, version: pipeline.ref.version }
              : {};
        if (opts.json) {
          process.stdout.write(
            inertJson(
              {
                runId: pipeline.runId,
                ...source,
                classes: pipeline.classes,
                positiveClass: pipeline.positiveClass,
                threshold: pipeline.threshold,
                predictions: rows,
                drift,
                driftAvailable: pipeline.trainProfile !== null,
                warnings: read.warnings,
              },
              2,
            ) + "\n",
          );
          return;
        }
        if (opts.csv) {
          const lines = ["id,score,decision"];
          for (const r of rows)
            lines.push([r.id, String(r.score), r.decision].map((s) => csvCell(inertLine(s))).join(","));
          process.stdout.write(lines.join("\n") + "\n");
          for (const w of read.warnings) process.stderr.write(`${yellow("warning:")} ${inertLine(w)}\n`);
          for (const f of drift?.families ?? []) {
            if (f.drifted) {
              process.stderr.write(
                `${yellow("warning:")} feature family ${f.family} drifted (Jensen–Shannon ${f.jensenShannon.toFixed(3)} ≥ ${drift!.level})\n`,
              );
            }
          }
          return;
        }

        const head =
          pipeline.ref.kind === "run"
            ? `run ${pipeline.runId}`
            : `${inertLine(pipeline.ref.text)} → version ${pipeline.ref.version}, run ${pipeline.runId}`;
        const rule =
          pipeline.threshold === null
            ? "decision: most probable class"
            : `decision: ${inertLine(pipeline.positiveClass ?? "")} when score ≥ ${pipeline.threshold.value.toPrecision(6)} (${pipeline.threshold.policy})`;
        const out: string[] = [`${bold(head)} · ${pipeline.modelFamily} · ${rule}`, ""];
        out.push(
          table(
            opts.explain
              ? ["id", "score", "decision", "top features towards the decision"]
              : ["id", "score", "decision"],
            rows.map((r) => {
              const cells: string[] = [inertLine(r.id), r.score.toFixed(6), inertLine(r.decision)];
              // on a terminal the features column is cut to what is left of its width
              const room = process.stdout.isTTY
                ? Math.max(30, (process.stdout.columns || 120) - cells.join("").length - 14)
                : Infinity;
              if (opts.explain) {
                cells.push(
                  cut(
                    inertLine(
                      (r as Explanation).top
                        .map((c) => `${c.feature} ${c.contribution >= 0 ? "+" : ""}${c.contribution.toFixed(3)}`)
                        .join(", "),
                    ),
                    room,
                  ),
                );
              }
              return cells;
            }),
            opts.explain ? ["left", "right", "left", "left"] : ["left", "right", "left"],
          ),
        );
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.decision, (counts.get(r.decision) ?? 0) + 1);
        out.push(
          dim(
            `${fmtCount(rows.length)} examples: ${[...counts].map(([c, n]) => `${fmtCount(n)} ${inertLine(c)}`).join(", ")} · scored in ${fmtMs(scoreMs)}`,
          ),
        );
        out.push("", ...renderDrift(drift, pipeline.trainProfile !== null));
        for (const w of read.warnings) out.push(`${yellow("warning:")} ${inertLine(w)}`);
        process.stdout.write(out.join("\n") + "\n");
      } finally {
        progress.stop();
        await store.close();
      }
    });
}
