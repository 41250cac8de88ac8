#!/usr/bin/env python3
"""Writes mlm4j-eval/src/test/resources/eval/tiny-bert-lm-head: a tiny random BertLMHeadModel (is_decoder=True, the
causal LM of issue 19's run b) saved by transformers' save_pretrained with its tokenizer, plus expected.json: for a few
sentences, the token ids and, for every token t >= 1, transformers' next-token log-probability of ids[t] read from the
logits at row t-1 (float64, eager attention, the causal mask transformers applies to a decoder) and its rank among the
vocabulary (1 + the number of strictly higher logits); and a greedy continuation of "the cat" by 6 pieces.

Read by dev.mlm4j.eval.NextTokenTest: `./mlm4j eval mlm --conditions next-token` must score the same targets with the
same log-probabilities, and `eval generate --strategies causal-lm` must continue the prompt with the same pieces. Python is only for making the fixture; the test runs without it.

    /work/venv/bin/python scripts/reference/eval_causal_lm.py [OUT_DIR]
"""
import json
import os
import sys

import torch
from transformers import BertConfig, BertLMHeadModel, BertTokenizerFast

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "mlm4j-eval", "src", "test", "resources", "eval", "tiny-bert-lm-head")
SENTENCES = ["the cat sat on the mat.", "a dog runs in the park, the cat sat!", "hello world, the mat is red."]

words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "the", "a", "cat", "dog", "sat", "on", "mat",
         "runs", "in", "park", "hello", "world", "is", "red", "blue", "##s", "##ed", "##ing", "h", "##e", "##l", "##o"]

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(words) + "\n")
tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)

torch.manual_seed(1919)
config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=64, type_vocab_size=2, is_decoder=True)
model = BertLMHeadModel(config).eval()
with torch.no_grad():  # random init leaves LayerNorm at 1/0 and biases at 0: perturb every parameter so each one matters
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.5)
model.save_pretrained(OUT, safe_serialization=True)
tok.save_pretrained(OUT)

m64 = BertLMHeadModel.from_pretrained(OUT, attn_implementation="eager").double().eval()
assert m64.config.is_decoder
expected = {"source": "transformers " + __import__("transformers").__version__ + ", torch " + torch.__version__
            + ": BertLMHeadModel.from_pretrained(this folder) in float64, eager attention, use_cache=False; token_type_ids 0;"
            + " next_token[t-1] = log_softmax(logits[t-1])[ids[t]] for t = 1 .. len(ids)-1, rank = 1 + #(logits > it)",
            "sentences": []}
for s in SENTENCES:
    enc = tok(s, return_tensors="pt")
    ids = enc["input_ids"][0].tolist()
    assert tok.unk_token_id not in ids, s
    with torch.no_grad():
        logits = m64(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                     token_type_ids=torch.zeros_like(enc["input_ids"]), use_cache=False).logits[0]
        # causality: the logits at a row do not depend on any later token
        changed = enc["input_ids"].clone()
        changed[0, -2] = 22
        other = m64(input_ids=changed, token_type_ids=torch.zeros_like(changed), use_cache=False).logits[0]
        assert torch.allclose(logits[:-2], other[:-2]) and not torch.allclose(logits[-2], other[-2]), "not causal"
    logp = torch.log_softmax(logits, dim=-1)
    rows = []
    for t in range(1, len(ids)):
        row = logits[t - 1]
        rows.append({"t": t, "target": ids[t], "log_prob": logp[t - 1, ids[t]].item(),
                     "rank": 1 + int((row > row[ids[t]]).sum().item())})
    expected["sentences"].append({"text": s, "ids": ids, "next_token": rows})
# greedy generation as `eval generate --strategies causal-lm` does it: the next piece is the best of the logits at the last
# token, bracketed specials ([PAD] [UNK] [CLS] [SEP] [MASK]) never chosen
prompt = "the cat"
ids = tok(prompt)["input_ids"][:-1]  # [CLS] the cat, no [SEP]
special = [i for i, w in enumerate(words) if w.startswith("[") and w.endswith("]")]
with torch.no_grad():
    for _ in range(6):
        row = m64(input_ids=torch.tensor([ids]), use_cache=False).logits[0, -1].clone()
        row[special] = float("-inf")
        ids.append(int(row.argmax()))
expected["greedy"] = {"prompt": prompt, "tokens": 6, "ids": ids}
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", OUT, sorted(os.listdir(OUT)))
print("greedy", expected["greedy"])
for e in expected["sentences"]:
    print(e["text"], [(r["t"], round(r["log_prob"], 4), r["rank"]) for r in e["next_token"]])
