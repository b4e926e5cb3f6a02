/**
 * The finiteness check of X in WebAssembly (kernels/value-checks.ts). Every fit and every
 * prediction checks every stored value; the JavaScript loop (checkFinite's reference in
 * check-input.ts) ran in V8's interpreter and baseline tiers on the first fits of a process:
 * 4–5.7 ms for the spam matrix's 530,834 values on the first call, 1.3–2.8 ms on the next two,
 * against ~0.3 ms once optimised. Here the values are copied a cache-sized chunk at a time into
 * one small, reused region of a pooled instance (no fresh pages to fault in, the chunk stays in
 * cache for the scan) and scanned two lanes at a time.
 */
import { WasmArena } from "./wasm-kernels.js";

/** Values per chunk: 128 KB, within the L2 cache, so the scan reads what the copy just wrote. */
const CHUNK = 16384;

/** Index of the first NaN or ±Infinity among values[0 .. n), or -1. */
export function firstNonFiniteWasm(values: Float64Array, n: number): number {
  const arena = WasmArena.open("value-checks");
  try {
    const at = arena.f64(Math.min(CHUNK, n));
    const scan = arena.exports["firstNonFinite"] as (p: number, n: number) => number;
    const view = arena.viewF64(at, Math.min(CHUNK, n));
    for (let k = 0; k < n; k += CHUNK) {
      const len = Math.min(CHUNK, n - k);
      view.set(len === CHUNK ? values.subarray(k, k + CHUNK) : values.subarray(k, k + len));
      const bad = scan(at, len);
      if (bad >= 0) return k + bad;
    }
    return -1;
  } finally {
    arena.close();
  }
}
