#!/usr/bin/env python3
"""scikit-learn side of `npm run bench`: a long-lived process driven by bench/run.ts.

One JSON request per line on stdin, one JSON reply per line on stdout, so that mlloop and
scikit-learn fits can be interleaved in one invocation with both sides warm (imports done once).

Requests:
  {"cmd": "info"}                                   versions, thread pools
  {"cmd": "load", "name": N, "dir": D}              a CSR train/test problem written by bench/run.ts
  {"cmd": "fit", "model": M, "data": N}             fit once on N's train rows; train wall/CPU seconds,
                                                    and accuracy / F1 / ROC-AUC on its test rows
  {"cmd": "own_pipeline", "split": F, "model": M}   scikit-learn's own pipeline on the same split
                                                    (Python email parsing + TfidfVectorizer/CountVectorizer)
  {"cmd": "tabular", "dir": D, "n": n, "d": d, "seed": s}  writes a make_classification problem for the GBDT table
Models: lr (liblinear), svm (LinearSVC), svm_calibrated (CalibratedClassifierCV(LinearSVC, cv=5,
ensemble=False): what mlloop's linear_svm fits), sgd (SGDClassifier log_loss), nb (MultinomialNB),
gbdt (HistGradientBoostingClassifier, params given in the request).
"""
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_iteration import subject_and_body  # noqa: E402

DATA = {}


def read_csr(d, part):
    shape = json.load(open(os.path.join(d, f"{part}.shape.json")))
    indptr = np.fromfile(os.path.join(d, f"{part}.indptr.i32"), dtype=np.int32)
    indices = np.fromfile(os.path.join(d, f"{part}.indices.i32"), dtype=np.int32)
    data = np.fromfile(os.path.join(d, f"{part}.data.f64"), dtype=np.float64)
    y = np.fromfile(os.path.join(d, f"{part}.y.i32"), dtype=np.int32)
    X = sp.csr_matrix((data, indices, indptr), shape=(shape["rows"], shape["cols"]))
    return X, y


def make_model(name, params):
    if name == "lr":
        return LogisticRegression(C=params.get("C", 1.0), solver="liblinear")
    if name == "svm":
        return LinearSVC(C=params.get("C", 1.0), random_state=0)
    if name == "svm_calibrated":
        return CalibratedClassifierCV(
            LinearSVC(C=params.get("C", 1.0), random_state=0), method="sigmoid", cv=5, ensemble=False
        )
    if name == "sgd":
        return SGDClassifier(loss="log_loss", alpha=params.get("alpha", 1e-4), random_state=0)
    if name == "nb":
        return MultinomialNB(alpha=params.get("alpha", 1.0))
    if name == "gbdt":
        return HistGradientBoostingClassifier(random_state=0, **params)
    raise ValueError(f"unknown model {name}")


def scores(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return model.decision_function(X)


def quality(model, X, y):
    s = scores(model, X)
    pred = model.predict(X)
    return {
        "accuracy": accuracy_score(y, pred),
        "f1": f1_score(y, pred),
        "roc_auc": roc_auc_score(y, s),
    }


def fit_timed(model, X, y):
    w0, c0 = time.perf_counter(), time.process_time()
    model.fit(X, y)
    return time.perf_counter() - w0, time.process_time() - c0


def fit(req):
    Xtr, ytr, Xte, yte = DATA[req["data"]]
    Xtr_fit = Xtr.toarray() if req["model"] == "gbdt" else Xtr
    Xte_eval = Xte.toarray() if req["model"] == "gbdt" else Xte
    model = make_model(req["model"], req.get("params", {}))
    wall, cpu = fit_timed(model, Xtr_fit, ytr)
    out = {"wall_s": wall, "cpu_s": cpu, **quality(model, Xte_eval, yte)}
    if hasattr(model, "n_iter_"):
        out["n_iter"] = np.asarray(model.n_iter_).max().item()
    return out


def corpus_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "node_modules", "@stdlib", "datasets-spam-assassin", "data")


PARSED = {}


def parsed(ids):
    missing = [i for i in ids if i not in PARSED]
    for stem in missing:
        with open(os.path.join(corpus_dir(), stem + ".json")) as f:
            subject, body = subject_and_body(json.load(f)["text"])
        PARSED[stem] = subject + "\n" + body
    return [PARSED[i] for i in ids]


def own_pipeline(req):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    split = json.load(open(req["split"]))
    tr, te = split["train"], split["test"]
    ytr = np.array([1 if i.startswith("spam") else 0 for i in tr])
    yte = np.array([1 if i.startswith("spam") else 0 for i in te])
    docs_tr, docs_te = parsed(tr), parsed(te)
    vec = (
        CountVectorizer(min_df=2)
        if req["model"] == "nb"
        else TfidfVectorizer(min_df=2, sublinear_tf=True)
    )
    Xtr = vec.fit_transform(docs_tr)
    Xte = vec.transform(docs_te)
    model = make_model(req["model"], req.get("params", {}))
    wall, cpu = fit_timed(model, Xtr, ytr)
    return {"wall_s": wall, "cpu_s": cpu, "n_features": len(vec.vocabulary_), **quality(model, Xte, yte)}


def tabular(req):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=req["n"],
        n_features=req["d"],
        n_informative=req["d"] // 2,
        n_redundant=req["d"] // 4,
        flip_y=0.03,
        class_sep=0.8,
        random_state=req["seed"],
    )
    n_train = int(0.8 * req["n"])
    os.makedirs(req["dir"], exist_ok=True)
    for part, rows in (("train", slice(0, n_train)), ("test", slice(n_train, None))):
        M = sp.csr_matrix(X[rows])
        M.sort_indices()
        M.indptr.astype(np.int32).tofile(os.path.join(req["dir"], f"{part}.indptr.i32"))
        M.indices.astype(np.int32).tofile(os.path.join(req["dir"], f"{part}.indices.i32"))
        M.data.astype(np.float64).tofile(os.path.join(req["dir"], f"{part}.data.f64"))
        y[rows].astype(np.int32).tofile(os.path.join(req["dir"], f"{part}.y.i32"))
        json.dump({"rows": M.shape[0], "cols": M.shape[1]}, open(os.path.join(req["dir"], f"{part}.shape.json"), "w"))
    return {"rows": req["n"], "cols": req["d"], "train": n_train}


def info(_req):
    out = {
        "python": sys.version.split()[0],
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        out["threadpools"] = [
            {"api": t.get("internal_api"), "threads": t.get("num_threads")} for t in threadpool_info()
        ]
    except Exception:  # noqa: BLE001 - optional
        pass
    return out


def load(req):
    DATA[req["name"]] = (*read_csr(req["dir"], "train"), *read_csr(req["dir"], "test"))
    return {"rows": DATA[req["name"]][0].shape[0], "cols": DATA[req["name"]][0].shape[1]}


def main():
    handlers = {"info": info, "load": load, "fit": fit, "own_pipeline": own_pipeline, "tabular": tabular}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            reply = {"ok": True, "result": handlers[req["cmd"]](req)}
        except Exception as e:  # noqa: BLE001 - reported to the driver
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
