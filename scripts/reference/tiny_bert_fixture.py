#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/fixtures/hf-tiny-bert: a tiny random BertForMaskedLM saved by
transformers' own save_pretrained (config.json, model.safetensors) with its tokenizer saved by
BertTokenizerFast.save_pretrained (vocab.txt, tokenizer.json, tokenizer_config.json), plus expected.json:
transformers' token ids, last hidden states and MLM logits for a few sentences, computed in float64.

mlm4j must read this folder (written by a writer that is not mlm4j's) and compute the same numbers:
HuggingFaceFolderTest. Python is only for making the fixture; the test itself runs without it. Then the other
direction: ./mlm4j convert of the fixture must load in transformers with identical outputs (checked here, since CI has
no Python; recorded in tiny_bert_fixture.out.txt).

    /work/venv/bin/python scripts/reference/tiny_bert_fixture.py [OUT_DIR]
"""
import json
import os
import sys

import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "mlm4j-core", "src", "test", "resources", "fixtures", "hf-tiny-bert")
SENTENCES = ["the cat sat on the [MASK].", "a dog runs in the park", "hello world, the [MASK] is red!"]

words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "the", "a", "cat", "dog", "sat", "on", "mat",
         "runs", "in", "park", "hello", "world", "is", "red", "blue", "##s", "##ed", "##ing", "h", "##e", "##l", "##o"]

os.makedirs(OUT, exist_ok=True)
vocab_path = os.path.join(OUT, "vocab.txt")
with open(vocab_path, "w", encoding="utf-8") as f:
    f.write("\n".join(words) + "\n")
tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)

torch.manual_seed(1234)
config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=64, type_vocab_size=2)
model = BertForMaskedLM(config).eval()
# random init leaves LayerNorm at 1/0 and biases at 0: perturb every parameter so each one matters to the output
with torch.no_grad():
    for p in model.parameters():
        p.add_(torch.randn_like(p) * 0.05)
model.save_pretrained(OUT, safe_serialization=True)
tok.save_pretrained(OUT)

m64 = BertForMaskedLM.from_pretrained(OUT, attn_implementation="eager").double().eval()
expected = {"source": "transformers " + __import__("transformers").__version__ + ", torch " + torch.__version__
            + ": BertForMaskedLM.from_pretrained(this folder) in float64, eager attention; token_type_ids 0",
            "sentences": []}
for s in SENTENCES:
    enc = tok(s, return_tensors="pt")
    with torch.no_grad():
        out = m64(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                  token_type_ids=torch.zeros_like(enc["input_ids"]), output_hidden_states=True)
    ids = enc["input_ids"][0].tolist()
    expected["sentences"].append({
        "text": s,
        "ids": ids,
        "last_hidden_state": out.hidden_states[-1][0].tolist(),
        "logits": out.logits[0].tolist(),
    })
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f)
print("wrote", OUT, sorted(os.listdir(OUT)))

# The other direction: mlm4j's converter output must load in transformers and compute the same numbers.
# CI has no Python, so this check runs here; its result is recorded in tiny_bert_fixture.out.txt.
import shutil
import subprocess
import tempfile

repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
converted = os.path.join(tempfile.mkdtemp(), "converted")
r = subprocess.run([os.path.join(repo, "mlm4j"), "convert", OUT, converted], capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("./mlm4j convert failed: " + r.stderr)
print(r.stdout.strip())
back = BertForMaskedLM.from_pretrained(converted, attn_implementation="eager").double().eval()
back_tok = BertTokenizerFast.from_pretrained(converted)
worst = 0.0
for s in SENTENCES:
    enc = back_tok(s, return_tensors="pt")
    assert enc["input_ids"][0].tolist() == tok(s)["input_ids"], s
    with torch.no_grad():
        a = m64(**tok(s, return_tensors="pt")).logits
        b = back(**enc).logits
    worst = max(worst, float((a - b).abs().max()))
assert worst == 0.0, worst
print("transformers loads mlm4j's converted folder (%s): same token ids, logits identical to the original's (max |diff| %g)"
      % (", ".join(sorted(os.listdir(converted))), worst))
shutil.rmtree(os.path.dirname(converted))
