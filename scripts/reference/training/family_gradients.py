#!/usr/bin/env python3
"""Gradient parity fixtures for training the RoBERTa, XLM-RoBERTa, ELECTRA and DistilBERT families (issue 18): PyTorch autograd's loss and
every parameter's gradient for one fixed batch, for the masked-LM, sequence-classification and token-classification
heads, on the tiny random checkpoints of mlm4j-core/src/test/resources/families/ (scripts/reference/families/ made
them), every parameter perturbed first (random init leaves LayerNorms at 1/0 and biases at 0, so some gradients would
be special).

Writes mlm4j-core/src/test/resources/training/families/<name>/ for name in roberta-mlm, roberta-classify, roberta-tag,
xlm-roberta-mlm, xlm-roberta-classify, xlm-roberta-tag, electra-classify, electra-tag, distilbert-mlm, distilbert-classify,
distilbert-tag, and the three-output classifiers under config.problem_type
(float "targets" per sequence instead of labels): roberta-regression (MSE), xlm-roberta-multilabel (BCE with logits):
  config.json, model.safetensors, tokenizer.json, tokenizer_config.json   the perturbed model (save_pretrained)
  batch.json             two sequences of different lengths (ids, token_types, labels: the original id at a few
                         positions for MLM, one label per sequence for classify, one per token with -100 on <s> and
                         </s> for tag); PyTorch pads them with <pad> and attention_mask, mlm4j packs them
  gradients.safetensors  "loss" (1) and, for every parameter of model.named_parameters() under the name model.safetensors
                         has it (a tied parameter has one), its .grad, computed in float64
                         (stored as float32) in train mode with dropout 0, eager attention

Read by dev.mlm4j.model.FamilyGradientParityTest. Python only makes the fixture; the test runs without it.

    /work/venv/bin/python scripts/reference/training/family_gradients.py
"""
import json
import os
import shutil

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources")
FAMILIES = os.path.join(ROOT, "families")
OUT = os.path.join(ROOT, "training", "families")

# (fixture name, source folder, transformers class, objective)
CASES = [
    ("roberta-mlm", "roberta-tiny", transformers.RobertaForMaskedLM, "mlm"),
    ("roberta-classify", "roberta-tiny-sequence-classification", transformers.RobertaForSequenceClassification, "classify"),
    ("roberta-tag", "roberta-tiny-token-classification", transformers.RobertaForTokenClassification, "tag"),
    ("xlm-roberta-mlm", "xlm-roberta-tiny", transformers.XLMRobertaForMaskedLM, "mlm"),
    ("xlm-roberta-classify", "xlm-roberta-tiny-sequence-classification", transformers.XLMRobertaForSequenceClassification, "classify"),
    ("xlm-roberta-tag", "xlm-roberta-tiny-token-classification", transformers.XLMRobertaForTokenClassification, "tag"),
    # the same three-output heads under config.problem_type: float targets per sequence ("targets" in batch.json)
    ("roberta-regression", "roberta-tiny-sequence-classification", transformers.RobertaForSequenceClassification, "regression"),
    ("xlm-roberta-multilabel", "xlm-roberta-tiny-sequence-classification", transformers.XLMRobertaForSequenceClassification, "multi_label_classification"),
    # ELECTRA's discriminator heads: embeddings 16 wide, embeddings_project to hidden 32, then BERT's layers (ids are
    # numbers here: its WordPiece [CLS]/[SEP] are not RoBERTa's <s>/</s>, which changes nothing in the arithmetic)
    ("electra-classify", "electra-tiny-sequence-classification", transformers.ElectraForSequenceClassification, "classify"),
    ("electra-tag", "electra-tiny-token-classification", transformers.ElectraForTokenClassification, "tag"),
    # DistilBERT (appended last: the cases above keep their random draws): word + position embeddings, its own blocks
    # (q_lin/k_lin/v_lin/out_lin, sa_layer_norm, ffn.lin1/lin2, output_layer_norm), vocab_* MLM head, pre_classifier →
    # ReLU → classifier; no token type ids (the torch call passes none for any family). Ids are numbers as for ELECTRA
    # (id 0 is its [PAD], pad_token_id: the word table's row 0 takes no gradient)
    ("distilbert-mlm", "distilbert-tiny", transformers.DistilBertForMaskedLM, "mlm"),
    ("distilbert-classify", "distilbert-tiny-sequence-classification", transformers.DistilBertForSequenceClassification, "classify"),
    ("distilbert-tag", "distilbert-tiny-token-classification", transformers.DistilBertForTokenClassification, "tag"),
]
TARGETS = {"regression": [[0.5, -1.25, 3.0], [1.5, 0.0, -2.0]], "multi_label_classification": [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]}
BOS, PAD, EOS, MASK, FIRST_WORD = 0, 1, 2, 4, 5


def batch_for(objective, vocab, num_labels, seed, pad):
    """Two sequences <s> … </s> of 12 and 7 tokens and their labels. The second holds the pad token once: transformers
    gives its word-table row (and RoBERTa's padding position, which that token takes) no gradient (padding_idx)."""
    g = torch.Generator().manual_seed(seed)
    seqs = [[BOS] + torch.randint(FIRST_WORD, vocab, (n,), generator=g).tolist() + [EOS] for n in (10, 5)]
    seqs[1][2] = pad
    if objective == "mlm":
        labels = [[-100] * len(s) for s in seqs]
        for s, positions in ((0, (2, 5, 9)), (1, (3,))):
            for p in positions:
                labels[s][p] = seqs[s][p]
        seqs[0][2] = MASK
        seqs[0][5] = MASK
        seqs[0][9] = 42                                   # a random replacement
        seqs[1][3] = seqs[1][3]                           # unchanged, still predicted
    elif objective == "classify":
        labels = [[num_labels - 1], [0]]
    elif objective in TARGETS:
        labels = TARGETS[objective]
    else:
        labels = [[-100] + torch.randint(0, num_labels, (len(s) - 2,), generator=g).tolist() + [-100] for s in seqs]
        labels[0][4] = -100                               # a word piece that carries no label
    return seqs, labels


def main():
    torch.manual_seed(18)
    for name, source, cls, objective in CASES:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        src = os.path.join(FAMILIES, source)
        config = transformers.AutoConfig.from_pretrained(src)
        if config.model_type == "distilbert":             # its own dropout fields
            config.dropout = 0.0
            config.attention_dropout = 0.0
            config.seq_classif_dropout = 0.0
        else:
            config.hidden_dropout_prob = 0.0
            config.attention_probs_dropout_prob = 0.0
            config.classifier_dropout = None
        if objective in TARGETS:
            config.problem_type = objective
        model = cls.from_pretrained(src, config=config)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.05)
        model.save_pretrained(folder, safe_serialization=True)
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(os.path.join(src, f), folder)

        seqs, labels = batch_for(objective, config.vocab_size, getattr(config, "num_labels", 2), len(name), config.pad_token_id)
        with open(os.path.join(folder, "batch.json"), "w") as f:
            json.dump({"ids": seqs, "token_types": [[0] * len(s) for s in seqs], "targets" if objective in TARGETS else "labels": labels}, f)

        n = max(len(s) for s in seqs)
        pad = lambda rows, v: torch.tensor([r + [v] * (n - len(r)) for r in rows])
        model = model.double()
        model.config._attn_implementation = "eager"
        model.train()
        target = (torch.tensor([l[0] for l in labels]) if objective == "classify"
                  else torch.tensor(labels, dtype=torch.float64) if objective in TARGETS else pad(labels, -100))
        out = model(input_ids=pad(seqs, PAD), attention_mask=pad([[1] * len(s) for s in seqs], 0), labels=target)
        out.loss.backward()
        count = save_gradients(model, out.loss, folder, cls, "in float64, eager attention, train mode, dropout 0")
        print(name, cls.__name__, "loss %.9f" % out.loss.item(), count, "gradients")


def save_gradients(model, loss, folder, cls, setting):
    """Writes folder/gradients.safetensors: "loss" (1) and every parameter's .grad (0 where it has none) under the name
    model.safetensors has it: a tied parameter goes under the name save_pretrained wrote (XLM-R's named_parameters()
    calls the word table lm_head.decoder.weight; its file, and mlm4j, roberta.embeddings.word_embeddings.weight).
    Returns how many gradients it wrote. The family scripts (deberta_gradients.py, modernbert_gradients.py) use it too."""
    tensors = {"loss": loss.detach().reshape(1).float()}
    with safe_open(os.path.join(folder, "model.safetensors"), "pt") as f:
        saved = set(f.keys())
    state = model.state_dict(keep_vars=True)
    for pname, p in model.named_parameters():
        if pname not in saved:
            pname = next(n for n in saved if state[n] is p)
        tensors[pname] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().contiguous()
    save_file(tensors, os.path.join(folder, "gradients.safetensors"),
              metadata={"source": "transformers %s, torch %s: %s %s" % (transformers.__version__, torch.__version__, cls.__name__, setting)})
    return len(tensors) - 1


if __name__ == "__main__":
    main()
