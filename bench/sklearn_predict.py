#!/usr/bin/env python3
"""scikit-learn side of `npm run bench:predict`.

Reads the documents mlloop parsed (subject + "\n" + body per message, the words family's pooled
text) and the training split's ids and labels, fits Pipeline(TfidfVectorizer, LogisticRegression)
with the spec's settings on the training documents (not timed), then times
Pipeline.predict_proba on every document, `--reps` times, alternating nothing else.

Usage: /usr/bin/python3 bench/sklearn_predict.py docs.json --reps 5 --C 1 --min-df 2
Prints one JSON object: wall and CPU seconds (time.process_time, all threads) per repetition,
their medians, and P(spam) per document.
"""
import argparse
import json
import statistics
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("docs")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--min-df", type=int, default=2)
    args = ap.parse_args()
    with open(args.docs, encoding="utf-8") as f:
        data = json.load(f)
    docs = data["docs"]
    train = data["train"]
    y = [1 if data["labels"][i] == "spam" else 0 for i in train]
    pipe = Pipeline(
        [
            ("tfidf", TfidfVectorizer(min_df=args.min_df, sublinear_tf=True, lowercase=True)),
            ("lr", LogisticRegression(C=args.C, max_iter=1000)),
        ]
    )
    pipe.fit([docs[i] for i in train], y)
    seconds = []
    cpu = []
    proba = None
    for _ in range(args.reps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        proba = pipe.predict_proba(docs)
        cpu.append(time.process_time() - c0)
        seconds.append(time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "median_s": statistics.median(seconds),
                "cpu_seconds": cpu,
                "median_cpu_s": statistics.median(cpu),
                "n": len(docs),
                "n_features": len(pipe.named_steps["tfidf"].vocabulary_),
                "p_spam": [float(p[1]) for p in proba],
            }
        )
    )


if __name__ == "__main__":
    main()
