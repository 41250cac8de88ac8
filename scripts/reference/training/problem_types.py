#!/usr/bin/env python3
"""Gradient parity fixtures for the losses of transformers' BertForSequenceClassification under config.problem_type
"regression" and "multi_label_classification": PyTorch autograd's loss and every parameter's gradient for one fixed
batch on a tiny random BERT (the sizes and the two sequences of tiny-bert-classify, from gradient_parity.py), float64,
train mode, dropout 0.

Writes, under mlm4j-core/src/test/resources/training/:
  tiny-bert-regression/     num_labels 1, problem_type regression: MSELoss(logits.squeeze(), labels.squeeze())
  tiny-bert-regression3/    num_labels 3, problem_type regression: MSELoss(logits, labels), mean over all elements
  tiny-bert-multilabel/     num_labels 4, problem_type multi_label_classification: BCEWithLogitsLoss(logits, labels)
each with config.json, model.safetensors, vocab.txt (save_pretrained of a random model, every parameter perturbed),
batch.json ({"ids", "token_types", "targets": one row of num_labels floats per sequence}) and gradients.safetensors
("loss" (1) and every named parameter's .grad).

Read by dev.mlm4j.model.GradientParityTest. Python only makes the fixtures; the test runs without it.

    /work/venv/bin/python scripts/reference/training/problem_types.py [TRAINING_DIR]
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForSequenceClassification

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources", "training")
with open(os.path.join(ROOT, "tiny-bert-classify", "batch.json")) as f:
    base = json.load(f)
with open(os.path.join(ROOT, "tiny-bert-classify", "vocab.txt")) as f:
    vocab = f.read()

encoder = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
               max_position_embeddings=64, type_vocab_size=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
ids, types = base["ids"], base["token_types"]
n = max(len(r) for r in ids)
input_ids = torch.tensor([r + [0] * (n - len(r)) for r in ids])
token_types = torch.tensor([r + [0] * (n - len(r)) for r in types])
attention_mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in ids])

# (folder, num_labels, problem_type, targets per sequence, seed)
CASES = [
    ("tiny-bert-regression", 1, "regression", [[2.5], [-0.75]], 31),
    ("tiny-bert-regression3", 3, "regression", [[0.5, -1.25, 3.0], [1.5, 0.0, -2.0]], 32),
    ("tiny-bert-multilabel", 4, "multi_label_classification", [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0]], 33),
]
for folder, num_labels, problem, targets, seed in CASES:
    out = os.path.join(ROOT, folder)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write(vocab)
    config = BertConfig(**encoder, num_labels=num_labels, problem_type=problem)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    with torch.no_grad():                 # random init leaves LayerNorms at 1/0 and biases at 0: perturb every parameter
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.save_pretrained(out, safe_serialization=True)
    with open(os.path.join(out, "batch.json"), "w") as f:
        json.dump({"ids": ids, "token_types": types, "targets": targets}, f)

    m64 = BertForSequenceClassification.from_pretrained(out, attn_implementation="eager").double()
    m64.train()                           # dropout probabilities are 0, so train mode is deterministic
    assert m64.config.problem_type == problem, m64.config.problem_type
    labels = torch.tensor(targets, dtype=torch.float64)
    if num_labels == 1:
        labels = labels.reshape(-1)       # as run_classification's float column: one number per sequence
    o = m64(input_ids=input_ids, token_type_ids=token_types, attention_mask=attention_mask, labels=labels)
    o.loss.backward()
    tensors = {"loss": o.loss.detach().reshape(1).float()}
    for name, p in m64.named_parameters():
        tensors[name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().contiguous()
    save_file(tensors, os.path.join(out, "gradients.safetensors"),
              metadata={"source": "transformers %s, torch %s: BertForSequenceClassification, problem_type %s, num_labels %d, float64, eager attention, train mode, dropout 0"
                        % (__import__("transformers").__version__, torch.__version__, problem, num_labels)})
    print(folder, problem, "loss", o.loss.item(), "parameters", len(tensors) - 1)
