export * from "./schema.js";
export * from "./models.js";
export * from "./load.js";
export * from "./patch.js";
export * from "./canonical.js";
export { closest, didYouMean } from "./suggest.js";
