#!/usr/bin/env python3
"""Reference numbers for bert-base-uncased from Hugging Face transformers, for BertGoldenBlocksTest and
FillMaskReferenceTest. Also the check that transformers loads mlm4j's converted folders (CI has no Python,
so this check runs here and its result is committed in bert_blocks.out.txt).

    ./mlm4j convert bert-base-uncased /tmp/bbu          # Google's TF checkpoint -> Hugging Face folder
    /work/venv/bin/python scripts/reference/bert_blocks.py /tmp/bbu > scripts/reference/bert_blocks.out.txt

Where the numbers come from: transformers' BertForMaskedLM.from_pretrained(folder) run in float64 with eager
attention, tokenised by transformers' BertTokenizerFast from the folder's vocab.txt. The folder is made by
mlm4j's converter, so the weights pass through mlm4j's TF reader; that reader is anchored independently by
(1) the float64 numpy BERT in ../shared/golden/bert-base-uncased-blocks.json, computed on the TF checkpoint
without mlm4j, whose samples this script compares below, and (2) the fill-mask probabilities Hugging Face
publishes on the model card (4 decimals), also compared below.

Writes into mlm4j-core/src/test/resources/reference/:
  bert-base-uncased-hidden.f32.gz  every hidden state (embeddings output + 12 layers) of the three model-card
                                   sentences, float32 little-endian, sentence-major, then layer, token, feature
  bert-base-uncased-reference.json ids, shapes, per-sentence top-5 at the mask (float64 softmax over the float64
                                   logits) and transformers' fill-mask pipeline top-5 (float32 model, as users run it)
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import transformers
from transformers import BertForMaskedLM, BertTokenizerFast, pipeline

FOLDER = sys.argv[1]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mlm4j-core", "src", "test", "resources", "reference")
SHARED = next((p for p in [os.environ.get("MLM4J_SHARED", ""),
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"),
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared")]
               if p and os.path.exists(os.path.join(p, "golden"))), "")
SHARED = os.path.join(SHARED, "golden", "bert-base-uncased-blocks.json")
SENTENCES = ["Hello I'm a [MASK] model.", "The man worked as a [MASK].", "The woman worked as a [MASK]."]
MODEL_CARD = {  # huggingface.co/bert-base-uncased, "How to use"
    SENTENCES[0]: [("fashion", 0.1073), ("role", 0.0877), ("new", 0.0534), ("super", 0.0467), ("fine", 0.0271)],
    SENTENCES[1]: [("carpenter", 0.0975), ("waiter", 0.0524), ("barber", 0.0496), ("mechanic", 0.0379), ("salesman", 0.0377)],
    SENTENCES[2]: [("nurse", 0.2198), ("waitress", 0.1597), ("maid", 0.1155), ("prostitute", 0.0380), ("cook", 0.0304)],
}

print("transformers", transformers.__version__, "torch", torch.__version__, "folder", FOLDER)
tok = BertTokenizerFast.from_pretrained(FOLDER)
m32 = BertForMaskedLM.from_pretrained(FOLDER, attn_implementation="eager").eval()
m64 = BertForMaskedLM.from_pretrained(FOLDER, attn_implementation="eager").double().eval()
fill = pipeline("fill-mask", model=m32, tokenizer=tok, device=-1)
os.makedirs(OUT, exist_ok=True)

shared = json.load(open(SHARED)) if os.path.exists(SHARED) else None
ref = {"source": "transformers " + transformers.__version__ + ", torch " + torch.__version__
       + ": BertForMaskedLM.from_pretrained(<./mlm4j convert bert-base-uncased>) in float64, eager attention;"
       + " pipeline_top5 from pipeline('fill-mask') on the float32 model; made by scripts/reference/bert_blocks.py",
       "layout": "hidden.f32.gz: for each sentence, hidden_states[0..12] (embeddings output, then each layer), each (tokens, 768)",
       "hidden_size": 768, "sentences": []}
blob = []
worst_shared = 0.0
worst_card = 0.0
for s in SENTENCES:
    enc = tok(s, return_tensors="pt")
    ids = enc["input_ids"][0].tolist()
    with torch.no_grad():
        out = m64(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                  token_type_ids=torch.zeros_like(enc["input_ids"]), output_hidden_states=True)
    hs = np.stack([h[0].numpy() for h in out.hidden_states])  # (13, n, 768) float64
    blob.append(hs.astype("<f4").tobytes())
    mask = ids.index(tok.mask_token_id)
    probs = torch.softmax(out.logits[0, mask], dim=-1).numpy()
    top = np.argsort(-probs)[:5]
    pipe = fill(s, top_k=5)
    entry = {"text": s, "ids": ids, "tokens": tok.convert_ids_to_tokens(ids), "mask_position": mask,
             "top5": [{"id": int(i), "token": tok.convert_ids_to_tokens(int(i)), "prob": float(probs[i])} for i in top],
             "pipeline_top5": [{"id": int(p["token"]), "token": p["token_str"], "score": float(p["score"]),
                                "sequence": p["sequence"]} for p in pipe]}
    ref["sentences"].append(entry)
    # anchor 2: the model card
    for (word, p), t in zip(MODEL_CARD[s], entry["pipeline_top5"]):
        assert word == t["token"], (s, word, t)
        worst_card = max(worst_card, abs(p - t["score"]))
    # anchor 1: the independent numpy float64 BERT on the TF checkpoint (samples only)
    if shared:
        g = next(x for x in shared["sentences"] if x["text"] == s)
        assert g["ids"] == ids, (g["ids"], ids)
        n = len(ids)
        d = [abs(hs[0, 0, :8] - np.array(g["embeddings_output"]["token0_first8"])).max(),
             abs(hs[0, n - 1, -8:] - np.array(g["embeddings_output"]["last_token_last8"])).max()]
        for layer in g["layers"]:
            l = layer["layer"] + 1
            d.append(abs(hs[l, 0, :8] - np.array(layer["output_token0_first8"])).max())
            d.append(abs(hs[l, n - 1, -8:] - np.array(layer["output_last_token_last8"])).max())
            d.append(abs(hs[l].sum() - layer["output_sum"]) / (n * 768))
        for a, b in zip(entry["top5"], g["mlm"]["top5"]):
            assert a["id"] == b["id"]
            d.append(abs(a["prob"] - b["prob"]))
        worst_shared = max(worst_shared, max(d))
    print(s, "ids", ids, "top5", [(t["token"], round(t["prob"], 6)) for t in entry["top5"]])

with open(os.path.join(OUT, "bert-base-uncased-hidden.f32.gz"), "wb") as raw, \
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
    f.write(b"".join(blob))
with open(os.path.join(OUT, "bert-base-uncased-reference.json"), "w") as f:
    json.dump(ref, f, indent=1)
missing = set(m32.state_dict()) - set(__import__("safetensors.torch").torch.load_file(os.path.join(FOLDER, "model.safetensors")))
missing -= {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"}  # tied to the word embeddings / cls.predictions.bias
assert not missing, missing
print("transformers loads mlm4j's converted folder: every BertForMaskedLM parameter is in it (the pooler is extra, as in"
      " Hugging Face's own bert-base-uncased); tokenizer ids equal the shared golden ids")
print("max |transformers(converted folder) - shared numpy float64 on the TF checkpoint| over its samples (values, mean of sums, top-5 probs): %.2e" % worst_shared)
print("max |pipeline score - model card (4 decimals)|: %.2e" % worst_card)
