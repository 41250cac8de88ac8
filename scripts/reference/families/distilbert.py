#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/distilbert-tiny: a tiny random DistilBertForMaskedLM (seeded; dim 32,
2 layers, 4 heads, hidden_dim 64) saved by transformers' own save_pretrained (config.json, model.safetensors) with
a DistilBertTokenizerFast over the 928-token WordPiece vocabulary of tasks/tiny/sentiment (so real sentences tokenize),
plus expected.json: for each sentence transformers' token ids, last hidden state, every layer's attention
probabilities (eager attention, output_attentions) and the MLM top-5 at each [MASK]; one padded batch; and
transformers' fill-mask pipeline output for three sentences. Everything computed in float32, as mlm4j computes.

Python only makes the fixture; DistilBertGoldenTest (mlm4j-core) and FillMaskDistilBertCommandTest (mlm4j-cli) run
without it.

    /work/venv/bin/python scripts/reference/families/distilbert.py [OUT_DIR]
"""
import json
import os
import sys

import torch
import transformers
from transformers import DistilBertConfig, DistilBertForMaskedLM, DistilBertTokenizerFast, pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(RES, "families", "distilbert-tiny")
VOCAB = os.path.join(RES, "tasks", "tiny", "sentiment", "vocab.txt")

SENTENCES = [
    "the movie was [MASK].",
    "i loved this film, it was [MASK] and [MASK].",
    "a terrible, boring story with bad acting.",
    "The Café was très bien — naïve but [MASK]!",
    "[MASK]",
    "what a wonderful day to watch a [MASK] movie with friends and family at home.",
    "the actors were good but the [MASK] was [MASK] and the end was [MASK].",
    "Ünïcödé àccents should be stripped by the [MASK] normaliser",
    "this is the best film i have ever seen",
    "no [MASK] here?",
]
BATCH = ["the movie was [MASK].", "a long, long story about a man who was not [MASK] at all, and his dog.", "[MASK] film"]
PIPELINE = ["the movie was [MASK].", "i loved this film, it was [MASK].", "the [MASK] was bad."]

os.makedirs(OUT, exist_ok=True)
with open(VOCAB, encoding="utf-8") as f:
    words = [w.rstrip("\n") for w in f]
tok = DistilBertTokenizerFast(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)

torch.manual_seed(2026)
config = DistilBertConfig(vocab_size=len(words), dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=128,
                          activation="gelu", sinusoidal_pos_embds=False, pad_token_id=0, initializer_range=0.1)
model = DistilBertForMaskedLM(config).eval()
# random init leaves LayerNorm at 1/0 and biases at 0: perturb every parameter so each one matters to the output
with torch.no_grad():
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.05)
model.save_pretrained(OUT, safe_serialization=True)
tok.save_pretrained(OUT)

m = DistilBertForMaskedLM.from_pretrained(OUT, attn_implementation="eager").eval()
tok = DistilBertTokenizerFast.from_pretrained(OUT)


def top5(logits_row):
    v, i = torch.topk(logits_row, 5)
    return {"ids": i.tolist(), "tokens": tok.convert_ids_to_tokens(i.tolist()), "logits": v.tolist()}


def run(texts):
    enc = tok(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        out = m(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_hidden_states=True,
                output_attentions=True)
    rows = []
    for b, text in enumerate(texts):
        n = int(enc["attention_mask"][b].sum())
        ids = enc["input_ids"][b][:n].tolist()
        masks = [p for p, t in enumerate(ids) if t == tok.mask_token_id]
        rows.append({
            "text": text,
            "ids": ids,
            "last_hidden_state": out.hidden_states[-1][b][:n].tolist(),
            # [layer][head][query][key], real tokens only (padded keys have probability 0)
            "attentions": [a[b, :, :n, :n].tolist() for a in out.attentions],
            "masks": [dict(position=p, **top5(out.logits[b, p])) for p in masks],
        })
    return rows


fill = pipeline("fill-mask", model=m, tokenizer=tok, top_k=5)
expected = {
    "source": "transformers " + transformers.__version__ + ", torch " + torch.__version__
              + ": DistilBertForMaskedLM.from_pretrained(this folder), float32, eager attention",
    "sentences": run(SENTENCES),
    "batch": run(BATCH),
    "fill_mask": [{"text": s, "predictions": [{"token_str": p["token_str"], "token": p["token"], "score": p["score"]}
                                             for p in fill(s)]} for s in PIPELINE],
}
with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False)
print("wrote", OUT, sorted(os.listdir(OUT)))
for s in expected["sentences"]:
    print(s["text"], [x["tokens"] for x in s["masks"]])
