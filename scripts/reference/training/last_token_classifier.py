#!/usr/bin/env python3
"""Sequence classification on a causal BERT, pooling the last token (issue 19): mlm4j's BertForSequenceClassification
under config.json's "is_decoder": true and "mlm4j_pooling": "last" (what `./mlm4j train classify` starts on a
`train clm` model). transformers has no such class (its BertForSequenceClassification pools [CLS], which under the causal
mask sees only itself), so this script computes the same thing by hand from transformers' parts: BertModel with
is_decoder=True (the causal mask in every layer) -> each sequence's last non-pad row ([SEP]) -> the pooler's dense + tanh
-> the classifier -> mean cross-entropy, in float64 (train mode, dropout 0, eager attention).

Starts from training/tiny-bert-classify's weights and batch.json, writes training/tiny-bert-decoder-classify/: config.json
(+ is_decoder, mlm4j_pooling), model.safetensors, vocab.txt, batch.json, gradients.safetensors ("loss" and every
parameter's .grad) and logits.json (the two sequences' logits, which inference must give too). Read by dev.mlm4j.model.GradientParityTest.

    /work/venv/bin/python scripts/reference/training/last_token_classifier.py
"""
import json
import os
import shutil

import torch
import transformers
from safetensors.torch import save_file
from transformers import BertForSequenceClassification

RES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources", "training")
SRC, OUT = os.path.join(RES, "tiny-bert-classify"), os.path.join(RES, "tiny-bert-decoder-classify")

model = BertForSequenceClassification.from_pretrained(SRC, attn_implementation="eager")
model.config.is_decoder = True
model.config.mlm4j_pooling = "last"
os.makedirs(OUT, exist_ok=True)
model.save_pretrained(OUT)
for f in ("vocab.txt", "batch.json"):
    shutil.copy(os.path.join(SRC, f), os.path.join(OUT, f))
with open(os.path.join(OUT, "batch.json")) as f:
    batch = json.load(f)

m = BertForSequenceClassification.from_pretrained(OUT, attn_implementation="eager").double()
assert m.config.is_decoder and m.config.mlm4j_pooling == "last"
m.train()  # dropout probabilities are 0
n = max(len(s) for s in batch["ids"])
def pad(rows, value):
    return torch.tensor([r + [value] * (n - len(r)) for r in rows])
ids, types = pad(batch["ids"], 0), pad(batch["token_types"], 0)
mask = pad([[1] * len(s) for s in batch["ids"]], 0)
labels = torch.tensor([l[0] for l in batch["labels"]])

hidden = m.bert(input_ids=ids, token_type_ids=types, attention_mask=mask, use_cache=False).last_hidden_state
last = torch.tensor([len(s) - 1 for s in batch["ids"]])
pooled = torch.tanh(m.bert.pooler.dense(hidden[torch.arange(len(last)), last]))
logits = m.classifier(pooled)
loss = torch.nn.functional.cross_entropy(logits, labels)
loss.backward()

# the causal mask is in force: [CLS]'s state does not depend on the tokens after it
with torch.no_grad():
    changed = ids.clone(); changed[0, 1] = 50
    again = m.bert(input_ids=changed, token_type_ids=types, attention_mask=mask, use_cache=False).last_hidden_state
    assert torch.allclose(hidden[0, 0], again[0, 0]) and not torch.allclose(hidden[0, -1], again[0, -1])

tensors = {"loss": loss.detach().reshape(1).float()}
for name, p in m.named_parameters():
    tensors[name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().contiguous()
save_file(tensors, os.path.join(OUT, "gradients.safetensors"),
          metadata={"source": "transformers %s, torch %s: BertModel(is_decoder=True) + last-token pooler + classifier, float64, eager, dropout 0"
                    % (transformers.__version__, torch.__version__)})
with open(os.path.join(OUT, "logits.json"), "w") as f:
    json.dump({"logits": logits.detach().tolist()}, f)
print("loss", loss.item(), "logits", logits.tolist(), "parameters", len(tensors) - 1)
