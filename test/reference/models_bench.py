#!/usr/bin/python3
"""sklearn side of test/reference/models_bench.ts (run that first: it writes the matrices).

Times LogisticRegression(solver="liblinear", C=1) — scikit-learn's classic sparse-text solver — and
MultinomialNB() on the same CSR matrices, median of 5 fits; also lbfgs (sklearn's default) for context.
"""
import json
import time

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

OUT = "/tmp/mlloop-models-bench"
print(f"scikit-learn {sklearn.__version__}")
for name in ["random", "spam"]:
    d = f"{OUT}/{name}"
    shape = json.load(open(f"{d}/shape.json"))
    X = sp.csr_matrix(
        (np.fromfile(f"{d}/data.f64", dtype="<f8"), np.fromfile(f"{d}/indices.i32", dtype="<i4"),
         np.fromfile(f"{d}/indptr.i32", dtype="<i4")),
        shape=(shape["rows"], shape["cols"]),
    )
    y = np.fromfile(f"{d}/y.i32", dtype="<i4")
    for label, make in [
        ("LR liblinear C=1", lambda: LogisticRegression(solver="liblinear", C=1.0)),
        ("LR lbfgs C=1", lambda: LogisticRegression(solver="lbfgs", C=1.0)),
        ("MultinomialNB", lambda: MultinomialNB()),
    ]:
        times, cpu = [], []
        for _ in range(5):
            m = make()
            t0, c0 = time.perf_counter(), time.process_time()
            m.fit(X, y)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        acc = (m.predict(X) == y).mean()
        it = getattr(m, "n_iter_", [None])
        print(
            f"{name:7s} {label:18s} median wall {np.median(times):.3f} s, cpu {np.median(cpu):.3f} s"
            f"  (n_iter {np.max(it)}, train accuracy {acc:.4f})"
        )
