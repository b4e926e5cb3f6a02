/**
 * Reference values for the compare tests, produced once by
 *   /usr/bin/python3 test/reference/compare_ref.py
 * (Debian bookworm python 3.11.2, scipy 1.10.1). The script computes Shapley values by their
 * definition over all orderings, interaction indices by Grabisch's subset formula, McNemar's exact
 * p with scipy.stats.binomtest(b, b + c, 0.5).pvalue, and the exact quantiles of a paired bootstrap
 * accuracy delta from the multinomial distribution (scipy.stats.multinomial.pmf).
 */

/** Weighted majority game [quota 6; weights 4, 3, 2, 1]. */
export const MAJORITY_WEIGHTS = [4, 3, 2, 1];
export const MAJORITY = {
  shapley: [0.4166666666666667, 0.25, 0.25, 0.08333333333333333],
  interactions: {
    "01": 0.16666666666666669,
    "02": 0.16666666666666669,
    "03": -0.3333333333333333,
    "12": -0.3333333333333333,
    "13": 0.16666666666666666,
    "23": 0.16666666666666666,
  } as Record<string, number>,
};

/** 0.90 + Σ A[i] + 0.003 if {0,1} ⊆ S − 0.004 if {2,3} ⊆ S; player 4 is null. */
export const FEATURE_GAME_A = [0.01, 0.004, 0.006, 0.005, 0.0];
export const FEATURE_GAME = {
  shapley: [0.011500000000000003, 0.005500000000000005, 0.0040000000000000036, 0.0030000000000000027, 0.0],
  interactions: {
    "01": 0.0030000000000000027,
    "02": 0.0,
    "03": 0.0,
    "04": 0.0,
    "12": 0.0,
    "13": 0.0,
    "14": 0.0,
    "23": -0.004000000000000003,
    "24": 0.0,
    "34": 0.0,
  } as Record<string, number>,
};

export const BINOMTEST = [
  { b: 9, c: 21, p: 0.042773945257067694 },
  { b: 40, c: 12, p: 0.0001275387838557407 },
  { b: 3, c: 4, p: 1.0 },
];

/** Exact 2.5% and 97.5% quantiles of the bootstrap accuracy delta (C − B)/n. */
export const BOOTSTRAP_DELTA = { n: 300, b: 12, c: 27, q025: 0.01, q975: 0.09, mean: 0.05 };
