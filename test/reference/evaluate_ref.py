#!/usr/bin/python3
"""Reference values for test/evaluate/*.test.ts, computed with scikit-learn and scipy.

Run from the repository root:  /usr/bin/python3 test/reference/evaluate_ref.py
(Debian's python3: scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2 when these values were made.)
then:  npx prettier --write test/evaluate/reference.json   (the repository formats JSON with prettier)
It writes test/evaluate/reference.json: the input vectors and the expected outputs. The TypeScript
tests read both from the JSON and never compute their own expectations. NaN is written as null.
"""
import json
import math
import sys

import numpy as np
import scipy
import scipy.stats as st
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)


def clean(x):
    """JSON-safe: numpy → lists of floats, NaN → None."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(float(x)) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


# ── binary vectors ───────────────────────────────────────────────────────────────────────────────
# Hand-written, with ties at 0.1, 0.2, 0.35 (three-way, mixed labels), 0.5, 0.7 and 0.8; the zero
# weights sit on one score of a tie (0.35) and on the only example scored 0.4, which must then
# disappear from the weighted curves.
tied = {
    "y": [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0],
    "score": [0.9, 0.1, 0.8, 0.35, 0.35, 0.2, 0.7, 0.7, 0.5, 0.05, 0.5, 0.35, 0.6, 0.95, 0.2, 0.4, 0.1, 0.8, 0.65, 0.3],
    "weight": [1.0, 0.5, 2.0, 1.5, 0.0, 1.0, 0.7, 1.3, 1.0, 2.5, 0.2, 1.0, 0.8, 1.1, 0.9, 0.0, 1.0, 1.6, 0.4, 1.2],
}

# 300 examples, scores rounded to 2 decimals (many ties, several exactly on calibration bin edges),
# including exact 0 and 1 (log-loss clipping); labels drawn from the scores so they are informative.
rng = np.random.default_rng(20240601)
s = np.round(rng.beta(0.8, 1.2, size=300), 2)
s[:3] = [0.0, 1.0, 1.0]
yv = (rng.uniform(size=300) < 0.15 + 0.7 * s).astype(int)
yv[:3] = [0, 1, 1]
wv = np.round(rng.uniform(0.0, 3.0, size=300), 3)
large = {"y": yv.tolist(), "score": s.tolist(), "weight": wv.tolist()}

# Decision values (not probabilities): ranking metrics only.
dv = np.round(rng.normal(size=60) * 2, 1)
ydv = (rng.uniform(size=60) < 1 / (1 + np.exp(-dv))).astype(int)
decision = {"y": ydv.tolist(), "score": dv.tolist()}


def binary_case(y, score, threshold, weight=None):
    y = np.asarray(y)
    score = np.asarray(score, dtype=float)
    pred = (score >= threshold).astype(int)
    w = None if weight is None else np.asarray(weight, dtype=float)
    tn, fp, fn, tp = confusion_matrix(y, pred, sample_weight=w, labels=[0, 1]).ravel()
    out = {
        "threshold": threshold,
        "weighted": w is not None,
        "accuracy": accuracy_score(y, pred, sample_weight=w),
        "precision": precision_score(y, pred, sample_weight=w, zero_division=0),
        "recall": recall_score(y, pred, sample_weight=w, zero_division=0),
        "f1": f1_score(y, pred, sample_weight=w, zero_division=0),
        "roc_auc": roc_auc_score(y, score, sample_weight=w),
        "average_precision": average_precision_score(y, score, sample_weight=w),
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
    }
    if score.min() >= 0 and score.max() <= 1:
        out["log_loss"] = log_loss(y, score, sample_weight=w, labels=[0, 1])
        out["brier"] = brier_score_loss(y, score, sample_weight=w)
    return out


binary_cases = {
    "tied@0.5": binary_case(tied["y"], tied["score"], 0.5),
    "tied@0.35": binary_case(tied["y"], tied["score"], 0.35),
    "tied@0.5 weighted": binary_case(tied["y"], tied["score"], 0.5, tied["weight"]),
    "large@0.5": binary_case(large["y"], large["score"], 0.5),
    "large@0.3 weighted": binary_case(large["y"], large["score"], 0.3, large["weight"]),
    "decision@0": binary_case(decision["y"], decision["score"], 0.0),
}

# Zero-division cases: nothing predicted positive (precision 0), and no positive at all (recall 0).
zero_div = {
    "no_predicted_positive": {
        "precision": precision_score([1, 0, 1], [0, 0, 0], zero_division=0),
        "recall": recall_score([1, 0, 1], [0, 0, 0], zero_division=0),
        "f1": f1_score([1, 0, 1], [0, 0, 0], zero_division=0),
    },
    "no_positive": {
        "precision": precision_score([0, 0, 0], [1, 0, 0], zero_division=0),
        "recall": recall_score([0, 0, 0], [1, 0, 0], zero_division=0),
        "f1": f1_score([0, 0, 0], [1, 0, 0], zero_division=0),
    },
}


def curves(y, score, weight=None):
    w = None if weight is None else np.asarray(weight, dtype=float)
    fpr, tpr, thr = roc_curve(y, score, sample_weight=w, drop_intermediate=False)
    p, r, pthr = precision_recall_curve(y, score, sample_weight=w)
    # sklearn 1.2 puts max(score) + 1 first; 1.3+ puts inf. Only the real thresholds are compared.
    return {"roc": {"fpr": fpr, "tpr": tpr, "thresholds_after_first": thr[1:]},
            "pr": {"precision": p, "recall": r, "thresholds": pthr}}


curve_cases = {
    "tied": curves(tied["y"], tied["score"]),
    "tied weighted": curves(tied["y"], tied["score"], tied["weight"]),
    "large": curves(large["y"], large["score"]),
    "decision": curves(decision["y"], decision["score"]),
}


def calibration(y, prob, n_bins, strategy):
    prob = np.asarray(prob, dtype=float)
    prob_true, prob_pred = calibration_curve(y, prob, n_bins=n_bins, strategy=strategy)
    # Bin counts and ECE from the same bins calibration_curve uses (sklearn 1.2.1 source).
    if strategy == "quantile":
        bins = np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    binids = np.searchsorted(bins[1:-1], prob)
    total = np.bincount(binids, minlength=len(bins))
    counts = total[total != 0]
    ece = float(np.sum(counts * np.abs(prob_true - prob_pred)) / len(prob))
    return {"n_bins": n_bins, "strategy": strategy, "prob_true": prob_true, "prob_pred": prob_pred,
            "counts": counts, "edges": bins, "ece": ece}


calibration_cases = [
    calibration(large["y"], large["score"], 5, "uniform"),
    calibration(large["y"], large["score"], 10, "uniform"),
    calibration(large["y"], large["score"], 5, "quantile"),
    calibration(large["y"], large["score"], 7, "quantile"),
    calibration(tied["y"], tied["score"], 4, "quantile"),
]

# ── multiclass ───────────────────────────────────────────────────────────────────────────────────
# Rows drawn from a few template rows, so every column has heavy ties, and two templates have an
# argmax tie (first maximum wins, as numpy's argmax).
templates = np.array([
    [0.7, 0.1, 0.1, 0.1],
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.6, 0.2, 0.1],
    [0.05, 0.15, 0.5, 0.3],
    [0.2, 0.2, 0.1, 0.5],
    [0.4, 0.4, 0.1, 0.1],
])
rng = np.random.default_rng(7)
idx = rng.integers(0, len(templates), size=40)
mc_tied_proba = templates[idx]
mc_tied_y = np.where(rng.uniform(size=40) < 0.6, mc_tied_proba.argmax(axis=1), rng.integers(0, 4, size=40))

mc_random_proba = rng.dirichlet([1.0, 2.0, 1.5], size=60)
mc_random_y = np.array([rng.choice(3, p=row) for row in mc_random_proba])

# Class 3 of 4 occurs neither in y nor in the predictions: sklearn's macro averages skip it.
absent_proba = rng.dirichlet([3.0, 2.0, 2.0, 0.3], size=25)
absent_proba[:, 3] = np.minimum(absent_proba[:, 3], 0.05)
absent_proba = absent_proba / absent_proba.sum(axis=1, keepdims=True)
absent_y = rng.integers(0, 3, size=25)


def multiclass_case(y, proba, k):
    y = np.asarray(y)
    pred = proba.argmax(axis=1)
    present = sorted(set(y.tolist()))
    out = {
        "accuracy": accuracy_score(y, pred),
        "macro_precision": precision_score(y, pred, average="macro", zero_division=0),
        "macro_recall": recall_score(y, pred, average="macro", zero_division=0),
        "macro_f1": f1_score(y, pred, average="macro", zero_division=0),
        "micro_precision": precision_score(y, pred, average="micro", zero_division=0),
        "micro_recall": recall_score(y, pred, average="micro", zero_division=0),
        "micro_f1": f1_score(y, pred, average="micro", zero_division=0),
        "weighted_precision": precision_score(y, pred, average="weighted", zero_division=0),
        "weighted_recall": recall_score(y, pred, average="weighted", zero_division=0),
        "weighted_f1": f1_score(y, pred, average="weighted", zero_division=0),
        "log_loss": log_loss(y, proba, labels=list(range(k))),
        "per_class_precision": precision_score(y, pred, average=None, labels=list(range(k)), zero_division=0),
        "per_class_recall": recall_score(y, pred, average=None, labels=list(range(k)), zero_division=0),
        "per_class_f1": f1_score(y, pred, average=None, labels=list(range(k)), zero_division=0),
        "confusion": confusion_matrix(y, pred, labels=list(range(k))),
        # one-vs-rest AUC per class present in y (sklearn's multi_class="ovr" raises if one is absent)
        "per_class_roc_auc": [roc_auc_score((y == c).astype(int), proba[:, c]) if c in present else None
                              for c in range(k)],
    }
    if len(present) == k:
        out["roc_auc_ovr"] = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=list(range(k)))
    else:
        out["roc_auc_ovr"] = float(np.mean([roc_auc_score((y == c).astype(int), proba[:, c]) for c in present]))
    return out


multiclass_cases = {
    "tied": {"y": mc_tied_y, "proba": mc_tied_proba, "k": 4, "expected": multiclass_case(mc_tied_y, mc_tied_proba, 4)},
    "random": {"y": mc_random_y, "proba": mc_random_proba, "k": 3,
               "expected": multiclass_case(mc_random_y, mc_random_proba, 3)},
    "absent class": {"y": absent_y, "proba": absent_proba, "k": 4,
                     "expected": multiclass_case(absent_y, absent_proba, 4)},
}
for case in multiclass_cases.values():
    case["proba"] = case["proba"].reshape(-1)

# ── significance ─────────────────────────────────────────────────────────────────────────────────
mcnemar_pairs = [(0, 1), (1, 0), (2, 7), (5, 14), (14, 5), (3, 3), (0, 10), (10, 0), (12, 13), (253, 28),
                 (28, 253), (1000, 1100), (60000, 60500)]
mcnemar = []
for b, c in mcnemar_pairs:
    n = b + c
    stat_cc = (abs(b - c) - 1) ** 2 / n
    stat = (b - c) ** 2 / n
    mcnemar.append({
        "b": b, "c": c,
        "exact": st.binomtest(b, n, 0.5, alternative="two-sided").pvalue,
        "chi2_corrected": stat_cc, "chi2_corrected_p": st.chi2.sf(stat_cc, 1),
        "chi2": stat, "chi2_p": st.chi2.sf(stat, 1),
    })


def wilson(k, n, alpha):
    # statsmodels.stats.proportion.proportion_confint(k, n, alpha, method="wilson"), its formula verbatim
    crit = st.norm.isf(alpha / 2.0)
    q_ = k / n
    crit2 = crit ** 2
    denom = 1 + crit2 / n
    center = (q_ + crit2 / (2 * n)) / denom
    dist = crit * np.sqrt(q_ * (1.0 - q_) / n + crit2 / (4.0 * n ** 2))
    dist /= denom
    return {"k": k, "n": n, "z": crit, "low": center - dist, "high": center + dist}


wilson_cases = [wilson(k, n, a) for k, n, a in [(0, 10, 0.05), (10, 10, 0.05), (5, 10, 0.05), (379, 1210, 0.05),
                                                (1, 3, 0.05), (0, 1, 0.05), (7, 50, 0.10), (1190, 1210, 0.01)]]

norm_ppf = [{"p": p, "x": st.norm.ppf(p)} for p in [1e-12, 1e-6, 0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999,
                                                     1 - 1e-6]]

# numpy's linear percentile, bit for bit (bin edges and bootstrap intervals depend on it): arrays with
# ties, q including values whose virtual index lands at or above a half (numpy's two-sided lerp).
# Keeps the first 20 draws and every later draw (of 3000) where the one-sided a + (b − a)·t differs.
rng = np.random.default_rng(99)
percentile_cases = []
for draw in range(3000):
    arr = np.sort(np.round(rng.uniform(size=int(rng.integers(2, 12))), 2))
    q = float(rng.choice([0, 2.5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 97.5, 100]))
    value = np.percentile(arr, q)
    vi = (len(arr) - 1) * (q / 100)
    i = min(int(np.floor(vi)), len(arr) - 1)
    one_sided = arr[i] + (arr[min(i + 1, len(arr) - 1)] - arr[i]) * (vi - i)
    if draw < 20 or one_sided != value:
        percentile_cases.append({"sorted": arr, "q": q, "value": value})

out = {
    "_provenance": {
        "script": "test/reference/evaluate_ref.py",
        "python": sys.version.split()[0],
        "sklearn": sklearn.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    },
    "vectors": {"tied": tied, "large": large, "decision": decision},
    "binary": binary_cases,
    "zero_division": zero_div,
    "curves": curve_cases,
    "calibration": calibration_cases,
    "multiclass": multiclass_cases,
    "mcnemar": mcnemar,
    "wilson": wilson_cases,
    "norm_ppf": norm_ppf,
    "percentile": percentile_cases,
}
with open("test/evaluate/reference.json", "w") as f:
    json.dump(clean(out), f, indent=1)
    f.write("\n")
print("wrote test/evaluate/reference.json")
