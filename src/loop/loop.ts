/**
 * `mlloop loop`: the experiment loop as one command, on any spec. Each iteration diagnoses the
 * incumbent, lays out the catalogue of spec moves, screens them on the training split (cross-
 * validation on cached features, successive halving, compounds), runs the best untried candidate
 * as a recorded child run, compares it with the incumbent on dev (paired), and accepts or rejects it
 * by one rule that stays honest however often dev is looked at (loop-acceptance.ts). Test is read
 * once, for the final choice.
 *
 * Every attempt is a run tagged with what the loop needs to resume (role, look number, incumbent,
 * candidate, outcome): a killed loop started again with the same experiment picks up where it was,
 * and never repeats a finished run.
 */
import { availableParallelism } from "node:os";
import { buildCatalogue, type FindingKind } from "../recommend/catalogue.js";
import { knobFreeKey } from "../recommend/knob-search.js";
import { screenMoves, type ScreenedCandidate, type ScreenReport } from "../recommend/screening.js";
import type { ScreenResult, ScreenTask } from "../recommend/screen-worker.js";
import { localPoolExecutor, type Executor } from "../search/executor.js";
import { taskPrimaryMetric } from "../evaluate/primary-metric.js";
import { canonicalize, specHash } from "../spec/canonical.js";
import { formatPatch } from "../spec/patch.js";
import { specSchema, type Spec } from "../spec/schema.js";
import type { RunId, RunSummary, Store } from "../track/store.js";
import { deriveSeed } from "../util/random.js";
import { cacheMaxBytesFromEnv, StageCache } from "./cache.js";
import {
  fallbackRule,
  levelAt,
  atLevel,
  decideBinary,
  decideByCorrectness,
  describeRule,
  metricInterval,
  type AcceptanceRule,
  type Decision,
} from "./loop-acceptance.js";
import { readFindings, type Finding } from "./loop-findings.js";
import type { Dataset } from "../data/example.js";
import type { FamilyMemo } from "../features/pipeline.js";
import { loopDataOf, trainMatrixOf, type LoopData } from "./loop-inputs.js";
import { defaultCacheDir, runExperiment, type StageEvents } from "./run-experiment.js";

export const LOOP_TAG = {
  role: "loop.role",
  look: "loop.look",
  incumbent: "loop.incumbent",
  candidate: "loop.candidate",
  outcome: "loop.outcome",
  rule: "loop.rule",
} as const;

export interface LoopTarget {
  readonly metric: string;
  readonly op: ">=" | ">" | "<=" | "<";
  readonly value: number;
}

export interface LoopOptions {
  readonly store: Store;
  readonly spec: Spec;
  readonly baseDir: string;
  /** Full runs (the baseline included), default 8. */
  readonly budget?: number;
  /** Stop starting full runs after this many milliseconds. */
  readonly timeMs?: number;
  readonly target?: LoopTarget;
  /** Default: the spec's experiment. An existing experiment resumes from its incumbent. */
  readonly experiment?: string;
  /** Screening workers (default: MLLOOP_WORKERS, else up to 2). */
  readonly workers?: number;
  /**
   * Where screening trials run instead of the local pool (`loop --queue`: BullMQ workers); the
   * caller owns it and closes it.
   */
  readonly executor?: Executor<ScreenTask, ScreenResult>;
  /** Screening with fewer rows and folds (tests). */
  readonly screening?: {
    readonly rungs?: ReadonlyArray<{ folds: number; fraction: number }>;
    readonly depth?: number;
    readonly width?: number;
    /** TPE on the leader's continuous knob (ScreenOptions.tune); false to skip. */
    readonly tune?: false | { readonly rounds?: number; readonly batch?: number };
  };
  /**
   * A new experiment's first full run: "screened" (default) screens the catalogue around the spec
   * first and runs the best screened configuration (the spec itself when nothing beats it on the
   * training split), so no run of the budget goes to a configuration screening already ranks below
   * another; "spec" runs the spec as given first, a reference on dev for every later change (the
   * demo, which attributes the whole move from it).
   */
  readonly start?: "screened" | "spec";
  /** Skip the diagnosis (findings only order ties; tests and benchmarks that time screening alone). */
  readonly diagnose?: boolean;
  readonly log?: (line: string) => void;
  readonly stages?: StageEvents;
  onScreenProgress?(done: number, total: number, label: string): void;
}

export interface LoopAttempt {
  readonly look: number;
  readonly runId: RunId;
  readonly incumbent: RunId;
  readonly candidate: string;
  readonly title: string;
  readonly patch: readonly string[];
  readonly screened: { metric: number; delta: number; ciLow: number | null; ciHigh: number | null } | null;
  readonly answers: FindingKind | null;
  readonly decision: Decision;
  readonly devMetric: number;
  /** Wall time from the loop's start (this process) when the run finished. */
  readonly elapsedMs: number;
}

export interface LoopResult {
  readonly experiment: string;
  readonly metric: string;
  readonly rule: AcceptanceRule & { readonly text: string };
  readonly baselineRunId: RunId;
  readonly incumbentRunId: RunId;
  /** Incumbent's dev metric after each full run, in order (resumed runs included). */
  readonly trajectory: readonly number[];
  /** Wall time (this process, screening included) when each full run of the trajectory finished; NaN for resumed runs. */
  readonly trajectoryMs: readonly number[];
  readonly attempts: readonly LoopAttempt[];
  readonly findings: readonly Finding[];
  readonly lastScreen: ScreenSummary | null;
  /** Each diagnose-and-screen round of this process: the incumbent (null: the spec, before any run), its findings, the screening's top candidates. */
  readonly rounds: ReadonlyArray<{ incumbent: RunId | null; findings: readonly Finding[]; screen: ScreenSummary }>;
  readonly looks: number;
  readonly runsUsed: number;
  readonly resumed: boolean;
  readonly stopReason: string;
  readonly dev: { value: number; low: number; high: number } | null;
  readonly test: { value: number; low: number; high: number } | null;
  readonly elapsedMs: number;
  readonly screeningMs: number;
}

export interface ScreenSummary {
  readonly incumbentMetric: number;
  readonly trials: number;
  readonly ms: number;
  readonly top: ReadonlyArray<{
    id: string;
    title: string;
    metric: number;
    delta: number;
    ciLow: number | null;
    ciHigh: number | null;
    rung: number;
    answers: FindingKind | null;
    patch: string[];
  }>;
}

function targetMet(t: LoopTarget | undefined, v: number | undefined): boolean {
  if (t === undefined || v === undefined || !Number.isFinite(v)) return false;
  switch (t.op) {
    case ">=":
      return v >= t.value;
    case ">":
      return v > t.value;
    case "<=":
      return v <= t.value;
    case "<":
      return v < t.value;
  }
}

/**
 * A candidate whose moves are all part of one already tried for this incumbent, or which adds moves
 * to one, says little the tried run did not: after a rejection the loop spends its next full run on
 * a different idea rather than on a near copy of the one dev just turned down.
 */
function nestedInTried(id: string, tried: ReadonlySet<string>): boolean {
  const moves = new Set(id.split(" + "));
  for (const t of tried) {
    const other = t.split(" + ");
    const inter = other.filter((m) => moves.has(m)).length;
    if (inter === other.length || inter === moves.size) return true;
  }
  return false;
}

function defaultWorkers(): number {
  const env = Number(process.env.MLLOOP_WORKERS);
  if (Number.isInteger(env) && env >= 0) return env;
  return Math.min(2, availableParallelism());
}

function summarise(report: ScreenReport): ScreenSummary {
  return {
    incumbentMetric: report.incumbentMetric,
    trials: report.trials,
    ms: report.ms,
    top: report.candidates.slice(0, 8).map((c) => ({
      id: c.id,
      title: c.title,
      metric: c.metric,
      delta: c.delta,
      ciLow: c.ciLow,
      ciHigh: c.ciHigh,
      rung: c.rung,
      answers: c.answers,
      patch: formatPatch(c.patch),
    })),
  };
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : "—");
const s4 = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(4)}` : "—");

interface DevScores {
  readonly ids: string[];
  readonly yTrue: Uint8Array;
  readonly score: Float64Array;
  readonly correct: boolean[];
  readonly threshold: number;
  readonly metric: number;
}

async function devScores(store: Store, runId: RunId, split: "dev" | "test", metric: string): Promise<DevScores> {
  const run = await store.getRun(runId);
  const positive = (run.extras.positiveClass as string | null | undefined) ?? null;
  const threshold = (run.extras.threshold as { value?: number } | null | undefined)?.value ?? 0.5;
  const rows = (await store.getPredictions(runId, split))
    .slice()
    .sort((a, b) => (a.exampleId < b.exampleId ? -1 : a.exampleId > b.exampleId ? 1 : 0));
  const metrics = await store.getMetrics(runId, { name: metric, split });
  return {
    ids: rows.map((r) => r.exampleId),
    yTrue: Uint8Array.from(rows, (r) => (positive !== null && r.label === positive ? 1 : 0)),
    score: Float64Array.from(rows, (r) => r.score ?? 0),
    correct: rows.map((r) => r.correct === true),
    threshold,
    metric: metrics.find((m) => m.step === 0)?.value ?? Number.NaN,
  };
}

export async function runLoop(opts: LoopOptions): Promise<LoopResult> {
  const t0 = performance.now();
  const { store } = opts;
  const log = opts.log ?? (() => {});
  const budget = opts.budget ?? 8;
  const experiment = opts.experiment ?? opts.spec.experiment;
  const rule = fallbackRule(budget);
  const cache = new StageCache(defaultCacheDir(store), cacheMaxBytesFromEnv());
  const datasets = new Map<string, Promise<Dataset>>();
  // fitted feature families shared by every screening round of this loop (see FamilyMemo)
  const families = new Map<string, FamilyMemo>();
  let screeningMs = 0;

  // ── resume: what this experiment already holds ───────────────────────────────────────────────
  const existing = (await store.listRuns({ experiment })).slice().reverse(); // oldest first
  const finished = existing.filter((r) => r.status === "finished");
  const loopRuns = finished.filter((r) => r.tags[LOOP_TAG.role] !== undefined);
  const resumed = finished.length > 0;
  const doneSpecHashes = new Set(finished.map((r) => r.specHash).filter((h): h is string => typeof h === "string"));

  let incumbentSpec: Spec = specSchema.parse({
    ...(canonicalize(opts.spec) as Record<string, unknown>),
    experiment,
  }) as Spec;
  let baselineRunId: RunId;
  let metricName = "";
  const trajectory: number[] = [];
  const trajectoryMs: number[] = [];
  const attempts: LoopAttempt[] = [];
  let looks = loopRuns.length;
  // the fallback carry: the previous comparison's outcome and level
  let previous: { accepted: boolean; level: number } | null = null;
  let comparisons = 0;

  const metricOf = async (id: RunId, split: "dev" | "test"): Promise<number> =>
    (await store.getMetrics(id, { name: metricName, split })).find((m) => m.step === 0)?.value ?? Number.NaN;

  let incumbent: RunId;
  let dataInfo: LoopData | null = null;
  const ensureData = async (): Promise<LoopData> => (dataInfo ??= await loopDataOf(incumbentSpec, opts.baseDir, cache));

  const workers = opts.workers ?? defaultWorkers();
  const ownExecutor =
    opts.executor === undefined
      ? localPoolExecutor<null, ScreenTask, ScreenResult>({
          module: new URL("../recommend/screen-worker.js", import.meta.url),
          shared: null,
          size: workers,
        })
      : null;
  const executor: Executor<ScreenTask, ScreenResult> = opts.executor ?? ownExecutor!;

  /** Screen the catalogue around `around` on its training split, narrated. */
  const screenAround = async (around: Spec, found: readonly Finding[]): Promise<ScreenReport> => {
    const data = await ensureData();
    const moves = buildCatalogue(around, data.catalogue);
    const s0 = performance.now();
    const screen = await screenMoves({
      incumbent: around,
      moves,
      classes: data.classes,
      positive: data.positive,
      trainMatrix: (spec, withGroups) => trainMatrixOf(spec, opts.baseDir, cache, datasets, withGroups, families),
      executor,
      seed: deriveSeed(around.seed, "screen"),
      rungs: opts.screening?.rungs,
      depth: opts.screening?.depth,
      width: opts.screening?.width,
      tune: opts.screening?.tune,
      findings: found.map((f) => f.kind),
      onProgress: opts.onScreenProgress,
    });
    screeningMs += performance.now() - s0;
    log(
      `   ${moves.length} catalogue moves, ${screen.trials} cross-validation trials in ${(screen.ms / 1000).toFixed(1)} s ` +
        `(training split only; incumbent out-of-fold ${screen.metric} ${f4(screen.incumbentMetric)})`,
    );
    const fits = Object.entries(screen.fitMsByFamily)
      .sort((a, b) => b[1] - a[1])
      .map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)} s`)
      .join(", ");
    for (const sk of screen.skipped) log(`   not screened: ${sk.id} (${sk.reason})`);
    log(`   time: features ${(screen.featureMs / 1000).toFixed(1)} s; fits ${fits}`);
    const phases = screen.phases.map((p) => `${p.label} ${p.trials} in ${(p.ms / 1000).toFixed(1)} s`).join(", ");
    log(`   phases (wall): ${phases}`);
    const lastRung = screen.rungs.length - 1;
    const rows = lastRung === 0 ? "all training rows" : "the survivors, on all training rows";
    log(`   best estimates (${rows}, ${screen.rungs[lastRung]!.folds}-fold; gain over the incumbent, 95% CI):`);
    for (const c of screen.candidates.filter((x) => x.rung === lastRung).slice(0, 5)) {
      const ci = c.ciLow !== null ? ` [${s4(c.ciLow)}, ${s4(c.ciHigh!)}]` : "";
      log(`     ${s4(c.delta)}${ci}  ${c.title}${c.answers ? `  (answers: ${c.answers})` : ""}`);
    }
    return screen;
  };

  let step = 0;
  let stopReason = `used the budget of ${budget} full runs`;
  let findings: Finding[] = [];
  let screen: ScreenReport | null = null;
  let screenedFor: RunId | null = null;
  const rounds: Array<{ incumbent: RunId | null; findings: readonly Finding[]; screen: ScreenSummary }> = [];
  const triedBy = new Map<string, Set<string>>();
  for (const r of loopRuns) {
    const inc = r.tags[LOOP_TAG.incumbent];
    const cand = r.tags[LOOP_TAG.candidate];
    if (inc && cand) (triedBy.get(inc) ?? triedBy.set(inc, new Set()).get(inc)!).add(cand);
  }
  try {
    if (loopRuns.length === 0 && finished.length > 0) {
      // an experiment started by hand: the loop continues from its best finished run on dev
      const k0 = (await store.getRun(finished[0]!.id)).dataInfo?.classes?.length ?? 2;
      metricName = taskPrimaryMetric(incumbentSpec.evaluate.primary_metric, k0);
      let best: RunSummary = finished[0]!;
      let bestV = -Infinity;
      for (const r of finished) {
        const v = await metricOf(r.id, "dev");
        const signed = metricName === "log_loss" ? -v : v;
        if (signed > bestV) {
          bestV = signed;
          best = r;
        }
      }
      const rec = await store.getRun(best.id);
      incumbentSpec = specSchema.parse(JSON.parse(rec.specJson ?? "{}")) as Spec;
      incumbent = best.id;
      baselineRunId = best.id;
      await store.setTag(best.id, LOOP_TAG.role, "baseline");
      looks = 1;
      trajectory.push(await metricOf(best.id, "dev"));
      log(
        `resume: experiment ${experiment} has ${finished.length} finished run(s) and no loop yet; the loop starts from the best on dev, ${best.id.slice(0, 12)} (${metricName} ${f4(trajectory[0]!)})`,
      );
    } else if (loopRuns.length > 0) {
      const base = loopRuns.find((r) => r.tags[LOOP_TAG.role] === "baseline") ?? loopRuns[0]!;
      baselineRunId = base.id;
      const baseRec = await store.getRun(base.id);
      metricName = taskPrimaryMetric(incumbentSpec.evaluate.primary_metric, baseRec.dataInfo?.classes?.length ?? 2);
      incumbent = base.id;
      incumbentSpec = specSchema.parse(JSON.parse(baseRec.specJson ?? "{}")) as Spec;
      trajectory.push(await metricOf(base.id, "dev"));
      log(
        `resume: experiment ${experiment} — ${loopRuns.length} finished loop run(s) found; nothing finished is run again`,
      );
      for (const r of loopRuns) {
        if (r.id === base.id) continue;
        let outcome = r.tags[LOOP_TAG.outcome];
        comparisons++;
        const level = levelAt(rule, comparisons, previous);
        if (outcome === undefined && r.tags[LOOP_TAG.incumbent] === incumbent) {
          // finished before its decision was recorded (killed in between): decide it now
          const d = await decide(store, atLevel(rule, level), metricName, incumbent, r.id, opts.spec.seed);
          outcome = d.accepted ? "accepted" : "rejected";
          await store.setTag(r.id, LOOP_TAG.outcome, outcome);
        }
        previous = { accepted: outcome === "accepted", level };
        if (outcome === "accepted" && r.tags[LOOP_TAG.incumbent] === incumbent) {
          incumbent = r.id;
          incumbentSpec = specSchema.parse(JSON.parse((await store.getRun(r.id)).specJson ?? "{}")) as Spec;
        }
        trajectory.push(await metricOf(incumbent, "dev"));
      }
      log(
        `   incumbent ${incumbent.slice(0, 12)}: dev ${metricName} ${f4(trajectory[trajectory.length - 1]!)} after ${loopRuns.length} full run(s)`,
      );
    } else {
      let startSpec = incumbentSpec;
      let startTitle = incumbentSpec.notes ?? "the spec as given";
      const startTags: Record<string, string> = {};
      if ((opts.start ?? "screened") === "screened") {
        step++;
        log(`${step}. screen the catalogue around the spec (training split only; no full run yet)`);
        const first = await screenAround(incumbentSpec, []);
        rounds.push({ incumbent: null, findings: [], screen: summarise(first) });
        const best = first.candidates.find((c) => c.error === null && c.rung === first.rungs.length - 1 && c.delta > 0);
        if (best !== undefined) {
          startSpec = specSchema.parse({ ...(canonicalize(best.spec) as Record<string, unknown>), experiment }) as Spec;
          startTitle = `the spec with: ${best.title}`;
          startTags[LOOP_TAG.candidate] = best.id;
          log(`   start from the best screened configuration:`);
          for (const line of formatPatch(best.patch)) log(`        ${line}`);
        } else log(`   nothing screened beats the spec on the training split: start from it`);
      }
      log(`${step === 0 ? "1." : "  "} first full run: ${startTitle}`);
      const first = await runExperiment({
        spec: startSpec,
        baseDir: opts.baseDir,
        store,
        cache,
        name: startTags[LOOP_TAG.candidate] ? `loop start: ${startTitle}`.slice(0, 80) : "loop baseline",
        notes: startTitle,
        tags: { [LOOP_TAG.role]: "baseline", [LOOP_TAG.look]: "1", [LOOP_TAG.rule]: rule.name, ...startTags },
        events: opts.stages,
      });
      incumbentSpec = startSpec;
      metricName = taskPrimaryMetric(incumbentSpec.evaluate.primary_metric, first.classes.length);
      baselineRunId = first.runId;
      incumbent = first.runId;
      looks = 1;
      trajectory.push(first.metrics.dev?.[metricName] ?? Number.NaN);
      trajectoryMs.push(performance.now() - t0);
      doneSpecHashes.add(specHash(incumbentSpec));
      log(`   run ${first.runId.slice(0, 12)}: dev ${metricName} ${f4(trajectory[0]!)}`);
    }
    log(`   acceptance rule: ${describeRule(rule)}`);

    step = Math.max(step, looks);
    while (true) {
      const current = trajectory[trajectory.length - 1];
      if (targetMet(opts.target, current)) {
        stopReason = `reached the target ${opts.target!.metric} ${opts.target!.op} ${opts.target!.value}`;
        break;
      }
      if (looks >= budget) break;
      if (opts.timeMs !== undefined && performance.now() - t0 >= opts.timeMs) {
        stopReason = `reached the time limit (${Math.round(opts.timeMs / 1000)} s)`;
        break;
      }
      if (screenedFor !== incumbent) {
        step++;
        log(`\n${step}. diagnose ${incumbent.slice(0, 12)} and screen the catalogue`);
        findings = opts.diagnose === false ? [] : await readFindings(store, incumbent, opts.baseDir);
        for (const f of findings) log(`   finding (${f.kind}): ${f.text}`);
        screen = await screenAround(incumbentSpec, findings);
        screenedFor = incumbent;
        rounds.push({ incumbent, findings, screen: summarise(screen) });
      }
      const tried = triedBy.get(incumbent) ?? new Set<string>();
      // a candidate that differs from a tried one only in its model knob or fixed threshold is a
      // near copy too (TPE's C = 347 after C = 1000 was rejected); screening is deterministic, so a
      // resumed loop finds the tried candidates' specs in the same report
      const triedKeys = new Set(screen!.candidates.filter((c) => tried.has(c.id)).map((c) => knobFreeKey(c.spec)));
      const next: ScreenedCandidate | undefined = screen!.candidates.find(
        (c) =>
          c.error === null &&
          c.rung === screen!.rungs.length - 1 &&
          c.delta > 0 &&
          !tried.has(c.id) &&
          !nestedInTried(c.id, tried) &&
          !triedKeys.has(knobFreeKey(c.spec)) &&
          !doneSpecHashes.has(specHash({ ...c.spec, experiment })),
      );
      if (next === undefined) {
        stopReason = "screening found no untried change that beats the incumbent on the training split";
        break;
      }
      tried.add(next.id);
      triedBy.set(incumbent, tried);
      const look = looks + 1;
      log(`   try: ${next.title}`);
      for (const line of formatPatch(next.patch)) log(`        ${line}`);
      const note = next.moves.map((m) => m.note).filter(Boolean);
      for (const n of note) log(`        (${n})`);
      const childSpec = specSchema.parse({
        ...(canonicalize(next.spec) as Record<string, unknown>),
        experiment,
      }) as Spec;
      const child = await runExperiment({
        spec: childSpec,
        baseDir: opts.baseDir,
        store,
        cache,
        parent: incumbent,
        notes: next.title,
        name: `loop ${look}: ${next.title}`.slice(0, 80),
        tags: {
          [LOOP_TAG.role]: "attempt",
          [LOOP_TAG.look]: String(look),
          [LOOP_TAG.incumbent]: incumbent,
          [LOOP_TAG.candidate]: next.id,
          [LOOP_TAG.rule]: rule.name,
        },
        events: opts.stages,
      });
      looks = look;
      doneSpecHashes.add(specHash(childSpec));
      comparisons++;
      const level = levelAt(rule, comparisons, previous);
      const decision = await decide(store, atLevel(rule, level), metricName, incumbent, child.runId, opts.spec.seed);
      previous = { accepted: decision.accepted, level };
      await store.setTag(child.runId, LOOP_TAG.outcome, decision.accepted ? "accepted" : "rejected");
      await store.putPairResult("loop-acceptance", `${incumbent}:${child.runId}`, incumbent, child.runId, {
        rule: rule.name,
        look,
        decision,
      });
      const devMetric = child.metrics.dev?.[metricName] ?? Number.NaN;
      log(
        `   → run ${child.runId.slice(0, 12)} (look ${look}/${budget}): dev ${metricName} ${f4(decision.a)} → ${f4(decision.b)} ` +
          `(Δ ${s4(decision.delta)}, ${(decision.level * 100).toFixed(1)}% CI [${s4(decision.ciLow)}, ${s4(decision.ciHigh)}], one-sided p ${decision.p.toPrecision(2)} vs ${decision.perTest.toPrecision(2)}): ` +
          (decision.accepted ? "accepted" : "rejected"),
      );
      attempts.push({
        look,
        runId: child.runId,
        incumbent,
        candidate: next.id,
        title: next.title,
        patch: formatPatch(next.patch),
        screened: { metric: next.metric, delta: next.delta, ciLow: next.ciLow, ciHigh: next.ciHigh },
        answers: next.answers,
        decision,
        devMetric,
        elapsedMs: performance.now() - t0,
      });
      if (decision.accepted) {
        incumbent = child.runId;
        incumbentSpec = childSpec;
      }
      trajectory.push(await metricOf(incumbent, "dev"));
      trajectoryMs.push(performance.now() - t0);
    }
  } finally {
    await ownExecutor?.close();
  }

  // test, once, for the final choice; dev beside it, both with intervals
  let dev: LoopResult["dev"] = null;
  let test: LoopResult["test"] = null;
  const seed = deriveSeed(opts.spec.seed, "loop-intervals");
  const devS = await devScores(store, incumbent, "dev", metricName);
  if (devS.ids.length > 0 && metricName !== "macro_f1")
    dev = metricInterval(metricName, devS.yTrue, devS.score, devS.threshold, seed);
  const testS = await devScores(store, incumbent, "test", metricName);
  if (testS.ids.length > 0 && metricName !== "macro_f1")
    test = metricInterval(metricName, testS.yTrue, testS.score, testS.threshold, seed);
  else if (testS.ids.length > 0) test = { value: testS.metric, low: Number.NaN, high: Number.NaN };
  if (dev === null && devS.ids.length > 0) dev = { value: devS.metric, low: Number.NaN, high: Number.NaN };
  const summary = {
    rule: { ...rule, text: describeRule(rule) },
    looks,
    testLooks: 1,
    incumbent,
    dev,
    test,
    stopReason,
  };
  await store.putRunResult(incumbent, "loop", experiment, summary);
  await store.setTag(incumbent, "loop.test_looked", "1");
  log(`\nstopped: ${stopReason}`);
  log(
    `final choice ${incumbent.slice(0, 12)}: dev ${metricName} ${f4(dev?.value ?? Number.NaN)} [${f4(dev?.low ?? Number.NaN)}, ${f4(dev?.high ?? Number.NaN)}]` +
      ` · test ${f4(test?.value ?? Number.NaN)} [${f4(test?.low ?? Number.NaN)}, ${f4(test?.high ?? Number.NaN)}] (test read once, now; ${looks} looks at dev)`,
  );
  return {
    experiment,
    metric: metricName,
    rule: { ...rule, text: describeRule(rule) },
    baselineRunId: baselineRunId!,
    incumbentRunId: incumbent,
    trajectory,
    trajectoryMs: [
      ...Array.from({ length: trajectory.length - trajectoryMs.length }, () => Number.NaN),
      ...trajectoryMs,
    ],
    attempts,
    findings,
    lastScreen: screen ? summarise(screen) : null,
    rounds,
    looks,
    runsUsed: looks,
    resumed,
    stopReason,
    dev,
    test,
    elapsedMs: performance.now() - t0,
    screeningMs,
  };
}

async function decide(
  store: Store,
  rule: AcceptanceRule,
  metric: string,
  a: RunId,
  b: RunId,
  seed: number,
): Promise<Decision> {
  const A = await devScores(store, a, "dev", metric);
  const B = await devScores(store, b, "dev", metric);
  const same = A.ids.length === B.ids.length && A.ids.every((id, i) => id === B.ids[i]);
  if (!same) {
    return {
      accepted: false,
      metric,
      a: A.metric,
      b: B.metric,
      delta: Number.NaN,
      ciLow: Number.NaN,
      ciHigh: Number.NaN,
      level: 1 - 2 * rule.perTest,
      p: 1,
      perTest: rule.perTest,
      test: "paired-bootstrap",
    };
  }
  if (metric === "macro_f1" || metric.startsWith("macro_") || metric === "roc_auc_ovr") {
    return decideByCorrectness(
      rule,
      metric,
      { metric: A.metric, correct: A.correct },
      { metric: B.metric, correct: B.correct },
    );
  }
  return decideBinary(
    rule,
    metric,
    { yTrue: A.yTrue, scoreA: A.score, scoreB: B.score, thresholdA: A.threshold, thresholdB: B.threshold },
    deriveSeed(seed, `accept:${b}`),
  );
}
