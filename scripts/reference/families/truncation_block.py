#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/truncation-block.json: transformers' token-classification pipeline and
the question-answering span rules (transformers 4.57.6's, re-implemented in scripts/reference/tasks/make_fixtures.py)
on copies of families/electra-tiny-{token-classification,question-answering} whose tokenizer.json declares a
"truncation" block of 16 tokens (as all-MiniLM-L6-v2's declares 128) while tokenizer_config.json says
model_max_length 64. The pipelines pass model_max_length (QA: min(it, 384)) as max_length, so the block is overridden:
NER tags all the text's tokens, QA reads windows of 64. Read by FamilyTokenClassificationTest and
QuestionAnsweringFamiliesTest, which patch the same copies.

    /work/venv/bin/python scripts/reference/families/truncation_block.py

Made with transformers 5.18.0 and tokenizers 0.22.2 first on the path (0.23.1-0.23.2 drop overflowing windows,
huggingface/tokenizers#2091; see scripts/reference/tasks/make_fixtures.sh).
"""
import json
import os
import shutil
import sys
import tempfile
import warnings

import tokenizers
import transformers
from transformers import AutoModelForQuestionAnswering, AutoTokenizer, pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tasks"))
from make_fixtures import qa_pipeline  # noqa: E402

FAMILIES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources", "families")
TRUNCATION = {"direction": "Right", "max_length": 16, "strategy": "LongestFirst", "stride": 0}
MODEL_MAX_LENGTH = 64
TEXT = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty Berlin Paris London")
QUESTION = "Where is the tower?"
CONTEXT = " ".join(["The tower stands in Paris near the river, and many visitors come every year to see it."] * 6)


def patched(name, tmp):
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(FAMILIES, name), d)
    with open(os.path.join(d, "tokenizer.json")) as f:
        t = json.load(f)
    t["truncation"] = TRUNCATION
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(t, f)
    with open(os.path.join(d, "tokenizer_config.json")) as f:
        c = json.load(f)
    c["model_max_length"] = MODEL_MAX_LENGTH
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(c, f)
    return d


def plain(x):
    if isinstance(x, list):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x.item() if hasattr(x, "item") else x


def main():
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        ner_dir = patched("electra-tiny-token-classification", tmp)
        ner = pipeline("token-classification", model=ner_dir, tokenizer=ner_dir, aggregation_strategy="none",
                       ignore_labels=[])
        qa_dir = patched("electra-tiny-question-answering", tmp)
        model = AutoModelForQuestionAnswering.from_pretrained(qa_dir).eval()
        tok = AutoTokenizer.from_pretrained(qa_dir)
        answers, chunks = qa_pipeline(model, tok, QUESTION, CONTEXT, top_k=3)
        out = {"source": "transformers " + transformers.__version__ + " (tokenizers " + tokenizers.__version__
                         + "), scripts/reference/families/truncation_block.py",
               "truncation": TRUNCATION, "model_max_length": MODEL_MAX_LENGTH,
               "ner": {"text": TEXT, "entities": plain(ner(TEXT))},
               "qa": {"question": QUESTION, "context": CONTEXT, "top_k": 3, "windows": len(chunks), "answers": answers}}
    path = os.path.join(FAMILIES, "truncation-block.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote", path, len(out["ner"]["entities"]), "entities,", len(chunks), "QA windows")


if __name__ == "__main__":
    main()
