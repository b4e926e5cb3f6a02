/**
 * The truncated standard normal on [a, b], in log space where it matters: the mass of an interval,
 * the log density (scipy.stats.truncnorm.logpdf, including −log σ) and inverse-CDF sampling. These
 * are the kernels of the Parzen estimators in tpe.ts.
 */
import { normalCdf, normalQuantile } from "../evaluate/special.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Φ(a), accurate far into the left tail (asymptotic series below −20, as scipy's log_ndtr). */
export function logNdtr(a: number): number {
  if (a > 6) return -normalCdf(-a); // log(1 − ε) ≈ −ε
  if (a > -20) return Math.log(normalCdf(a));
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let last = 0;
  let rhs = 1;
  let numerator = 1;
  let denomFactor = 1;
  const denomCons = 1 / (a * a);
  let sign = 1;
  for (let i = 1; Math.abs(last - rhs) > Number.EPSILON && i < 100; i++) {
    last = rhs;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rhs);
}

/** log(exp(p) − exp(q)) for p ≥ q. */
function logDiff(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** log of the standard normal mass on [a, b]. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  // central: 1 − Φ(a) − Φ(−b) without the cancellation of Φ(b) − Φ(a) near 1
  return Math.log1p(-normalCdf(a) - normalCdf(-b));
}

/** log density at x of N(mu, sigma²) truncated to [low, high] (−∞ outside), as scipy computes it. */
export function truncnormLogPdf(x: number, low: number, high: number, mu: number, sigma: number): number {
  if (x < low || x > high) return -Infinity;
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logGaussMass((low - mu) / sigma, (high - mu) / sigma);
}

/** Φ⁻¹(exp(y)), for y ≤ 0. */
function ndtriExp(y: number): number {
  if (y > -700) return normalQuantile(Math.exp(y));
  // beyond double range: bisection on logNdtr (only for absurd bounds)
  let lo = -100;
  let hi = 0;
  for (let i = 0; i < 100; i++) {
    const m = (lo + hi) / 2;
    if (logNdtr(m) < y) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

/** The q-quantile of the standard normal truncated to [a, b] (scipy's truncnorm.ppf). */
export function truncnormPpf(q: number, a: number, b: number): number {
  if (q <= 0) return a;
  if (q >= 1) return b;
  const mass = logGaussMass(a, b);
  if (a < 0) {
    const la = logNdtr(a);
    const lq = Math.log(q) + mass;
    const logPhi = Math.max(la, lq) + Math.log1p(Math.exp(-Math.abs(la - lq)));
    return Math.min(b, Math.max(a, ndtriExp(logPhi)));
  }
  const lb = logNdtr(-b);
  const lq = Math.log1p(-q) + mass;
  const logPhi = Math.max(lb, lq) + Math.log1p(Math.exp(-Math.abs(lb - lq)));
  return Math.min(b, Math.max(a, -ndtriExp(logPhi)));
}
