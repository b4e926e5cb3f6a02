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
import type { Rng } from "../../util/random.js";

export type KernelBackend = "js" | "wasm";

// The WebAssembly JS API as far as we use it (the project's lib setting has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): Array<{ module: string; name: string; kind: string }>;
  };
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

function setCompileFlags(): void {
  if (flagsSet) return;
  // Compile the (few-kilobyte) modules with the optimising tier, eagerly: by default V8 compiles
  // each function on its first call with its baseline compiler (Liftoff) and tiers up later,
  // which measured ~15 ms of a 45 ms first logistic-regression fit. Flags only affect modules
  // compiled after this call.
  setFlagsFromString("--no-liftoff");
  setFlagsFromString("--no-wasm-lazy-compilation");
  flagsSet = true;
}

function loadModule(name: string): WasmModule | null {
  if (modules.has(name)) return modules.get(name)!;
  const path = candidatePaths(name).find((p) => existsSync(p));
  if (path !== undefined) setCompileFlags();
  const mod = path === undefined ? null : new Wasm.Module(readFileSync(path));
  modules.set(name, mod);
  return mod;
}

/** Every kernel module; compiled when this file is imported (see below). */
const KERNEL_MODULES = ["sparse-linear", "logistic-tron", "linear-svm-dcd", "sgd-epochs", "naive-bayes", "gbdt-tree", "gbdt-binning", "value-checks"];

let warming: Promise<void> | null = null;

/**
 * Compiles every kernel module asynchronously, on V8's compile threads, all at once. The optimising
 * compile of a module takes 2–10 ms of CPU (docs/benchmarks.md); done at the first fit, it was a
 * fifth of a first SGD fit. `mlloop run` starts this before it loads and featurises the data, so
 * the compile overlaps that work, as a Python extension is loaded by `import sklearn` before any
 * fit; a fit whose module is not compiled yet compiles it then. Importing the models compiles
 * nothing (`mlloop run --help` measured 0.1 s more CPU when the import compiled them). With
 * MLLOOP_KERNELS=js nothing is compiled.
 */
export function warmKernels(): Promise<void> {
  warming ??= (async () => {
    if (process.env["MLLOOP_KERNELS"] === "js") return;
    const found = KERNEL_MODULES.map((name) => [name, candidatePaths(name).find((p) => existsSync(p))] as const);
    if (found.some(([, path]) => path !== undefined)) setCompileFlags();
    await Promise.all(
      found.map(async ([name, path]) => {
        if (path === undefined || modules.has(name)) return;
        const mod = await Wasm.compile(readFileSync(path));
        if (!modules.has(name)) modules.set(name, mod);
      }),
    );
  })();
  return warming;
}

/**
 * The back end in force for kernel module `name`: MLLOOP_KERNELS, else wasm when that module is
 * built, else js (a build older than a new kernel falls back to its JavaScript reference instead
 * of failing). MLLOOP_KERNELS=wasm with the module missing is an error.
 */
export function kernelBackend(name = "sparse-linear"): KernelBackend {
  const asked = process.env["MLLOOP_KERNELS"];
  if (asked === "js") return "js";
  if (asked !== undefined && asked !== "" && asked !== "wasm") {
    throw new ModelError(`MLLOOP_KERNELS="${asked}" is not a kernel back end (allowed: js, wasm)`);
  }
  if (loadModule(name) !== null) return "wasm";
  if (asked === "wasm") {
    throw new ModelError(
      `MLLOOP_KERNELS=wasm but dist/kernels/${name}.wasm is not built (looked in ${candidatePaths(name).join(", ")}); run npm run build`,
    );
  }
  return "js";
}

const PAGE = 65536;
/** AssemblyScript's static data sits below the first page; our arrays start above it. */
const HEAP_START = PAGE;

/** A pooled instance whose memory grew beyond this is dropped instead of kept for the next fit. */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;
const pool = new Map<string, WasmArena[]>();

type Handler = (...args: number[]) => unknown;

/**
 * One module instance with its own linear memory, and a bump allocator over it: a learner copies
 * its matrix in once per fit and passes byte offsets to the kernels.
 *
 * Instances are pooled (`WasmArena.open` … `close`): creating a fresh instance and memory for
 * every fit measured 10–20 ms on a loaded machine (V8 reserves the memory's address space and may
 * collect garbage to do it) and faulting in the fresh pages ~3 ms for the spam matrix — more than
 * a whole SGD fit. A reused instance keeps its grown memory; what `layout` hands out is zeroed,
 * as fresh memory would be. An arena that is never closed is garbage like any object.
 */
export class WasmArena {
  readonly exports: Record<string, unknown>;
  private readonly memory: WasmMemory;
  private top = HEAP_START;
  /** Bytes below this were written by an earlier user and must be zeroed before reuse. */
  private dirtyTop = HEAP_START;
  private handlers: Record<string, Handler> = {};
  private open = true;

  private constructor(private readonly name: string) {
    const mod = loadModule(name);
    if (mod === null) throw new ModelError(`kernel module ${name}.wasm is not built; run npm run build`);
    // Imports forward to the handlers of the current user, so that one instance serves them all.
    const env: Record<string, Handler> = {};
    for (const imp of Wasm.Module.imports(mod)) {
      if (imp.module === "env" && imp.kind === "function") {
        env[imp.name] = (...args: number[]) => this.handlers[imp.name]?.(...args);
      }
    }
    const instance = new Wasm.Instance(mod, { env });
    this.exports = instance.exports;
    this.memory = instance.exports["memory"] as WasmMemory;
  }

  /** An instance of kernel module `name` (a pooled one when free), its imports served by `handlers`. */
  static open(name: string, handlers: Record<string, Handler> = {}): WasmArena {
    const arena = pool.get(name)?.pop() ?? new WasmArena(name);
    arena.handlers = handlers;
    arena.open = true;
    return arena;
  }

  /** Serves the module's imports by `handlers` from now on (a user sharing one open instance between calls). */
  serve(handlers: Record<string, Handler>): void {
    this.handlers = handlers;
  }

  /** Gives the instance back to the pool; views and offsets taken from it must not be used after. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.handlers = {};
    this.dirtyTop = Math.max(this.dirtyTop, this.top);
    this.top = HEAP_START;
    if (this.memory.buffer.byteLength > MAX_POOLED_BYTES) return;
    let free = pool.get(this.name);
    if (free === undefined) pool.set(this.name, (free = []));
    free.push(this);
  }

  private reserve(bytes: number, zero = true): number {
    const at = (this.top + 15) & ~15;
    this.top = at + bytes;
    const need = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    if (zero) this.zeroDirty(at, this.top);
    return at;
  }

  /** Zeroes what an earlier user of this pooled instance wrote in [from, to); fresh memory is zero already. */
  private zeroDirty(from: number, to: number): void {
    const dirtyEnd = Math.min(to, this.dirtyTop);
    if (dirtyEnd > from) new Uint8Array(this.memory.buffer, from, dirtyEnd - from).fill(0);
  }

  /**
   * Reserves several arrays at once (one memory growth) and returns their byte offsets: views
   * taken afterwards stay valid as long as nothing else is reserved. An array marked "filled" is
   * one the caller overwrites entirely before any kernel reads it (a copy of X, the labels), so a
   * reused instance does not zero it first: for the spam matrix that was 6.4 MB written twice.
   */
  layout(arrays: ReadonlyArray<readonly ["f64" | "i32", number] | readonly ["f64" | "i32", number, "filled"]>): number[] {
    const bytesOf = (kind: "f64" | "i32", length: number): number => (length * (kind === "f64" ? 8 : 4) + 15) & ~15;
    let bytes = 0;
    for (const [kind, length] of arrays) bytes += bytesOf(kind, length) + 16;
    const base = this.reserve(bytes, false);
    const out: number[] = [];
    let at = base;
    for (const [kind, length, filled] of arrays) {
      out.push(at);
      const next = at + bytesOf(kind, length);
      if (filled !== "filled") this.zeroDirty(at, next);
      at = next;
    }
    // The slack after the last array is handed out zeroed too, as reserve() would have.
    this.zeroDirty(at, this.top);
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

  viewU8(at: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, length);
  }

  viewI32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }
}

/**
 * Shuffles the i32 array at byte offset `at`, entries [0, n), inside a module that exports
 * kernels/lib/rng.ts, drawing from `rng` exactly as the JavaScript drivers' Fisher–Yates loop does
 * (same generator, same state afterwards): the shuffle no longer waits for V8 to compile that loop.
 */
export function shuffleInModule(exports: Record<string, unknown>, at: number, n: number, rng: Rng): void {
  const st = rng.state;
  (exports["rngLoad"] as (a: number, b: number, c: number, d: number) => void)(st[0]!, st[1]!, st[2]!, st[3]!);
  (exports["shuffleI32"] as (p: number, n: number) => void)(at, n);
  const word = exports["rngWord"] as (k: number) => number;
  for (let k = 0; k < 4; k++) st[k] = word(k);
}
