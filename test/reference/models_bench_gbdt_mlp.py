#!/usr/bin/python3
"""sklearn side of test/reference/models_bench_gbdt_mlp.ts (run that first: it writes the data).

Times HistGradientBoostingClassifier(early_stopping=False) (100 rounds) on the tabular set, and
MLPClassifier(hidden_layer_sizes=(100,), solver="adam", fixed epochs) on the tabular set and the
SpamAssassin TF-IDF, median of 5 fits, wall clock and process CPU time (CPU time adds up all of
sklearn's OpenMP threads).

  /usr/bin/python3 test/reference/models_bench_gbdt_mlp.py [gbdt|mlp]
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neural_network import MLPClassifier

warnings.simplefilter("ignore")  # ConvergenceWarning: the epochs are fixed on purpose
OUT = "/tmp/mlloop-gbdt-mlp-bench"
only = sys.argv[1] if len(sys.argv) > 1 else None


def load(name):
    d = f"{OUT}/{name}"
    shape = json.load(open(f"{d}/shape.json"))
    X = sp.csr_matrix(
        (np.fromfile(f"{d}/data.f64", dtype="<f8"), np.fromfile(f"{d}/indices.i32", dtype="<i4"),
         np.fromfile(f"{d}/indptr.i32", dtype="<i4")),
        shape=(shape["rows"], shape["cols"]),
    )
    return X, np.fromfile(f"{d}/y.i32", dtype="<i4")


def bench(name, X, y, label, make, reps=5):
    times, cpu = [], []
    for _ in range(reps):
        m = make()
        t0, c0 = time.perf_counter(), time.process_time()
        m.fit(X, y)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    acc = (m.predict(X) == y).mean()
    print(f"{name:9s} {label:44s} median wall {np.median(times):.3f} s, cpu {np.median(cpu):.3f} s"
          f"  (n_iter {m.n_iter_}, train accuracy {acc:.4f})")


print(f"scikit-learn {sklearn.__version__}")
for name in ["tabular2", "tabular3"]:
    X, y = load(name)
    Xd = X.toarray()  # HistGradientBoostingClassifier takes dense input only
    if only in (None, "gbdt"):
        bench(name, Xd, y, "HistGradientBoostingClassifier(100 rounds)",
              lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0))
    if only in (None, "mlp"):
        bench(name, Xd, y, "MLPClassifier((100,), 20 epochs)",
              lambda: MLPClassifier((100,), max_iter=20, n_iter_no_change=1000, random_state=0))
if only in (None, "mlp"):
    X, y = load("spam")
    bench("spam", X, y, "MLPClassifier((100,), 5 epochs)",
          lambda: MLPClassifier((100,), max_iter=5, n_iter_no_change=1000, random_state=0))
