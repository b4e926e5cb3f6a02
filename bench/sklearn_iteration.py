#!/usr/bin/env python3
"""The scikit-learn equivalent of one cold mlloop iteration of examples/spam/baseline.yaml.

Does the same work, in the same order, as `mlloop run examples/spam/baseline.yaml`: read the
SpamAssassin messages from the npm package, parse them with Python's `email` package (subject and
body text: text/* leaves decoded with their charset, HTML tags replaced by a space), split 60/20/20
stratified by label with exact duplicates (normalised body) kept on one side, TF-IDF on subject +
"\\n" + body (TfidfVectorizer(min_df=2, sublinear_tf=True)), LogisticRegression(C=1, liblinear),
probabilities and decisions (fixed threshold 0.5) on train/dev/test, the same metrics, and record
everything in a SQLite file: the run, its metrics, one prediction row per example, and the fitted
vectorizer + model as a pickled artifact.

Usage: /usr/bin/python3 bench/sklearn_iteration.py --out DIR [--C 1.0] [--seed 0]
Prints one JSON object with per-stage seconds, dev/test metrics, and the process's peak RSS.
"""
import argparse
import email
import hashlib
import json
import os
import pickle
import re
import resource
import sqlite3
import sys
import time
import uuid

T_START = time.perf_counter()

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

T_IMPORTS = time.perf_counter()
TAG = re.compile(r"<[^>]*>")
SPACES = re.compile(r"\s+")


def corpus_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "node_modules", "@stdlib", "datasets-spam-assassin", "data")


def subject_and_body(text):
    msg = email.message_from_string(text)
    subject = str(msg.get("Subject", "") or "")
    parts = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        raw = part.get_payload()
        if not isinstance(raw, str):
            continue
        cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable"):
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "latin-1"
            try:
                body = payload.decode(charset, errors="replace")
            except LookupError:
                body = payload.decode("latin-1", errors="replace")
        else:
            body = raw
        if part.get_content_subtype() == "html":
            body = TAG.sub(" ", body)
        parts.append(body)
    return subject, "\n".join(parts)


def load_and_parse():
    root = corpus_dir()
    with open(os.path.join(root, "file_list.json")) as f:
        files = json.load(f)
    ids, labels, subjects, bodies, hashes = [], [], [], [], []
    for rel in files:
        stem = rel[: -len(".txt")] if rel.endswith(".txt") else rel
        with open(os.path.join(root, stem + ".json")) as f:
            text = json.load(f)["text"]
        subject, body = subject_and_body(text)
        ids.append(stem)
        labels.append(1 if stem.startswith("spam") else 0)
        subjects.append(subject)
        bodies.append(body)
        hashes.append(hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest())
    return ids, np.array(labels), subjects, bodies, hashes


def split(labels, bodies, seed, fractions=(0.6, 0.2, 0.2)):
    """Stratified by label; then every exact duplicate (normalised body) follows its first copy."""
    rng = np.random.RandomState(seed)
    assignment = np.zeros(len(labels), dtype=np.int8)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        n = len(idx)
        train_end = round(n * fractions[0])
        dev_end = round(n * (fractions[0] + fractions[1]))
        assignment[idx[train_end:dev_end]] = 1
        assignment[idx[dev_end:]] = 2
    first = {}
    for i, body in enumerate(bodies):
        key = SPACES.sub(" ", body.lower()).strip()
        if not key:
            continue
        if key in first:
            assignment[i] = assignment[first[key]]
        else:
            first[key] = i
    return assignment


def metrics(y, proba, threshold=0.5):
    pred = (proba >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "accuracy": accuracy_score(y, pred),
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred),
        "f1": f1_score(y, pred),
        "roc_auc": roc_auc_score(y, proba),
        "average_precision": average_precision_score(y, proba),
        "log_loss": log_loss(y, proba, labels=[0, 1]),
        "brier": brier_score_loss(y, proba),
        "fp": int(fp),
        "fn": int(fn),
        "tp": int(tp),
        "tn": int(tn),
    }


def record(out_dir, run_id, spec, ids, labels, assignment, probas, all_metrics, artifact):
    db = sqlite3.connect(os.path.join(out_dir, "runs.db"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, spec TEXT, created REAL)")
    db.execute("CREATE TABLE IF NOT EXISTS metrics (run TEXT, split TEXT, name TEXT, value REAL)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS predictions (run TEXT, example TEXT, split TEXT, label TEXT, score REAL,"
        " decision TEXT, correct INTEGER)"
    )
    names = ("train", "dev", "test")
    with db:
        db.execute("INSERT INTO runs VALUES (?, ?, ?)", (run_id, json.dumps(spec, sort_keys=True), time.time()))
        for s, m in all_metrics.items():
            db.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?)", [(run_id, s, k, float(v)) for k, v in m.items()])
        rows = []
        for i, example in enumerate(ids):
            s = names[assignment[i]]
            p = float(probas[i])
            decision = "spam" if p >= 0.5 else "ham"
            label = "spam" if labels[i] == 1 else "ham"
            rows.append((run_id, example, s, label, p, decision, int(decision == label)))
        db.executemany("INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()
    digest = hashlib.sha256(artifact).hexdigest()
    path = os.path.join(out_dir, "artifacts", digest[:2], digest[2:])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(artifact)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="folder for the SQLite file and the artifacts")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    times = {"imports": T_IMPORTS - T_START}

    t0 = time.perf_counter()
    ids, labels, subjects, bodies, _hashes = load_and_parse()
    times["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    assignment = split(labels, bodies, args.seed)
    times["split"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    docs = [s + "\n" + b for s, b in zip(subjects, bodies)]
    train = np.flatnonzero(assignment == 0)
    vec = TfidfVectorizer(lowercase=True, min_df=2, sublinear_tf=True)
    vec.fit([docs[i] for i in train])
    X = vec.transform(docs)
    times["features"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = LogisticRegression(C=args.C, solver="liblinear")
    model.fit(X[train], labels[train])
    times["train"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    proba = model.predict_proba(X)[:, 1]
    times["predict"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    all_metrics = {}
    for s, name in enumerate(("train", "dev", "test")):
        rows = np.flatnonzero(assignment == s)
        all_metrics[name] = metrics(labels[rows], proba[rows])
    times["evaluate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    spec = {"C": args.C, "seed": args.seed, "min_df": 2, "sublinear_tf": True, "fields": ["subject", "body"]}
    record(args.out, uuid.uuid4().hex, spec, ids, labels, assignment, proba, all_metrics, pickle.dumps((vec, model)))
    times["record"] = time.perf_counter() - t0
    times["total"] = time.perf_counter() - T_START

    json.dump(
        {
            "times_s": times,
            "n_features": len(vec.vocabulary_),
            "counts": {n: int((assignment == s).sum()) for s, n in enumerate(("train", "dev", "test"))},
            "dev": all_metrics["dev"],
            "test": all_metrics["test"],
            # kilobytes on Linux
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
