"""Reference values for the words family's stop_words and char_ngrams options (test/features/email-words-rich.test.ts).

Run: /usr/bin/python3 test/reference/features_words_rich_ref.py   (scikit-learn 1.2.1, Python 3.11)
Prints each case's vocabulary (term -> column count over all documents) as JSON; the test pastes them.
"""
import json

import sklearn
from sklearn.feature_extraction.text import CountVectorizer

DOCS = [
    "The offer is free for all of you and your friends",
    "We will not be able to attend the meeting on Monday",
    "Free money: claim your free prize now, it is not a joke",
]
CHAR_DOCS = ["free offer", "offer of money", "free money now"]


def totals(vectorizer, docs):
    m = vectorizer.fit_transform(docs)
    sums = m.sum(axis=0).A1
    return {t: int(sums[i]) for t, i in sorted(vectorizer.vocabulary_.items())}


out = {
    "sklearn": sklearn.__version__,
    "stop_words_unigrams": totals(CountVectorizer(stop_words="english"), DOCS),
    "stop_words_bigrams": totals(CountVectorizer(stop_words="english", ngram_range=(1, 2)), DOCS),
    "char_wb_3_4": totals(CountVectorizer(analyzer="char_wb", ngram_range=(3, 4)), CHAR_DOCS),
}
print(json.dumps(out, indent=1, ensure_ascii=False))
