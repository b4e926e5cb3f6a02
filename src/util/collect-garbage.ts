/**
 * One full garbage collection, on request. A cold run drops the parsed corpus (≈ 90 MB of heap for
 * the spam corpus) once its features are built, but V8 collects old space only when it grows again:
 * the fit thread's heap and the model's WebAssembly memory were then added on top of the dead corpus,
 * and that sum was the run's peak resident memory (docs/benchmarks.md, "Memory"). Collecting at that
 * point returns the corpus's pages before the fit allocates.
 *
 * `gc` is V8's own function, exposed for a fresh context by the `--expose-gc` flag set at run time
 * (node's `global.gc` needs the flag at start-up). Returns false, doing nothing, where that is not
 * available; never throws.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null | undefined;

export function collectGarbage(): boolean {
  if (collect === undefined) {
    try {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (typeof exposed === "function") collect = exposed;
      else {
        setFlagsFromString("--expose-gc");
        const fn = runInNewContext("gc") as unknown;
        collect = typeof fn === "function" ? (fn as () => void) : null;
      }
    } catch {
      collect = null;
    }
  }
  if (collect === null) return false;
  collect();
  return true;
}
