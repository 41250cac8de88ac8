#!/usr/bin/env python3
"""Gradient parity fixtures for training ModernBERT: PyTorch autograd's loss and every parameter's gradient for one
fixed batch, for ModernBertForMaskedLM, ModernBertForSequenceClassification (classifier_pooling "cls", and "mean") and
ModernBertForTokenClassification, on the tiny random checkpoint mlm4j-core/src/test/resources/families/modernbert-tiny
(scripts/reference/families/modernbert.py made it: 4 layers full, sliding, sliding, full; local_attention 8, so the
window |i - j| <= 4 cuts the batch's sequences of 12 and 7 tokens; no biases but the decoder's and the classifier's;
LayerNorms without bias), every parameter perturbed first (as family_gradients.py does).

Writes mlm4j-core/src/test/resources/training/modernbert/<case>/ for case in mlm, classify, classify-mean, tag:
  config.json, model.safetensors, tokenizer.json, tokenizer_config.json   the perturbed model (save_pretrained)
  batch.json             two sequences of 12 and 7 tokens (family_gradients.batch_for: labels at a few positions for MLM,
                         one per sequence for classify, one per token with -100 on the first and last for tag); the second
                         holds pad_token_id once, whose word-table row takes no gradient (nn.Embedding's padding_idx).
                         PyTorch pads with pad_token_id and attention_mask, mlm4j packs them
  gradients.safetensors  "loss" (1) and, for every parameter under the name model.safetensors has it (the tied decoder
                         is model.embeddings.tok_embeddings.weight), its .grad, computed in float64 (stored as float32) in
                         train mode with every dropout 0, eager attention

Read by dev.mlm4j.model.ModernBertGradientParityTest. Python only makes the fixture; the test runs without it.

    /work/venv/bin/python scripts/reference/training/modernbert_gradients.py
"""
import json
import os
import shutil
import sys

import torch
import transformers
import transformers.models.modernbert.modeling_modernbert as modeling

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_gradients import ROOT, batch_for, save_gradients  # noqa: E402

SOURCE = os.path.join(ROOT, "families", "modernbert-tiny")
OUT = os.path.join(ROOT, "training", "modernbert")

# (case, transformers class, objective, config overrides)
CASES = [
    ("mlm", transformers.ModernBertForMaskedLM, "mlm", {}),
    ("classify", transformers.ModernBertForSequenceClassification, "classify", dict(num_labels=3)),
    ("classify-mean", transformers.ModernBertForSequenceClassification, "classify", dict(num_labels=3, classifier_pooling="mean")),
    ("tag", transformers.ModernBertForTokenClassification, "tag", dict(num_labels=5)),
]


def finite(make_mask):
    """The eager masks hold float64's min, which the float32 softmax turns into -inf: a padded query whose window holds
    only padding (the second sequence's last rows on a sliding-window layer) then gets NaN probabilities, and NaN values
    reach every row through P V (0 * NaN). Clamped to -1e30 the masked probabilities are still exactly 0, and a fully
    masked row is finite (it feeds only padding, which no loss reads)."""
    def wrapped(**kwargs):
        m = make_mask(**kwargs)
        return m.clamp(min=-1e30) if m is not None and m.dtype.is_floating_point else m
    return wrapped


modeling.create_bidirectional_mask = finite(modeling.create_bidirectional_mask)
modeling.create_bidirectional_sliding_window_mask = finite(modeling.create_bidirectional_sliding_window_mask)


def main():
    torch.manual_seed(2027)
    for name, cls, objective, overrides in CASES:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        config = transformers.AutoConfig.from_pretrained(SOURCE)
        for field in ("embedding_dropout", "attention_dropout", "mlp_dropout", "classifier_dropout"):
            setattr(config, field, 0.0)
        for k, v in overrides.items():
            setattr(config, k, v)
        model = cls.from_pretrained(SOURCE, config=config)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        model.save_pretrained(folder, safe_serialization=True)
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(SOURCE, f), folder)

        pad_id = config.pad_token_id
        seqs, labels = batch_for(objective, config.vocab_size, getattr(config, "num_labels", 2), len(name), pad_id)
        with open(os.path.join(folder, "batch.json"), "w") as f:
            json.dump({"ids": seqs, "token_types": [[0] * len(s) for s in seqs], "labels": labels}, f)

        n = max(len(s) for s in seqs)
        pad = lambda rows, v: torch.tensor([r + [v] * (n - len(r)) for r in rows])
        model = model.double()
        model.config._attn_implementation = "eager"
        model.train()
        target = torch.tensor([l[0] for l in labels]) if objective == "classify" else pad(labels, -100)
        out = model(input_ids=pad(seqs, pad_id), attention_mask=pad([[1] * len(s) for s in seqs], 0), labels=target)
        out.loss.backward()
        count = save_gradients(model, out.loss, folder, cls, "in float64, eager attention, train mode, dropout 0")
        print(name, cls.__name__, "loss %.9f" % out.loss.item(), count, "gradients")


if __name__ == "__main__":
    main()
