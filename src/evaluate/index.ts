/** The evaluate stage: metrics, curves, threshold policies and paired significance tests. */
export { binaryMetrics, multiclassMetrics, prf, LOG_LOSS_EPS } from "./metrics.js";
export type { BinaryMetrics, MulticlassMetrics, PerClassMetrics } from "./metrics.js";
export { rocCurve, precisionRecallCurve, calibrationCurve, expectedCalibrationError } from "./curves.js";
export type { RocCurve, PrecisionRecallCurve, CalibrationCurve, CalibrationStrategy } from "./curves.js";
export { chooseThreshold, maxRecallAtPrecision, nextUp } from "./threshold.js";
export type { ThresholdPolicy, ThresholdChoice, RecallAtPrecision } from "./threshold.js";
export { evaluateSplit } from "./evaluate.js";
export type { EvaluateSplitInput, SplitEvaluation } from "./evaluate.js";
export {
  pairedBootstrap,
  mcnemarExact,
  mcnemarChiSquare,
  wilsonInterval,
  requiredSampleSize,
  BOOTSTRAP_METRICS,
  Z_95,
} from "./paired.js";
export type { PairedBootstrapOptions, PairedBootstrapResult, BootstrapMetricName, WeightedMetric } from "./paired.js";
export { normalQuantile, normalCdf, chiSquare1Sf } from "./special.js";
