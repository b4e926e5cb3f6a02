#!/usr/bin/python3
"""Reference values for test/models/mlp.test.ts, computed with scikit-learn's MLPClassifier.

Run from the repository root:  /usr/bin/python3 test/reference/models_ref_mlp.py
It writes test/fixtures/models/mlp-reference.json.

Trajectory cases: sklearn's Glorot initialisation draws from numpy's RNG, which mlloop does not
reproduce, so the initial weights are drawn here (same distribution) and given to both sides —
sklearn through its `_init_coef` hook, mlloop through fit(data, initialWeights). With shuffle=False
both then run the same minibatch Adam steps, and the weights and loss curve after a few epochs are
compared. Weighted case: sklearn's MLP (1.2) has no sample_weight, so integer weights are checked
against sklearn on the data with each row repeated weight times (full-batch Adam, where the two
are the same objective). Behaviour case: default MLPClassifier, test accuracy over random_state 0..4.
"""
import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

warnings.simplefilter("ignore")  # ConvergenceWarning: the epochs are fixed on purpose
rng = np.random.default_rng(20240605)


def features(n, d):
    X = rng.normal(size=(n, d))
    X[rng.uniform(size=(n, d)) < 0.35] = 0.0  # sparse-looking input: the first layer is CSR × dense
    return X


def labels(X, w2, w3):
    s = np.tanh(X @ w2) + 0.3 * rng.normal(size=(len(X), 2))
    y2 = (s[:, 0] - 0.5 * s[:, 1] > 0).astype(int)
    y3 = np.argmax(np.tanh(X @ w3) + 0.3 * rng.normal(size=(len(X), 3)), axis=1)
    return y2, y3


D = 8
w2, w3 = rng.normal(size=(D, 2)), rng.normal(size=(D, 3))
X = features(120, D)
y2, y3 = labels(X, w2, w3)
Xt = features(60, D)


def glorot(sizes):
    coefs, intercepts = [], []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / (a + b))
        coefs.append(rng.uniform(-bound, bound, (a, b)))
        intercepts.append(rng.uniform(-bound, bound, b))
    return coefs, intercepts


def flat(coefs, intercepts):
    return np.concatenate([c.ravel() for c in coefs] + [b.ravel() for b in intercepts]).tolist()


def fit_from(init, Xf, y, **params):
    coefs, intercepts = [c.copy() for c in init[0]], [b.copy() for b in init[1]]
    queue = list(zip(coefs, intercepts))
    m = MLPClassifier(solver="adam", shuffle=False, tol=0.0, n_iter_no_change=10_000, random_state=0, **params)
    m._init_coef = lambda fan_in, fan_out, dtype: queue.pop(0)
    m.fit(Xf, y)
    return m


trajectory = []
for name, y, hidden in [("binary, one hidden layer", y2, (5,)), ("3 classes, two hidden layers", y3, (6, 4))]:
    K = len(np.unique(y))
    init = glorot([D, *hidden, 1 if K == 2 else K])
    params = dict(hidden_layer_sizes=hidden, alpha=1e-3, learning_rate_init=0.01, batch_size=32, max_iter=15)
    m = fit_from(init, X, y, **params)
    trajectory.append({
        "name": name,
        "y": "y2" if K == 2 else "y3",
        "params": params,
        "init": flat(*init),
        "weights": flat(m.coefs_, m.intercepts_),
        "lossCurve": m.loss_curve_,
        "probaTest": m.predict_proba(Xt).tolist(),
    })
    print(f"{name}: final loss {m.loss_:.6f}", file=sys.stderr)

sw = rng.integers(1, 4, size=len(X)).astype(float)
rep = np.repeat(np.arange(len(X)), sw.astype(int))
weighted = []
for name, y, hidden in [("binary, weights as repeated rows", y2, (5,)), ("3 classes, weights as repeated rows", y3, (4,))]:
    K = len(np.unique(y))
    init = glorot([D, *hidden, 1 if K == 2 else K])
    params = dict(hidden_layer_sizes=hidden, alpha=1e-2, learning_rate_init=0.02, max_iter=20)
    m = fit_from(init, X[rep], y[rep], batch_size=len(rep), **params)
    weighted.append({
        "name": name,
        "y": "y2" if K == 2 else "y3",
        "params": params,
        "init": flat(*init),
        "weights": flat(m.coefs_, m.intercepts_),
        "lossCurve": m.loss_curve_,
    })

# Behaviour: a larger problem, sklearn's defaults, test accuracy over five seeds.
Xb = features(600, 10)
wb2, wb3 = rng.normal(size=(10, 2)), rng.normal(size=(10, 3))
yb2, yb3 = labels(Xb, wb2, wb3)
Xbt = features(400, 10)
ybt2, ybt3 = labels(Xbt, wb2, wb3)
behaviour = {"X": Xb.tolist(), "y2": yb2.tolist(), "y3": yb3.tolist(), "Xtest": Xbt.tolist(), "ytest2": ybt2.tolist(),
             "ytest3": ybt3.tolist(), "accuracy": {}}
for key, y, yt in [("y2", yb2, ybt2), ("y3", yb3, ybt3)]:
    accs, iters = [], []
    for seed in range(5):
        m = MLPClassifier(random_state=seed).fit(Xb, y)
        accs.append(float((m.predict(Xbt) == yt).mean()))
        iters.append(m.n_iter_)
    behaviour["accuracy"][key] = accs
    print(f"behaviour {key}: accuracy {np.mean(accs):.4f} ± {np.std(accs):.4f}, epochs {iters}", file=sys.stderr)

out = {
    "provenance": (
        f"test/reference/models_ref_mlp.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}: "
        "MLPClassifier(solver='adam', shuffle=False, tol=0, n_iter_no_change=10000, **params) with the given "
        "initial weights; behaviour: MLPClassifier(random_state=0..4) defaults"
    ),
    "X": X.tolist(),
    "Xtest": Xt.tolist(),
    "y2": y2.tolist(),
    "y3": y3.tolist(),
    "sampleWeight": sw.tolist(),
    "trajectory": trajectory,
    "weighted": weighted,
    "behaviour": behaviour,
}
with open("test/fixtures/models/mlp-reference.json", "w") as f:
    json.dump(out, f)
print("wrote test/fixtures/models/mlp-reference.json", file=sys.stderr)
