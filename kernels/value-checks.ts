// AssemblyScript, compiled ahead of time by `npm run build` to dist/kernels/value-checks.wasm.
// The finiteness check of every fit and prediction (checkFinite in src/models/check-input.ts,
// whose JavaScript loop is the reference): the caller copies the values into the module's memory
// a cache-sized chunk at a time and asks for the first non-finite one.

// @ts-nocheck: AssemblyScript module (re-exports only)

export { firstNonFinite } from "./lib/value-checks";
