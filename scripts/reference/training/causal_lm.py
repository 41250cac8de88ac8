#!/usr/bin/env python3
"""Causal-LM fixture for mlm4j's CLM objective (issue 18): the tiny masked-LM BERT of gradient_parity.py run as
transformers' BertLMHeadModel with is_decoder=True (the same weights, bert.* and cls.predictions.*, under a causal
attention mask: token t sees tokens <= t) on batch.json's two sequences, labels = the input ids, which the model
shifts itself (the logits at t predict token t+1; a sequence's last token predicts nothing).

Writes mlm4j-core/src/test/resources/training/tiny-bert-mlm/causal_lm.safetensors: "loss" (1) and every parameter's
gradient (float64 computation, stored as float32, dropout 0, eager attention). Read by dev.mlm4j.train.CausalLmTest.

    /work/venv/bin/python scripts/reference/training/causal_lm.py
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertLMHeadModel

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test",
                   "resources", "training", "tiny-bert-mlm")
with open(os.path.join(DIR, "batch.json")) as f:
    batch = json.load(f)
config = BertConfig.from_pretrained(DIR)
config.is_decoder = True
model = BertLMHeadModel.from_pretrained(DIR, config=config, attn_implementation="eager").double()
model.train()  # dropout probabilities are 0

n = max(len(s) for s in batch["ids"])
def pad(rows, value):
    return torch.tensor([r + [value] * (n - len(r)) for r in rows])
ids, types = pad(batch["ids"], 0), pad(batch["token_types"], 0)
mask = pad([[1] * len(s) for s in batch["ids"]], 0)
labels = pad(batch["ids"], -100)

# causality check: changing the last token of sequence 0 leaves every earlier position's logits unchanged
with torch.no_grad():
    a = model(input_ids=ids, token_type_ids=types, attention_mask=mask, use_cache=False).logits
    changed = ids.clone(); changed[0, len(batch["ids"][0]) - 1] = 50
    b = model(input_ids=changed, token_type_ids=types, attention_mask=mask, use_cache=False).logits
    last = len(batch["ids"][0]) - 1
    assert torch.allclose(a[0, :last], b[0, :last]) and not torch.allclose(a[0, last], b[0, last]), "not causal"

out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels, use_cache=False)
out.loss.backward()
tensors = {"loss": out.loss.detach().reshape(1).float()}
for name, p in model.named_parameters():
    tensors[name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().contiguous()
save_file(tensors, os.path.join(DIR, "causal_lm.safetensors"),
          metadata={"source": "transformers %s, torch %s: BertLMHeadModel(is_decoder=True) in float64, eager, dropout 0"
                    % (__import__("transformers").__version__, torch.__version__)})
print("causal LM loss", out.loss.item(), "parameters", len(tensors) - 1)
