/**
 * One diagnosis = one `Diagnostic`: `compute(context)` gives a typed finding; `view` gives its
 * section of the view model; `charts` the plots saved on the run; `propose` the changes the
 * finding calls for (as data — `src/recommend/` ranks them with the catalogue's own rules).
 * `registry.ts` lists them; `diagnoseFindings` runs them in that order, each once, timed and,
 * when it declares a cache key, cached in the store.
 *
 * A diagnostic reads another's finding with `ctx.get(other)` (computed on demand, once): the
 * dependency is a plain import of the other file, and the registry order is the report order.
 */
import type { FittedFeatures } from "../features/pipeline.js";
import type { SpecPatch } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";
import type { Store } from "../track/store.js";
import type { SplitName } from "../data/split.js";
import type { RunContext, RunData } from "./context.js";
import type { CvSession } from "./cv.js";
import type { Chart } from "./plots.js";
import type { Block } from "./view-model.js";

export interface DiagnoseEvents {
  start?(step: string, total?: number): void;
  progress?(done: number, total?: number): void;
  finish?(step: string, ms: number, detail?: string): void;
}

/** The options of one diagnosis, resolved from the command line, the spec's `diagnose:` block and defaults. */
export interface ResolvedDiagnoseOptions {
  readonly folds: number;
  readonly sizes: number;
  readonly sample: number;
  readonly trainDev: "cv" | "none" | number;
  readonly errorSplit: SplitName;
  readonly seed: number;
  readonly noCv: boolean;
}

export interface DiagnosticContext {
  readonly store: Store;
  readonly run: RunContext;
  readonly data: RunData;
  /** The run's classes (recorded, else the dataset's). */
  readonly classes: readonly string[];
  /** Index of the positive class in `classes`, or null. */
  readonly positive: number | null;
  readonly options: ResolvedDiagnoseOptions;
  /** Key of the cross-validated results: run spec + CV options (not the sample size or error split). */
  readonly cvKey: string;
  /** Manual tags of the experiment's examples. */
  readonly manualTags: ReadonlyMap<string, string[]>;
  readonly featurizer: FittedFeatures | null;
  readonly events: DiagnoseEvents;
  /** The cross-validation session on the training split (opened on first use, closed after the diagnosis). */
  cv(): CvSession;
  /** Another diagnostic's finding (computed now if it has not been). */
  get<F>(diagnostic: Diagnostic<string, F>): Promise<F>;
}

export interface ExpectedEffect {
  /** Expected change of dev error (negative = better). */
  readonly devErrorDelta: number;
  /** 95% interval where the evidence gives one. */
  readonly low: number | null;
  readonly high: number | null;
  /** "validation curve", "learning-curve extrapolation", "tag ceiling (upper bound)", "heuristic"… */
  readonly basis: string;
}

/** A change a finding calls for, before ranking: a SpecPatch, or an action a spec cannot express. */
export interface CandidateChange {
  /** The kind of finding it answers ("capacity", "error_tag", …). */
  readonly finding: string;
  readonly title: string;
  readonly rationale: string;
  readonly evidence: readonly string[];
  /** The change; null when it is an action a spec cannot express (collect data, review labels). */
  readonly patch: SpecPatch | null;
  readonly action: string | null;
  readonly expected: ExpectedEffect;
  /** What ranks it: the expected reduction of dev error (≥ 0). */
  readonly gain: number;
}

/** What a section's view may read besides its own finding. */
export interface ViewContext {
  readonly runId: string;
  /** Inert subject and snippet of the examples the report lists. */
  readonly previews: Readonly<Record<string, { readonly subject: string; readonly snippet: string }>>;
  /** Another diagnostic's finding (undefined when it was not computed). */
  finding<F>(diagnostic: Diagnostic<string, F>): F | undefined;
}

export interface Diagnostic<K extends string = string, F = unknown, P extends boolean = boolean> {
  /** The finding's name in the diagnosis JSON ("errorAnalysis"); unique. */
  readonly key: K;
  /** Progress and timing label ("error analysis"); without one the step is quick and not reported. */
  readonly step?: string;
  /**
   * False: the step does not apply to this run (no cross-validation, no predictions…) and its
   * finding is null — so only a diagnostic whose finding type admits null may have one.
   */
  readonly when?: null extends F ? (ctx: DiagnosticContext) => boolean : never;
  /** When set, the finding is stored under this key and reused (null: do not cache this time). */
  cacheKey?(ctx: DiagnosticContext): string | null;
  compute(ctx: DiagnosticContext): Promise<F> | F;
  /** One line for the progress output when the step finishes. */
  summary?(finding: NonNullable<F>): string;
  /** False when the finding is internal (an input of other diagnostics), not part of the diagnosis JSON. */
  readonly published?: P;
  /** Its section of the view model (null: nothing to show). */
  view?(
    finding: NonNullable<F>,
    ctx: ViewContext,
  ): { readonly title: string; readonly blocks: readonly Block[] } | null;
  /** Plots saved on the run as `diagnose/<name>.svg` and drawn in the HTML report. */
  charts?(finding: NonNullable<F>, ctx: ViewContext): ReadonlyArray<{ readonly name: string; readonly chart: Chart }>;
  /** Changes this finding calls for, for `src/recommend/` to rank with the catalogue's rules. */
  propose?(finding: NonNullable<F>, spec: Spec): readonly CandidateChange[];
  /** Example ids whose preview (subject, snippet) the section shows. */
  listedExamples?(finding: NonNullable<F>): readonly string[];
}

/** A diagnostic with its key, finding and visibility types kept (for the registry's typed tuple). */
export function defineDiagnostic<K extends string, F, const P extends boolean = true>(
  d: Diagnostic<K, F, P>,
): Diagnostic<K, F, P> {
  return d;
}

/** The findings of a list of diagnostics, by key (internal ones left out): what `recommend` reads. */
export type FindingsOf<L extends readonly unknown[]> = {
  readonly [
    D in L[number] as D extends Diagnostic<infer K, infer _F, infer P> ? (P extends false ? never : K) : never
  ]: D extends Diagnostic<string, infer F, boolean> ? F : never;
};
