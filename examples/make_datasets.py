"""Writes the example datasets under examples/ (run once; the CSVs are committed).

    /usr/bin/python3 examples/make_datasets.py     # Debian's python3-sklearn 1.2.1

- wine/wine.csv: sklearn.datasets.load_wine (UCI wine recognition, 178 rows, 13 numeric
  columns, 3 cultivars class_0/1/2), shipped with scikit-learn, no download.
- digits/digits.csv: sklearn.datasets.load_digits (1,797 8x8 images, 64 pixel columns p0..p63
  valued 0..16, 10 classes d0..d9), shipped with scikit-learn, no download.
- tickets/tickets.csv: synthetic support tickets (text + numeric + categorical, 3 queues), made
  here from a seeded generator so that the file is reproducible; about 10% of the queues are
  deliberately assigned from the wrong vocabulary so that no feature is perfect.
"""
import csv
import os
import random

from sklearn.datasets import load_digits, load_wine

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fmt(x):
    return repr(float(x)) if float(x) != int(x) else str(int(x))


wine = load_wine()
cols = [c.replace("/", "_per_") for c in wine.feature_names]
write(
    os.path.join(HERE, "wine", "wine.csv"),
    ["id"] + cols + ["cultivar"],
    [[f"w{i:03d}"] + [fmt(v) for v in row] + [f"class_{t}"] for i, (row, t) in enumerate(zip(wine.data, wine.target))],
)

digits = load_digits()
write(
    os.path.join(HERE, "digits", "digits.csv"),
    ["id"] + [f"p{j}" for j in range(64)] + ["digit"],
    [[f"img{i:04d}"] + [fmt(v) for v in row] + [f"d{t}"] for i, (row, t) in enumerate(zip(digits.data, digits.target))],
)

rng = random.Random(13)
vocab = {
    "billing": ["invoice", "refund", "charged", "twice", "payment", "card", "receipt", "subscription", "price", "bill"],
    "technical": ["error", "crash", "login", "password", "app", "slow", "bug", "update", "install", "timeout"],
    "account": ["contact", "address", "username", "delete", "profile", "settings", "name", "close", "transfer", "owner"],
}
common = ["hello", "please", "help", "my", "the", "is", "not", "working", "thanks", "since", "yesterday", "again", "urgent", "can", "you", "i", "need"]
plans = ["free", "basic", "pro", "enterprise"]
channels = ["web", "form", "phone", "chat"]
rows = []
for i in range(900):
    queue = rng.choice(list(vocab))
    source = queue if rng.random() > 0.1 else rng.choice(list(vocab))
    n_words = rng.randint(4, 30)
    words = [rng.choice(vocab[source]) if rng.random() < 0.35 else rng.choice(common) for _ in range(n_words)]
    plan = rng.choice(plans)
    channel = rng.choice(channels)
    amount = round(rng.lognormvariate(3.5, 1.0), 2) if queue == "billing" or rng.random() < 0.2 else ""
    tenure = rng.randint(0, 120) if rng.random() > 0.05 else ""
    attachments = rng.choice([0, 0, 0, 1, 2]) + (1 if queue == "technical" and rng.random() < 0.4 else 0)
    rows.append([f"t{i:04d}", " ".join(words), amount, tenure, attachments, plan, channel, queue])
write(
    os.path.join(HERE, "tickets", "tickets.csv"),
    ["id", "text", "amount", "tenure_months", "attachments", "plan", "channel", "queue"],
    rows,
)
print("wrote wine.csv (%d rows), digits.csv (%d rows), tickets.csv (%d rows)" % (len(wine.target), len(digits.target), len(rows)))
