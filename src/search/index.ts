/** Search: spaces, grid and random searchers, successive halving, and the executor they run on. */
export { choice, logUniform, checkSpace, fromUnit, type Dimension, type Space, type Point } from "./space.js";
export { gridPoints, logGrid, dimensionGrid } from "./grid.js";
export { randomPoints, sampleWithoutReplacement } from "./random.js";
export { successiveHalving, type HalvingOptions, type HalvingEntry } from "./halving.js";
export { inlineExecutor, localPoolExecutor, type Executor } from "./executor.js";
