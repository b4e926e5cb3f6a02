#!/usr/bin/env python3
"""scikit-learn side of the learning-curve benchmark (bench/learning-curve.ts).

learning_curve(Pipeline(TfidfVectorizer(min_df=2, sublinear_tf=True), LogisticRegression(C=1, liblinear)),
               bodies, y, train_sizes=np.linspace(0.1, 1, 8), cv=5 (StratifiedKFold, no shuffle),
               scoring="accuracy", n_jobs=2)
on the ids given in a JSON file {"train": [ids]} (mlloop ids "<group>/<file stem>", in that order),
bodies extracted as bench/sklearn_spam.py does. Prints JSON: wall seconds of each repetition, their
median, and the mean train/validation error per size.

Usage: /usr/bin/python3 bench/sklearn_learning_curve.py --split split.json [--repeat 3] [--n-jobs 2]
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import learning_curve
from sklearn.pipeline import make_pipeline

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_spam import extract_body, load  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    with open(args.split) as f:
        ids = json.load(f)["train"]
    texts, labels = load(set(ids))
    bodies = [extract_body(texts[k]) for k in ids]
    y = np.array([labels[k] for k in ids])
    walls = []
    for _ in range(args.repeat):
        pipe = make_pipeline(
            TfidfVectorizer(lowercase=True, min_df=2, sublinear_tf=True),
            LogisticRegression(C=1.0, solver="liblinear", random_state=0),
        )
        t0 = time.perf_counter()
        sizes, tr, te = learning_curve(
            pipe, bodies, y, train_sizes=np.linspace(0.1, 1.0, 8), cv=5, scoring="accuracy", n_jobs=args.n_jobs
        )
        walls.append(time.perf_counter() - t0)
    out = {
        "sklearn": sklearn.__version__,
        "n": len(ids),
        "n_jobs": args.n_jobs,
        "walls": walls,
        "median": statistics.median(walls),
        "sizes": sizes.tolist(),
        "train_error": (1 - tr.mean(axis=1)).tolist(),
        "val_error": (1 - te.mean(axis=1)).tolist(),
        "load_avg": os.getloadavg(),
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
