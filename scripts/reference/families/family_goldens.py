"""What deberta_v2.py and modernbert.py share: the inputs, the Brown corpus their tokenizers are trained on, the rows of
expected.json every family's golden test reads (token ids, last hidden state, attentions, MLM top-5) and its
writing. Fixtures only; mlm4j never runs Python."""
import gzip
import json
import os

import torch
from transformers import pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources")

SENTENCES = [
    "the movie was [MASK].",
    "i loved this film, it was [MASK] and [MASK].",
    "a terrible, boring story with bad acting.",
    "[MASK]",
    "what a wonderful day to watch a [MASK] movie with friends and family at home.",
    "the actors were good but the [MASK] was [MASK] and the end was [MASK], said the man who had seen it twice before.",
    "no [MASK] here?",
]
BATCH = ["the movie was [MASK].", "a long, long story about a man who was not [MASK] at all, and his dog and his cat.", "[MASK] film"]
FILL_MASK = ["the movie was [MASK].", "i loved this film, it was [MASK].", "the [MASK] was bad."]


def brown():
    """The 10,000 Brown sentences of tokens/brown-10k.txt.gz."""
    with gzip.open(os.path.join(RES, "tokens", "brown-10k.txt.gz"), "rt", encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def mlm_rows(tok, enc, out, texts):
    """One row per text of a (padded) batch: its real tokens' ids, last hidden state, attentions [layer][head][query][key]
    and the MLM top-5 at each [MASK] (else at the first and last token)."""
    rows = []
    for b, text in enumerate(texts):
        n = int(enc["attention_mask"][b].sum())
        ids = enc["input_ids"][b][:n].tolist()
        masks = [p for p, t in enumerate(ids) if t == tok.mask_token_id] or [0, n - 1]
        top = []
        for p in masks:
            v, i = torch.topk(out.logits[b, p], 5)
            top.append({"position": p, "ids": i.tolist(), "logits": v.tolist()})
        rows.append({"text": text, "ids": ids, "last_hidden_state": out.hidden_states[-1][b][:n].tolist(),
                     "attentions": [a[b, :, :n, :n].tolist() for a in out.attentions], "masks": top})
    return rows


def fill_mask(model, tok):
    """transformers' fill-mask pipeline (its tokenizer, its post-processing) on FILL_MASK: what ./mlm4j fill-mask must print."""
    fill = pipeline("fill-mask", model=model, tokenizer=tok, top_k=5)
    return [{"text": t, "predictions": [{"token_str": p["token_str"], "token": p["token"], "score": p["score"]} for p in fill(t)]}
            for t in FILL_MASK]


def short(x):
    """float32 values printed with 9 significant digits (exact for float32), not float64's 17."""
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, list):
        return [short(v) for v in x]
    if isinstance(x, dict):
        return {k: short(v) for k, v in x.items()}
    return x


def write(folder, expected):
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(short(expected), f, ensure_ascii=False)
