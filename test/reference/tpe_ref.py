#!/usr/bin/python3
"""Reference values for test/search/tpe.test.ts: Optuna 3.1's TPE (Bergstra et al. 2011) with its
default parameters, and scipy's truncated normal for the log densities.

Run from the repository root:  /usr/bin/python3 test/reference/tpe_ref.py
(Debian bookworm: optuna 3.1.0, scipy 1.10.1, numpy.) It writes test/fixtures/search/tpe_optuna.json.

What it records:
1. Parzen estimators (Optuna's _ParzenEstimator, univariate, default parameters): for observation
   sets on float, log-float, int, log-int and categorical dimensions, the kernel centres (mus),
   bandwidths (sigmas), component weights and categorical weight rows, and the log density at a
   few points computed two ways:
     - "logpdf_scipy": the mixture sum_i w_i * truncnorm_i(x) with scipy.stats.truncnorm, i.e. the
       true density of what the estimator samples from (each component includes -log sigma_i);
     - "logpdf_optuna": Optuna 3.1's own _ParzenEstimator.log_pdf, whose _truncnorm.logpdf
       standardises x but omits the -log(scale) term, so each component is off by +log sigma_i.
   mlloop follows scipy (the density of what is sampled) and documents the difference.
2. The good/bad split: _split_observation_pairs with default_gamma on value lists (ties included)
   and the pruned-trial ordering (complete first, then pruned by later step, then value).
3. Search quality on a planted objective: Optuna's TPESampler (defaults, seed s) and RandomSampler
   best value after 50 trials over 20 seeds, so the test can check mlloop's TPE is no worse than
   Optuna's on average and clearly better than random.
"""
import json
import math
import os

import numpy as np
import optuna
from optuna import distributions as D
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import _split_observation_pairs, default_gamma, default_weights
from scipy.special import logsumexp
from scipy.stats import truncnorm

optuna.logging.set_verbosity(optuna.logging.WARNING)

PARAMS = _ParzenEstimatorParameters(
    consider_prior=True,
    prior_weight=1.0,
    consider_magic_clip=True,
    consider_endpoints=False,
    weights=default_weights,
    multivariate=False,
)


def dist_json(d):
    if isinstance(d, D.CategoricalDistribution):
        return {"kind": "categorical", "values": list(d.choices)}
    kind = "int" if isinstance(d, D.IntDistribution) else "float"
    return {"kind": kind, "low": d.low, "high": d.high, "log": bool(d.log)}


def scipy_logpdf(pe, name, d, xs):
    """The mixture's log density with scipy's truncnorm (or the discretised mass for ints)."""
    w = pe._weights
    if isinstance(d, D.CategoricalDistribution):
        cw = pe._categorical_weights[name]
        return [float(np.log(np.dot(w, cw[:, int(x)]))) for x in xs]
    mus, sigmas = pe._mus[name], pe._sigmas[name]
    low, high, q = pe._low[name], pe._high[name], pe._q[name]
    a, b = (low - mus) / sigmas, (high - mus) / sigmas
    out = []
    for x in xs:
        if q is None:
            t = math.log(x) if d.log else x
            comp = truncnorm.logpdf(t, a, b, loc=mus, scale=sigmas)
        else:
            lo, hi = max(x - q / 2, low), min(x + q / 2, high)
            mass = truncnorm.cdf(hi, a, b, loc=mus, scale=sigmas) - truncnorm.cdf(lo, a, b, loc=mus, scale=sigmas)
            comp = np.log(mass)
        out.append(float(logsumexp(comp + np.log(w))))
    return out


def estimator_case(name, d, obs, xs):
    if isinstance(d, D.CategoricalDistribution):
        internal = np.asarray([d.to_internal_repr(o) for o in obs], dtype=float)
    else:
        internal = np.asarray(obs, dtype=float)
    pe = _ParzenEstimator({"p": internal}, {"p": d}, PARAMS)
    if isinstance(d, D.CategoricalDistribution):
        xs_internal = np.asarray([d.to_internal_repr(x) for x in xs], dtype=int)
    else:
        xs_internal = np.asarray(xs, dtype=float)
    optuna_lp = pe.log_pdf({"p": xs_internal}).tolist()
    case = {
        "name": name,
        "dimension": dist_json(d),
        "observations": list(obs),
        "weights": pe._weights.tolist(),
        "points": list(xs),
        "logpdf_scipy": scipy_logpdf(pe, "p", d, xs_internal),
        "logpdf_optuna": optuna_lp,
    }
    if isinstance(d, D.CategoricalDistribution):
        case["categorical_weights"] = pe._categorical_weights["p"].tolist()
    else:
        case["mus"] = pe._mus["p"].tolist()
        case["sigmas"] = pe._sigmas["p"].tolist()
        case["low"] = pe._low["p"]
        case["high"] = pe._high["p"]
    return case


def estimator_cases():
    rng = np.random.RandomState(3)
    cases = [
        estimator_case("float, 5 observations", D.FloatDistribution(-2.0, 3.0), [0.1, -1.5, 2.2, 0.4, 0.45], [-2.0, -1.0, 0.0, 0.42, 1.7, 3.0]),
        estimator_case("float, no observation (prior only)", D.FloatDistribution(0.0, 1.0), [], [0.0, 0.3, 0.9]),
        estimator_case("float, one observation", D.FloatDistribution(0.0, 10.0), [7.5], [0.5, 7.5, 9.9]),
        estimator_case(
            "log float, 12 observations",
            D.FloatDistribution(1e-3, 1e3, log=True),
            [float(x) for x in np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 12))],
            [1e-3, 0.01, 0.5, 1.0, 42.0, 1e3],
        ),
        estimator_case("int, 6 observations", D.IntDistribution(1, 10), [1, 3, 3, 4, 9, 10], [1, 2, 3, 5, 10]),
        estimator_case("log int, 8 observations", D.IntDistribution(1, 1000, log=True), [1, 2, 5, 10, 30, 100, 300, 999], [1, 7, 100, 1000]),
        estimator_case("categorical, 7 observations", D.CategoricalDistribution(["lr", "svm", "nb"]), ["lr", "lr", "svm", "lr", "nb", "lr", "svm"], ["lr", "svm", "nb"]),
        estimator_case("categorical, prior only", D.CategoricalDistribution([1, 2, 3, 4]), [], [1, 4]),
    ]
    # 40 observations: the "above" side of a 400-trial study gets Optuna's ramped weights
    obs = [float(x) for x in rng.uniform(0, 1, 40)]
    cases.append(estimator_case("float, 40 observations (ramped weights)", D.FloatDistribution(0.0, 1.0), obs, [0.05, 0.5, 0.95]))
    return cases


def split_cases():
    rng = np.random.RandomState(5)
    cases = []
    for n in [1, 9, 10, 11, 37, 260]:
        values = [float(v) for v in np.round(rng.normal(size=n), 1)]  # rounded: ties happen
        scores = [(-float("inf"), [v]) for v in values]
        below, above = _split_observation_pairs(scores, default_gamma(n), None)
        cases.append({"values": values, "steps": [None] * n, "gamma": default_gamma(n), "below": below.tolist(), "above": above.tolist()})
    # pruned trials: (-step, value); complete trials rank first, then later steps
    values = [0.5, 0.1, 0.9, 0.2, 0.05, 0.3, 0.7, 0.4, 0.6, 0.8, 0.15, 0.25]
    steps = [None, 3, None, 5, 1, None, 5, None, 2, None, 5, 3]
    scores = [(-float("inf"), [v]) if s is None else (-s, [v]) for v, s in zip(values, steps)]
    below, above = _split_observation_pairs(scores, 4, None)
    cases.append({"values": values, "steps": steps, "gamma": 4, "below": below.tolist(), "above": above.tolist()})
    return cases


def planted(trial):
    """Minimise: log-scale C near 3, x near 0.7, one of three families much better."""
    c = trial.suggest_float("C", 1e-3, 1e3, log=True)
    x = trial.suggest_float("x", 0.0, 1.0)
    k = trial.suggest_int("k", 1, 20)
    fam = trial.suggest_categorical("family", ["a", "b", "c"])
    return (math.log10(c) - math.log10(3.0)) ** 2 + 4 * (x - 0.7) ** 2 + 0.01 * (k - 12) ** 2 + {"a": 0.5, "b": 0.0, "c": 1.0}[fam]


def quality():
    seeds = list(range(20))
    tpe, rnd = [], []
    for s in seeds:
        st = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=s))
        st.optimize(planted, n_trials=50)
        tpe.append(st.best_value)
        st = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=s))
        st.optimize(planted, n_trials=50)
        rnd.append(st.best_value)
    return {"trials": 50, "seeds": seeds, "optuna_tpe_best": tpe, "optuna_random_best": rnd}


def main():
    out = {
        "generator": "test/reference/tpe_ref.py",
        "optuna": optuna.__version__,
        "estimators": estimator_cases(),
        "splits": split_cases(),
        "quality": quality(),
    }
    path = os.path.join("test", "fixtures", "search", "tpe_optuna.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
