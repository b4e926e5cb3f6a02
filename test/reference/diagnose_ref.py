#!/usr/bin/env python3
"""Reference values for test/diagnose/curves.test.ts (learning and validation curves).

A small synthetic two-class corpus (numpy RandomState(0)), then scikit-learn's learning_curve and
validation_curve of text pipelines with cv=StratifiedKFold(5) (no shuffle), scoring="accuracy":

  learning_curve(Pipeline([TfidfVectorizer(min_df=2, sublinear_tf=True), LogisticRegression(C=1, tol=1e-8, max_iter=10000)]),
                 docs, y, train_sizes=np.linspace(0.1, 1, 8), cv=StratifiedKFold(5))
  learning_curve(Pipeline([CountVectorizer(min_df=2), MultinomialNB(alpha=1)]), ...same...)
  validation_curve(<LR pipeline>, param_name="logisticregression__C", param_range=np.logspace(-3, 3, 7), ...)
  validation_curve(<NB pipeline>, param_name="multinomialnb__alpha", param_range=np.logspace(-4, 1, 6), ...)

Writes test/fixtures/diagnose/curves_sklearn.json. Run: /usr/bin/python3 test/reference/diagnose_ref.py
(then `npx prettier --write test/fixtures/diagnose/curves_sklearn.json`).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, learning_curve, validation_curve
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

rng = np.random.RandomState(0)
n_docs, vocab = 240, 300
words = ["w%03d" % i for i in range(vocab)]
# class 1 ("spam") favours words 0..119, class 0 ("ham") words 100..299, overlap 100..119
p_spam = np.ones(vocab); p_spam[:120] = 6.0; p_spam /= p_spam.sum()
p_ham = np.ones(vocab); p_ham[100:] = 4.0; p_ham /= p_ham.sum()
docs, labels = [], []
for i in range(n_docs):
    spam = rng.rand() < 0.35
    length = rng.randint(6, 40)
    # noisy documents: a share of words from the other class
    mix = 0.2
    toks = [words[rng.choice(vocab, p=(p_spam if (spam != (rng.rand() < mix)) else p_ham))] for _ in range(length)]
    docs.append(" ".join(toks))
    labels.append("spam" if spam else "ham")
y = np.array([1 if l == "spam" else 0 for l in labels])

cv = StratifiedKFold(5)
lr = make_pipeline(TfidfVectorizer(min_df=2, sublinear_tf=True), LogisticRegression(C=1.0, tol=1e-8, max_iter=10000))
nb = make_pipeline(CountVectorizer(min_df=2), MultinomialNB(alpha=1.0))
out = {"sklearn": sklearn.__version__, "docs": docs, "labels": labels, "learning_curve": {}, "validation_curve": {}}
folds = np.empty(n_docs, dtype=int)
for f, (_, test) in enumerate(cv.split(docs, y)):
    folds[test] = f
out["folds"] = folds.tolist()
for name, pipe in [("lr", lr), ("nb", nb)]:
    sizes, tr, te = learning_curve(pipe, docs, y, train_sizes=np.linspace(0.1, 1, 8), cv=cv, scoring="accuracy")
    out["learning_curve"][name] = {"sizes": sizes.tolist(), "train": tr.tolist(), "test": te.tolist()}
for name, pipe, param, grid in [
    ("lr", lr, "logisticregression__C", np.logspace(-3, 3, 7)),
    ("nb", nb, "multinomialnb__alpha", np.logspace(-4, 1, 6)),
]:
    tr, te = validation_curve(pipe, docs, y, param_name=param, param_range=grid, cv=cv, scoring="accuracy")
    out["validation_curve"][name] = {"grid": grid.tolist(), "train": tr.tolist(), "test": te.tolist()}

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "diagnose", "curves_sklearn.json"), "w") as fh:
    json.dump(out, fh)
print("ok", {k: v["test"][-1] for k, v in out["learning_curve"].items()})
