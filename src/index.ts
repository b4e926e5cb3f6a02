/**
 * The public library API: the same code the CLI calls.
 *
 *   import { loadSpecFile, runExperiment, openStore, startRun } from "mlloop";
 */
export * from "./errors.js";
export * from "./spec/index.js";
export type { Example, Dataset, BadRow } from "./data/example.js";
export type { ParsedEmail } from "./data/email/types.js";
export { loadDataset } from "./data/load.js";
export { splitDataset, type SplitResult } from "./data/split.js";
export type { CsrMatrix } from "./features/csr.js";
export { fitFeatures } from "./features/pipeline.js";
export type { Estimator, FitData, TrainingReport, SerializedModel } from "./models/estimator.js";
export { createModel, loadModel } from "./models/registry.js";
export * from "./evaluate/metrics.js";
export * from "./evaluate/threshold.js";
export { runExperiment, type RunExperimentOptions, type RunOutcome } from "./loop/run-experiment.js";
export * from "./track/store.js";
export { openStore } from "./track/open.js";
export { startRun, withRun, ActiveRun } from "./track/run-logger.js";
export * from "./track/query.js";
export * from "./compare/index.js";
export { attributeRuns, type AttributeRunsOptions } from "./loop/attribute.js";
export { VERSION } from "./version.js";
export * from "./predict/index.js";
