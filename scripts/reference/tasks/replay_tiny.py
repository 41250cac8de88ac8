#!/usr/bin/env python3
"""Replay check: load each committed tiny checkpoint with a fresh transformers pipeline (as a user would:
pipeline(task, model=FOLDER)) and compare with its expected.json. make_fixtures.py reuses one forward pass
across the kwargs variants of an input; this shows that changes nothing and that the committed folders
(not the in-memory models) give these outputs.  Usage: replay_tiny.py OUT_DIR   (exit 1 on any difference)
"""
import json
import sys

from transformers import pipeline


def close(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= 1e-6
    return a == b


def main(out):
    bad_total = 0
    for name, task in [("sentiment", "text-classification"), ("topics-multilabel", "text-classification"),
                       ("rating-regression", "text-classification"), ("ner", "token-classification"),
                       ("nli", "zero-shot-classification")]:
        d = f"{out}/tiny/{name}"
        exp = json.load(open(d + "/expected.json", encoding="utf-8"))
        pipe = pipeline(task, model=d, device="cpu")
        bad = 0
        for c in exp["cases"]:
            got = json.loads(json.dumps(pipe(c["input"], **c["kwargs"]), default=float))
            if not close(got, c["output"]):
                bad += 1
                if bad <= 3:
                    print("DIFF", name, c["id"], got, c["output"])
        print(f"tiny/{name}: {len(exp['cases']) - bad}/{len(exp['cases'])} cases replay identically")
        bad_total += bad
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
