#!/usr/bin/python3
"""Reference values for test/models/*.test.ts, computed with scikit-learn.

Run from the repository root:  /usr/bin/python3 test/reference/models_ref.py
It writes test/fixtures/models/reference.json (data + expected outputs). The data are generated here
with a fixed numpy RNG so the fixture can be regenerated bit for bit; the TypeScript tests read the
data and the expected values from the JSON and never compute expectations themselves.
"""
import json
import sys
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.svm import LinearSVC
from sklearn.naive_bayes import BernoulliNB, ComplementNB, MultinomialNB

warnings.simplefilter("ignore")  # ConvergenceWarning from the polishing refits
rng = np.random.default_rng(20240521)
N, D, NTEST = 40, 12, 10

# Sparse count matrix: Poisson counts with ~60% zeros, labels that depend on the counts plus noise
# (so no class is perfectly separable and the regularised optimum is well defined).
rates = rng.uniform(0.2, 1.5, size=D)
def counts(n):
    x = rng.poisson(rates, size=(n, D)).astype(float)
    x[rng.uniform(size=(n, D)) < 0.45] = 0.0
    return x

X = counts(N)
Xt = counts(NTEST)
score_w = rng.normal(size=(3, D))
logits = X @ score_w.T + rng.normal(scale=1.5, size=(N, 3))
y3 = logits.argmax(axis=1)
y2 = (logits[:, 0] - logits[:, 1] + 0.8 > 0).astype(int)  # imbalanced-ish binary labels
sw = rng.uniform(0.3, 2.0, size=N)

Xs, Xts = sp.csr_matrix(X), sp.csr_matrix(Xt)

def lr_case(name, y, sample_weight=None, **params):
    # scipy's L-BFGS-B stops on its relative-reduction test (ftol, which sklearn does not expose)
    # long before gtol=1e-10, leaving coefficients accurate to only ~1e-4. Warm-started refits of the
    # same sklearn estimator polish the optimum until a refit moves no coefficient by more than 1e-9.
    m = LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10000, warm_start=True, **params)
    refits = 0
    prev = None
    while refits < 200:
        m.fit(Xs, y, sample_weight=sample_weight)
        refits += 1
        cur = np.concatenate([m.coef_.ravel(), np.atleast_1d(m.intercept_)])
        if prev is not None and np.max(np.abs(cur - prev)) < 1e-9:
            break
        prev = cur
    grad = kkt_residual(m, y, sample_weight, **params)
    print(f"{name}: {refits} warm-started lbfgs fits, max |gradient| of the objective {grad:.1e}", file=sys.stderr)
    return {
        "name": name,
        "y": "y2" if y is y2 else "y3",
        "sampleWeight": sample_weight is not None,
        "params": params,
        "coef": m.coef_.tolist(),
        "intercept": np.atleast_1d(m.intercept_).tolist(),
        "probaTest": m.predict_proba(Xts).tolist(),
        "refGradMax": grad,
    }

def kkt_residual(m, y, sample_weight, C=1.0, class_weight=None, multi_class="auto", fit_intercept=True):
    """Max |gradient| of 0.5*||W||^2 + C*sum_i s_i*loss_i at sklearn's solution (the reference's own precision)."""
    s = np.ones(N) if sample_weight is None else sample_weight.copy()
    K = len(np.unique(y))
    W, b = m.coef_, np.atleast_1d(m.intercept_)
    worst = 0.0
    if K == 2 or multi_class == "ovr":
        for k in range(W.shape[0]):
            t = y if K == 2 else (y == k).astype(int)
            ss = s.copy()
            if class_weight == "balanced":
                ss *= np.where(t == 1, N / (2 * t.sum()), N / (2 * (N - t.sum())))
            elif isinstance(class_weight, dict):
                ss *= np.array([class_weight[v] for v in y])
            r = ss * (1 / (1 + np.exp(-(X @ W[k] + b[k]))) - t)
            g = C * X.T @ r + W[k]
            if fit_intercept:
                g = np.append(g, C * r.sum())
            worst = max(worst, float(np.max(np.abs(g))))
    else:
        if class_weight == "balanced":
            s = s * (N / (K * np.bincount(y)))[y]
        Z = X @ W.T + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        R = (P - np.eye(K)[y]) * s[:, None]
        g = C * R.T @ X + W
        worst = float(np.max(np.abs(g)))
        if fit_intercept:
            worst = max(worst, float(np.max(np.abs(C * R.sum(axis=0)))))
    return worst

def sparse_lr_case(name, y, sample_weight=None, **params):
    """L1 / elastic net: sklearn's saga (intercept unpenalised, like ours), run to a tiny tol."""
    m = LogisticRegression(solver="saga", tol=1e-12, max_iter=1_000_000, random_state=0, **params)
    m.fit(Xs, y, sample_weight=sample_weight)
    grad = l1_kkt_residual(m, y, sample_weight, **params)
    print(f"{name}: saga {m.n_iter_} epochs, max KKT violation {grad:.1e}, zeros {int((m.coef_ == 0).sum())}", file=sys.stderr)
    return {
        "name": name,
        "y": "y2" if y is y2 else "y3",
        "sampleWeight": sample_weight is not None,
        "params": params,
        "coef": m.coef_.tolist(),
        "intercept": np.atleast_1d(m.intercept_).tolist(),
        "probaTest": m.predict_proba(Xts).tolist(),
        "refGradMax": grad,
    }

def l1_kkt_residual(m, y, sample_weight, C=1.0, penalty="l1", l1_ratio=None, multi_class="auto"):
    """Max violation of the optimality conditions of ½(1-ρ)‖W‖² + ρ‖W‖₁ + C Σ s_i loss_i."""
    rho = 1.0 if penalty == "l1" else l1_ratio
    s = np.ones(N) if sample_weight is None else sample_weight
    K = len(np.unique(y))
    W, b = np.atleast_2d(m.coef_), np.atleast_1d(m.intercept_)
    if K == 2:
        r = s * (1 / (1 + np.exp(-(X @ W[0] + b[0]))) - y)
        G, gb = (C * X.T @ r)[None, :], np.array([C * r.sum()])
    else:
        Z = X @ W.T + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        R = (P - np.eye(K)[y]) * s[:, None]
        G, gb = C * R.T @ X, C * R.sum(axis=0)
    G = G + (1 - rho) * W
    viol = np.where(W != 0, np.abs(G + rho * np.sign(W)), np.maximum(np.abs(G) - rho, 0))
    return float(max(viol.max(), np.abs(gb).max()))

lr_cases = [
    lr_case("binary C=1", y2, C=1.0),
    lr_case("binary C=0.1", y2, C=0.1),
    lr_case("binary C=10 sample weights", y2, sw, C=10.0),
    lr_case("binary balanced", y2, C=1.0, class_weight="balanced"),
    lr_case("binary balanced + sample weights", y2, sw, C=1.0, class_weight="balanced"),
    lr_case("binary class_weight dict", y2, C=1.0, class_weight={0: 2.5, 1: 0.5}),
    lr_case("binary no intercept", y2, C=1.0, fit_intercept=False),
    lr_case("multinomial C=1", y3, C=1.0, multi_class="multinomial"),
    lr_case("multinomial C=5 sample weights", y3, sw, C=5.0, multi_class="multinomial"),
    lr_case("multinomial balanced", y3, C=1.0, multi_class="multinomial", class_weight="balanced"),
    lr_case("multinomial no intercept", y3, C=1.0, multi_class="multinomial", fit_intercept=False),
    lr_case("ovr C=1", y3, C=1.0, multi_class="ovr"),
    lr_case("ovr balanced + sample weights", y3, sw, C=1.0, multi_class="ovr", class_weight="balanced"),
    sparse_lr_case("binary l1 C=0.5", y2, C=0.5, penalty="l1"),
    sparse_lr_case("binary elasticnet 0.5 sample weights", y2, sw, C=1.0, penalty="elasticnet", l1_ratio=0.5),
    sparse_lr_case("multinomial l1 C=0.5", y3, C=0.5, penalty="l1", multi_class="multinomial"),
    sparse_lr_case("multinomial elasticnet 0.3", y3, C=1.0, penalty="elasticnet", l1_ratio=0.3, multi_class="multinomial"),
]

def nb_case(name, cls, y, sample_weight=None, **params):
    m = cls(**params)
    m.fit(Xs, y, sample_weight=sample_weight)
    return {
        "name": name,
        "variant": {MultinomialNB: "multinomial", BernoulliNB: "bernoulli", ComplementNB: "complement"}[cls],
        "y": "y2" if y is y2 else "y3",
        "sampleWeight": sample_weight is not None,
        "params": params,
        "featureLogProb": m.feature_log_prob_.tolist(),
        "classLogPrior": m.class_log_prior_.tolist(),
        "logProbaTest": m.predict_log_proba(Xts).tolist(),
        "probaTest": m.predict_proba(Xts).tolist(),
    }

nb_cases = [
    nb_case("multinomial default", MultinomialNB, y3),
    nb_case("multinomial alpha=0.5 sample weights", MultinomialNB, y3, sw, alpha=0.5),
    nb_case("multinomial binary no prior", MultinomialNB, y2, fit_prior=False),
    nb_case("bernoulli default", BernoulliNB, y3),
    nb_case("bernoulli binarize=1.5 sample weights", BernoulliNB, y3, sw, binarize=1.5),
    nb_case("bernoulli binary alpha=2", BernoulliNB, y2, alpha=2.0),
    nb_case("complement default", ComplementNB, y3),
    nb_case("complement norm sample weights", ComplementNB, y3, sw, norm=True),
    nb_case("complement binary alpha=0.3", ComplementNB, y2, alpha=0.3),
]

def svm_case(name, y, sample_weight=None, **params):
    # tol=1e-10, not smaller: at 1e-12 liblinear's shrinking can stall on a shrunk subproblem that never
    # meets the tolerance in floating point, and stop at max_iter away from the optimum.
    m = LinearSVC(dual=True, tol=1e-10, max_iter=1_000_000, random_state=0, **params)
    m.fit(Xs, y, sample_weight=sample_weight)
    check = LinearSVC(dual=True, tol=1e-8, max_iter=1_000_000, random_state=1, **params)
    check.fit(Xs, y, sample_weight=sample_weight)
    gap = float(np.max(np.abs(m.coef_ - check.coef_)))
    print(f"{name}: {m.n_iter_} passes; |coef(tol 1e-10) - coef(tol 1e-8, other shuffle)| = {gap:.1e}", file=sys.stderr)
    return {
        "name": name,
        "y": "y2" if y is y2 else "y3",
        "sampleWeight": sample_weight is not None,
        "params": params,
        "coef": m.coef_.tolist(),
        # LinearSVC(fit_intercept=False) has a scalar intercept_ of 0.0: one per output here.
        "intercept": np.broadcast_to(np.atleast_1d(m.intercept_), m.coef_.shape[0]).tolist(),
        "decisionTest": np.atleast_2d(m.decision_function(Xts).T).T.tolist(),
    }

svm_cases = [
    svm_case("binary squared hinge C=1", y2, C=1.0),
    svm_case("binary hinge C=0.5", y2, C=0.5, loss="hinge"),
    svm_case("binary balanced + sample weights", y2, sw, C=1.0, class_weight="balanced"),
    svm_case("binary intercept_scaling=10", y2, C=0.2, intercept_scaling=10.0),
    svm_case("ovr squared hinge C=0.3", y3, C=0.3),
    svm_case("ovr hinge sample weights", y3, sw, C=1.0, loss="hinge"),
    svm_case("ovr class_weight dict", y3, C=0.5, class_weight={0: 0.5, 1: 2.0, 2: 3.0}),
    svm_case("ovr no intercept", y3, C=1.0, fit_intercept=False),
]

# Platt scaling on fixed decision values (those of a LinearSVC on the training rows).
platt_F = LinearSVC(C=1.0, tol=1e-8, max_iter=100000, random_state=0).fit(Xs, y2).decision_function(Xs)
platt_cases = []
for name, weights in [("unweighted", None), ("sample weights", sw)]:
    a, b = _sigmoid_calibration(platt_F, y2, weights)
    platt_cases.append({"name": name, "sampleWeight": weights is not None, "A": float(a), "B": float(b)})

def sgd_exact_case(name, y, sample_weight=None, **params):
    """shuffle=False: the visiting order is the row order, so the iterates are reproducible exactly."""
    m = SGDClassifier(shuffle=False, **params)
    m.fit(Xs, y, sample_weight=sample_weight)
    return {
        "name": name,
        "y": "y2" if y is y2 else "y3",
        "sampleWeight": sample_weight is not None,
        "params": params,
        "coef": m.coef_.tolist(),
        "intercept": np.atleast_1d(m.intercept_).tolist(),
        "nIter": int(m.n_iter_),
    }

sgd_exact = [
    sgd_exact_case("hinge optimal binary", y2, alpha=1e-3, max_iter=50),
    sgd_exact_case("log_loss optimal binary, balanced + sample weights", y2, sw, loss="log_loss", alpha=1e-3, class_weight="balanced", max_iter=50),
    sgd_exact_case("modified_huber constant multiclass", y3, loss="modified_huber", learning_rate="constant", eta0=0.01, max_iter=50),
    sgd_exact_case("log_loss invscaling averaged multiclass", y3, loss="log_loss", learning_rate="invscaling", eta0=0.1, alpha=1e-3, average=True, max_iter=50),
    sgd_exact_case("hinge average from 15, class_weight dict, tol None", y2, alpha=1e-2, average=15, class_weight={0: 2.0, 1: 0.7}, tol=None, max_iter=7),
    sgd_exact_case("log_loss no intercept multiclass, sample weights", y3, sw, loss="log_loss", fit_intercept=False, alpha=1e-2, max_iter=50),
]

# Behaviour with shuffling: a larger text-like problem (L2-normalised sparse counts, 3 classes).
NB_TRAIN, NB_TEST, DB = 600, 300, 40
brates = rng.uniform(0.1, 1.0, size=DB)
def text_like(n):
    x = rng.poisson(brates, size=(n, DB)).astype(float)
    x[rng.uniform(size=(n, DB)) < 0.5] = 0.0
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)
bw = rng.normal(scale=2.0, size=(3, DB))
Xb, Xbt = text_like(NB_TRAIN), text_like(NB_TEST)
yb = (Xb @ bw.T + rng.normal(scale=0.4, size=(NB_TRAIN, 3))).argmax(axis=1)
ybt = (Xbt @ bw.T + rng.normal(scale=0.4, size=(NB_TEST, 3))).argmax(axis=1)

def sgd_behaviour_case(name, **params):
    accs, iters, losses, coefs = [], [], [], []
    for seed in range(5):
        m = SGDClassifier(random_state=seed, **params).fit(sp.csr_matrix(Xb), yb)
        accs.append(m.score(sp.csr_matrix(Xbt), ybt))
        iters.append(m.n_iter_)
        coefs.append(m.coef_)
        if params.get("loss") in ("log_loss", "modified_huber"):
            losses.append(log_loss(ybt, np.clip(m.predict_proba(sp.csr_matrix(Xbt)), 1e-15, 1)))
    print(f"sgd {name}: accuracy {np.mean(accs):.3f} ± {np.std(accs):.3f}, epochs {np.mean(iters):.1f}", file=sys.stderr)
    return {
        "name": name,
        "params": params,
        "meanAccuracy": float(np.mean(accs)),
        "meanEpochs": float(np.mean(iters)),
        "meanLogLoss": float(np.mean(losses)) if losses else None,
        "meanCoef": np.mean(coefs, axis=0).tolist(),
    }

sgd_behaviour = [
    sgd_behaviour_case("hinge optimal", alpha=1e-3),
    sgd_behaviour_case("log_loss optimal", loss="log_loss", alpha=1e-3),
    sgd_behaviour_case("modified_huber optimal averaged", loss="modified_huber", alpha=1e-3, average=True),
    sgd_behaviour_case("log_loss constant", loss="log_loss", learning_rate="constant", eta0=0.05, alpha=1e-4),
    sgd_behaviour_case("log_loss invscaling averaged", loss="log_loss", learning_rate="invscaling", eta0=0.5, alpha=1e-4, average=True),
    sgd_behaviour_case("hinge early stopping", alpha=1e-4, early_stopping=True, validation_fraction=0.2),
]

out = {
    "provenance": (
        f"test/reference/models_ref.py with scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, "
        f"numpy {np.__version__}: LogisticRegression(solver='lbfgs', tol=1e-10, max_iter=10000, **params) and "
        "MultinomialNB/BernoulliNB/ComplementNB(**params), LinearSVC(dual=True, tol=1e-10, max_iter=1e6, random_state=0, **params), "
        "SGDClassifier(**params) (shuffle=False for exact cases; random_state 0..4 for behaviour cases), "
        "fitted on csr_matrix(X) with y and optional sample_weight; sklearn.calibration._sigmoid_calibration(F, y2, sw)"
    ),
    "X": X.tolist(),
    "Xtest": Xt.tolist(),
    "y2": y2.tolist(),
    "y3": y3.tolist(),
    "sampleWeight": sw.tolist(),
    "logisticRegression": lr_cases,
    "naiveBayes": nb_cases,
    "linearSvm": svm_cases,
    "platt": {"decision": platt_F.tolist(), "y": "y2", "cases": platt_cases},
    "sgdExact": sgd_exact,
    "sgdBehaviour": {
        "X": Xb.tolist(),
        "y": yb.tolist(),
        "Xtest": Xbt.tolist(),
        "ytest": ybt.tolist(),
        "cases": sgd_behaviour,
    },
}
with open("test/fixtures/models/reference.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote test/fixtures/models/reference.json", file=sys.stderr)
