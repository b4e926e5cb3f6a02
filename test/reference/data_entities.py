"""Generates the HTML 4 entity table pasted into src/data/email/entities.ts (Python stdlib only).

Run: python3 test/reference/data_entities.py
"""
from html.entities import name2codepoint as m

items = sorted(m.items(), key=lambda kv: (kv[1], kv[0]))
s = ",".join(f"{k}:{v}" for k, v in items)
out, line = [], ""
for part in s.split(","):
    piece = part + ","
    if len(line) + len(piece) > 100:
        out.append(line)
        line = ""
    line += piece
out.append(line.rstrip(","))
print(" +\n".join(f'  "{l}"' for l in out) + ";")
