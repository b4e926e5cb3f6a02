/**
 * Garbage collection on request. A cold run drops the parsed corpus once its features are built, but
 * V8 collects old space only when it grows again, and gives back neither the pages that a collection
 * leaves sparsely used nor the young generation it grew while parsing (two 16 MB semi-spaces): the
 * fit thread's heap, the model's WebAssembly memory and the record stage then come on top of all of
 * it, and that sum was the run's peak resident memory (docs/benchmarks.md, "Memory").
 *
 * `releaseMemory` asks V8 for the collection it runs on a low-memory notification: several full
 * collections that compact every page and shrink the young generation to its initial size. Node has
 * no API for that notification; the inspector protocol's `HeapProfiler.collectGarbage` is it (an
 * in-process session: no debugger, no port). Where the inspector is not built in, it falls back to
 * `collectGarbage` with compaction forced (old space compacted; the young generation stays as it is).
 *
 * `collectGarbage` is one synchronous full collection: V8's own `gc`, exposed for a fresh context by
 * the `--expose-gc` flag set at run time (node's `global.gc` needs the flag at start-up). Both return
 * false, doing nothing, where neither is available; neither throws.
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

/** A full collection that evacuates every fragmented page, not only the few V8 would pick. */
function compactingCollection(): boolean {
  try {
    setFlagsFromString("--compact-on-every-full-gc");
    return collectGarbage();
  } finally {
    setFlagsFromString("--no-compact-on-every-full-gc");
  }
}

type InspectorSession = {
  connect(): void;
  disconnect(): void;
  post(method: string, callback: (err: Error | null) => void): void;
};

/**
 * V8's memory-reducing collection (see above), resolved once it has run; false when only the
 * fallback could run or nothing could. Costs a few full collections: ~25–60 ms for the spam run's
 * heap. Call it where much has just died and much will be allocated next.
 */
export async function releaseMemory(): Promise<boolean> {
  let session: InspectorSession;
  try {
    const { Session } = (await import("node:inspector")) as unknown as { Session: new () => InspectorSession };
    session = new Session();
    session.connect();
  } catch {
    compactingCollection();
    return false;
  }
  try {
    await new Promise<void>((resolve, reject) =>
      session.post("HeapProfiler.collectGarbage", (err) => (err == null ? resolve() : reject(err))),
    );
    return true;
  } catch {
    compactingCollection();
    return false;
  } finally {
    session.disconnect();
  }
}
