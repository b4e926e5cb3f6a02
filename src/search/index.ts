/** Search: spaces, grid, random and TPE samplers, successive halving, and the executor they run on. */
export { choice, logUniform, checkSpace, fromUnit, type Dimension, type Space, type Point } from "./space.js";
export { gridPoints, logGrid, dimensionGrid } from "./grid.js";
export { randomPoints, sampleWithoutReplacement } from "./random.js";
export { successiveHalving, type HalvingOptions, type HalvingEntry } from "./halving.js";
export { inlineExecutor, localPoolExecutor, type Executor } from "./executor.js";
export { tpeSuggest, defaultGamma, TPE_DEFAULTS, type TpeOptions, type TpeObservation } from "./tpe.js";
