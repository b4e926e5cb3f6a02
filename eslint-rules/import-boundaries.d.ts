import type { ESLint } from "eslint";

/** Lowest layer first; names on one line are peers. */
export declare const LAYERS: readonly (readonly string[])[];
declare const plugin: ESLint.Plugin;
export default plugin;
