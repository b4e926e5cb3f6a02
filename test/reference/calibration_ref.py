#!/usr/bin/python3
"""Reference values for test/models/calibration.test.ts, computed with scikit-learn 1.2.

Run from the repository root:  /usr/bin/python3 test/reference/calibration_ref.py
It writes test/fixtures/models/calibration.json: the data (a fixed numpy RNG, so the fixture can be
regenerated bit for bit), StratifiedKFold(5)'s test folds, and CalibratedClassifierCV(base, method,
cv=5) probabilities on held-out rows for naive Bayes (calibrated on predict_proba) and logistic
regression (calibrated on decision_function), binary and 3-class, sigmoid and isotonic. The
TypeScript test reads data and expectations from the JSON and computes no expectation itself.
"""
import json
import sys
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB

# newton-cg reports "line search failed" once the step is below float precision: the optimum is
# reached then; the TypeScript test's tolerance is what this fixture claims.
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261205)
N, D, NTEST = 90, 10, 25

rates = rng.uniform(0.2, 1.5, size=D)


def counts(n):
    x = rng.poisson(rates, size=(n, D)).astype(float)
    x[rng.uniform(size=(n, D)) < 0.4] = 0.0
    return x


X = counts(N)
Xt = counts(NTEST)
w = rng.normal(size=(3, D))
logits = X @ w.T + rng.normal(scale=2.0, size=(N, 3))
y3 = logits.argmax(axis=1)
y2 = (logits[:, 0] - logits[:, 1] + 0.5 > 0).astype(int)
# the first row's class is not 0, so fold assignment must encode classes by first appearance
assert y2[0] == 1 or y3[0] != 0
Xs, Xts = sp.csr_matrix(X), sp.csr_matrix(Xt)


def folds(y):
    test_fold = np.empty(len(y), dtype=int)
    for f, (_, test) in enumerate(StratifiedKFold(5).split(X, y)):
        test_fold[test] = f
    return test_fold.tolist()


def case(name, base, base_params, y, method):
    model = CalibratedClassifierCV(base, method=method, cv=5)
    model.fit(Xs, y)
    print(f"{name}: {len(model.calibrated_classifiers_)} calibrated classifiers", file=sys.stderr)
    return {
        "name": name,
        "model": base_params,
        "y": "y2" if y is y2 else "y3",
        "method": method,
        "probaTest": model.predict_proba(Xts).tolist(),
    }


nb = {"family": "naive_bayes", "variant": "multinomial", "alpha": 1.0}
# newton-cg to a tiny tol: the regularised optimum to ~1e-10, as our solver reaches it with tol 1e-10
lr = {"family": "logistic_regression", "C": 1.0, "tol": 1e-10, "max_iter": 10000}


def lr_model():
    return LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10, max_iter=10000)


cases = []
for y in (y2, y3):
    tag = "binary" if y is y2 else "3-class"
    for method in ("sigmoid", "isotonic"):
        cases.append(case(f"naive Bayes, {method}, {tag}", MultinomialNB(alpha=1.0), nb, y, method))
        cases.append(case(f"logistic regression, {method}, {tag}", lr_model(), lr, y, method))

out = {
    "sklearn": sklearn.__version__,
    "X": X.tolist(),
    "Xtest": Xt.tolist(),
    "y2": y2.tolist(),
    "y3": y3.tolist(),
    "folds": {"y2": folds(y2), "y3": folds(y3)},
    "cases": cases,
}
with open("test/fixtures/models/calibration.json", "w") as f:
    json.dump(out, f)
print(f"wrote test/fixtures/models/calibration.json ({len(cases)} cases, sklearn {sklearn.__version__})", file=sys.stderr)
