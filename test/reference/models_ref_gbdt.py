#!/usr/bin/python3
"""Reference values for test/models/gbdt.test.ts, computed with scikit-learn's
HistGradientBoostingClassifier.

Run from the repository root:  /usr/bin/python3 test/reference/models_ref_gbdt.py
It writes test/fixtures/models/gbdt-reference.json: the data (generated here with a fixed numpy
RNG), sklearn's bin thresholds, and for each case its raw predictions (decision_function) and
predicted classes on the training and test rows. Every case uses early_stopping=False (sklearn has
no dev split) and the defaults otherwise unless listed.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier

rng = np.random.default_rng(20240601)
N, NTEST = 300, 100


def features(n):
    f0 = rng.normal(size=n)
    f1 = rng.normal(size=n)
    f2 = rng.uniform(0.0, 3.0, size=n)
    f2[rng.uniform(size=n) < 0.3] = 0.0  # a sparse-looking column: zeros are a value
    f3 = rng.poisson(2.0, size=n).astype(float)  # few distinct values: one bin per value
    f4 = (rng.uniform(size=n) < 0.4).astype(float)
    f5 = rng.exponential(1.0, size=n)
    f6 = rng.normal(size=n)
    f6[rng.uniform(size=n) < 0.3] = 0.0  # negatives, zeros and positives, > 255 distinct values
    return np.column_stack([f0, f1, f2, f3, f4, f5, f6])


X = features(N)
Xt = features(NTEST)


def labels(A):
    noise = rng.normal(scale=0.6, size=len(A))
    s = 0.5 * A[:, 6] + np.sin(2 * A[:, 0]) + A[:, 1] * (A[:, 2] > 1) - 0.4 * A[:, 3] + 0.8 * A[:, 4] + noise
    y2 = (s > 0).astype(int)
    s2 = A[:, 5] - 1 + 0.5 * A[:, 0] * A[:, 1] + noise
    y3 = np.where(s > 0.5, 2, np.where(s2 > 0, 1, 0))
    return y2, y3


y2, y3 = labels(X)
yt2, yt3 = labels(Xt)
sw = rng.uniform(0.3, 2.0, size=N)

cases = []


def case(name, y, sample_weight=None, ties=False, **params):
    """ties=True: the first round's trees contain exactly tied splits (see the note below)."""
    m = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params)
    m.fit(X, y, sample_weight=sample_weight)
    raw_train = m.decision_function(X)
    raw_test = m.decision_function(Xt)
    yt = yt2 if y is y2 else yt3
    cases.append(
        {
            "name": name,
            "y": "y2" if y is y2 else "y3",
            "sampleWeight": sample_weight is not None,
            "ties": ties,
            "params": params,
            "nIter": int(m.n_iter_),
            "nLeaves": [[p.get_n_leaf_nodes() for p in it] for it in m._predictors],
            "rawTrain": np.atleast_2d(raw_train.T).T.tolist(),
            "rawTest": np.atleast_2d(raw_test.T).T.tolist(),
            "predictTest": m.predict(Xt).tolist(),
            "accuracyTest": float((m.predict(Xt) == yt).mean()),
        }
    )
    print(f"{name}: n_iter {m.n_iter_}, test accuracy {cases[-1]['accuracyTest']:.3f}", file=sys.stderr)
    return m


m = case("binary, 1 round", y2, max_iter=1)
thresholds = [t.tolist() for t in m._bin_mapper.bin_thresholds_]
case("binary, 5 rounds", y2, max_iter=5)
case("binary, 20 rounds, 15 leaves, l2 1, lr 0.2, min_samples_leaf 10", y2, max_iter=20, max_leaf_nodes=15,
     l2_regularization=1.0, learning_rate=0.2, min_samples_leaf=10)
case("binary, max_depth 2, 10 rounds", y2, max_iter=10, max_depth=2)
case("binary, sample weights, 5 rounds", y2, sample_weight=sw, max_iter=5)
case("binary, class_weight balanced, sample weights, 5 rounds", y2, sample_weight=sw, max_iter=5,
     class_weight="balanced")
case("binary, 100 rounds (defaults)", y2)
# Without sample weights, every row of a class has the same gradient and hessian in the first
# round, so different splits that separate the same numbers of rows of each class have exactly the
# same gain. sklearn's float32 gradients sum exactly and its choice among them is decided by the
# last bit of the gain (a - b - c vs a - c - b); mlloop's float64 gradients treat gains equal up to
# rounding as ties and keep the first. The trees then differ in which of the tied splits they use,
# so these cases are compared on predictions and accuracy, not raw scores.
case("3 classes, 1 round", y3, ties=True, max_iter=1)
case("3 classes, 5 rounds", y3, ties=True, max_iter=5)
case("3 classes, sample weights, 5 rounds, 8 leaves", y3, sample_weight=sw, max_iter=5, max_leaf_nodes=8)
case("3 classes, sample weights, 20 rounds", y3, sample_weight=sw, max_iter=20)
case("3 classes, 100 rounds (defaults)", y3, ties=True)
case("binary, max_bins 16, 5 rounds", y2, max_iter=5, max_bins=16)

out = {
    "provenance": (
        f"test/reference/models_ref_gbdt.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}: "
        "HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params).fit(X, y, sample_weight)"
    ),
    "X": X.tolist(),
    "Xtest": Xt.tolist(),
    "y2": y2.tolist(),
    "y3": y3.tolist(),
    "ytest2": yt2.tolist(),
    "ytest3": yt3.tolist(),
    "sampleWeight": sw.tolist(),
    "binThresholds": thresholds,
    "binThresholds16": [t.tolist() for t in HistGradientBoostingClassifier(max_bins=16, max_iter=1, early_stopping=False).fit(X, y2)._bin_mapper.bin_thresholds_],
    "cases": cases,
}
with open("test/fixtures/models/gbdt-reference.json", "w") as f:
    json.dump(out, f)
print("wrote test/fixtures/models/gbdt-reference.json", file=sys.stderr)
