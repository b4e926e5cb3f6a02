/**
 * Error analysis (MLY ch. 14–19): the errors of one split (dev by default; train when bias is
 * high), tagged by built-in, rule and manual tags, each tag's ceiling, over-represented features,
 * and a seeded sample to read.
 */
import type { Example } from "../../data/example.js";
import { deriveSeed } from "../../util/random.js";
import { defineDiagnostic, type DiagnosticContext } from "../diagnostic.js";
import { analyseErrors, confusionTag, type ErrorAnalysis, type SampledError } from "../error-analysis.js";
import { profileData } from "../data-profile.js";
import { compileRules } from "../tags.js";
import { group, heading, pct, signedPts, span, table, text, type Block } from "../view-model.js";

function features(ctx: DiagnosticContext): Parameters<typeof analyseErrors>[0]["features"] {
  const preds = ctx.run.predictions[ctx.options.errorSplit];
  if (!ctx.featurizer) return null;
  const exs = preds.map((p) => ctx.data.byId.get(p.exampleId)).filter((e): e is Example => e !== undefined);
  return exs.length === preds.length ? { X: ctx.featurizer.transform(exs), names: ctx.featurizer.featureNames } : null;
}

const OVER_VS = {
  fn: "false negatives vs true positives",
  fp: "false positives vs true negatives",
  wrong: "errors vs correct",
} as const;

function terminalBlocks(ea: ErrorAnalysis, runId: string, subjects: (id: string) => string): Block[] {
  const blocks: Block[] = [
    text(
      [
        "\n",
        span("ERROR ANALYSIS", "accent", "bold"),
        `  ${ea.split}: ${ea.errors} errors of ${ea.n} (${pct(ea.errorRate)})` +
          (ea.binary !== false && ea.fp + ea.fn > 0 ? `: ${ea.fp} false positives, ${ea.fn} false negatives` : ""),
      ],
      undefined,
      "terminal",
    ),
  ];
  if (ea.tags.length > 0) {
    blocks.push(
      table(tagHead(ea), tagRows(ea, 15), {
        only: "terminal",
      }),
      text(
        [
          span(
            `  ${ea.untagged} errors carry no tag; tag them by hand: mlloop tag ${runId.slice(0, 8)} <example> <tag>…`,
            "dim",
          ),
        ],
        undefined,
        "terminal",
      ),
    );
  }
  for (const kind of ["fn", "fp", "wrong"] as const) {
    const list = ea.overRepresented.filter((o) => o.kind === kind).slice(0, 8);
    if (list.length === 0) continue;
    const items = list.map((o) => `${o.feature} (${o.inErrors}/${o.errors} vs ${o.inCorrect}/${o.correct})`);
    blocks.push(text(`over-represented in ${OVER_VS[kind]}: ${items.join(", ")}`, "p", "terminal"));
  }
  const rows = [...ea.sample.fp.slice(0, 6), ...ea.sample.fn.slice(0, 6), ...ea.sample.other.slice(0, 6)];
  if (rows.length > 0) {
    blocks.push(
      text(
        [span(`  sample of ${ea.sample.size} errors (seed ${ea.sample.seed}); first of each kind:`, "dim")],
        undefined,
        "terminal",
      ),
      table(
        ["kind", "example", "score", "tags", ...(ea.dataKind === "tabular" ? [] : [previewHead(ea)])],
        rows.map((s) => [
          kindText(s),
          s.id,
          s.score === null ? "—" : s.score.toFixed(3),
          s.tags.filter((t) => t !== kindText(s)).join(" ") || "—",
          ...(ea.dataKind === "tabular" ? [] : [subjects(s.id).slice(0, 50)]),
        ]),
        { align: ["left", "left", "right", "left", "left"], only: "terminal" },
      ),
    );
  }
  return blocks;
}

/** FP/FN for binary runs; for multiclass the true → predicted class (a sampled error's kind). */
function kindText(s: SampledError): string {
  return s.kind === "wrong" && s.label !== null && s.decision !== null
    ? confusionTag(s.label, s.decision)
    : s.kind.toUpperCase();
}

/** The preview column: an email's subject, a text row's first words. */
function previewHead(ea: ErrorAnalysis): string {
  return ea.dataKind === undefined || ea.dataKind === "email" ? "subject" : "text";
}

function tagHead(ea: ErrorAnalysis): string[] {
  return ea.binary === false
    ? ["tag", "source", "errors", "share", "in correct", "ceiling (error if fixed)"]
    : ["tag", "source", "errors", "fp", "fn", "share", "in correct", "ceiling (error if fixed)"];
}

function tagRows(ea: ErrorAnalysis, limit = Infinity): Array<Array<string | number>> {
  return ea.tags
    .slice(0, limit)
    .map((t) => [
      t.tag,
      t.source,
      t.errors,
      ...(ea.binary === false ? [] : [t.fp, t.fn]),
      `${Math.round(t.share * 100)}%`,
      `${(t.rateAmongCorrect * 100).toFixed(1)}%`,
      `${pct(t.ceilingError)} (${signedPts(-t.maxGain)})`,
    ]);
}

function htmlBlocks(ea: ErrorAnalysis, previews: (id: string) => { subject: string; snippet: string }): Block[] {
  const blocks: Block[] = [
    group([
      heading(2, `Error analysis (${ea.split})`),
      text(
        `${ea.errors} errors of ${ea.n} (${pct(ea.errorRate)})` +
          (ea.binary === false ? "" : `: ${ea.fp} false positives, ${ea.fn} false negatives`) +
          `; ${ea.untagged} untagged.`,
        "p",
      ),
    ]),
    table(tagHead(ea), tagRows(ea)),
  ];
  if (ea.overRepresented.length > 0) {
    blocks.push(
      heading(3, "Features over-represented among errors"),
      table(
        ["compared", "feature", "in errors", "in correct", "log odds ratio", "z"],
        ea.overRepresented.map((o) => [
          o.kind === "fn" ? "FN vs TP" : o.kind === "fp" ? "FP vs TN" : "errors vs correct",
          o.feature,
          `${o.inErrors}/${o.errors}`,
          `${o.inCorrect}/${o.correct}`,
          o.logOddsRatio.toFixed(2),
          o.z.toFixed(2),
        ]),
      ),
    );
  }
  const sample = [...ea.sample.fp, ...ea.sample.fn, ...ea.sample.other];
  blocks.push(
    heading(3, `Sample of ${ea.sample.size} errors (seed ${ea.sample.seed})`),
    table(
      [
        "kind",
        "example",
        "score",
        "tags",
        ...(ea.dataKind === "tabular"
          ? []
          : ea.dataKind === undefined || ea.dataKind === "email"
            ? ["subject", "beginning of the body"]
            : ["beginning of the text"]),
      ],
      sample.map((x) => [
        kindText(x),
        x.id,
        x.score === null ? "—" : x.score.toFixed(3),
        x.tags.filter((t) => t !== kindText(x)).join(" "),
        ...(ea.dataKind === "tabular"
          ? []
          : ea.dataKind === undefined || ea.dataKind === "email"
            ? [previews(x.id).subject, previews(x.id).snippet]
            : [previews(x.id).snippet || previews(x.id).subject]),
      ]),
    ),
  );
  return blocks.map((b) => ({ ...b, only: "html" as const }));
}

export const errorAnalysis = defineDiagnostic({
  key: "errorAnalysis",
  step: "error analysis",
  when: (ctx) => ctx.run.predictions[ctx.options.errorSplit].length > 0,
  compute(ctx): ErrorAnalysis | null {
    const split = ctx.options.errorSplit;
    return analyseErrors({
      split,
      predictions: ctx.run.predictions[split],
      examples: ctx.data.byId,
      positiveClass: ctx.run.positiveClass,
      rules: compileRules(ctx.run.spec.diagnose?.rules ?? []),
      manual: ctx.manualTags,
      sampleSize: ctx.options.sample,
      seed: deriveSeed(ctx.options.seed, "error-sample"),
      features: features(ctx),
      profile: profileData(ctx.data.bySplit.train),
    });
  },
  summary: (r) => `${r.errors} errors, ${r.tags.length} tags`,
  listedExamples: (ea) => [...ea.sample.fp, ...ea.sample.fn, ...ea.sample.other].map((s) => s.id),
  view(ea, v) {
    const preview = (id: string): { subject: string; snippet: string } => ({
      subject: v.previews[id]?.subject ?? "",
      snippet: v.previews[id]?.snippet ?? "",
    });
    return {
      title: `Error analysis (${ea.split})`,
      blocks: [
        ...terminalBlocks(ea, v.runId, (id) => (ea.dataKind === "text" ? preview(id).snippet : preview(id).subject)),
        ...htmlBlocks(ea, preview),
      ],
    };
  },
});
