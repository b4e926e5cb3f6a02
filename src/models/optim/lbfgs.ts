/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithms 7.4/7.5) and its orthant-wise extension OWL-QN
 * (Andrew & Gao 2007) for objectives f(w) + Σ_j λ_j |w_j| with smooth f. With all λ_j = 0 OWL-QN is
 * exactly L-BFGS, so one routine serves both.
 *
 * The line search is backtracking on the Armijo condition. The objectives here are convex, so the
 * curvature pair s·y > 0 holds without a Wolfe test; numerically flat pairs are skipped.
 */
import { dot, norm2 } from "../sparse-linear.js";
import type { SmoothObjective, SolverOptions, SolverResult } from "./objective.js";
import { PRECISION_FLOOR } from "./tron.js";

const MEMORY = 10;
const ARMIJO = 1e-4;
const MAX_BACKTRACK = 60;

export function lbfgs(obj: SmoothObjective, w: Float64Array, opts: SolverOptions): SolverResult {
  return owlqn(obj, null, w, opts);
}

/** Pseudo-gradient of f + Σ λ_j|w_j|: the steepest-descent direction's negative, 0 where w_j = 0 is optimal. */
function pseudoGradient(w: Float64Array, g: Float64Array, l1: Float64Array | null, pg: Float64Array): void {
  if (l1 === null) {
    pg.set(g);
    return;
  }
  for (let j = 0; j < w.length; j++) {
    const lam = l1[j]!;
    const wj = w[j]!;
    if (wj > 0) pg[j] = g[j]! + lam;
    else if (wj < 0) pg[j] = g[j]! - lam;
    else if (g[j]! + lam < 0) pg[j] = g[j]! + lam;
    else if (g[j]! - lam > 0) pg[j] = g[j]! - lam;
    else pg[j] = 0;
  }
}

function l1Norm(w: Float64Array, l1: Float64Array | null): number {
  if (l1 === null) return 0;
  let s = 0;
  for (let j = 0; j < w.length; j++) s += l1[j]! * Math.abs(w[j]!);
  return s;
}

/**
 * Minimises obj(w) + Σ_j l1[j]·|w_j| from w (updated in place). Stops when the pseudo-gradient norm
 * is ≤ tol × its value at w = 0.
 */
export function owlqn(
  obj: SmoothObjective,
  l1: Float64Array | null,
  w: Float64Array,
  opts: SolverOptions,
): SolverResult {
  const n = obj.size;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alphaBuf = new Float64Array(MEMORY);
  const g = new Float64Array(n);
  const pg = new Float64Array(n);
  const gNew = new Float64Array(n);
  const dir = new Float64Array(n);
  const wNew = new Float64Array(n);
  const warnings: string[] = [];

  let gnorm0 = NaN;
  if (!w.every((v) => v === 0)) {
    const zero = new Float64Array(n);
    obj.value(zero);
    obj.gradient(zero, gNew);
    pseudoGradient(zero, gNew, l1, pg);
    gnorm0 = norm2(pg);
  }
  let f = obj.value(w) + l1Norm(w, l1);
  obj.gradient(w, g);
  pseudoGradient(w, g, l1, pg);
  let gnorm = norm2(pg);
  if (Number.isNaN(gnorm0)) gnorm0 = gnorm;
  const fCurve = [f];
  if (!Number.isFinite(f) || !Number.isFinite(gnorm) || !Number.isFinite(gnorm0)) {
    return {
      iterations: 0,
      converged: false,
      f,
      gradNorm: gnorm,
      gradNorm0: gnorm0,
      warnings: [
        `objective or gradient is not finite at the starting point (objective ${f}, gradient norm ${gnorm}); feature values are too large — scale them`,
      ],
      fCurve,
      innerSteps: 0,
    };
  }
  let evaluations = 0;
  let iter = 0;
  opts.onIteration?.(0, f, w);
  let converged = gnorm <= opts.tol * gnorm0;

  while (iter < opts.maxIter && !converged) {
    // Two-loop recursion: dir = -H·pg.
    for (let i = 0; i < n; i++) dir[i] = -pg[i]!;
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
    // OWL-QN: keep only the components that descend along the pseudo-gradient.
    if (l1 !== null) for (let i = 0; i < n; i++) if (dir[i]! * pg[i]! >= 0) dir[i] = 0;
    if (!(dot(pg, dir) < 0)) {
      // Numerical loss of descent: restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -pg[i]!;
    }
    let step = S.length === 0 ? 1 / Math.max(gnorm, 1) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let bt = 0; bt < MAX_BACKTRACK; bt++) {
      for (let i = 0; i < n; i++) {
        let v = w[i]! + step * dir[i]!;
        // Stay in the orthant of w (or of -pg where w_i = 0): crossing zero stops at zero.
        if (l1 !== null && l1[i]! > 0) {
          const orthant = w[i]! !== 0 ? Math.sign(w[i]!) : -Math.sign(pg[i]!);
          if (v * orthant <= 0) v = 0;
        }
        wNew[i] = v;
      }
      fNew = obj.value(wNew) + l1Norm(wNew, l1);
      evaluations++;
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += pg[i]! * (wNew[i]! - w[i]!);
      // Compare the change, not the values: at floating-point precision f + tiny == f would accept
      // steps that make no progress.
      if (Number.isFinite(fNew) && fNew - f <= ARMIJO * decrease && decrease < 0) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      // No decrease representable: converged if the gradient is already tiny (a tol below
      // floating-point precision was asked for).
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
    pseudoGradient(w, g, l1, pg);
    f = fNew;
    gnorm = norm2(pg);
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
