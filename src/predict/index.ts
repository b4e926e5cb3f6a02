/** Using a run's model: pipelines for new data, input readers, drift, and named model versions. */
export { loadPipeline, loadRunPipeline, type Pipeline, type Prediction, type Explanation } from "./pipeline.js";
export { readInputs, INPUT_FORMATS, type InputFormat, type ReadInputsResult } from "./inputs.js";
export { messageExample, rowExample, describeContract, type DataContract } from "./contract.js";
export { driftReport, DRIFT_WARNING_LEVEL, type DriftReport, type FamilyDriftReport } from "./drift.js";
export { parseModelRef, resolveModelRef, type ModelRef } from "./model-ref.js";
export { promoteRun, currentUser, runMetricsNow } from "./registry.js";
