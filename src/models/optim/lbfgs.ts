/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4/7.5) with a backtracking Armijo line search.
 * The objectives here are convex and smooth, so a strong-Wolfe search buys little: the curvature
 * pair s·y > 0 holds by convexity and pairs that are numerically flat are skipped.
 */
import { dot, norm2 } from "../sparse-linear.js";
import type { SmoothObjective, SolverOptions, SolverResult } from "./objective.js";
import { PRECISION_FLOOR } from "./tron.js";

const MEMORY = 10;
const ARMIJO = 1e-4;
const MAX_BACKTRACK = 40;

export function lbfgs(obj: SmoothObjective, w: Float64Array, opts: SolverOptions): SolverResult {
  const n = obj.size;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alphaBuf = new Float64Array(MEMORY);
  const g = new Float64Array(n);
  const gNew = new Float64Array(n);
  const dir = new Float64Array(n);
  const wNew = new Float64Array(n);
  const warnings: string[] = [];

  let gnorm0: number;
  let f = obj.value(w);
  obj.gradient(w, g);
  let gnorm = norm2(g);
  if (w.every((v) => v === 0)) gnorm0 = gnorm;
  else {
    const zero = new Float64Array(n);
    obj.value(zero);
    obj.gradient(zero, gNew);
    gnorm0 = norm2(gNew);
    f = obj.value(w);
    obj.gradient(w, g);
  }
  const fCurve = [f];
  if (!Number.isFinite(f) || !Number.isFinite(gnorm) || !Number.isFinite(gnorm0)) {
    // Overflow at the start (e.g. feature values near 1e300): no step can be trusted.
    return {
      iterations: 0,
      converged: false,
      f,
      gradNorm: gnorm,
      gradNorm0: gnorm0,
      warnings: [
        `objective or gradient is not finite at the starting point (objective ${f}, gradient norm ${gnorm}); feature values are too large — scale them`,
      ],
      fCurve: [f],
      innerSteps: 0,
    };
  }
  let evaluations = 0;
  let iter = 0;
  let converged = gnorm <= opts.tol * gnorm0;

  while (iter < opts.maxIter && !converged) {
    // Two-loop recursion: dir = -H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i]!;
    for (let m = S.length - 1; m >= 0; m--) {
      const a = rho[m]! * dot(S[m]!, dir);
      alphaBuf[m] = a;
      const y = Y[m]!;
      for (let i = 0; i < n; i++) dir[i]! -= a * y[i]!;
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) dir[i]! *= gamma;
    }
    for (let m = 0; m < S.length; m++) {
      const b = rho[m]! * dot(Y[m]!, dir);
      const s = S[m]!;
      const coef = alphaBuf[m]! - b;
      for (let i = 0; i < n; i++) dir[i]! += coef * s[i]!;
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Numerical loss of descent: restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i]!;
      slope = -gnorm * gnorm;
    }
    let step = S.length === 0 && iter === 0 ? 1 / Math.max(gnorm, 1) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let bt = 0; bt < MAX_BACKTRACK; bt++) {
      for (let i = 0; i < n; i++) wNew[i] = w[i]! + step * dir[i]!;
      fNew = obj.value(wNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      // No decrease representable along the quasi-Newton direction: converged if the gradient
      // is already tiny (a tol below floating-point precision was asked for).
      obj.value(w);
      obj.gradient(w, g);
      converged = gnorm <= PRECISION_FLOOR * gnorm0;
      if (!converged) {
        warnings.push(
          `stopped at iteration ${iter}: line search found no decrease, gradient norm still ${(gnorm / gnorm0).toExponential(2)} × its initial value`,
        );
      }
      break;
    }
    obj.gradient(wNew, gNew);
    const s = S.length === MEMORY ? S.shift()! : new Float64Array(n);
    const y = Y.length === MEMORY ? Y.shift()! : new Float64Array(n);
    if (rho.length === MEMORY) rho.shift();
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i]! - w[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * norm2(s) * norm2(y)) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    w.set(wNew);
    g.set(gNew);
    f = fNew;
    gnorm = norm2(g);
    iter++;
    fCurve.push(f);
    opts.onIteration?.(iter, f, w);
    if (gnorm <= opts.tol * gnorm0) converged = true;
  }
  if (!converged && iter >= opts.maxIter) {
    warnings.push(
      `did not converge in ${opts.maxIter} iterations (gradient norm ${gnorm.toExponential(2)} > tol ${opts.tol} × initial ${gnorm0.toExponential(2)}); raise max_iter or tol`,
    );
  }
  return {
    iterations: iter,
    converged,
    f,
    gradNorm: gnorm,
    gradNorm0: gnorm0,
    warnings,
    fCurve,
    innerSteps: evaluations,
  };
}
