#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/added-tokens.json: how tokenizers 0.23.2 (the Rust library behind
transformers' fast tokenizers) encodes text around each family's added tokens — the mask with lstrip (RoBERTa, XLM-R,
ModernBERT), without (DeBERTa-v3, ELECTRA, DistilBERT) — after white space of every kind, at the start and the end,
twice in a row. For every family fixture's tokenizer.json and every text: ids, token strings and offsets (UTF-16
indices, Java's; Python counts code points, which differ after an emoji). An lstrip token is the text it took
(" <mask>"), offsets included, unless a ByteLevel post-processor trims them (RoBERTa).

    /work/venv/bin/python scripts/reference/families/added_tokens.py
"""
import json
import os

import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILIES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources", "families")
NAMES = ["roberta-tiny", "xlm-roberta-tiny", "modernbert-tiny", "deberta-v3-tiny", "electra-tiny-bare",
         "distilbert-tiny"]
SHAPES = ["Paris is the {m} of France.", "a  {m} b", "{m} starts", "ends with {m}", "tab\t{m}.", "two {m} {m} in a row",
          "glued{m}x", "emoji 🙂 {m} after", "no-break\u00a0{m} space", "ideographic\u3000{m} space",
          "line\n{m}\n\nnext", "  {m}  ", "{m}{m}"]


def utf16(text, i):
    return len(text[:i].encode("utf-16-le")) // 2


def main():
    out = {"tokenizers": tokenizers.__version__, "cases": {}}
    for name in NAMES:
        t = Tokenizer.from_file(os.path.join(FAMILIES, name, "tokenizer.json"))
        mask = next(a.content for a in t.get_added_tokens_decoder().values() if "mask" in a.content.lower())
        rows = []
        for shape in SHAPES:
            text = shape.format(m=mask)
            e = t.encode(text)
            rows.append({"text": text, "ids": e.ids, "tokens": e.tokens,
                         "offsets": [[utf16(text, s), utf16(text, x)] for s, x in e.offsets]})
        out["cases"][name] = rows
    with open(os.path.join(FAMILIES, "added-tokens.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
