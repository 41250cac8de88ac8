#!/usr/bin/env python3
"""Writes full-size random checkpoints of all five families beside BERT (about 350-450 MB each, so not committed) into
OUT_DIR/<family>, each in its base model's shape with its tiny fixture's tokenizer and vocabulary (600-928 tokens):

  roberta      roberta-base: hidden 768, 12 layers, 12 heads, intermediate 3072, 514 positions, pad 1
  electra      electra-base's encoder with 128-wide embeddings projected to 768 (ELECTRA-small's embedding_size)
  deberta-v3   deberta-v3-base: 768 x 12, relative attention with position_buckets 256, max_relative_positions -1,
               share_att_key, pos_att_type [p2c, c2p], norm_rel_ebd layer_norm, no absolute positions, no token types,
               the MLM head as v3 checkpoints carry it (lm_predictions.lm_head, legacy false)
  modernbert   ModernBERT-base: hidden 768, 22 layers, 12 heads, intermediate 1152 (GeGLU), global attention on every
               third layer and a 128-token sliding window on the others, rotary thetas 160000 / 10000
  distilbert   distilbert-base: dim 768, 6 layers, 12 heads, hidden_dim 3072, learned positions

each with expected.json in the shape of the tiny fixtures' (scripts/reference/families/encoders.py, deberta_v2.py,
modernbert.py, distilbert.py: family_goldens.mlm_rows' rows): seeded random token ids between the family's [CLS] and
[SEP] ids (no tokenizer), transformers' last hidden state, every attention matrix (sequences of at most 40 tokens; the
longer ones would be up to 22 x 12 x 500 x 500 numbers) and the MLM top-5 at two positions, for sequences of 12, 40,
200 and 500 tokens one by one and the first three as a padded batch. 200 and 500 tokens are past ModernBERT's
128-token window and DeBERTa-v3's 256 buckets (its logarithmic buckets start at 128), so both are exercised.
transformers' default initialisation (initializer_range 0.02), then every parameter perturbed; eager attention.
FullSizeFamiliesTest (mlm4j-core) reads them when run with -Dmlm4j.fullSizeFixtures=OUT_DIR:

    /work/venv/bin/python scripts/reference/families/full_size.py /tmp/mlm4j-full [family ...]
    mvn -pl mlm4j-core -am -Dtest=FullSizeFamiliesTest -Dmlm4j.fullSizeFixtures=/tmp/mlm4j-full -Dsurefire.failIfNoSpecifiedTests=false verify

scripts/reference/families/export_onnx.py then writes model.onnx beside each model.safetensors for the benchmark
(scripts/bench families).
"""
import json
import os
import shutil
import sys

import torch
import transformers
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_goldens import RES, short  # noqa: E402

OUT = sys.argv[1]
LENGTHS = [12, 40, 200, 500]


def roberta(vocab):
    return transformers.RobertaForMaskedLM(transformers.RobertaConfig(
        vocab_size=vocab, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, layer_norm_eps=1e-5)), 0, 2


def electra(vocab):
    return transformers.ElectraForMaskedLM(transformers.ElectraConfig(
        vocab_size=vocab, embedding_size=128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
        intermediate_size=3072, pad_token_id=0)), 2, 3


def deberta_v3(vocab):
    return transformers.DebertaV2ForMaskedLM(transformers.DebertaV2Config(
        vocab_size=vocab, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
        hidden_act="gelu", max_position_embeddings=512, type_vocab_size=0, relative_attention=True, position_buckets=256,
        max_relative_positions=-1, pos_att_type=["p2c", "c2p"], share_att_key=True, norm_rel_ebd="layer_norm",
        position_biased_input=False, layer_norm_eps=1e-7, pad_token_id=0, legacy=False)), 1, 2


def modernbert(vocab):
    return transformers.ModernBertForMaskedLM(transformers.ModernBertConfig(
        vocab_size=vocab, hidden_size=768, intermediate_size=1152, num_hidden_layers=22, num_attention_heads=12,
        max_position_embeddings=8192, local_attention=128, global_attn_every_n_layers=3, global_rope_theta=160000.0,
        local_rope_theta=10000.0, pad_token_id=3, cls_token_id=1, sep_token_id=2, bos_token_id=1, eos_token_id=2)), 1, 2


def distilbert(vocab):
    return transformers.DistilBertForMaskedLM(transformers.DistilBertConfig(
        vocab_size=vocab, dim=768, n_layers=6, n_heads=12, hidden_dim=3072, max_position_embeddings=512,
        sinusoidal_pos_embds=False, pad_token_id=0)), 2, 3


# each: (model, [CLS] id, [SEP] id), the ids of the tokenizer the folder gets from its family's tiny fixture
FAMILIES = {"roberta": roberta, "electra": electra, "deberta-v3": deberta_v3, "modernbert": modernbert,
            "distilbert": distilbert}


def tiny(name):
    """The family's tiny fixture, whose tokenizer files each full-size folder gets: Models then loads the folder as
    any other (mlm4j wants the vocabulary exactly as long as the embedding table, so vocab_size is the tokenizer's:
    600-928 tokens) and the benchmark tokenizes Brown with the family's own kind of tokenizer. The goldens feed token
    ids and do not use it."""
    return os.path.join(RES, "families", name + "-tiny")


def make(name):
    torch.manual_seed(2026)
    vocab = Tokenizer.from_file(os.path.join(tiny(name), "tokenizer.json")).get_vocab_size(with_added_tokens=True)
    model, cls, sep = FAMILIES[name](vocab)
    model.eval()
    folder = os.path.join(OUT, name)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.02)
    model.save_pretrained(folder, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tiny(name), f), folder)
    if name == "deberta-v3":
        # transformers 5.18 cannot from_pretrained a legacy=False DebertaV2ForMaskedLM (deberta_v2.py says why): the
        # goldens come from the model that was saved; DeBERTa's attention has only the eager path
        m = model
    else:
        m = type(model).from_pretrained(folder, attn_implementation="eager").eval()
    pad = m.config.pad_token_id
    seqs = []
    for n in LENGTHS:
        ids = torch.randint(5, vocab, (n,), generator=g).tolist()
        seqs.append([cls] + ids[1:-1] + [sep])

    def run(batch):
        width = max(len(s) for s in batch)
        ids = torch.tensor([s + [pad] * (width - len(s)) for s in batch])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
        with torch.no_grad():
            out = m(input_ids=ids, attention_mask=mask, output_hidden_states=True, output_attentions=True)
        rows = []
        for b, s in enumerate(batch):
            n = len(s)
            masks = []
            for p in [1, n - 2]:
                v, i = torch.topk(out.logits[b, p], 5)
                masks.append({"position": p, "ids": i.tolist(), "logits": v.tolist()})
            rows.append({"text": "%d random ids" % n, "ids": s, "last_hidden_state": out.hidden_states[-1][b][:n].tolist(),
                         "attentions": [a[b, :, :n, :n].tolist() for a in out.attentions] if n <= 40 else [],
                         "masks": masks})
        return rows

    expected = {"source": "transformers " + transformers.__version__ + ", torch " + torch.__version__ + ", float32, eager",
                "sentences": [run([s])[0] for s in seqs], "batch": run(seqs[:3])}
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(short(expected), f)
    print("wrote", folder, flush=True)


for family in sys.argv[2:] or FAMILIES:
    make(family)
