#!/usr/bin/env python3
"""Exports the full-size random models of full_size.py to ONNX for the families benchmark (scripts/bench families):
OUT_DIR/<family>/model.onnx beside model.safetensors, the bare encoder (RobertaModel, ElectraModel, DebertaV2Model,
ModernBertModel, DistilBertModel: transformers' eager attention) with inputs input_ids, attention_mask (int64,
batch x length, both dynamic) and token_type_ids where the model has a token-type table (RoBERTa, ELECTRA), and one
output, last_hidden_state. torch.onnx.export's TorchScript exporter (dynamo=False: the dynamo exporter needs
onnxscript), opset 17.

Then ONNX Runtime (CPU, all optimisations) against transformers on the same inputs, real tokens only: seeded random
ids of 1 x 128, 3 x 300 padded (lengths 300, 170, 40: past ModernBERT's 128-token window and DeBERTa-v3's 256 position
buckets) and the 500-token sequence of expected.json, whose last hidden state is also compared with the golden the
Java test reads. Prints the largest difference of each; fails above 1e-4.

    /work/venv/bin/python scripts/reference/families/export_onnx.py OUT_DIR [family ...]
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
import torch
import transformers

OUT = sys.argv[1]
FAMILIES = sys.argv[2:] or ["roberta", "electra", "deberta-v3", "modernbert", "distilbert"]
BASE = {"roberta": transformers.RobertaModel, "electra": transformers.ElectraModel, "deberta-v3": transformers.DebertaV2Model,
        "modernbert": transformers.ModernBertModel, "distilbert": transformers.DistilBertModel}


class LastHiddenState(torch.nn.Module):
    def __init__(self, model, types):
        super().__init__()
        self.model, self.types = model, types

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        extra = {"token_type_ids": token_type_ids} if self.types else {}
        return self.model(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state


def inputs(lengths, g, vocab, pad):
    width = max(lengths)
    ids = torch.full((len(lengths), width), pad, dtype=torch.long)
    mask = torch.zeros(len(lengths), width, dtype=torch.long)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(5, vocab, (n,), generator=g)
        mask[b, :n] = 1
    return ids, mask


def export(name):
    folder = os.path.join(OUT, name)
    model = BASE[name].from_pretrained(folder, attn_implementation="eager").eval()
    # a token-type table of one row (RoBERTa's) still takes the input, as BERT's ONNX files do
    types = getattr(model.config, "type_vocab_size", 0) > 0
    wrapped = LastHiddenState(model, types).eval()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if types else [])
    axes = {n: {0: "batch", 1: "length"} for n in names + ["last_hidden_state"]}
    ids, mask = inputs([16, 9], torch.Generator().manual_seed(1), model.config.vocab_size, model.config.pad_token_id)
    example = (ids, mask) + ((torch.zeros_like(ids),) if types else ())
    onnx = os.path.join(folder, "model.onnx")
    torch.onnx.export(wrapped, example, onnx, dynamo=False, opset_version=17, input_names=names,
                      output_names=["last_hidden_state"], dynamic_axes=axes)
    wrapped.eval()   # export puts the modules back in the mode it found them; the checks below need eval's (no dropout)
    session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])

    def compare(ids, mask, what, golden=None):
        feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        if types:
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
        got = session.run(None, feed)[0]
        with torch.no_grad():
            want = wrapped(*[torch.from_numpy(feed[n]) for n in names]).numpy()
        real = mask.numpy()[..., None].astype(bool)
        diff = float(np.abs(np.where(real, got - want, 0)).max())
        line = "%s %s: ORT vs transformers %.2e" % (name, what, diff)
        if golden is not None:
            gold = float(np.abs(got[0] - np.array(golden, dtype=np.float32)).max())
            line += ", ORT vs expected.json %.2e" % gold
            diff = max(diff, gold)
        print(line, flush=True)
        if diff > 1e-4:
            sys.exit("%s: ONNX Runtime differs from transformers by %.2e" % (name, diff))
        return diff

    g = torch.Generator().manual_seed(2)
    worst = max(compare(*inputs([128], g, model.config.vocab_size, model.config.pad_token_id), "1x128"),
                compare(*inputs([300, 170, 40], g, model.config.vocab_size, model.config.pad_token_id), "3x300 padded"))
    with open(os.path.join(folder, "expected.json")) as f:
        s = json.load(f)["sentences"][-1]
    ids = torch.tensor([s["ids"]])
    worst = max(worst, compare(ids, torch.ones_like(ids), "1x%d" % len(s["ids"]), s["last_hidden_state"]))
    print("wrote %s (%d MB), largest difference %.2e" % (onnx, os.path.getsize(onnx) >> 20, worst), flush=True)


for family in FAMILIES:
    export(family)
