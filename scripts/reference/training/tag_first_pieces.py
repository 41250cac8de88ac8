#!/usr/bin/env python3
"""Which token of each word `train tag` labels, as transformers' tokenizers say: for each family's tokenizer under
mlm4j-core/src/test/resources/families/ and each sentence (words joined with spaces, as mlm4j's tagging joins them),
the ids of tokenizer(text) and, per token, the index of the word it is the first token of (BatchEncoding.word_ids():
the first token carrying each word index; -100 on every other token and on the special tokens) -- the token
run_ner puts the word's tag on (label_all_tokens=False).

The sentences are whitespace-separated words without punctuation, so the pre-tokenizers' words are the words. They
cover the offsets that differ between families: SentencePiece pieces whose offsets start on the space before the word
(DeBERTa's "▁mo"), byte-level pieces that keep their space (ModernBERT, trim_offsets false: "Ġm"), pieces that drop it
(RoBERTa: "Ġmo"), and a lone space piece before a word ("Ġ"/"▁" then "U").

Writes mlm4j-core/src/test/resources/training/tag-first-pieces.json; read by dev.mlm4j.train.TagFirstPieceTest.

    /work/venv/bin/python scripts/reference/training/tag_first_pieces.py
"""
import json
import os

from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources")
FAMILIES = ["deberta-v3-tiny", "deberta-v2-tiny", "modernbert-tiny", "roberta-tiny", "xlm-roberta-tiny"]
SENTENCES = ["James moved to Paris", "the University of Chicago won", "she studied in France and Japan",
             "John Smith works for the bank", "the French team lost"]

out = {}
for family in FAMILIES:
    tok = AutoTokenizer.from_pretrained(os.path.join(RES, "families", family))
    rows = []
    for text in SENTENCES:
        enc = tok(text)
        words = enc.word_ids()
        first, seen = [], set()
        for w in words:
            if w is None or w in seen:
                first.append(-100)
            else:
                seen.add(w)
                first.append(w)
        assert len(seen) == len(text.split()), (family, text, words)
        rows.append({"words": text.split(), "ids": enc["input_ids"], "first_piece_of_word": first})
    out[family] = rows

with open(os.path.join(RES, "training", "tag-first-pieces.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", sum(len(v) for v in out.values()), "sentences for", len(out), "families")
