#!/usr/bin/python3
"""Reference values for test/features/*.test.ts, computed with scikit-learn / numpy / Python itself.

Run from the repo root:  /usr/bin/python3 test/reference/features_ref.py
Writes test/fixtures/features/{words_sklearn,unicode_python,numpy_argsort,numeric_sklearn,
categorical_sklearn}.json. Each file records the versions and the exact calls that produced it.
Tested with Python 3.11.2, scikit-learn 1.2.1, numpy 1.24.2 (Debian bookworm python3-sklearn).
"""
import json
import os
import random
import re
import sys
import unicodedata

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "features")
VERSIONS = {
    "python": sys.version.split()[0],
    "unicode": unicodedata.unidata_version,
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
}


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    payload = {"generated_by": "test/reference/features_ref.py", "versions": VERSIONS, **payload}
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=True, indent=None, separators=(",", ":"))
        f.write("\n")


def csr(X):
    X = X.tocsr()
    X.sort_indices()
    return {
        "shape": list(X.shape),
        "indptr": X.indptr.tolist(),
        "indices": X.indices.tolist(),
        "data": [float(v) for v in X.data],
    }


# ── words ────────────────────────────────────────────────────────────────────────────────────────
# (subject, body) pairs; the document sklearn sees is subject + "\n" + body, which is what the words
# family builds from fields ["subject", "body"] with separate_fields: false.
TRAIN = [
    ("Free money", "Claim your FREE money now!!! Call 0800 123 456 today."),
    ("Meeting tomorrow", "Hi team, the meeting is moved to 10:30 tomorrow. Don't be late."),
    ("Re: meeting", "I can't make it tomorrow; let's meet on Friday instead."),
    ("WIN a prize", "You have won a prize! Click here to claim your prize now."),
    ("Lunch?", "Lunch at the café? Their crème brûlée is the best in town."),
    ("naïve question", "A naïve question about the naïve Bayes classifier in scikit_learn."),
    ("snake_case", "Use snake_case_names and __dunder__ methods; x_y is fine, _ alone is not."),
    ("Straße", "Die Straße ist lang. STRASSE oder Straße? Größe und größe."),
    ("ΟΔΟΣ", "Η ΟΔΟΣ είναι μεγάλη. Οδός και οδος: final sigma ΟΔΟΣ."),
    ("İstanbul", "İstanbul and ISTANBUL and istanbul are three spellings."),
    ("数据 科学", "数据科学 is data science. 数据 and 科学 again, 数据."),
    ("emoji 😀", "Party 🎉 time 😀😀 tonight, emoji are not words."),
    ("math 𝐀𝐁", "Bold 𝐀𝐁𝐂 letters and 𝐀𝐁 again; single 𠀀 is one character."),
    ("Deseret 𐐀𐐁", "Deseret 𐐀𐐁 lowercases to 𐐨𐐩 in Python and JavaScript."),
    ("fullwidth", "ｆｕｌｌｗｉｄｔｈ text and ｆｕｌｌｗｉｄｔｈ again, next to 𐐨𐐩."),
    ("digits 42", "Numbers 42 and 7 and 2002 and x2 and 3rd and ² superscripts ²³."),
    ("roman Ⅻ", "Roman numerals Ⅻ and ⅻ and Ⅻ, plus the ﬁ ligature ﬁne."),
    ("combining", "Cafe\u0301 with a combining accent splits: e\u0301te\u0301 and re\u0301sume\u0301."),
    ("apostrophes", "It's John's book, isn't it? O'Brien's 'quoted' words."),
    ("Money money", "money money money, free free, call now now."),
    ("claim", "Claim the prize; the prize is free. Claim now."),
    ("tomorrow", "Tomorrow we meet. Tomorrow is Friday."),
    ("data", "data data data science science python python."),
    ("café again", "Another café, another crème. Café café."),
    ("hyphen-ated", "Well-known e-mail addresses like joe@example.com and http://example.com/a_b."),
    ("tabs\tand\nnewlines", "Line one\tline two\nline three\r\nline four."),
    ("numbers", "Call 0800 now, 0800 is free; 123 456 789."),
    ("win win", "Win win win! You win a free prize."),
    ("Thai ภาษาไทย", "ภาษาไทย has combining vowels: ที่ นี่ and ไทย."),
    ("Arabic", "مرحبا بالعالم and مرحبا again."),
]
TEST = [
    ("Unseen words", "Completely unseenword and anotherunseen plus free money."),
    ("FREE", "FREE FREE free prize tomorrow"),
    ("café", "café crème naïve Straße ΟΔΟΣ"),
    ("empty", ""),
    ("only short", "a b c d e 1 2 3 _ ."),
    ("mixed", "snake_case_names data science 数据 𐐨𐐩 ｆｕｌｌｗｉｄｔｈ"),
    ("bigrams", "free money claim your prize now"),
    ("İ", "İstanbul ΟΔΟΣ Ⅻ"),
]

WORD_CONFIGS = [
    ("counts_min_df2", "CountVectorizer(min_df=2)", {"weighting": "counts", "min_df": 2},
     lambda: CountVectorizer(min_df=2)),
    ("binary", "CountVectorizer(binary=True)", {"weighting": "binary"},
     lambda: CountVectorizer(binary=True)),
    ("tfidf_sublinear_min_df2", "TfidfVectorizer(sublinear_tf=True, min_df=2)",
     {"weighting": "tfidf", "sublinear_tf": True, "min_df": 2},
     lambda: TfidfVectorizer(sublinear_tf=True, min_df=2)),
    ("tfidf_ngram_1_2", "TfidfVectorizer(ngram_range=(1, 2))", {"weighting": "tfidf", "ngram_range": [1, 2]},
     lambda: TfidfVectorizer(ngram_range=(1, 2))),
    ("counts_max_df_half", "CountVectorizer(max_df=0.5)", {"weighting": "counts", "max_df": 0.5},
     lambda: CountVectorizer(max_df=0.5)),
    ("counts_max_features10", "CountVectorizer(max_features=10)", {"weighting": "counts", "max_features": 10},
     lambda: CountVectorizer(max_features=10)),
    ("binary_max_features10", "CountVectorizer(binary=True, max_features=10)",
     {"weighting": "binary", "max_features": 10},
     lambda: CountVectorizer(binary=True, max_features=10)),
    ("tfidf_max_features10", "TfidfVectorizer(max_features=10)", {"weighting": "tfidf", "max_features": 10},
     lambda: TfidfVectorizer(max_features=10)),
    ("counts_ngram_2_3_min_df2", "CountVectorizer(ngram_range=(2, 3), min_df=2)",
     {"weighting": "counts", "ngram_range": [2, 3], "min_df": 2},
     lambda: CountVectorizer(ngram_range=(2, 3), min_df=2)),
    ("tfidf_min_df_frac_max_df_count", "TfidfVectorizer(min_df=0.1, max_df=5)",
     {"weighting": "tfidf", "min_df": 0.1, "max_df": 5},
     lambda: TfidfVectorizer(min_df=0.1, max_df=5)),
    ("tfidf_cased_unnormalized", "TfidfVectorizer(lowercase=False, norm=None)",
     {"weighting": "tfidf", "lowercase": False, "normalize": False},
     lambda: TfidfVectorizer(lowercase=False, norm=None)),
    ("tfidf_default", "TfidfVectorizer()", {"weighting": "tfidf"}, lambda: TfidfVectorizer()),
]


def stable_top(vec_factory, docs):
    """The vocabulary max_features would keep if ties were broken by a stable sort (alphabetical)."""
    v = vec_factory()
    k = v.max_features
    v.set_params(max_features=None)
    X = v.fit_transform(docs)
    if v.binary:
        X.data[:] = 1
    names = v.get_feature_names_out()
    tfs = np.asarray(X.sum(axis=0)).ravel()
    return sorted(names[np.argsort(-tfs, kind="stable")[:k]].tolist())


def words():
    train_docs = [s + "\n" + b for s, b in TRAIN]
    test_docs = [s + "\n" + b for s, b in TEST]
    cases = []
    tie_sensitive = []
    for name, call, params, factory in WORD_CONFIGS:
        v = factory()
        Xtr = v.fit_transform(train_docs)
        Xte = v.transform(test_docs)
        vocab = v.get_feature_names_out().tolist()
        case = {
            "name": name,
            "sklearn_call": call + ".fit_transform(train) / .transform(test)",
            "params": params,
            "vocabulary": vocab,
            "train": csr(Xtr),
            "test": csr(Xte),
        }
        if isinstance(v, TfidfVectorizer):
            case["idf"] = v.idf_.tolist()
        if v.max_features is not None and stable_top(factory, train_docs) != vocab:
            tie_sensitive.append(name)
        cases.append(case)
    # The max_features cases are only meaningful if numpy's unstable tie-breaking shows.
    assert tie_sensitive, "corpus does not exercise max_features tie-breaking"
    write(
        "words_sklearn.json",
        {
            "note": "documents are subject + '\\n' + body; the tests feed fields [subject, body]",
            "train": [{"subject": s, "body": b} for s, b in TRAIN],
            "test": [{"subject": s, "body": b} for s, b in TEST],
            "max_features_cases_where_stable_sort_differs": tie_sensitive,
            "cases": cases,
        },
    )
    print("words:", len(cases), "cases; tie-sensitive:", tie_sensitive)


# ── unicode: \w, lower(), tokenization ───────────────────────────────────────────────────────────
def ranges(pred):
    out, start = [], None
    for cp in range(0x110000 + 1):
        ok = cp < 0x110000 and pred(cp)
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append([start, cp - 1])
            start = None
    return out


TOKEN_CASES = [
    "Hello, World! it's a test_case of x_y and _ and __init__",
    "İstanbul İİ",
    "ΟΔΟΣ ΟΔΟΣΣ ΣΑΣ Σ",
    "Straße STRASSE ß",
    "e\u0301te\u0301 cafe\u0301",
    "数据科学 数 据",
    "𝐀𝐁𝐂 𝐀 𠀀 𠀀𠀀 a𠀀",
    "𐐀𐐁 𐐀",
    "😀😀 a😀b",
    "² ²³ Ⅻ ⅻ ①② ½¾",
    "ﬁne ﬀ",
    "ภาษาไทย ที่ นี่",
    "مرحبا",
    "tab\there new\nline cr\rlf",
    "\ud800 lone high, lone low \udc00 ok",
    "ｆｕｌｌｗｉｄｔｈ ＡＢ",
    "ǅemal ǈ ǋ",
    "",
]
WORD_RE = re.compile(r"(?u)\b\w\w+\b")


def unicode_tables():
    word = re.compile(r"\w")
    assigned = lambda cp: unicodedata.category(chr(cp)) != "Cn"  # noqa: E731
    lower = {}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if c.lower() != c:
            lower[cp] = c.lower()
    write(
        "unicode_python.json",
        {
            "word_ranges": ranges(lambda cp: not (0xD800 <= cp < 0xE000) and word.match(chr(cp)) is not None),
            "unassigned_ranges": ranges(lambda cp: not assigned(cp)),
            "lower": [[cp, s] for cp, s in sorted(lower.items())],
            "tokens": [
                {"text": t, "lower": t.lower(), "tokens_of_lower": WORD_RE.findall(t.lower()),
                 "tokens_cased": WORD_RE.findall(t)}
                for t in TOKEN_CASES
            ],
        },
    )
    print("unicode: ", len(lower), "lowercase mappings")


# ── numpy argsort (quicksort) ────────────────────────────────────────────────────────────────────
def port_aquicksort(v, n, trace):
    """Python port of numpy's aquicksort_ (used only to build an adversarial input, see below)."""
    t = list(range(n))
    if n < 2:
        return t
    pl, pr = 0, n - 1
    stack, dstack = [], []
    cdepth = (n.bit_length() - 1) * 2
    while True:
        if cdepth < 0:
            trace["heapsort"] += 1
            seg = t[pl:pr + 1]
            seg.sort(key=lambda i: v(i))  # order of the fallback is irrelevant for the adversary
            t[pl:pr + 1] = seg
        else:
            while pr - pl > 15:
                pm = pl + ((pr - pl) >> 1)
                if v.lt(t[pm], t[pl]):
                    t[pm], t[pl] = t[pl], t[pm]
                if v.lt(t[pr], t[pm]):
                    t[pr], t[pm] = t[pm], t[pr]
                if v.lt(t[pm], t[pl]):
                    t[pm], t[pl] = t[pl], t[pm]
                vp = t[pm]
                pi, pj = pl, pr - 1
                t[pm], t[pj] = t[pj], t[pm]
                while True:
                    pi += 1
                    while v.lt(t[pi], vp):
                        pi += 1
                    pj -= 1
                    while v.lt(vp, t[pj]):
                        pj -= 1
                    if pi >= pj:
                        break
                    t[pi], t[pj] = t[pj], t[pi]
                t[pi], t[pr - 1] = t[pr - 1], t[pi]
                if pi - pl < pr - pi:
                    stack += [pi + 1, pr]
                    pr = pi - 1
                else:
                    stack += [pl, pi - 1]
                    pl = pi + 1
                cdepth -= 1
                dstack.append(cdepth)
            for pi in range(pl + 1, pr + 1):
                vi = t[pi]
                pj = pi
                while pj > pl and v.lt(vi, t[pj - 1]):
                    t[pj] = t[pj - 1]
                    pj -= 1
                t[pj] = vi
        if not stack:
            break
        pr = stack.pop()
        pl = stack.pop()
        cdepth = dstack.pop()
    return t


class Adversary:
    """McIlroy's "killer adversary for quicksort": values are fixed lazily, always against the pivot."""

    def __init__(self, n):
        self.gas = n
        self.val = [self.gas] * n
        self.nsolid = 0
        self.candidate = 0

    def freeze(self, i):
        self.val[i] = self.nsolid
        self.nsolid += 1

    def lt(self, x, y):
        if self.val[x] == self.gas and self.val[y] == self.gas:
            self.freeze(x if x == self.candidate else y)
        if self.val[x] == self.gas:
            self.candidate = x
        elif self.val[y] == self.gas:
            self.candidate = y
        return self.val[x] < self.val[y]

    def __call__(self, i):
        return self.val[i]


def argsorts():
    rng = random.Random(20240521)
    cases = []
    for n in [0, 1, 2, 5, 16, 17, 40, 100, 1000, 5000]:
        for levels in [1, 3, 50]:
            vals = [float(-rng.randrange(levels)) for _ in range(n)]
            cases.append({"values": vals, "argsort": np.argsort(np.array(vals, dtype=np.float64)).tolist()})
    # The port must agree with numpy before its adversarial input can be trusted to reach heapsort.
    for c in cases:
        vals = c["values"]

        class Plain:
            def lt(self, a, b):
                return vals[a] < vals[b]

            def __call__(self, i):
                return vals[i]

        assert port_aquicksort(Plain(), len(vals), {"heapsort": 0}) == c["argsort"]
    n = 3000
    adv = Adversary(n)
    trace = {"heapsort": 0}
    port_aquicksort(adv, n, trace)
    killer = [float(x) for x in adv.val]
    trace2 = {"heapsort": 0}
    port_aquicksort(type("K", (), {"lt": lambda s, a, b: killer[a] < killer[b], "__call__": lambda s, i: killer[i]})(),
                    n, trace2)
    assert trace2["heapsort"] > 0, "adversarial input does not reach the heapsort fallback"
    cases.append({
        "values": killer,
        "argsort": np.argsort(np.array(killer, dtype=np.float64)).tolist(),
        "note": f"McIlroy adversary against median-of-3 quicksort: {trace2['heapsort']} heapsort fallbacks",
    })
    write("numpy_argsort.json", {"numpy_call": "np.argsort(np.array(values, dtype=np.float64))", "cases": cases})
    print("argsort:", len(cases), "cases; heapsort fallbacks in the adversarial case:", trace2["heapsort"])


# ── numeric ──────────────────────────────────────────────────────────────────────────────────────
NUM_COLUMNS = ["age", "income", "constant", "near_constant", "big"]
NAN = float("nan")
NUM_TRAIN = [
    [23, 52000.5, 5, 0.1, 1e15 + 1],
    [35, NAN, 5, 0.1, 1e15 + 3],
    [47, 61000.25, 5, 0.1, 1e15 + 7],
    [51, 150000, 5, 0.1, 1e15 + 9],
    [19, 18000, 5, 0.1, 1e15 + 11],
    [62, NAN, 5, 0.1, 1e15 + 13],
    [33, 47000, 5, 0.1, 1e15 + 17],
    [40, 72000, 5, 0.1, 1e15 + 19],
]
NUM_TEST = [
    [29, 39000, 5, 0.1, 1e15],
    [90, NAN, 6, 0.2, 1e15 + 100],
    [18, 1e6, 4, 0.1, 1e15 + 1],
]


def nulls(rows):
    return [[None if isinstance(v, float) and np.isnan(v) else v for v in r] for r in rows]


def numeric():
    Xtr = np.array(NUM_TRAIN, dtype=np.float64)
    Xte = np.array(NUM_TEST, dtype=np.float64)
    sc = StandardScaler().fit(Xtr)
    write(
        "numeric_sklearn.json",
        {
            "columns": NUM_COLUMNS,
            "train": nulls(NUM_TRAIN),
            "test": nulls(NUM_TEST),
            "calls": "StandardScaler().fit(train) (NaN = missing, ignored in fit, kept in transform); "
            "SimpleImputer(strategy=s).fit(train).statistics_",
            "mean": sc.mean_.tolist(),
            "scale": sc.scale_.tolist(),
            "train_scaled": nulls(sc.transform(Xtr).tolist()),
            "test_scaled": nulls(sc.transform(Xte).tolist()),
            "impute_mean": SimpleImputer(strategy="mean").fit(Xtr).statistics_.tolist(),
            "impute_median": SimpleImputer(strategy="median").fit(Xtr).statistics_.tolist(),
        },
    )
    print("numeric: scale", sc.scale_.tolist())


# ── categorical ──────────────────────────────────────────────────────────────────────────────────
CAT_COLUMNS = ["color", "size"]
CAT_TRAIN = [
    ["red", "S"], ["blue", "M"], ["red", "L"], ["Zed", "M"], ["apple", "S"], ["Äpfel", "M"],
    ["éclair", "XL"], ["red", "M"], ["ｆ", "S"], ["𝔸x", "S"], ["blue", "M"], ["ｆ", "L"], ["𝔸x", "M"],
]
CAT_TEST = [["red", "S"], ["green", "M"], ["blue", "XXL"], ["Zed", "XL"], ["𝔸x", "L"], ["éclair", "S"]]


def categorical():
    Xtr = np.array(CAT_TRAIN, dtype=object)
    Xte = np.array(CAT_TEST, dtype=object)
    plain = OneHotEncoder(handle_unknown="ignore").fit(Xtr)
    rare = OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist").fit(Xtr)
    write(
        "categorical_sklearn.json",
        {
            "columns": CAT_COLUMNS,
            "train": CAT_TRAIN,
            "test": CAT_TEST,
            "plain": {
                "call": 'OneHotEncoder(handle_unknown="ignore").fit(train)',
                "categories": [c.tolist() for c in plain.categories_],
                "test_dense": plain.transform(Xte).toarray().tolist(),
            },
            "min_frequency_2": {
                "call": 'OneHotEncoder(min_frequency=2, handle_unknown="infrequent_if_exist").fit(train)',
                "feature_names": rare.get_feature_names_out(CAT_COLUMNS).tolist(),
                "train_dense": rare.transform(Xtr).toarray().tolist(),
                "test_dense": rare.transform(Xte).toarray().tolist(),
            },
        },
    )
    print("categorical:", [c.tolist() for c in plain.categories_])


if __name__ == "__main__":
    words()
    unicode_tables()
    argsorts()
    numeric()
    categorical()
