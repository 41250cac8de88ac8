#!/usr/bin/env python3
"""Gradient parity fixtures for training DeBERTa-v3: PyTorch autograd's loss and every parameter's gradient for one
fixed batch, for transformers' DebertaV2ForMaskedLM (the lm_predictions head), DebertaV2ForSequenceClassification
(ContextPooler pooler.dense + GELU, then classifier) and DebertaV2ForTokenClassification, from the tiny random
checkpoint mlm4j-core/src/test/resources/families/deberta-v3-tiny (scripts/reference/families/deberta_v2.py made it:
hidden 32, 2 layers, 4 heads, position_buckets 8, max_relative_positions 32, share_att_key, pos_att_type p2c|c2p,
norm_rel_ebd layer_norm, no absolute positions), every parameter perturbed first (as family_gradients.py does: random
init leaves LayerNorms at 1/0 and biases at 0). The relative embeddings and their LayerNorm are parameters (the encoder
normalises them on every forward); query_proj and key_proj also project them (share_att_key), so their gradients hold
those parts.

Writes mlm4j-core/src/test/resources/training/deberta/<case>/ for case in mlm, classify, tag, v2-mlm (DeBERTa-v2's
other attention settings), legacy-mlm (the cls.predictions head), v2-embed-mlm (embed_proj), v2-conv-mlm and v2-tanh-mlm (the
convolution), see CASES:
  config.json, model.safetensors, tokenizer.json, tokenizer_config.json   the perturbed model (save_pretrained)
  batch.json             two sequences [CLS] … [SEP] of 40 and 9 tokens (the first long enough that its farthest
                         distances share log buckets and reach the clamped last row of the relative table), the second
                         holding the pad token [PAD] once (its word-table row takes no gradient: padding_idx); labels as
                         family_gradients.py gives them; PyTorch pads with [PAD] and attention_mask, mlm4j packs
  gradients.safetensors  "loss" (1) and every parameter's .grad under its saved name, in float64 (stored as float32),
                         train mode with every dropout 0

Read by dev.mlm4j.model.DebertaV2GradientParityTest. Python only makes the fixture; the test runs without it.

    /work/venv/bin/python scripts/reference/training/deberta_gradients.py
"""
import json
import os
import shutil
import sys

import torch
import transformers
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_gradients import save_gradients  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources")
SOURCE = os.path.join(ROOT, "families", "deberta-v3-tiny")
OUT = os.path.join(ROOT, "training", "deberta")

CASES = [
    ("mlm", transformers.DebertaV2ForMaskedLM),
    ("classify", transformers.DebertaV2ForSequenceClassification),
    ("tag", transformers.DebertaV2ForTokenClassification),
    # DeBERTa-v2's other attention settings (families/deberta-v2-tiny's config without what has no backward pass in
    # mlm4j: its convolution, embed_proj and the legacy head): own pos_key_proj/pos_query_proj (no share_att_key), no
    # buckets (max_relative_positions 16: the 40-token sequence's distances past 15 are clamped), no LayerNorm on the
    # relative embeddings, absolute positions and two token types (the first sequence's second half is type 1); a new
    # random model, every parameter perturbed
    ("v2-mlm", transformers.DebertaV2ForMaskedLM),
    # deberta-v3-tiny's encoder under the legacy masked-LM head (config.json "legacy": true, transformers' default):
    # cls.predictions.transform.{dense,LayerNorm}, the decoder tied to the word embeddings, cls.predictions.bias; a new
    # head, perturbed
    ("legacy-mlm", transformers.DebertaV2ForMaskedLM),
    # families/deberta-v2-tiny's config but its convolution: embed_proj (embedding_size 24 → hidden 32) and the legacy
    # head over the 24-wide embeddings (transform.dense 32 → 24, the decoder the 24-wide word table)
    ("v2-embed-mlm", transformers.DebertaV2ForMaskedLM),
    # families/deberta-v2-tiny's config as it is: the convolution after the first layer too (conv_act gelu), and the
    # same with conv_act tanh (transformers' default)
    ("v2-conv-mlm", transformers.DebertaV2ForMaskedLM),
    ("v2-tanh-mlm", transformers.DebertaV2ForMaskedLM),
]
V2 = os.path.join(ROOT, "families", "deberta-v2-tiny")
PAD, CLS, SEP, MASK, FIRST_WORD = 0, 1, 2, 600, 4
NUM_LABELS = 3


def batch_for(objective, vocab, seed):
    g = torch.Generator().manual_seed(seed)
    seqs = [[CLS] + torch.randint(FIRST_WORD, vocab - 1, (n,), generator=g).tolist() + [SEP] for n in (38, 7)]
    seqs[1][2] = PAD
    if objective == "mlm":
        labels = [[-100] * len(s) for s in seqs]
        for s, positions in ((0, (2, 5, 9, 33)), (1, (3,))):
            for p in positions:
                labels[s][p] = seqs[s][p]
        seqs[0][2] = MASK
        seqs[0][5] = MASK
        seqs[0][9] = 42                                   # a random replacement
    elif objective == "classify":
        labels = [[NUM_LABELS - 1], [0]]
    else:
        labels = [[-100] + torch.randint(0, NUM_LABELS, (len(s) - 2,), generator=g).tolist() + [-100] for s in seqs]
        labels[0][4] = -100                               # a word piece that carries no label
    return seqs, labels


def main():
    torch.manual_seed(2026)
    for name, cls in CASES:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        config = transformers.AutoConfig.from_pretrained(V2 if name.startswith("v2-") else SOURCE)
        config.hidden_dropout_prob = 0.0
        config.attention_probs_dropout_prob = 0.0
        config.pooler_dropout = 0.0
        config.cls_dropout = None
        if not name.endswith("mlm"):
            config.num_labels = NUM_LABELS
        # as from_pretrained would (transformers 5.18 cannot from_pretrained a legacy=False DebertaV2ForMaskedLM: its
        # tied-weights bookkeeping asks lm_predictions.lm_head for a `weight` it does not have): the class's own init,
        # then the source's tensors; a new head keeps its init
        if name == "legacy-mlm":
            config.legacy = True
        if name in ("v2-mlm", "v2-embed-mlm"):
            config.conv_kernel_size = 0
        if name == "v2-tanh-mlm":
            config.conv_act = "tanh"
        if name == "v2-mlm":
            config.embedding_size = config.hidden_size
            config.legacy = False
        model = cls(config)
        result = model.load_state_dict({} if name.startswith("v2-") else load_file(os.path.join(SOURCE, "model.safetensors")), strict=False)
        # lm_predictions.lm_head.weight: the tied word table under the name transformers' bookkeeping gives it
        assert name.startswith("v2-") or all(k.startswith(("pooler.", "classifier.", "cls.")) or k == "lm_predictions.lm_head.weight"
                                             for k in result.missing_keys), result.missing_keys
        assert not result.unexpected_keys or name != "mlm", result.unexpected_keys
        model.tie_weights()
        if name.endswith("mlm") and not config.legacy:
            assert model.lm_predictions.lm_head.weight is model.deberta.embeddings.word_embeddings.weight
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        model.save_pretrained(folder, safe_serialization=True)
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(SOURCE, f), folder)

        objective = name.split("-")[-1]
        seqs, labels = batch_for(objective, config.vocab_size, len(name))
        types = [[0] * len(s) for s in seqs]
        if name.startswith("v2-"):
            types[0] = [0] * 20 + [1] * (len(seqs[0]) - 20)
        with open(os.path.join(folder, "batch.json"), "w") as f:
            json.dump({"ids": seqs, "token_types": types, "labels": labels}, f)

        n = max(len(s) for s in seqs)
        pad = lambda rows, v: torch.tensor([r + [v] * (n - len(r)) for r in rows])
        model = model.double()
        model.train()
        target = torch.tensor([l[0] for l in labels]) if objective == "classify" else pad(labels, -100)
        out = model(input_ids=pad(seqs, PAD), attention_mask=pad([[1] * len(s) for s in seqs], 0), token_type_ids=pad(types, 0), labels=target)
        out.loss.backward()
        count = save_gradients(model, out.loss, folder, cls, "in float64, train mode, dropout 0")
        print(name, cls.__name__, "loss %.9f" % out.loss.item(), count, "gradients")


if __name__ == "__main__":
    main()
