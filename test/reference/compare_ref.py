"""Reference values for test/compare/*.test.ts, computed independently of mlloop.

Run:  /usr/bin/python3 test/reference/compare_ref.py   (Debian bookworm: python 3.11, scipy 1.10.1)
Prints JSON; the numbers are pasted into test/compare/reference.ts with this provenance.

1. Shapley values by the definition over orderings (itertools.permutations: the mean marginal
   contribution over all k! orders) and Grabisch's Shapley interaction index by its subset formula,
   for two games whose values are given below in closed form (the tests define the same games).
2. McNemar's exact p-value: scipy.stats.binomtest(b, b + c, 0.5).pvalue.
3. The exact distribution of a paired bootstrap accuracy delta: with b examples where only A is
   right and c where only B is right among n, one resample's delta is (C - B)/n with
   (B, C, rest) ~ Multinomial(n; b/n, c/n, 1 - (b+c)/n). Its 2.5% / 97.5% quantiles are computed
   exactly by summing the multinomial pmf (scipy.stats.multinomial).
"""
import itertools
import json
import math

import scipy
import scipy.stats as st


def shapley_by_orderings(k, v):
    phi = [0.0] * k
    perms = list(itertools.permutations(range(k)))
    for p in perms:
        s = frozenset()
        for i in p:
            phi[i] += v(s | {i}) - v(s)
            s = s | {i}
    return [x / len(perms) for x in phi]


def interaction_index(k, v, i, j):
    others = [p for p in range(k) if p not in (i, j)]
    total = 0.0
    for r in range(len(others) + 1):
        for s in itertools.combinations(others, r):
            s = frozenset(s)
            w = math.factorial(len(s)) * math.factorial(k - len(s) - 2) / math.factorial(k - 1)
            total += w * (v(s | {i, j}) - v(s | {i}) - v(s | {j}) + v(s))
    return total


# Game 1: weighted majority game [quota 6; weights 4, 3, 2, 1] (v = 1 if the weights in S reach 6).
W = [4, 3, 2, 1]


def majority(s):
    return 1.0 if sum(W[i] for i in s) >= 6 else 0.0


# Game 2: a 5-player "feature" game: additive parts, a complement pair (0, 1), a substitute pair
# (2, 3) and a null player 4.
A = [0.010, 0.004, 0.006, 0.005, 0.0]


def feature_game(s):
    x = sum(A[i] for i in s)
    if 0 in s and 1 in s:
        x += 0.003
    if 2 in s and 3 in s:
        x -= 0.004
    return 0.90 + x


out = {
    "scipy": scipy.__version__,
    "majority": {
        "shapley": shapley_by_orderings(4, majority),
        "interactions": {f"{i}{j}": interaction_index(4, majority, i, j) for i in range(4) for j in range(i + 1, 4)},
    },
    "feature_game": {
        "shapley": shapley_by_orderings(5, feature_game),
        "interactions": {f"{i}{j}": interaction_index(5, feature_game, i, j) for i in range(5) for j in range(i + 1, 5)},
    },
    "binomtest": [{"b": b, "c": c, "p": st.binomtest(b, b + c, 0.5).pvalue} for (b, c) in [(9, 21), (40, 12), (3, 4)]],
}

# exact bootstrap quantiles of (C - B)/n
n, b, c = 300, 12, 27
pb, pc = b / n, c / n
dist = {}
for bb in range(0, n + 1):
    for cc in range(0, n + 1 - bb):
        p = st.multinomial.pmf([bb, cc, n - bb - cc], n, [pb, pc, 1 - pb - pc])
        if p < 1e-18:
            continue
        d = cc - bb
        dist[d] = dist.get(d, 0.0) + p
ds = sorted(dist)
cum = 0.0
q_lo = q_hi = None
for d in ds:
    cum += dist[d]
    if q_lo is None and cum >= 0.025:
        q_lo = d
    if q_hi is None and cum >= 0.975:
        q_hi = d
out["bootstrap_delta"] = {"n": n, "b": b, "c": c, "q025": q_lo / n, "q975": q_hi / n, "mean": (c - b) / n}
print(json.dumps(out, indent=1))
