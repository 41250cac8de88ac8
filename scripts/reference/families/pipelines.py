#!/usr/bin/env python3
"""Writes families/<family>-tiny/pipelines.json for roberta, xlm-roberta and electra: transformers' token-classification
pipeline (aggregation none, simple, first, average, max) on the <family>-tiny-token-classification folder (made by encoders.py), for
a few texts: what TokenClassification must equal on these families' tokenizers (byte-level BPE, Unigram, WordPiece).
transformers 5 has no question-answering pipeline, so QA has no such fixture here.

    /work/venv/bin/python scripts/reference/families/pipelines.py
"""
import json
import os

import tokenizers
import transformers
from transformers import pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILIES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources", "families")
TEXTS = ["My name is Wolfgang and I live in Berlin.", "The Café was très bien, naïve but charming!",
         "If we return to them today, we have no difficulty spotting their weaknesses.",
         # a <mask> whose lstrip takes the newline before it: its word is "<mask>" (convert_ids_to_tokens)
         ".\n<mask> and 3.14"]
# XLM-R only: words after an unknown piece in one group keep their space ("ΟΔΥΣΣΕΥΣ Paulo"). Not for RoBERTa: there
# transformers decodes a group's already-decoded words again as bytes ("ΟΔΥΣΣΕΥΣ" → "�ΔΥΣΣΕΥΣ"), which mlm4j does not copy.
UNIGRAM_TEXTS = ["Berlin  ΟΔΥΣΣΕΥΣ\nPaulo\nhttp://x.y/z in ﬁne co-operate Mr.  co-operate  antidisestablishmentarianism\n北京"]
AGGREGATIONS = ["none", "simple", "first", "average", "max"]


def plain(x):
    if isinstance(x, list):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x.item() if hasattr(x, "item") else x


for family in ["roberta", "xlm-roberta", "electra"]:
    out = {"source": "transformers " + transformers.__version__ + " (tokenizers " + tokenizers.__version__ + ") pipelines on " + family + "-tiny-token-classification"}
    ner_dir = os.path.join(FAMILIES, family + "-tiny-token-classification")
    out["token_classification"] = {}
    for agg in AGGREGATIONS:
        ner = pipeline("token-classification", model=ner_dir, tokenizer=ner_dir, aggregation_strategy=agg)
        out["token_classification"][agg] = [{"text": t, "entities": plain(ner(t))}
                                           for t in TEXTS + (UNIGRAM_TEXTS if family == "xlm-roberta" else [])]
    path = os.path.join(FAMILIES, family + "-tiny", "pipelines.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote", path)
