#!/usr/bin/python3
"""Reference values for test/models/gaussian-nb.test.ts: scikit-learn's GaussianNB fitted on the
raw columns of examples/wine/wine.csv and examples/digits/digits.csv (rows chosen by a seeded
permutation; digits has constant all-zero pixels, where only var_smoothing keeps a variance),
with and without sample weights.

Run from the repository root:  /usr/bin/python3 test/reference/models_ref_gaussian_nb.py
(Debian's python3: scikit-learn 1.2.1.) It writes test/fixtures/models/gaussian-nb-reference.json.
"""
import csv
import json

import numpy as np
from sklearn.naive_bayes import GaussianNB


def load(path, label):
    with open(path) as fh:
        rows = list(csv.DictReader(fh))
    columns = [c for c in rows[0].keys() if c not in ("id", label)]
    X = np.array([[float(r[c]) for c in columns] for r in rows])
    classes = sorted({r[label] for r in rows})
    y = np.array([classes.index(r[label]) for r in rows])
    return columns, X, y


cases = []
rng = np.random.RandomState(0)
for name, path, label, n_train, n_test, var_smoothing, weighted in [
    ("wine", "examples/wine/wine.csv", "cultivar", 120, 58, 1e-9, False),
    ("wine-weighted", "examples/wine/wine.csv", "cultivar", 120, 58, 1e-9, True),
    ("digits", "examples/digits/digits.csv", "digit", 1000, 200, 1e-9, False),
    ("digits-smoothed", "examples/digits/digits.csv", "digit", 1000, 200, 1e-2, True),
]:
    columns, X, y = load(path, label)
    order = rng.permutation(len(y))
    train, test = order[:n_train], order[n_train:n_train + n_test]
    sw = rng.uniform(0.2, 3.0, size=n_train) if weighted else None
    m = GaussianNB(var_smoothing=var_smoothing).fit(X[train], y[train], sample_weight=sw)
    cases.append({
        "name": name,
        "path": path,
        "label": label,
        "columns": columns,
        "train": train.tolist(),
        "test": test.tolist(),
        "sampleWeight": None if sw is None else sw.tolist(),
        "varSmoothing": var_smoothing,
        "theta": m.theta_.tolist(),
        "var": m.var_.tolist(),
        "epsilon": float(m.epsilon_),
        "classLogPrior": np.log(m.class_prior_).tolist(),
        "logProbaTest": m.predict_log_proba(X[test]).tolist(),
    })
with open("test/fixtures/models/gaussian-nb-reference.json", "w") as fh:
    json.dump({"generator": "test/reference/models_ref_gaussian_nb.py", "cases": cases}, fh)
