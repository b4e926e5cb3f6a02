#!/usr/bin/env python3
"""Reference values for the words family's hashing vectorizer (test/loop/cache-hashing.test.ts).

    /usr/bin/python3 test/reference/features_hashing_ref.py

scikit-learn 1.2.1 (Debian python3-sklearn): sklearn.utils.murmurhash3_32(s, seed=0) and
HashingVectorizer(n_features=16 or 32, norm=None, ...) followed by TfidfTransformer where stated.
Prints JSON; the numbers are pasted into the test.
"""
import json

from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.utils import murmurhash3_32

STRINGS = ["", "a", "ab", "abc", "abcd", "abcde", "hello", "free money", "caf\u00e9", "\u65e5\u672c\u8a9e", "\U0001F600x"]
TRAIN = ["Free money now, free MONEY!", "meeting at noon", "the money meeting was free", "café crème café"]
TEST = ["free café", "nothing known here", "noon noon money"]

out = {"murmur": {s: murmurhash3_32(s, seed=0) for s in STRINGS}}
counts = HashingVectorizer(n_features=16, norm=None, alternate_sign=True)
out["counts_signed_16"] = counts.transform(TRAIN + TEST).toarray().tolist()
out["counts_unsigned_16_bigrams"] = (
    HashingVectorizer(n_features=32, norm=None, alternate_sign=False, ngram_range=(1, 2))
    .transform(TRAIN + TEST)
    .toarray()
    .tolist()
)
out["binary_16"] = HashingVectorizer(n_features=16, norm=None, binary=True).transform(TRAIN + TEST).toarray().tolist()
tfidf = TfidfTransformer().fit(counts.transform(TRAIN))
out["tfidf_signed_16_test"] = tfidf.transform(counts.transform(TEST)).toarray().tolist()
out["tfidf_signed_16_train"] = tfidf.transform(counts.transform(TRAIN)).toarray().tolist()
print(json.dumps(out))
