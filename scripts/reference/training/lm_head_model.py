#!/usr/bin/env python3
"""Causal-LM (decoder) fixture: a tiny random transformers BertLMHeadModel with is_decoder=True, as `./mlm4j train clm`
writes one (architectures ["BertLMHeadModel"], "is_decoder": true; the keys bert.* and cls.predictions.* of
BertForMaskedLM), saved by save_pretrained into mlm4j-core/src/test/resources/training/tiny-bert-decoder/ with the
WordPiece vocabulary of training/tiny-bert-mlm and expected.json: for batch.json's two sequences (run one at a time, so
no padding), transformers' every hidden state (embeddings and each layer), the logits (float32, eager attention, eval
mode) and, as a check that the model is causal, the logits again with each sequence's last token changed (the rows
before it must not move). Seeded (torch.manual_seed(19)); every parameter drawn from N(0, 0.2²) around its init, so each
matters. Read by dev.mlm4j.model.BertDecoderGoldenTest.

    /work/venv/bin/python scripts/reference/training/lm_head_model.py
"""
import json
import os
import shutil

import torch
import transformers
from transformers import BertConfig, BertLMHeadModel

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources", "training")
SRC = os.path.join(RES, "tiny-bert-mlm")
OUT = os.path.join(RES, "tiny-bert-decoder")

torch.manual_seed(19)
config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                    max_position_embeddings=64, is_decoder=True, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                    architectures=["BertLMHeadModel"])
model = BertLMHeadModel(config).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        p.add_(torch.randn_like(p) * 0.2)
model.config._attn_implementation = "eager"
os.makedirs(OUT, exist_ok=True)
model.save_pretrained(OUT)
shutil.copy(os.path.join(SRC, "vocab.txt"), os.path.join(OUT, "vocab.txt"))
with open(os.path.join(OUT, "tokenizer_config.json"), "w") as f:
    json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 64}, f, indent=2)

with open(os.path.join(SRC, "batch.json")) as f:
    batch = json.load(f)
reloaded = BertLMHeadModel.from_pretrained(OUT, attn_implementation="eager").eval()
assert reloaded.config.is_decoder
sequences = []
with torch.no_grad():
    for ids, types in zip(batch["ids"], batch["token_types"]):
        i, t = torch.tensor([ids]), torch.tensor([types])
        out = reloaded(input_ids=i, token_type_ids=t, output_hidden_states=True, use_cache=False)
        changed = i.clone(); changed[0, -1] = 50 if ids[-1] != 50 else 51
        again = reloaded(input_ids=changed, token_type_ids=t, use_cache=False).logits
        assert torch.allclose(out.logits[0, :-1], again[0, :-1]) and not torch.allclose(out.logits[0, -1], again[0, -1]), "not causal"
        sequences.append({"ids": ids, "token_types": types,
                          "hidden_states": [h[0].tolist() for h in out.hidden_states],
                          "logits": out.logits[0].tolist()})
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"source": "transformers %s, torch %s: BertLMHeadModel(is_decoder=True), float32, eager, eval"
               % (transformers.__version__, torch.__version__), "sequences": sequences}, f)
print("wrote", OUT, "transformers", transformers.__version__)
