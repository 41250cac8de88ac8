#!/usr/bin/env python3
"""Cross-check: run the REAL transformers 4.57.6 question-answering pipeline on the same model folders and
compare with the expected.json that make_fixtures.py wrote with its re-implementation of the span rules.

Run with transformers 4.57.6 first on the path (make_fixtures.sh sets that up in a throw-away --target dir):
  PYTHONPATH=/tmp/v4lib python qa_crosscheck_v4.py EXPECTED.json MODEL_DIR [EXPECTED.json MODEL_DIR ...]
Exits non-zero on any difference (answer/start/end exact, score within 1e-6 absolute).
"""
import json
import sys

import transformers
from transformers import pipeline

assert transformers.__version__.startswith("4."), transformers.__version__


def norm(o):
    return o if isinstance(o, list) else [o]


def main(args):
    bad = 0
    total = 0
    for exp_path, model_dir in zip(args[0::2], args[1::2]):
        exp = json.load(open(exp_path, encoding="utf-8"))
        qa = pipeline("question-answering", model=model_dir, tokenizer=model_dir, device=-1)
        for case in exp["cases"]:
            total += 1
            got = norm(qa(question=case["input"]["question"], context=case["input"]["context"], **case["kwargs"]))
            want = norm(case["output"])
            ok = len(got) == len(want) and all(
                g["answer"] == w["answer"] and g["start"] == w["start"] and g["end"] == w["end"]
                and abs(g["score"] - w["score"]) <= 1e-6 for g, w in zip(got, want))
            if not ok:
                bad += 1
                print(f"DIFF {exp_path} {case['id']} {case['kwargs']}\n  4.57.6: {got}\n  fixture: {want}")
    print(f"transformers {transformers.__version__} question-answering pipeline: {total - bad}/{total} cases agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
