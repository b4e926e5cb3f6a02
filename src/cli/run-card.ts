/** The run card: what a person wants to see about one run, from the store's record. */
import type { MetricRecord, PredictionRecord, RunRecord } from "../track/store.js";
import { classReport } from "../evaluate/confusion.js";
import { HEADLINE_BINARY_METRICS } from "../evaluate/metrics.js";
import { describePrimaryMetric } from "../evaluate/primary-metric.js";
import { describeChange } from "../compare/change.js";
import { formatPatch, type SpecPatch } from "../spec/patch.js";
import { bold, dim, fmtCount, fmtMetric, fmtMs, fmtTime, green, red, table, yellow } from "./render.js";

export const CARD_METRICS = [...HEADLINE_BINARY_METRICS, "fp", "fn"] as const;
const MULTICLASS_METRICS = ["accuracy", "macro_f1", "micro_f1", "weighted_f1", "log_loss", "roc_auc_ovr"] as const;
const SPLITS = ["train", "dev", "test"];
/** Recorded with every spec run but not worth a column: counts the confusion matrix shows, and so on. */
const HIDDEN_METRICS = new Set([
  "error_rate",
  "tp",
  "tn",
  "n",
  "positives",
  "threshold",
  "micro_precision",
  "micro_recall",
  "weighted_precision",
  "weighted_recall",
  "macro_precision",
  "macro_recall",
]);

/** Final (highest-step) value per split and metric name. */
export function latestMetrics(rows: readonly MetricRecord[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, { step: number; value: number }>> = {};
  for (const r of rows) {
    const split = r.split ?? "-";
    const bySplit = (out[split] ??= {});
    const prev = bySplit[r.name];
    if (!prev || r.step >= prev.step) bySplit[r.name] = { step: r.step, value: r.value };
  }
  return Object.fromEntries(
    Object.entries(out).map(([s, m]) => [s, Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]))]),
  );
}

function statusText(status: string): string {
  if (status === "finished") return green(status);
  if (status === "failed" || status === "crashed") return red(status);
  return yellow(status);
}

/** A parameter value on one line: numbers and strings as they are, the rest as compact JSON. */
function formatParam(v: unknown): string {
  if (typeof v === "string") return v.includes(" ") ? JSON.stringify(v) : v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return JSON.stringify(v);
}

/** Split/name pairs recorded at more than one step: training curves, shown as charts, not in the table. */
export function curveKeys(rows: readonly MetricRecord[]): Map<string, { split: string; name: string; steps: number }> {
  const steps = new Map<string, { split: string; name: string; steps: Set<number> }>();
  for (const r of rows) {
    const split = r.split ?? "-";
    const key = `${split}\u0000${r.name}`;
    let e = steps.get(key);
    if (e === undefined) steps.set(key, (e = { split, name: r.name, steps: new Set() }));
    e.steps.add(r.step);
  }
  const out = new Map<string, { split: string; name: string; steps: number }>();
  for (const [k, e] of steps) if (e.steps.size > 1) out.set(k, { split: e.split, name: e.name, steps: e.steps.size });
  return out;
}

/** `parent`: the parent's record, for the params a tracked run changed (a spec run's change is its recorded patch). */
export function renderRunCard(run: RunRecord, allMetrics: readonly MetricRecord[], parent?: RunRecord | null): string {
  const lines: string[] = [];
  const curves = curveKeys(allMetrics);
  const metrics = allMetrics.filter((r) => !curves.has(`${r.split ?? "-"}\u0000${r.name}`));
  const m = latestMetrics(metrics);
  lines.push(
    `${bold("run")} ${run.id}  ${dim("experiment")} ${run.experiment}  ${statusText(run.status)}` +
      (run.parentId ? `  ${dim("parent")} ${run.parentId}` : ""),
  );
  lines.push(
    dim(
      `created ${fmtTime(run.createdAt)}` +
        (Object.keys(run.timings).length > 0
          ? ` · took ${fmtMs(Object.values(run.timings).reduce((a, b) => a + b, 0))}`
          : run.endedAt && run.startedAt
            ? ` · took ${fmtMs(run.endedAt - run.startedAt)}`
            : "") +
        (run.specHash ? ` · spec ${run.specHash.slice(0, 12)}` : ""),
    ),
  );
  if (run.notes) lines.push(`${dim("notes")} ${run.notes}`);
  if (run.error) lines.push(`${red("error")} ${run.error}`);
  const git = run.provenance?.git;
  if (git)
    lines.push(
      dim(`code ${git.commit ? git.commit.slice(0, 12) : "(no commit)"}${git.dirty ? " + uncommitted changes" : ""}`),
    );

  if (run.parentId) {
    const patch = (run.specPatch ?? []) as SpecPatch;
    // a run logged through the tracking API changes params, not a spec
    const params = (parent ? describeChange(parent, run).params : undefined) ?? [];
    const changes = [...formatPatch(patch), ...formatPatch(params)];
    lines.push("");
    lines.push(bold("change from parent"));
    lines.push(
      changes.length === 0
        ? dim(run.specJson === null ? "  (same params)" : "  (same spec)")
        : changes.map((l) => `  ${l}`).join("\n"),
    );
  }

  const params = Object.entries(run.params ?? {});
  if (params.length > 0) {
    lines.push("");
    lines.push(`${bold("params")} ${params.map(([k, v]) => `${k}=${formatParam(v)}`).join("  ")}`);
  }

  const data = run.dataInfo as Record<string, unknown> | null;
  if (data && (data["description"] !== undefined || data["counts"] !== undefined)) {
    const counts = data["counts"] as Record<string, number> | undefined;
    const splits = data["splits"] as Record<string, string> | undefined;
    lines.push("");
    lines.push(
      `${bold("data")} ${String(data["description"] ?? "")}` +
        (counts ? splitCounts(counts, data["crossValidation"] as PooledCounts | undefined) : ""),
    );
    const dup = data["duplicates"] as { clusters?: number; moved?: number; dropped?: number } | undefined;
    if (dup && (dup.clusters ?? 0) > 0) {
      lines.push(
        dim(
          `  ${dup.clusters} duplicate clusters (${dup.moved ?? 0} copies moved to one side, ${dup.dropped ?? 0} dropped)`,
        ),
      );
    }
    const bad = Number(data["badRowCount"] ?? 0);
    if (bad > 0) lines.push(yellow(`  ${fmtCount(bad)} bad rows skipped`));
    if (splits)
      lines.push(
        dim(
          `  fingerprints: dev ${String(splits["dev"] ?? "").slice(0, 12)} · test ${String(splits["test"] ?? "").slice(0, 12)}`,
        ),
      );
  }

  const extras = run.extras as Record<string, unknown>;
  const feats = extras["features"] as
    | { total: number; families: Array<{ name: string; nFeatures: number; fitMs: number; transformMs: number }> }
    | undefined;
  if (feats) {
    lines.push(
      `${bold("features")} ${fmtCount(feats.total)}: ` +
        feats.families.map((f) => `${f.name} ${fmtCount(f.nFeatures)} (${fmtMs(f.fitMs + f.transformMs)})`).join(", "),
    );
  }
  const training = extras["training"] as { iterations: number; converged: boolean; finalLoss: number } | undefined;
  const spec = run.specJson ? (JSON.parse(run.specJson) as { model?: Record<string, unknown> }) : null;
  if (training) {
    lines.push(
      `${bold("model")} ${String(spec?.model?.["family"] ?? "")}: ${training.iterations} iterations, ` +
        `${training.converged ? "converged" : yellow("not converged")}, final loss ${training.finalLoss.toPrecision(6)}`,
    );
  }
  const hyper = Object.entries(spec?.model ?? {}).filter(([k]) => k !== "family");
  if (hyper.length > 0) {
    lines.push(dim(`  hyperparameters: ${hyper.map(([k, v]) => `${k}=${formatParam(v)}`).join("  ")}`));
  }
  const threshold = extras["threshold"] as { value: number; policy: string; chosenOn: string } | null | undefined;
  if (threshold)
    lines.push(
      `${bold("threshold")} ${threshold.value.toFixed(4)} (${threshold.policy}, chosen on ${threshold.chosenOn})`,
    );
  const primary = extras["primaryMetric"];
  if (typeof primary === "string") {
    const classes = (run.dataInfo?.["classes"] as string[] | undefined) ?? null;
    const positive = typeof extras["positiveClass"] === "string" ? extras["positiveClass"] : null;
    lines.push(`${bold("primary metric")} ${describePrimaryMetric(primary, classes, positive)}`);
  }
  const warnings = (extras["warnings"] as string[] | undefined) ?? [];
  for (const w of warnings) lines.push(yellow(`warning: ${w}`));
  const cv = extras["crossValidation"] as CrossValidationExtras | undefined;
  if (cv && typeof primary === "string") lines.push(crossValidationLine(cv, primary));

  const present = SPLITS.filter((s) => m[s] && Object.keys(m[s]!).length > 0);
  if (present.length > 0) {
    const multiclass = present.some((s) => m[s]!["macro_f1"] !== undefined);
    // columns no split has (a run logged through the tracking API records fewer) are left out
    const names = (multiclass ? MULTICLASS_METRICS : CARD_METRICS).filter((n) =>
      present.some((s) => m[s]![n] !== undefined && !Number.isNaN(m[s]![n])),
    );
    lines.push("");
    lines.push(
      table(
        ["split", ...names],
        present.map((s) => [s, ...names.map((n) => fmtMetric(n, m[s]![n]))]),
      ),
    );
  }
  const shown = new Set(
    present.flatMap(() => (present.some((s) => m[s]!["macro_f1"] !== undefined) ? MULTICLASS_METRICS : CARD_METRICS)),
  );
  const others = present.flatMap((s) =>
    Object.entries(m[s]!)
      .filter(([k]) => !shown.has(k as never) && !HIDDEN_METRICS.has(k))
      .map(([k, v]) => `${s}.${k}=${fmtMetric(k, v)}`),
  );
  if (others.length > 0) lines.push(dim("also: ") + others.join("  "));
  const custom = Object.entries(m).filter(([s]) => !SPLITS.includes(s));
  for (const [s, vals] of custom) {
    lines.push(
      dim(`${s === "-" ? "metrics" : s}: `) +
        Object.entries(vals)
          .map(([k, v]) => `${k}=${fmtMetric(k, v)}`)
          .join("  "),
    );
  }
  if (curves.size > 0) {
    const byName = new Map<string, string[]>();
    const order = (split: string): number => (SPLITS.indexOf(split) + 4) % 4;
    const sorted = [...curves.values()].sort((x, y) => order(x.split) - order(y.split));
    for (const c of sorted)
      byName.set(c.name, [...(byName.get(c.name) ?? []), `${c.split === "-" ? "" : c.split} ${c.steps} steps`.trim()]);
    lines.push(
      dim("per step: ") +
        [...byName].map(([name, where]) => `${name} (${where.join(", ")})`).join("  ") +
        dim(`  — chart: mlloop show ${run.id.slice(0, 12)} --metric ${[...byName.keys()][0]!}`),
    );
  }
  const timings = Object.entries(run.timings);
  if (timings.length > 0) {
    const total = timings.reduce((a, [, v]) => a + v, 0);
    lines.push("");
    lines.push(dim(`timings: ${timings.map(([k, v]) => `${k} ${fmtMs(v)}`).join(" · ")} · total ${fmtMs(total)}`));
  }
  return lines.join("\n");
}

interface PooledCounts {
  readonly k: number;
  readonly pooled: number;
  readonly from: { readonly train: number; readonly dev: number };
}

interface CrossValidationExtras {
  readonly k: number;
  readonly folds: ReadonlyArray<{ fold: number; n: number; metrics: Record<string, number> }>;
  readonly mean: Record<string, number>;
  readonly std: Record<string, number>;
}

/** "train 107 / dev 35 / test 36", or for a cross-validated run where its train and dev came from. */
function splitCounts(counts: Record<string, number>, cv: PooledCounts | undefined): string {
  const test = `test ${fmtCount(counts["test"] ?? 0)}`;
  if (cv === undefined) {
    return `  train ${fmtCount(counts["train"] ?? 0)} / dev ${fmtCount(counts["dev"] ?? 0)} / ${test}`;
  }
  return (
    `  train + dev pooled ${fmtCount(cv.pooled)} (${fmtCount(cv.from.train)} + ${fmtCount(cv.from.dev)}), ` +
    `${cv.k}-fold cross-validation / ${test}`
  );
}

/** The evaluation policy of a cross-validated run and the primary metric per fold. */
function crossValidationLine(cv: CrossValidationExtras, primary: string): string {
  const perFold = cv.folds.map((f) => fmtMetric(primary, f.metrics[primary])).join(" ");
  const mean = cv.mean[primary];
  return (
    `${bold("evaluation")} ${cv.k}-fold stratified cross-validation: dev = each pooled example's out-of-fold prediction; ` +
    `the model kept was refitted on the pool (train) and scores test\n` +
    dim(
      `  ${primary} per fold ${perFold}` +
        (mean === undefined
          ? ""
          : ` — mean ${fmtMetric(primary, mean)} ± ${fmtMetric(primary, cv.std[primary])} (std)`),
    )
  );
}

/** Most classes for which the confusion matrix is printed (beyond it, only the per-class table). */
const MAX_MATRIX_CLASSES = 12;

/**
 * Confusion matrix and per-class precision/recall/F1 on dev (else test, else train) from the
 * run's recorded decisions; empty when it recorded none.
 */
export function renderClassReport(run: RunRecord, predictions: readonly PredictionRecord[]): string {
  const split = ["dev", "test", "train"].find((s) =>
    predictions.some((p) => p.split === s && p.label !== null && p.decision !== null),
  );
  if (split === undefined) return "";
  const pairs = predictions
    .filter((p) => p.split === split && p.label !== null && p.decision !== null)
    .map((p) => ({ label: p.label!, decision: p.decision! }));
  const declared = (run.dataInfo?.["classes"] as string[] | undefined) ?? undefined;
  const r = classReport(pairs, declared);
  const lines: string[] = [];
  lines.push(bold(`per class on ${split}`) + dim(` (${fmtCount(r.n)} examples)`));
  lines.push(
    table(
      ["class", "precision", "recall", "f1", "support"],
      r.perClass.map((c) => [
        c.name,
        fmtMetric("precision", c.precision),
        fmtMetric("recall", c.recall),
        fmtMetric("f1", c.f1),
        c.support,
      ]),
      ["left", "right", "right", "right", "right"],
    ),
  );
  if (r.classes.length <= MAX_MATRIX_CLASSES) {
    lines.push(bold(`confusion matrix on ${split}`) + dim(" (rows: true class, columns: predicted)"));
    lines.push(
      table(
        ["true \\ predicted", ...r.classes],
        r.classes.map((c, i) => [c, ...r.matrix[i]!.map((v) => (v === 0 ? dim("·") : String(v)))]),
        ["left", ...r.classes.map(() => "right" as const)],
      ),
    );
  } else {
    const confusions = r.classes
      .flatMap((t, i) => r.classes.map((p, j) => ({ t, p, n: i === j ? 0 : r.matrix[i]![j]! })))
      .filter((x) => x.n > 0)
      .sort((a, b) => b.n - a.n)
      .slice(0, 10);
    lines.push(
      dim(`${r.classes.length} classes: the matrix is left out (--json has it); most frequent confusions: `) +
        confusions.map((x) => `${x.t} → ${x.p} ${x.n}`).join(", "),
    );
  }
  return lines.join("\n");
}
