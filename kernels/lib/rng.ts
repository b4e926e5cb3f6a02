// AssemblyScript: src/util/random.ts's sfc32 generator and its `int(n)`, step for step, so that a
// kernel shuffles exactly as the JavaScript driver would. The caller passes the generator's four
// state words in and reads them back (`rngWord`). Not a kernel of its own: kernels import it.

// @ts-nocheck: AssemblyScript types (u32, i32, f64)

let a: u32 = 0;
let b: u32 = 0;
let c: u32 = 0;
let d: u32 = 0;

export function rngLoad(s0: u32, s1: u32, s2: u32, s3: u32): void {
  a = s0;
  b = s1;
  c = s2;
  d = s3;
}

/** State word k (0..3) after the draws. */
export function rngWord(k: i32): u32 {
  return k == 0 ? a : k == 1 ? b : k == 2 ? c : d;
}

@inline function nextU32(): u32 {
  const t: u32 = a + b + d;
  const na: u32 = b ^ (b >>> 9);
  const nb: u32 = c + (c << 3);
  const nc: u32 = ((c << 21) | (c >>> 11)) + t;
  a = na;
  b = nb;
  c = nc;
  d = d + 1;
  return t;
}

/** Uniform integer in [0, n): Math.floor((nextU32() / 2^32) · n), as Rng.int computes it. */
@inline export function rngInt(n: i32): i32 {
  return <i32>Math.floor((<f64>nextU32() / 4294967296.0) * <f64>n);
}

/** Fisher–Yates over the i32 array at p, entries [0, n): the JavaScript drivers' loop. */
export function shuffleI32(p: usize, n: i32): void {
  for (let i = n - 1; i > 0; i--) {
    const j = rngInt(i + 1);
    const pi = p + ((<usize>i) << 2);
    const pj = p + ((<usize>j) << 2);
    const tmp = load<i32>(pi);
    store<i32>(pi, load<i32>(pj));
    store<i32>(pj, tmp);
  }
}
