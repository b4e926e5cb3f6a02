/** `mlloop compare A B` (or several runs, or --where): is the change real, and where did it act? */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { compareMany, compareRuns, type CompareOptions, type RunComparison } from "../../compare/compare-runs.js";
import { formatChange } from "../../compare/change.js";
import { flattenSpec, fmtCi, fmtCount, fmtDelta, fmtP, fmtShare, fmtValue } from "../../compare/format.js";
import { bandNote, decidedByBand, type Verdict } from "../../compare/verdict.js";
import { queryRuns } from "../../track/query.js";
import { openStore } from "../../track/open.js";
import type { Store } from "../../track/store.js";
import { bold, dim, green, out, printJson, red, table, yellow } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface CompareCliOptions {
  where?: string;
  baseline?: string;
  split: string;
  metric?: string;
  resamples: string;
  seed: string;
  band?: string;
  unpaired?: boolean;
  allowThresholdChange?: boolean;
  flips: string;
  all?: boolean;
  json?: boolean;
}

export function parseIntOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} ${value}: expected an integer >= ${min}`);
  return n;
}

export function verdictText(
  v: Verdict,
  interval?: { readonly ciLow: number; readonly ciHigh: number; readonly band?: number },
): string {
  if (v === "improved") return green(v);
  if (v === "regressed") return red(v);
  if (v === "equivalent") return dim(v);
  return yellow(v) + (interval && decidedByBand({ verdict: v, ...interval }) ? ` (${bandNote(interval.band)})` : "");
}

function renderPair(c: RunComparison, all: boolean, store: { a: string | null; b: string | null }): string {
  const lines: string[] = [];
  const a = c.runA.id.slice(0, 12);
  const b = c.runB.id.slice(0, 12);
  lines.push(
    `${bold("compare")} ${a}${c.runA.name ? ` (${c.runA.name})` : ""} → ${b}${c.runB.name ? ` (${c.runB.name})` : ""}` +
      (c.paired ? "" : `  ${red("UNPAIRED")}`),
  );
  for (const d of c.allowedDifferences) lines.push(yellow(`  note: ${d.message}`));
  for (const w of c.warnings) lines.push(yellow(`  warning: ${w}`));

  lines.push("", bold("what changed"));
  const change = formatChange(c.change);
  if (change.length === 0) lines.push(dim("  nothing: same spec, code, data and environment"));
  else lines.push(...change.map((l) => (l.startsWith("    ") ? `      ${l.trim()}` : `  ${l.trim()}`)));
  if (all) {
    lines.push("", bold("full spec") + dim(" (changed keys marked *)"));
    const fa = flattenSpec(store.a === null ? {} : JSON.parse(store.a));
    const fb = flattenSpec(store.b === null ? {} : JSON.parse(store.b));
    const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
    lines.push(
      table(
        ["", "key", "A", "B"],
        keys.map((k) => {
          const va = JSON.stringify(fa.get(k)) ?? "—";
          const vb = JSON.stringify(fb.get(k)) ?? "—";
          return [va === vb ? "" : "*", k, va, vb];
        }),
        ["left", "left", "left", "left"],
      ),
    );
    if (!c.change.code.changed)
      lines.push(dim(`  code: unchanged (${c.change.code.from?.slice(0, 10) ?? "no commit"})`));
    if (!c.change.data.changed) lines.push(dim("  data: unchanged"));
    if (!c.change.env.changed) lines.push(dim("  environment: unchanged"));
  }

  for (const s of c.splits) {
    lines.push("");
    lines.push(
      bold(s.split) +
        dim(
          s.paired
            ? ` — ${fmtCount(s.n)} shared examples; paired bootstrap ${Math.round(c.ci * 100)}% CI (${fmtCount(c.resamples)} resamples, seed ${c.seed}); equivalence band ±${c.band}`
            : ` — UNPAIRED: A on its ${fmtCount(s.nA)} examples, B on its ${fmtCount(s.nB)}, each bootstrapped independently (${fmtCount(c.resamples)} resamples, seed ${c.seed}); band ±${c.band}`,
        ),
    );
    lines.push(
      table(
        ["metric", "A", "B", "Δ (B − A)", `${Math.round(c.ci * 100)}% CI`, "p", "verdict"],
        s.metrics.map((m) => [
          m.metric === c.primaryMetric ? `${m.metric} ★` : m.metric,
          fmtValue(m.a),
          fmtValue(m.b),
          fmtDelta(m.delta),
          fmtCi(m.ciLow, m.ciHigh),
          fmtP(m.pValue),
          verdictText(m.verdict, { ciLow: m.ciLow, ciHigh: m.ciHigh, band: c.band }) +
            (m.verdict === "inconclusive" && m.examplesNeeded !== null
              ? dim(
                  Number.isFinite(m.examplesNeeded)
                    ? ` (≈ ${fmtCount(m.examplesNeeded)} examples to decide, ${fmtCount(Math.max(0, m.examplesNeeded - s.n))} more)`
                    : " (the delta sits on the band: no sample size decides it)",
                )
              : "") +
            (m.noise ? (m.noise.exceeds ? "" : yellow(" within replicate noise")) : ""),
        ]),
        ["left", "right", "right", "right", "right", "right", "left"],
        // on a narrow terminal the CI stands in for the p-value, and the verdict keeps its first word
        { hideable: [5], minCut: 12 },
      ),
    );
    const acc = s.metrics.find((m) => m.mcnemar !== undefined);
    if (acc?.mcnemar) {
      const mc = acc.mcnemar;
      lines.push(
        `  McNemar (accuracy): b = ${mc.b} (A right, B wrong), c = ${mc.c} (A wrong, B right), exact p = ${fmtP(mc.pValue, true)}` +
          (Number.isFinite(mc.requiredN) && mc.pValue >= 0.05
            ? dim(`; ≈ ${fmtCount(mc.requiredN)} examples would detect a delta this size (α 0.05, power 0.8)`)
            : ""),
      );
    }
    const primary = s.metrics.find((m) => m.metric === c.primaryMetric) ?? s.metrics[0];
    if (primary?.noise) {
      const nf = primary.noise;
      lines.push(
        `  noise floor (${primary.metric}): replicate σ ${fmtValue(nf.std)} (${nf.groups.map((g) => `group ${g.group}: ${g.runs} runs`).join(", ")}); ` +
          `|Δ| ${nf.exceeds ? "exceeds" : "does not exceed"} 2√2σ = ${fmtValue(nf.threshold)}`,
      );
    }
    if (s.flips !== null) {
      const f = s.flips;
      lines.push(
        "",
        `${bold("flips")} ${green(`${f.fixed} fixed`)}, ${red(`${f.broken} broken`)} ${dim(`(net ${fmtDelta((f.fixed - f.broken) / s.n)} accuracy)`)}`,
      );
      if (f.examples.length > 0) {
        lines.push(
          table(
            ["", "example", "label", "score A → B", "tags", "preview"],
            f.examples.map((x) => [
              x.kind === "fixed" ? green("fixed") : red("broken"),
              x.exampleId,
              x.label,
              `${x.scoreA.toFixed(3)} → ${x.scoreB.toFixed(3)}`,
              (x.tags ?? []).join(", "),
              x.preview ?? "",
            ]),
            ["left", "left", "left", "right", "left", "left"],
          ),
        );
      }
      const moving = f.slices.filter((sl) => sl.fixed + sl.broken > 0);
      if (moving.length > 0 && f.fixed !== f.broken) {
        lines.push(dim("  share of the accuracy delta by slice"));
        lines.push(
          table(
            ["by", "slice", "n", "fixed", "broken", "Δ accuracy", "share"],
            moving.map((sl) => [
              sl.by,
              sl.slice,
              sl.n,
              sl.fixed,
              sl.broken,
              fmtDelta(sl.accuracyDelta),
              fmtShare(sl.share),
            ]),
            ["left", "left", "right", "right", "right", "right", "right"],
          ),
        );
      }
    }
  }
  for (const at of c.attributions ?? []) {
    lines.push("", `${bold("attribution")} ${dim(`(${at.metric} on ${at.split}, stored)`)}`);
    for (const p of at.players) {
      lines.push(
        `  ${p.player.padEnd(28)} ${fmtDelta(p.value)} ${fmtCi(p.ciLow, p.ciHigh)}${p.coversZero ? dim("  noise (CI covers 0)") : ""}`,
      );
    }
  }
  return lines.join("\n");
}

async function resolveRuns(store: Store, ids: readonly string[], where: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) out.push((await store.getRun(id)).id);
  if (where !== undefined) {
    const found = await queryRuns(store, where, { sort: "created" });
    for (const r of found) if (!out.includes(r.id)) out.push(r.id);
  }
  return out;
}

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare runs example by example: deltas with paired bootstrap CIs, McNemar, verdicts, flips, slices")
    .argument("[runs...]", "run ids or unique prefixes: A B (baseline first), or more to compare each with the first")
    .option("-w, --where <expr>", 'add the runs matching a query (e.g. "spec.model.family = naive_bayes")')
    .option("--baseline <run>", "with several runs: the run the others are compared with (default: the first)")
    .option("--split <splits>", "split(s) to compare, comma-separated", "dev")
    .option("-m, --metric <names>", "metric(s), comma-separated (default: all that apply)")
    .option("--resamples <n>", "bootstrap resamples", "2000")
    .option("--seed <n>", "bootstrap seed", "0")
    .option("--band <x>", "practical-equivalence band (default: the spec's evaluate.equivalence_band)")
    .option(
      "--unpaired",
      "compare runs evaluated on different examples, each bootstrapped on its own (labelled UNPAIRED)",
    )
    .option("--allow-threshold-change", "compare runs whose threshold policies differ, each at its recorded threshold")
    .option("--flips <n>", "fixed and broken examples to list (each)", "10")
    .option("--all", "also show what did not change (the full spec side by side)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
The delta is B − A on the examples both runs scored; its 95% CI comes from a paired bootstrap
(the same resample of examples for both runs). Verdicts read the CI against ±band: improved or
regressed when it lies wholly beyond the band, equivalent when wholly inside it, else inconclusive
(with the examples needed to decide). Runs evaluated on different examples are refused unless
--unpaired.

Examples:
  $ mlloop compare 0193f2 0193f5
  $ mlloop compare 0193f2 0193f5 --split dev,test --metric f1,accuracy
  $ mlloop compare 0193f2 --where "spec.model.C >= 1" --json`,
    )
    .action(async (ids: string[], opts: CompareCliOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions & CompareCliOptions>();
      const options: CompareOptions = {
        splits: opts.split
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
        metrics: opts.metric
          ?.split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
        resamples: parseIntOption("--resamples", opts.resamples, 1),
        seed: parseIntOption("--seed", opts.seed, 0),
        band: opts.band === undefined ? undefined : Number(opts.band),
        unpaired: opts.unpaired === true,
        allowThresholdChange: opts.allowThresholdChange === true,
        flipLimit: parseIntOption("--flips", opts.flips, 0),
      };
      if (options.band !== undefined && !(options.band >= 0))
        throw new UsageError(`--band ${opts.band}: expected a number >= 0`);
      const store = await openStore(globals.store);
      try {
        const runs = await resolveRuns(store, ids, opts.where);
        if (opts.baseline !== undefined) {
          const base = (await store.getRun(opts.baseline)).id;
          runs.splice(runs.indexOf(base) >= 0 ? runs.indexOf(base) : 0, runs.indexOf(base) >= 0 ? 1 : 0);
          runs.unshift(base);
        }
        if (runs.length < 2) {
          throw new UsageError(
            `compare needs at least two runs (got ${runs.length}${opts.where !== undefined ? ` after --where "${opts.where}"` : ""})`,
          );
        }
        if (runs.length === 2 && opts.where === undefined) {
          const c = await compareRuns(store, runs[0]!, runs[1]!, options);
          if (opts.json) {
            printJson(c);
            return;
          }
          const [ra, rb] = [await store.getRun(runs[0]!), await store.getRun(runs[1]!)];
          out(`${renderPair(c, opts.all === true, { a: ra.specJson, b: rb.specJson })}\n`);
          return;
        }
        const many = await compareMany(store, runs[0]!, runs.slice(1), {
          ...options,
          metric: options.metrics?.[0],
        });
        if (opts.json) {
          printJson({
            ...many,
            rows: many.rows.map((r) => ({
              ...r,
              comparison: r.comparison === null ? null : { ...r.comparison, splits: undefined },
            })),
          });
          return;
        }
        out(
          `${bold("baseline")} ${many.baseline.id.slice(0, 12)}${many.baseline.name ? ` (${many.baseline.name})` : ""}  ` +
            dim(
              `${many.metric} on ${many.split}; paired bootstrap 95% CIs; p-values Holm-adjusted over ${many.rows.length} candidates`,
            ) +
            "\n",
        );
        out(
          `${table(
            ["run", "name", many.metric, "Δ", "95% CI", "Holm p", "verdict", "change"],
            many.rows.map((r) => [
              r.run.id.slice(0, 12),
              (r.run.name ?? "").slice(0, 24),
              fmtValue(r.metric?.b),
              fmtDelta(r.metric?.delta),
              r.metric ? fmtCi(r.metric.ciLow, r.metric.ciHigh) : "",
              fmtP(r.holmP),
              r.metric
                ? verdictText(r.metric.verdict, r.metric)
                : red(r.error?.split("\n")[1]?.trim().replace(/^- /, "") ?? "not comparable"),
              r.comparison
                ? formatChange(r.comparison.change)
                    .map((l) => l.trim())
                    .slice(0, 2)
                    .join("; ")
                : "",
            ]),
            ["left", "left", "right", "right", "right", "right", "left", "left"],
          )}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
