#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/deberta-v3-tiny: a tiny random DeBERTa-v3-style DebertaV2ForMaskedLM
(seeded; hidden 32, 2 layers, 4 heads, intermediate 64; relative attention with log buckets (position_buckets 8,
max_relative_positions 32, so sequences of ~20 tokens reach the logarithmic buckets), share_att_key,
pos_att_type p2c|c2p, norm_rel_ebd layer_norm, no absolute positions (position_biased_input false), no token types,
the non-legacy MLM head lm_predictions.lm_head.* as DeBERTa-v3 checkpoints carry it) saved by save_pretrained, with a
DebertaV2Tokenizer (SentencePiece Unigram tokenizer.json, [MASK] last as in deberta-v3) trained by `tokenizers` on
tokens/brown-10k.txt.gz. Beside it, the heads' own tensors on the same encoder (head-sequence-classification,
head-token-classification, head-question-answering, head-legacy-masked-lm .safetensors, transformers' names) and expected.json: for each
input (token ids, fed directly) the last hidden state, every layer's attention probabilities (eager attention,
output_attentions), the MLM logits' top-5 at chosen rows and every head's logits; a padded batch; and
transformers' bucketed relative positions (build_relative_position) for the tiny and the deberta-v3-base settings
(every q - k up to 3000 apart).
Everything in float32, as mlm4j computes.

    /work/venv/bin/python scripts/reference/families/deberta_v2.py [OUT_DIR]
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import (DebertaV2Config, DebertaV2ForMaskedLM, DebertaV2ForQuestionAnswering,
                          DebertaV2ForSequenceClassification, DebertaV2ForTokenClassification, DebertaV2Tokenizer)
from transformers.models.deberta_v2.modeling_deberta_v2 import build_relative_position

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_goldens import BATCH, RES, SENTENCES, brown, fill_mask, mlm_rows, write  # noqa: E402
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(RES, "families", "deberta-v3-tiny")

os.makedirs(OUT, exist_ok=True)
corpus = brown()
unigram = Tokenizer(models.Unigram())
unigram.pre_tokenizer = pre_tokenizers.Metaspace()
unigram.train_from_iterator(corpus, trainers.UnigramTrainer(vocab_size=600, special_tokens=["[PAD]", "[CLS]", "[SEP]", "[UNK]"],
                                                             unk_token="[UNK]", shrinking_factor=0.75))
pieces = json.loads(unigram.to_str())["model"]["vocab"]
vocab = [(p, s) for p, s in pieces] + [("[MASK]", 0.0)]
tok = DebertaV2Tokenizer(vocab=vocab, unk_id=3)
tok.save_pretrained(OUT)
tok = DebertaV2Tokenizer.from_pretrained(OUT)

torch.manual_seed(2026)
common = dict(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
              hidden_act="gelu", max_position_embeddings=128, type_vocab_size=0, relative_attention=True,
              position_buckets=8, max_relative_positions=32, pos_att_type=["p2c", "c2p"], share_att_key=True,
              norm_rel_ebd="layer_norm", position_biased_input=False, layer_norm_eps=1e-7, pad_token_id=0,
              initializer_range=0.1, legacy=False)
config = DebertaV2Config(**common)
model = DebertaV2ForMaskedLM(config).eval()
with torch.no_grad():   # random init leaves LayerNorms at 1/0 and biases at 0: perturb every parameter
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.05)
model.save_pretrained(OUT, safe_serialization=True)
# transformers 5.18 cannot from_pretrained a legacy=False DebertaV2ForMaskedLM (its tied-weights bookkeeping asks
# lm_predictions.lm_head for a `weight` it does not have), so the goldens come from the model that was saved; DeBERTa's
# DisentangledSelfAttention has only the eager path.
m = model
base = {k: v for k, v in m.state_dict().items() if k.startswith("deberta.")}

heads = {}
for name, cls, extra in [("sequence-classification", DebertaV2ForSequenceClassification, dict(num_labels=3)),
                         ("token-classification", DebertaV2ForTokenClassification, dict(num_labels=5)),
                         ("question-answering", DebertaV2ForQuestionAnswering, dict()),
                         ("legacy-masked-lm", DebertaV2ForMaskedLM, dict(legacy=True))]:
    h = cls(DebertaV2Config(**{**common, **extra})).eval()
    with torch.no_grad():
        for p in h.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    missing = h.load_state_dict(base, strict=False)
    # tied tensors (the legacy decoder: word embeddings and cls.predictions.bias) are left out, as save_pretrained does
    own = {k: v.contiguous() for k, v in h.state_dict().items() if not k.startswith(("deberta.", "cls.predictions.decoder."))}
    save_file(own, os.path.join(OUT, "head-" + name + ".safetensors"), metadata={"format": "pt"})
    heads[name] = h

texts = SENTENCES + BATCH


def encode(texts_):
    return tok(texts_, return_tensors="pt", padding=True)


def run(texts_):
    enc = encode(texts_)
    with torch.no_grad():
        out = m(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_hidden_states=True,
                output_attentions=True)
        head_out = {n: h(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]) for n, h in heads.items()}
    rows = mlm_rows(tok, enc, out, texts_)
    for b, row in enumerate(rows):
        n, top = len(row["ids"]), row["masks"]
        row.update({
            "sequence_classification": head_out["sequence-classification"].logits[b].tolist(),
            "token_classification": head_out["token-classification"].logits[b][:n].tolist(),
            "start_logits": head_out["question-answering"].start_logits[b][:n].tolist(),
            "end_logits": head_out["question-answering"].end_logits[b][:n].tolist(),
            # the legacy head (cls.predictions.*, transformers' default legacy=true) at the same rows
            "legacy_masks": [dict(zip(("position", "logits", "ids"), (t["position"], *[x.tolist() for x in
                             torch.topk(head_out["legacy-masked-lm"].logits[b, t["position"]], 5)]))) for t in top],
        })
    return rows


def buckets(reach, bucket_size, max_position):
    """transformers' bucket of every relative position q - k in [-reach, reach] (the middle row of build_relative_position
    over 2·reach + 1 tokens, reversed): a function of q - k alone."""
    x = torch.zeros(1, 2 * reach + 1, 1)
    return build_relative_position(x, x, bucket_size=bucket_size, max_position=max_position)[0, reach].flip(0).tolist()


expected = {
    "source": "transformers " + transformers.__version__ + ", torch " + torch.__version__
              + ": DebertaV2ForMaskedLM.from_pretrained(this folder) and the heads on its encoder, float32, eager attention",
    "mask_token": tok.mask_token, "mask_token_id": tok.mask_token_id,
    "sentences": [run([s])[0] for s in SENTENCES],
    "batch": run(BATCH),
    "fill_mask": fill_mask(m, tok),
    # relative_positions[name][r + reach] = bucket of q - k = r
    "relative_positions": {"tiny": {"buckets": 8, "max": 32, "reach": 100, "bucket": buckets(100, 8, 32)},
                           "v3_base": {"buckets": 256, "max": 512, "reach": 3000, "bucket": buckets(3000, 256, 512)}},
}

write(OUT, expected)
print("wrote", OUT, sorted(os.listdir(OUT)), "vocab", len(vocab))
for s in expected["sentences"]:
    print(len(s["ids"]), s["text"])

# ---- families/deberta-v2-tiny: the settings DeBERTa-v3 does not use ------------------------------------------------
# the first layer's convolution (conv_kernel_size 3, conv_act gelu, as DeBERTa-v2 xlarge), absolute positions
# (position_biased_input), token types, embedding_size 24 < hidden (embed_proj), own pos_key_proj/pos_query_proj
# (share_att_key false), pos_att_type as the string "c2p|p2c", no buckets (max_relative_positions 16: longer distances
# are clamped), no LayerNorm on rel_embeddings, the legacy MLM head (cls.predictions.* over 24-wide embeddings).
# Same tokenizer; MLM goldens for four sentences and a text pair (token type ids 0/1), one by one and as a padded batch.
OUT2 = os.path.join(os.path.dirname(OUT), "deberta-v2-tiny")
os.makedirs(OUT2, exist_ok=True)
tok.save_pretrained(OUT2)
torch.manual_seed(2027)
v2 = DebertaV2Config(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                     hidden_act="gelu", max_position_embeddings=64, type_vocab_size=2, embedding_size=24, relative_attention=True,
                     position_buckets=-1, max_relative_positions=16, pos_att_type="c2p|p2c", share_att_key=False,
                     norm_rel_ebd="none", position_biased_input=True, conv_kernel_size=3, conv_act="gelu", layer_norm_eps=1e-7,
                     pad_token_id=0, initializer_range=0.1, legacy=True)
model2 = DebertaV2ForMaskedLM(v2).eval()
with torch.no_grad():
    for p in model2.parameters():
        p.add_(torch.randn_like(p) * 0.05)
model2.save_pretrained(OUT2, safe_serialization=True)
m2 = DebertaV2ForMaskedLM.from_pretrained(OUT2).eval()


def run2(pairs):
    enc = tok([a for a, _ in pairs], [b for _, b in pairs] if all(b is not None for _, b in pairs) else None,
              return_tensors="pt", padding=True)
    with torch.no_grad():
        out = m2(**enc, output_hidden_states=True, output_attentions=True)
    rows = mlm_rows(tok, enc, out, [text if pair is None else text + " | " + pair for text, pair in pairs])
    for b, row in enumerate(rows):
        row["type_ids"] = enc["token_type_ids"][b][:len(row["ids"])].tolist()
    return rows


expected2 = {
    "source": "transformers " + transformers.__version__ + ", torch " + torch.__version__
              + ": DebertaV2ForMaskedLM.from_pretrained(this folder), float32",
    "mask_token_id": tok.mask_token_id,
    "sentences": [run2([(s, None)])[0] for s in SENTENCES[:2] + SENTENCES[5:6]]
                 + run2([("the movie was [MASK].", "a terrible, boring story with bad acting.")]),
    "batch": run2([(s, None) for s in BATCH]),
}
write(OUT2, expected2)
print("wrote", OUT2, sorted(os.listdir(OUT2)))
