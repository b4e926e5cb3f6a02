#!/usr/bin/env python3
"""scikit-learn side of the spam parity check and benchmark.

Reads the SpamAssassin corpus from the same npm package mlloop uses, extracts the body text
exactly as /work/shared/reference/sklearn-baseline.md defines it (email.message_from_string,
text/* leaves decoded with their charset, HTML tags replaced by a space, parts joined by "\n"),
and trains the reference models on a split given as a JSON file {"train": [ids], "test": [ids]}
(ids are mlloop's "<group>/<file stem>"), so both sides see the same examples.

Usage: /usr/bin/python3 bench/sklearn_spam.py --split split.json [--models lr,nb,svm,sgd] [--repeat 5]
Prints one JSON object: per model accuracy, precision, recall, f1, roc_auc, train seconds (median).
"""
import argparse
import email
import json
import os
import re
import statistics
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

TAG = re.compile(r"<[^>]*>")


def corpus_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "node_modules", "@stdlib", "datasets-spam-assassin", "data")


def extract_body(text):
    msg = email.message_from_string(text)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() != "text" and not (
            part.get_content_maintype() == "multipart"
        ):
            continue
        cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        raw = part.get_payload()
        if not isinstance(raw, str):
            continue
        if cte in ("base64", "quoted-printable"):
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "latin-1"
            try:
                body = payload.decode(charset, errors="replace")
            except LookupError:
                body = payload.decode("latin-1", errors="replace")
        else:
            body = raw  # 7bit/8bit payloads are taken as they are
        if part.get_content_subtype() == "html":
            body = TAG.sub(" ", body)
        parts.append(body)
    return "\n".join(parts)


def load(ids_wanted):
    root = corpus_dir()
    with open(os.path.join(root, "file_list.json")) as f:
        files = json.load(f)
    texts, labels = {}, {}
    for rel in files:
        stem = rel[: -len(".txt")] if rel.endswith(".txt") else rel
        if stem not in ids_wanted:
            continue
        with open(os.path.join(root, stem + ".json")) as f:
            rec = json.load(f)
        texts[stem] = rec["text"]
        labels[stem] = 1 if stem.startswith("spam") else 0
    return texts, labels


MODELS = {
    "lr": ("tfidf", lambda: LogisticRegression(C=1.0, solver="liblinear", random_state=0)),
    "lr_lbfgs": ("tfidf", lambda: LogisticRegression(C=1.0, max_iter=1000, random_state=0)),
    "nb": ("counts", lambda: MultinomialNB(alpha=1.0)),
    "svm": ("tfidf", lambda: LinearSVC(C=1.0, random_state=0)),
    "sgd": ("tfidf", lambda: SGDClassifier(loss="log_loss", random_state=0)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", required=True)
    ap.add_argument("--models", default="lr,nb")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with open(args.split) as f:
        split = json.load(f)
    wanted = set(split["train"]) | set(split["test"])
    t0 = time.perf_counter()
    texts, labels = load(wanted)
    missing = wanted - set(texts)
    if missing:
        sys.exit(f"ids not in the corpus: {sorted(missing)[:5]}")
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    bodies = {k: extract_body(v) for k, v in texts.items()}
    t_parse = time.perf_counter() - t0
    tr, te = split["train"], split["test"]
    ytr = np.array([labels[k] for k in tr])
    yte = np.array([labels[k] for k in te])
    out = {"n_train": len(tr), "n_test": len(te), "load_s": t_load, "parse_s": t_parse, "models": {}}
    mats = {}
    for kind in ("tfidf", "counts"):
        t0 = time.perf_counter()
        vec = (
            TfidfVectorizer(lowercase=True, min_df=2, sublinear_tf=True)
            if kind == "tfidf"
            else CountVectorizer(lowercase=True, min_df=2)
        )
        Xtr = vec.fit_transform([bodies[k] for k in tr])
        Xte = vec.transform([bodies[k] for k in te])
        mats[kind] = (Xtr, Xte, time.perf_counter() - t0, len(vec.vocabulary_))
    for name in args.models.split(","):
        kind, make = MODELS[name]
        Xtr, Xte, vec_s, nfeat = mats[kind]
        times = []
        for _ in range(args.repeat):
            model = make()
            t0 = time.perf_counter()
            model.fit(Xtr, ytr)
            times.append(time.perf_counter() - t0)
        pred = model.predict(Xte)
        score = model.predict_proba(Xte)[:, 1] if hasattr(model, "predict_proba") else model.decision_function(Xte)
        out["models"][name] = {
            "features": kind,
            "n_features": nfeat,
            "vectorize_s": vec_s,
            "accuracy": accuracy_score(yte, pred),
            "precision": precision_score(yte, pred),
            "recall": recall_score(yte, pred),
            "f1": f1_score(yte, pred),
            "roc_auc": roc_auc_score(yte, score),
            "train_s_median": statistics.median(times),
            "train_s_all": times,
        }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
