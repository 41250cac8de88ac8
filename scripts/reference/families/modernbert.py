#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/modernbert-tiny: a tiny random ModernBertForMaskedLM (seeded; hidden 32,
4 layers (full, sliding, sliding, full: global attention every 3rd layer), 4 heads, intermediate 48, local_attention 8
so that the sliding window (|i − j| ≤ 4) cuts every sequence of more than 5 tokens, rotary thetas 160000 (global) and
10000 (local), no biases except the decoder's, as ModernBERT-base) saved by save_pretrained, with a byte-level BPE
tokenizer.json trained by `tokenizers` on tokens/brown-10k.txt.gz ([CLS] $A [SEP], [MASK] with lstrip as ModernBERT's).
Beside it the heads' own tensors on the same encoder (head-sequence-classification, head-token-classification,
head-question-answering .safetensors) and expected.json: for each input (token ids, fed directly) the last hidden
state, every layer's attention probabilities (attn_implementation="eager", output_attentions), the MLM top-5 at chosen
rows and the heads' logits (sequence classification with classifier_pooling "cls" and "mean"); a padded batch.
Everything in float32, as mlm4j computes.

    /work/venv/bin/python scripts/reference/families/modernbert.py [OUT_DIR]
"""
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (ModernBertConfig, ModernBertForMaskedLM, ModernBertForQuestionAnswering,
                          ModernBertForSequenceClassification, ModernBertForTokenClassification, PreTrainedTokenizerFast)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_goldens import BATCH, RES, SENTENCES, brown, fill_mask, mlm_rows, write  # noqa: E402
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(RES, "families", "modernbert-tiny")

os.makedirs(OUT, exist_ok=True)
corpus = brown()
bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=700, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]"],
                                                    initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
bpe.add_special_tokens([AddedToken("[MASK]", lstrip=True, normalized=False)])
cls_id, sep_id = bpe.token_to_id("[CLS]"), bpe.token_to_id("[SEP]")
bpe.post_processor = processors.TemplateProcessing(single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:0 [SEP]:0",
                                                   special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
tok = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
                              pad_token="[PAD]", mask_token="[MASK]", model_input_names=["input_ids", "attention_mask"])
tok.save_pretrained(OUT)
tok = PreTrainedTokenizerFast.from_pretrained(OUT)

torch.manual_seed(2026)
common = dict(vocab_size=bpe.get_vocab_size(), hidden_size=32, intermediate_size=48, num_hidden_layers=4, num_attention_heads=4,
              max_position_embeddings=256, local_attention=8, global_attn_every_n_layers=3, global_rope_theta=160000.0,
              local_rope_theta=10000.0, pad_token_id=tok.pad_token_id, cls_token_id=cls_id, sep_token_id=sep_id,
              bos_token_id=cls_id, eos_token_id=sep_id, initializer_range=0.1)
model = ModernBertForMaskedLM(ModernBertConfig(**common)).eval()
with torch.no_grad():   # random init leaves LayerNorms at 1 and the decoder bias at 0: perturb every parameter
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.05)
model.save_pretrained(OUT, safe_serialization=True)
m = ModernBertForMaskedLM.from_pretrained(OUT, attn_implementation="eager").eval()
base = {k: v for k, v in m.state_dict().items() if k.startswith("model.")}

heads = {}
for name, cls, extra in [("sequence-classification", ModernBertForSequenceClassification, dict(num_labels=3)),
                         ("token-classification", ModernBertForTokenClassification, dict(num_labels=5)),
                         ("question-answering", ModernBertForQuestionAnswering, dict())]:
    h = cls(ModernBertConfig(**{**common, **extra})).eval()
    with torch.no_grad():
        for p in h.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    h.load_state_dict(base, strict=False)
    h.config._attn_implementation = "eager"
    own = {k: v.contiguous() for k, v in h.state_dict().items() if not k.startswith("model.")}
    save_file(own, os.path.join(OUT, "head-" + name + ".safetensors"), metadata={"format": "pt"})
    heads[name] = h


def run(texts_):
    enc = tok(texts_, return_tensors="pt", padding=True)
    args = dict(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    with torch.no_grad():
        out = m(**args, output_hidden_states=True, output_attentions=True)
        head_out = {n: h(**args) for n, h in heads.items()}
        seq = heads["sequence-classification"]
        seq.config.classifier_pooling = "mean"
        mean_logits = seq(**args).logits
        seq.config.classifier_pooling = "cls"
    rows = mlm_rows(tok, enc, out, texts_)
    for b, row in enumerate(rows):
        n = len(row["ids"])
        row.update({
            "sequence_classification": head_out["sequence-classification"].logits[b].tolist(),
            "sequence_classification_mean": mean_logits[b].tolist(),
            "token_classification": head_out["token-classification"].logits[b][:n].tolist(),
            "start_logits": head_out["question-answering"].start_logits[b][:n].tolist(),
            "end_logits": head_out["question-answering"].end_logits[b][:n].tolist(),
        })
    return rows


expected = {
    "source": "transformers " + transformers.__version__ + ", torch " + torch.__version__
              + ": ModernBertForMaskedLM.from_pretrained(this folder, attn_implementation='eager') and the heads on its encoder, float32",
    "mask_token": tok.mask_token, "mask_token_id": tok.mask_token_id,
    "layer_types": m.config.layer_types,
    "sentences": [run([s])[0] for s in SENTENCES],
    "batch": run(BATCH),
    "fill_mask": fill_mask(m, tok),
}

write(OUT, expected)
print("wrote", OUT, sorted(os.listdir(OUT)), "vocab", bpe.get_vocab_size(), m.config.layer_types)
for s in expected["sentences"]:
    print(len(s["ids"]), s["text"])
