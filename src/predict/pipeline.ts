/**
 * A run's whole prediction pipeline — fitted featurizer, fitted model, positive class and decision
 * threshold — rebuilt from what the run recorded (its spec, `features.json`, `model.json`,
 * `train-profile.json` and extras), without the training data. What `mlloop predict` and services
 * use: `predict` gives exactly the scores and decisions the run itself gave its dev and test
 * examples; `explain` says which features pushed one example towards its decision.
 */
import type { Example } from "../data/example.js";
import { StoreError, ModelError } from "../errors.js";
import type { CsrMatrix } from "../features/csr.js";
import { loadFeatures, type FittedFeatures } from "../features/pipeline.js";
import type { TrainProfile } from "../features/train-profile.js";
import type { SerializedModel, Estimator } from "../models/estimator.js";
import { contributions, EXPLAINABLE_FAMILIES } from "../models/explain.js";
import { loadModel } from "../models/registry.js";
import { parseSpec } from "../spec/load.js";
import type { DataSpec, Spec } from "../spec/schema.js";
import type { RunRecord, Store } from "../track/store.js";
import { contractOf, type DataContract } from "./contract.js";
import { driftReport, type DriftReport } from "./drift.js";
import { parseModelRef, resolveModelRef, type ModelRef } from "./model-ref.js";

export interface Prediction {
  readonly id: string;
  /** Binary: P(positive class); multiclass: the probability of the predicted class. */
  readonly score: number;
  /** The predicted label after the run's threshold (binary) or argmax (multiclass). */
  readonly decision: string;
  /** Every class's probability, by label. */
  readonly probabilities: Readonly<Record<string, number>>;
}

export interface FeatureContribution {
  readonly feature: string;
  readonly value: number;
  readonly weight: number;
  readonly contribution: number;
}

export interface Explanation extends Prediction {
  /** The class the contributions push towards (the decision). */
  readonly towards: string;
  /** That class's linear score: intercept + Σ contributions. */
  readonly classScore: number;
  readonly intercept: number;
  /** The features that pushed the example most towards `towards`, largest first. */
  readonly top: readonly FeatureContribution[];
}

export interface Pipeline {
  readonly runId: string;
  readonly experiment: string;
  /** How the pipeline was asked for: the run, or the model version an alias pointed to. */
  readonly ref: ModelRef;
  readonly modelFamily: string;
  readonly classes: readonly string[];
  /** Binary runs: the positive class; null for multiclass. */
  readonly positiveClass: string | null;
  /** Binary runs: decisions are `score >= threshold.value`. */
  readonly threshold: { readonly value: number; readonly policy: string; readonly chosenOn: string } | null;
  /** What inputs must provide (email messages, or named columns of given types). */
  readonly contract: DataContract;
  readonly featureNames: readonly string[];
  /** The run's training profile (for drift); null for runs recorded before mlloop saved one. */
  readonly trainProfile: TrainProfile | null;
  /** Featurise and score; one prediction per example, in order. */
  predict(examples: readonly Example[]): Prediction[];
  /** The features that pushed one example towards its decision (linear models and naive Bayes). */
  explain(example: Example, top?: number): Explanation;
  /** Drift of the examples against the training data per feature family; null without a training profile. */
  drift(examples: readonly Example[]): DriftReport | null;
  /** Featurise only (the matrix the model scores). */
  transform(examples: readonly Example[]): CsrMatrix;
}

function decodeJson(bytes: Uint8Array, name: string, runId: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new StoreError(`run ${runId}: artifact ${name} is not valid JSON (${(e as Error).message})`);
  }
}

/** Why a run cannot be used to predict, when an artifact prediction needs is missing. */
async function requireArtifact(store: Store, run: RunRecord, name: string, why: string): Promise<unknown> {
  const have = await store.listArtifacts(run.id);
  if (!have.some((a) => a.name === name)) {
    throw new StoreError(
      `run ${run.id} cannot be used to predict: it has no ${name} artifact (${why}). ` +
        `Runs recorded by mlloop run have it; a run logged by other training code, or one that failed before ` +
        `recording, does not — re-run its spec with mlloop run to get a usable pipeline`,
      { where: `run ${run.id}` },
    );
  }
  return decodeJson((await store.getArtifact(run.id, name)).bytes, name, run.id);
}

function recordedSpec(run: RunRecord): Spec {
  if (run.specJson === null) {
    throw new StoreError(
      `run ${run.id} cannot be used to predict: it has no spec, so what its inputs must look like is unknown`,
      { where: `run ${run.id}` },
    );
  }
  return parseSpec(JSON.parse(run.specJson) as unknown, `run ${run.id} spec`);
}

class RunPipeline implements Pipeline {
  readonly featureNames: readonly string[];
  private readonly positiveIndex: number | null;

  constructor(
    readonly runId: string,
    readonly experiment: string,
    readonly ref: ModelRef,
    readonly classes: readonly string[],
    readonly positiveClass: string | null,
    readonly threshold: Pipeline["threshold"],
    readonly contract: DataContract,
    readonly trainProfile: TrainProfile | null,
    private readonly features: FittedFeatures,
    private readonly model: Estimator,
  ) {
    this.featureNames = features.featureNames;
    this.positiveIndex = positiveClass === null ? null : classes.indexOf(positiveClass);
  }

  get modelFamily(): string {
    return this.model.family;
  }

  transform(examples: readonly Example[]): CsrMatrix {
    return this.features.transform(examples);
  }

  private decide(proba: Float64Array, i: number): { score: number; decision: number } {
    const k = this.classes.length;
    if (this.positiveIndex !== null && this.threshold !== null) {
      const score = proba[i * k + this.positiveIndex]!;
      const neg = this.positiveIndex === 0 ? 1 : 0;
      // the run's own rule (src/loop/evaluate-run.ts): positive when score >= threshold
      return { score, decision: score >= this.threshold.value ? this.positiveIndex : neg };
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    return { score: proba[i * k + best]!, decision: best };
  }

  private scoreMatrix(examples: readonly Example[], X: CsrMatrix): Prediction[] {
    const proba = this.model.predictProba(X);
    const k = this.classes.length;
    return examples.map((ex, i) => {
      const { score, decision } = this.decide(proba, i);
      const probabilities: Record<string, number> = {};
      for (let c = 0; c < k; c++) probabilities[this.classes[c]!] = proba[i * k + c]!;
      return { id: ex.id, score, decision: this.classes[decision]!, probabilities };
    });
  }

  predict(examples: readonly Example[]): Prediction[] {
    if (examples.length === 0) return [];
    return this.scoreMatrix(examples, this.features.transform(examples));
  }

  explain(example: Example, top = 10): Explanation {
    if (!(EXPLAINABLE_FAMILIES as readonly string[]).includes(this.model.family)) {
      throw new ModelError(
        `explanations are not available for the ${this.model.family} family: a feature's effect there depends on the ` +
          `other features, so there is no per-feature weight to show (available for ${EXPLAINABLE_FAMILIES.join(", ")})`,
      );
    }
    const X = this.features.transform([example]);
    const [prediction] = this.scoreMatrix([example], X);
    const towards = this.classes.indexOf(prediction!.decision);
    const perClass = contributions(this.model, X, this.featureNames, 0);
    const mine = perClass.find((c) => c.classIndex === towards)!;
    return {
      ...prediction!,
      towards: prediction!.decision,
      classScore: mine.score,
      intercept: mine.intercept,
      top: mine.contributions
        .filter((c) => c.contribution > 0)
        .slice(0, top)
        .map((c) => ({ feature: c.feature, value: c.value, weight: c.weight, contribution: c.contribution })),
    };
  }

  drift(examples: readonly Example[]): DriftReport | null {
    if (this.trainProfile === null || examples.length === 0) return null;
    return driftReport(this.trainProfile, this.features.transform(examples), this.featureNames);
  }
}

function checkProfile(value: unknown, runId: string): TrainProfile {
  const p = value as Partial<TrainProfile> | null;
  if (p === null || typeof p !== "object" || p.format !== "mlloop.train-profile" || !Array.isArray(p.families)) {
    throw new StoreError(`run ${runId}: train-profile.json is not an mlloop training profile`);
  }
  if (p.version !== 1)
    throw new StoreError(
      `run ${runId}: train-profile.json has version ${String(p.version)}; this mlloop reads version 1`,
    );
  return p as TrainProfile;
}

/** The pipeline of one recorded run (already read from the store). */
export async function loadRunPipeline(store: Store, run: RunRecord, ref?: ModelRef): Promise<Pipeline> {
  if (run.status !== "finished") {
    throw new StoreError(
      `run ${run.id} is ${run.status}, not finished: only a finished run has a complete pipeline to predict with`,
      { where: `run ${run.id}` },
    );
  }
  const spec = recordedSpec(run);
  const features = loadFeatures(
    await requireArtifact(
      store,
      run,
      "features.json",
      "the fitted featurizer: vocabularies, idf weights, scalers, category levels",
    ),
  );
  const model = loadModel((await requireArtifact(store, run, "model.json", "the fitted model")) as SerializedModel);
  if (model.serialize().nFeatures !== features.featureNames.length) {
    throw new StoreError(
      `run ${run.id}: its model expects ${model.serialize().nFeatures} features but its featurizer makes ${features.featureNames.length}; the run's artifacts do not belong together`,
    );
  }
  const classes = run.dataInfo?.classes;
  if (!Array.isArray(classes) || classes.length !== model.serialize().nClasses) {
    throw new StoreError(`run ${run.id} does not record its classes (dataInfo.classes), so decisions cannot be named`);
  }
  const positiveClass = (run.extras["positiveClass"] as string | null | undefined) ?? null;
  const threshold = (run.extras["threshold"] as Pipeline["threshold"] | undefined) ?? null;
  if (classes.length === 2 && (positiveClass === null || threshold === null)) {
    throw new StoreError(
      `run ${run.id} does not record its positive class and decision threshold (extras.positiveClass, extras.threshold), so decisions cannot be made as the run made them`,
    );
  }
  const profileRecord = (await store.listArtifacts(run.id)).some((a) => a.name === "train-profile.json");
  const trainProfile = profileRecord
    ? checkProfile(
        decodeJson((await store.getArtifact(run.id, "train-profile.json")).bytes, "train-profile.json", run.id),
        run.id,
      )
    : null;
  return new RunPipeline(
    run.id,
    run.experiment,
    ref ?? { kind: "run", text: run.id, runId: run.id },
    classes,
    positiveClass,
    threshold,
    contractOf(spec.data as DataSpec, spec),
    trainProfile,
    features,
    model,
  );
}

/**
 * The pipeline of a run (`0193f2…`, a unique prefix is enough) or of the model version an alias
 * names (`spam-filter@production`), loadable without the training data.
 */
export async function loadPipeline(store: Store, runOrAlias: string): Promise<Pipeline> {
  const parsed = parseModelRef(runOrAlias);
  const ref = await resolveModelRef(store, parsed);
  const run = await store.getRun(ref.runId);
  return loadRunPipeline(store, run, ref);
}
