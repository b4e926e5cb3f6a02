#!/usr/bin/python3
"""Reference values for test/evaluate/class-report.test.ts (confusion matrix and per-class
precision/recall/F1 from decisions), computed with scikit-learn.

Run from the repository root:  /usr/bin/python3 test/reference/class_report_ref.py
(Debian's python3: scikit-learn 1.2.1.) It writes test/fixtures/evaluate/class_report_sklearn.json.
"""
import json
import random

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

cases = []
rng = random.Random(7)
for name, classes, n, accuracy in [("three", ["a", "b", "c"], 40, 0.7), ("ten", [f"d{i}" for i in range(10)], 300, 0.8), ("binary", ["ham", "spam"], 50, 0.85), ("missing-class", ["x", "y", "z", "w"], 30, 0.6)]:
    labels = [rng.choice(classes[:3] if name == "missing-class" else classes) for _ in range(n)]
    decisions = [l if rng.random() < accuracy else rng.choice(classes) for l in labels]
    order = sorted(set(labels) | set(decisions))
    p, r, f, s = precision_recall_fscore_support(labels, decisions, labels=order, zero_division=0)
    cases.append({
        "name": name,
        "labels": labels,
        "decisions": decisions,
        "classes": order,
        "matrix": confusion_matrix(labels, decisions, labels=order).tolist(),
        "precision": p.tolist(),
        "recall": r.tolist(),
        "f1": f.tolist(),
        "support": s.tolist(),
        "macro_f1": f1_score(labels, decisions, average="macro", zero_division=0),
    })
with open("test/fixtures/evaluate/class_report_sklearn.json", "w") as fh:
    json.dump({"generator": "test/reference/class_report_ref.py", "cases": cases}, fh)
