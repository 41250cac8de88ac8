#!/usr/bin/env python3
"""Writes full-size random checkpoints (hidden 768, 12 layers, 12 heads, intermediate 3072; about 350 MB each, so not
committed) of RoBERTa (max_position_embeddings 514, pad 1, as roberta-base) and ELECTRA (embedding_size 128 projected to
768) into OUT_DIR/roberta and OUT_DIR/electra, each with expected.json in the shape of the tiny fixtures'
(scripts/reference/families/encoders.py): seeded random token ids (no tokenizer), transformers' last hidden state,
every attention matrix and the MLM top-5 at two positions, for sequences of 12, 40 and 500 tokens one by one and the
first two as a padded batch. transformers' default initialisation (initializer_range 0.02), then every parameter
perturbed. FullSizeFamiliesTest (mlm4j-core) reads them when run with -Dmlm4j.fullSizeFixtures=OUT_DIR:

    /work/venv/bin/python scripts/reference/families/full_size.py /tmp/mlm4j-full
    mvn -pl mlm4j-core -am -Dtest=FullSizeFamiliesTest -Dmlm4j.fullSizeFixtures=/tmp/mlm4j-full -Dsurefire.failIfNoSpecifiedTests=false verify
"""
import json
import os
import sys

import torch
import transformers

OUT = sys.argv[1]
VOCAB = 1000
LENGTHS = [12, 40, 500]


def make(name, model):
    folder = os.path.join(OUT, name)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.02)
    model.save_pretrained(folder, safe_serialization=True)
    m = type(model).from_pretrained(folder, attn_implementation="eager").eval()
    pad = m.config.pad_token_id
    seqs = []
    for n in LENGTHS:
        ids = torch.randint(5, VOCAB, (n,), generator=g).tolist()
        seqs.append([0] + ids[1:-1] + [2])

    def run(batch):
        width = max(len(s) for s in batch)
        ids = torch.tensor([s + [pad] * (width - len(s)) for s in batch])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
        with torch.no_grad():
            out = m(input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True)
        rows = []
        for b, s in enumerate(batch):
            n = len(s)
            positions = [1, n - 2]
            masks = []
            for p in positions:
                v, i = torch.topk(out.logits[b, p], 5)
                masks.append({"position": p, "ids": i.tolist(), "logits": v.tolist()})
            rows.append({"text": "%d random ids" % n, "ids": s, "last_hidden_state": out.hidden_states[-1][b][:n].tolist(),
                         # the long sequence's would be 12 x 12 x 500 x 500 numbers: its hidden state and logits only
                         "attentions": [a[b, :, :n, :n].tolist() for a in out.attentions] if n <= 40 else [],
                         "masks": masks})
        return rows

    expected = {"source": "transformers " + transformers.__version__ + ", torch " + torch.__version__ + ", float32, eager",
                "sentences": [run([s])[0] for s in seqs], "batch": run(seqs[:2])}
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote", folder)


torch.manual_seed(2026)
make("roberta", transformers.RobertaForMaskedLM(transformers.RobertaConfig(
    vocab_size=VOCAB, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, layer_norm_eps=1e-5)).eval())
make("electra", transformers.ElectraForMaskedLM(transformers.ElectraConfig(
    vocab_size=VOCAB, embedding_size=128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, pad_token_id=0)).eval())
