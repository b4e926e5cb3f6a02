/**
 * The ahead-of-time compiled kernels (kernels/*.ts, AssemblyScript → dist/kernels/*.wasm by
 * `npm run build`) and the choice between them and their JavaScript references.
 *
 * Why WebAssembly: V8 compiles a JavaScript kernel while it runs, so the first fit of a fresh
 * process (a new `mlloop run`, a fresh pool worker) runs partly in the interpreter and baseline
 * tiers; a WebAssembly module is validated and compiled before its first call, and its loads are
 * unboxed with no typed-array bounds or hole checks. Measured on the spam TF-IDF matrix in
 * docs/benchmarks.md.
 *
 * MLLOOP_KERNELS selects the back end: `wasm` (default when the .wasm is built), `js` (the
 * reference implementations, always available). Both give bit-identical results (same operations
 * in the same order, IEEE-754 doubles, no fused multiply-add); test/models/wasm-kernels.test.ts
 * checks it.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { ModelError } from "../../errors.js";

export type KernelBackend = "js" | "wasm";

// The WebAssembly JS API as far as we use it (the project's lib setting has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Where the built module can be: beside a bundled CLI (dist/), compiled dist/models/kernels/, or the sources under src/. */
function candidatePaths(name: string): string[] {
  return ["./kernels/", "../../kernels/", "../../../dist/kernels/"].map((rel) =>
    fileURLToPath(new URL(`${rel}${name}.wasm`, import.meta.url)),
  );
}

let flagsSet = false;
const modules = new Map<string, WasmModule | null>();

function loadModule(name: string): WasmModule | null {
  if (modules.has(name)) return modules.get(name)!;
  const path = candidatePaths(name).find((p) => existsSync(p));
  if (path !== undefined && !flagsSet) {
    // Compile the (few-kilobyte) modules with the optimising tier, eagerly: by default V8 compiles
    // each function on its first call with its baseline compiler (Liftoff) and tiers up later,
    // which measured ~15 ms of a 45 ms first logistic-regression fit; the optimising compile of a
    // whole module takes about a millisecond. Flags only affect modules compiled after this call.
    setFlagsFromString("--no-liftoff");
    setFlagsFromString("--no-wasm-lazy-compilation");
    flagsSet = true;
  }
  const mod = path === undefined ? null : new Wasm.Module(readFileSync(path));
  modules.set(name, mod);
  return mod;
}

/** The back end in force: MLLOOP_KERNELS, else wasm when the module is built, else js. */
export function kernelBackend(): KernelBackend {
  const asked = process.env["MLLOOP_KERNELS"];
  if (asked === "js") return "js";
  if (asked !== undefined && asked !== "" && asked !== "wasm") {
    throw new ModelError(`MLLOOP_KERNELS="${asked}" is not a kernel back end (allowed: js, wasm)`);
  }
  if (loadModule("sparse-linear") !== null) return "wasm";
  if (asked === "wasm") {
    throw new ModelError(
      `MLLOOP_KERNELS=wasm but dist/kernels/sparse-linear.wasm is not built (looked in ${candidatePaths("sparse-linear").join(", ")}); run npm run build`,
    );
  }
  return "js";
}

const PAGE = 65536;
/** AssemblyScript's static data sits below the first page; our arrays start above it. */
const HEAP_START = PAGE;

/**
 * One module instance with its own linear memory, and a bump allocator over it: a learner copies
 * its matrix in once per fit and passes byte offsets to the kernels. The instance (and its memory)
 * is garbage once the learner drops it.
 */
export class WasmArena {
  readonly exports: Record<string, unknown>;
  private readonly memory: WasmMemory;
  private top = HEAP_START;

  constructor(name: string, imports: object = {}) {
    const mod = loadModule(name);
    if (mod === null) throw new ModelError(`kernel module ${name}.wasm is not built; run npm run build`);
    const instance = new Wasm.Instance(mod, imports);
    this.exports = instance.exports;
    this.memory = instance.exports["memory"] as WasmMemory;
  }

  private reserve(bytes: number): number {
    const at = (this.top + 15) & ~15;
    this.top = at + bytes;
    const need = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    return at;
  }

  /**
   * Reserves several arrays at once (one memory growth) and returns their byte offsets: views
   * taken afterwards stay valid as long as nothing else is reserved.
   */
  layout(arrays: ReadonlyArray<readonly ["f64" | "i32", number]>): number[] {
    let bytes = 0;
    for (const [kind, length] of arrays) bytes += ((length * (kind === "f64" ? 8 : 4) + 15) & ~15) + 16;
    const base = this.reserve(bytes);
    const out: number[] = [];
    let at = base;
    for (const [kind, length] of arrays) {
      out.push(at);
      at += (length * (kind === "f64" ? 8 : 4) + 15) & ~15;
    }
    return out;
  }

  /** A fresh Float64Array of `length` in the module's memory (re-view it after later allocations: growing detaches it). */
  f64(length: number): number {
    return this.reserve(length * 8);
  }

  i32(length: number): number {
    return this.reserve(length * 4);
  }

  copyF64(src: Float64Array): number {
    const at = this.f64(src.length);
    this.viewF64(at, src.length).set(src);
    return at;
  }

  copyI32(src: Int32Array): number {
    const at = this.i32(src.length);
    this.viewI32(at, src.length).set(src);
    return at;
  }

  viewF64(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }

  viewI32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }
}
