/** The compare stage's public surface: comparisons, attribution, lineage, ledger. */
export {
  compareRuns,
  compareMany,
  holmAdjust,
  COMPARISON_VERSION,
  type CompareOptions,
  type RunComparison,
  type SplitComparison,
  type MetricComparison,
  type ManyComparison,
  type AttributionSummary,
} from "./compare-runs.js";
export {
  attributeWithRunner,
  planAttribution,
  isAttributionRecord,
  type AttributeOptions,
  type AttributionPlan,
  type AttributionRecord,
  type CoalitionRunner,
} from "./attribute.js";
export {
  attributeFromKernels,
  shapleyExact,
  shapleyFromPermutations,
  interactionIndices,
  greedyAblationPath,
  samplePermutations,
  MAX_EXACT_PLAYERS,
  type AttributionResult,
  type PlayerAttribution,
  type ValueFn,
} from "./shapley.js";
export { describeChange, formatChange, type RunChange } from "./change.js";
export {
  closestParent,
  runLog,
  buildLedger,
  edgeEffect,
  type RunLog,
  type Ledger,
  type EdgeEffect,
} from "./lineage.js";
export { checkEvaluationIdentity, evaluationDifferences, type EvaluationDifference } from "./guard.js";
export { groupPlayers, NON_OUTCOME_KEYS, type Player } from "./players.js";
export { verdictOf, examplesNeeded, type Verdict } from "./verdict.js";
export { kernelFor, type EvalInput, type Kernel } from "./kernels.js";
export { jointBootstrap, percentileInterval } from "./bootstrap.js";
export { REPLICATE_TAG, noiseFloor, replicateSpreads, type NoiseFloor } from "./noise.js";
