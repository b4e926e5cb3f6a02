#!/usr/bin/python3
"""scikit-learn side of the words-featurisation benchmark (the mlloop side is features_bench.ts).

Extracts the SpamAssassin body text of all 6,046 messages with bench/sklearn_spam.py's extract_body
(the definition in /work/shared/reference/sklearn-baseline.md), writes the strings to a JSON file so
that the TypeScript side times exactly the same strings, then times
TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(bodies) 5 times and prints the median.

Run from the repo root: /usr/bin/python3 test/reference/features_bench.py [/tmp/spam_bodies.json]
"""
import json
import os
import statistics
import sys
import time

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from sklearn_spam import corpus_dir, extract_body  # noqa: E402


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/spam_bodies.json"
    with open(os.path.join(corpus_dir(), "file_list.json")) as f:
        files = json.load(f)
    bodies = []
    for rel in files:
        stem = rel[: -len(".txt")] if rel.endswith(".txt") else rel
        with open(os.path.join(corpus_dir(), stem + ".json")) as f:
            bodies.append(extract_body(json.load(f)["text"]))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(bodies, f, ensure_ascii=False)
    times, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        X = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(bodies)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "docs": len(bodies),
                "chars": sum(map(len, bodies)),
                "shape": list(X.shape),
                "nnz": int(X.nnz),
                "times_s": [round(t, 4) for t in times],
                "median_s": round(statistics.median(times), 4),
                "cpu_median_s": round(statistics.median(cpu), 4),
                "load_avg": [round(x, 2) for x in os.getloadavg()],
                "bodies": out_path,
            }
        )
    )


if __name__ == "__main__":
    main()
