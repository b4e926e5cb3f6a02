#!/usr/bin/python3
"""Reference values for test/loop/cross-validate.test.ts: scikit-learn's StratifiedKFold folds,
cross_val_predict out-of-fold probabilities and cross_validate per-fold scores of a
StandardScaler + LogisticRegression pipeline on examples/wine/wine.csv (178 rows, file order).

Run from the repository root:  /usr/bin/python3 test/reference/cross_validate_ref.py
(Debian's python3: scikit-learn 1.2.1.) It writes test/fixtures/loop/cross_validate_sklearn.json.
"""
import csv
import json

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

with open("examples/wine/wine.csv") as fh:
    rows = list(csv.DictReader(fh))
columns = ["alcohol", "malic_acid", "ash", "magnesium", "flavanoids", "hue"]
X = np.array([[float(r[c]) for c in columns] for r in rows])
classes = sorted({r["cultivar"] for r in rows})
y = np.array([classes.index(r["cultivar"]) for r in rows])

cases = []
for k, C in [(5, 1.0), (3, 0.1)]:
    cv = StratifiedKFold(n_splits=k)
    folds = np.zeros(len(y), dtype=int)
    for f, (_, val) in enumerate(cv.split(X, y)):
        folds[val] = f

    def pipe():
        return make_pipeline(StandardScaler(), LogisticRegression(C=C, tol=1e-10, max_iter=10000))

    proba = cross_val_predict(pipe(), X, y, cv=cv, method="predict_proba")
    scores = cross_validate(pipe(), X, y, cv=cv, scoring=["accuracy", "f1_macro"])
    cases.append({
        "k": k,
        "C": C,
        "folds": folds.tolist(),
        "proba": proba.tolist(),
        "fold_accuracy": scores["test_accuracy"].tolist(),
        "fold_macro_f1": scores["test_f1_macro"].tolist(),
        "mean_macro_f1": float(scores["test_f1_macro"].mean()),
        "std_macro_f1": float(scores["test_f1_macro"].std()),
    })
with open("test/fixtures/loop/cross_validate_sklearn.json", "w") as fh:
    json.dump({"generator": "test/reference/cross_validate_ref.py", "columns": columns, "classes": classes, "cases": cases}, fh)
