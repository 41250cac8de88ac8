#!/usr/bin/env python3
"""Gradient parity fixture for mlm4j's backward pass (issue 18): PyTorch autograd's loss and every parameter's
gradient for one fixed batch on a tiny random BERT, masked LM and sequence classification.

Writes mlm4j-core/src/test/resources/training/tiny-bert-mlm/:
  config.json, model.safetensors, vocab.txt   a random BertForMaskedLM (hidden 32, 2 layers, 4 heads, vocab 100),
                                              written by transformers' save_pretrained
  batch.json                                   two sequences of different lengths (ids, token types, labels: the
                                              original id at masked positions, -100 elsewhere); PyTorch pads them
                                              with attention_mask, mlm4j packs them
  gradients.safetensors                        "loss" (1) and, for every name of model.named_parameters(), its .grad,
                                              computed in float64 (stored as float32) with dropout 0, train mode

And the same for BertForSequenceClassification (3 labels, the pooler and classifier; labels one per sequence) in
mlm4j-core/src/test/resources/training/tiny-bert-classify/ (config.json, model.safetensors, vocab.txt, batch.json with
"labels": [[l0], [l1]], gradients.safetensors), and for BertForTokenClassification (5 labels, one per token, -100 on
[CLS], [SEP] and one word) in mlm4j-core/src/test/resources/training/tiny-bert-tag/, and for BertForQuestionAnswering
(labels [[start, end], …]) in tiny-bert-qa/. transformers' QA loss does not mask padding (padded positions take part in
the softmax over start positions), so that batch's two sequences have the same length and nothing is padded.

And (b): the same three heads on all-MiniLM-L6-v2's real weights (`--minilm`, below), in training/minilm/.

Read by dev.mlm4j.model.GradientParityTest. Python only makes the fixture; the test runs without it.

    /work/venv/bin/python scripts/reference/training/gradient_parity.py [OUT_DIR]
    /work/venv/bin/python scripts/reference/training/gradient_parity.py --minilm ENCODER_DIR [OUT_DIR]
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification



# ---- (b) all-MiniLM-L6-v2's real weights ------------------------------------------------------------------------
# gradient_parity.py --minilm ENCODER_DIR [OUT]: ENCODER_DIR is `./mlm4j convert all-MiniLM-L6-v2 DIR` (the test
# checks the sha256 of its model.safetensors, recorded in OUT/heads.json). MiniLM has no MLM head, pooler or
# classifier: each is drawn from a counter-based generator both languages compute (SplitMix64 of seed·φ + index →
# 24 bits → uniform in [-1, 1) × amplitude; MiniLmHeads in the Java test), so the heads are not stored. For 22 M
# parameters the full gradients would be 90 MB, so OUT/gradients-<head>.safetensors holds, per parameter:
#   NAME              the whole gradient, for tensors of at most SMALL elements (biases, LayerNorms, classifiers)
#   NAME@norm         ‖g‖₂ (float64 sum, stored float32), for larger ones
#   NAME@index/@value SAMPLE elements (flat index, stored as float32: exact below 2²⁴) and their gradients; half drawn
#                     among the non-zero elements (the word table's gradient is zero outside the batch's rows)
#   NAME@sketch       SKETCH random projections Σ_i σ_k(i) g_i with Rademacher signs σ_k(i) = sign bit of
#                     SplitMix64((SKETCH_SEED + k)·φ + i): the test projects its own gradient the same way and
#                     estimates ‖g − g_ref‖/‖g_ref‖ as ‖S g − S g_ref‖/‖S g_ref‖ (Johnson–Lindenstrauss)
#   loss              (1)
SMALL, SAMPLE, SKETCH, SKETCH_SEED = 4096, 128, 16, 1000
PHI = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1


def mix64(z):
    """SplitMix64's finaliser on a uint64 numpy array (wrapping arithmetic), as DropoutMask.mix in Java."""
    import numpy as np
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def stream(seed, n):
    import numpy as np
    with np.errstate(over="ignore"):
        return mix64(np.uint64((seed * PHI) & MASK64) + np.arange(n, dtype=np.uint64))


def uniform(seed, shape, amplitude, offset=0.0):
    """offset + (2u − 1)·amplitude with u = top 24 bits / 2²⁴, in float64, then float32 (as the Java side)."""
    import numpy as np
    n = int(np.prod(shape))
    u = (stream(seed, n) >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    return torch.from_numpy((offset + (2 * u - 1) * amplitude).astype(np.float32).reshape(shape))


# (name, shape, seed, amplitude, offset): the heads on MiniLM (hidden 384, vocab 30522)
MINILM_HEADS = {
    "mlm": ("BertForMaskedLM", {}, [
        ("cls.predictions.transform.dense.weight", (384, 384), 101, 0.1, 0.0),
        ("cls.predictions.transform.dense.bias", (384,), 102, 0.02, 0.0),
        ("cls.predictions.transform.LayerNorm.weight", (384,), 103, 0.1, 1.0),
        ("cls.predictions.transform.LayerNorm.bias", (384,), 104, 0.02, 0.0),
        ("cls.predictions.bias", (30522,), 105, 0.02, 0.0)]),
    "classify": ("BertForSequenceClassification", {"id2label": {"0": "a", "1": "b", "2": "c"}, "label2id": {"a": 0, "b": 1, "c": 2}}, [
        ("bert.pooler.dense.weight", (384, 384), 201, 0.1, 0.0),
        ("bert.pooler.dense.bias", (384,), 202, 0.02, 0.0),
        ("classifier.weight", (3, 384), 203, 0.1, 0.0),
        ("classifier.bias", (3,), 204, 0.02, 0.0)]),
    "tag": ("BertForTokenClassification", {"id2label": {str(i): "T%d" % i for i in range(5)}, "label2id": {"T%d" % i: i for i in range(5)}}, [
        ("classifier.weight", (5, 384), 301, 0.1, 0.0),
        ("classifier.bias", (5,), 302, 0.02, 0.0)]),
}


def minilm(encoder_dir, out):
    import hashlib
    import numpy as np
    import transformers
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(encoder_dir, "model.safetensors"), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    encoder = load_file(os.path.join(encoder_dir, "model.safetensors"))
    with open(os.path.join(encoder_dir, "config.json")) as f:
        base = json.load(f)
    base.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    tok = Tokenizer.from_file(os.path.join(encoder_dir, "tokenizer.json"))
    tok.no_padding()                         # MiniLM's tokenizer.json pads to 128; the batch is the sentences themselves
    texts = ["The jury further said in term-end presentments that the City Executive Committee deserved praise.",
             "Mrs. Smith had gone to the market early.",
             "It is not news that Nathan Milstein is a wizard of the violin, nor that his playing is wonderfully precise."]
    pair = ("Was the committee praised?", "The committee deserved the praise and thanks of the city.")
    encs = [tok.encode(t) for t in texts] + [tok.encode(*pair)]
    ids = [e.ids for e in encs]
    types = [e.type_ids for e in encs]
    g = torch.Generator().manual_seed(1818)
    mlm_labels, mlm_ids = [], []
    for row in ids:                          # 15 % of the non-special tokens, 80 % [MASK] / 10 % random / 10 % kept
        row = list(row)
        lab = [-100] * len(row)
        cands = [i for i, t in enumerate(row) if t not in (101, 102)]
        k = max(1, round(0.15 * len(cands)))
        pick = [cands[i] for i in torch.randperm(len(cands), generator=g)[:k].tolist()]
        for i in pick:
            lab[i] = row[i]
            r = torch.rand(1, generator=g).item()
            if r < 0.8:
                row[i] = 103
            elif r < 0.9:
                row[i] = int(torch.randint(1000, 30522, (1,), generator=g))
        mlm_labels.append(lab)
        mlm_ids.append(row)
    tag_labels = [[-100 if t in (101, 102) else int(torch.randint(0, 5, (1,), generator=g)) for t in row] for row in ids]
    batch = {"encoder": "all-MiniLM-L6-v2", "encoder_model_safetensors_sha256": sha,
             "mlm": {"ids": mlm_ids, "token_types": types, "labels": mlm_labels},
             "classify": {"ids": ids, "token_types": types, "labels": [[2], [0], [1], [2]]},
             "tag": {"ids": ids, "token_types": types, "labels": tag_labels},
             "heads": {k: {"architecture": a, "fragment": frag, "tensors": [[n, list(s), seed, amp, off] for n, s, seed, amp, off in t]}
                       for k, (a, frag, t) in MINILM_HEADS.items()},
             "gradients": {"small": SMALL, "sample": SAMPLE, "sketch": SKETCH, "sketch_seed": SKETCH_SEED}}
    with open(os.path.join(out, "heads.json"), "w") as f:
        json.dump(batch, f, indent=1)

    n = max(len(r) for r in ids)
    def pad(rows, value):
        return torch.tensor([r + [value] * (n - len(r)) for r in rows])
    attention_mask = pad([[1] * len(r) for r in ids], 0)
    classes = {"BertForMaskedLM": transformers.BertForMaskedLM, "BertForSequenceClassification": transformers.BertForSequenceClassification,
               "BertForTokenClassification": transformers.BertForTokenClassification}
    for head, (arch, frag, spec) in MINILM_HEADS.items():
        cfg = transformers.BertConfig(**{**base, **{k: v for k, v in frag.items()}, "architectures": [arch]})
        model = classes[arch](cfg)
        state = {k: v for k, v in encoder.items() if k.startswith("bert.embeddings.") or k.startswith("bert.encoder.")}
        for name, shape, seed, amp, off in spec:
            state[name] = uniform(seed, shape, amp, off)
        missing, unexpected = model.load_state_dict(state, strict=False)
        allowed = {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias", "bert.embeddings.position_ids"}
        assert not unexpected and set(missing) <= allowed, (missing, unexpected)
        if arch == "BertForMaskedLM":
            model.tie_weights()
            assert model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
        model = model.double()
        model.config._attn_implementation = "eager"
        model.train()
        b = batch[head]
        labels = pad(b["labels"], -100) if head != "classify" else torch.tensor([l[0] for l in b["labels"]])
        o = model(input_ids=pad(b["ids"], 0), token_type_ids=pad(b["token_types"], 0), attention_mask=attention_mask, labels=labels)
        o.loss.backward()
        tensors = {"loss": o.loss.detach().reshape(1).float()}
        for name, p in model.named_parameters():
            gr = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().reshape(-1)
            if gr.numel() <= SMALL:
                tensors[name] = gr.reshape(p.shape).float().contiguous()
                continue
            tensors[name + "@norm"] = gr.norm().reshape(1).float()
            gn = gr.numpy()
            rng = np.random.default_rng(sum(map(ord, name)))
            nz = np.flatnonzero(gn)
            idx = np.concatenate([rng.choice(nz, min(SAMPLE // 2, len(nz)), replace=False),
                                  rng.choice(gn.size, SAMPLE // 2, replace=False)])
            assert gn.size < (1 << 24)
            tensors[name + "@index"] = torch.from_numpy(idx.astype(np.float32))
            tensors[name + "@value"] = torch.from_numpy(gn[idx].astype(np.float32))
            sketch = np.empty(SKETCH)
            for k in range(SKETCH):
                sign = 1.0 - 2.0 * (stream(SKETCH_SEED + k, gn.size) >> np.uint64(63)).astype(np.float64)
                sketch[k] = float(np.dot(sign, gn))
            tensors[name + "@sketch"] = torch.from_numpy(sketch.astype(np.float32))
        save_file(tensors, os.path.join(out, "gradients-%s.safetensors" % head),
                  metadata={"source": "transformers %s, torch %s: %s on all-MiniLM-L6-v2 (sha256 %s) in float64, eager attention, train mode, dropout 0"
                            % (transformers.__version__, torch.__version__, arch, sha)})
        print(head, "loss", o.loss.item(), "tensors", len(tensors))
    print("wrote", out, sorted(os.listdir(out)))


if len(sys.argv) > 1 and sys.argv[1] == "--minilm":
    minilm(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources", "training", "minilm"))
    sys.exit(0)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test", "resources", "training",
    "tiny-bert-mlm")
os.makedirs(OUT, exist_ok=True)



def save_gradients(model, loss, folder):
    """Backpropagates loss and writes it with every named parameter's .grad to folder/gradients.safetensors."""
    loss.backward()
    tensors = {"loss": loss.detach().reshape(1).float()}
    for name, p in model.named_parameters():
        tensors[name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().contiguous()
    save_file(tensors, os.path.join(folder, "gradients.safetensors"),
              metadata={"source": "transformers %s, torch %s: %s in float64, eager attention, train mode, dropout 0"
                        % (__import__("transformers").__version__, torch.__version__, type(model).__name__)})
    return tensors


VOCAB = 100
words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + ["w%d" % i for i in range(5, VOCAB)]


def save_random(folder, seed, model_class, model_config):
    """Writes vocab.txt and model_class(model_config), made under torch.manual_seed(seed), to folder (save_pretrained).
    Random init leaves LayerNorm at 1/0 and biases at 0: every parameter is perturbed so each one's gradient is generic."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(words) + "\n")
    torch.manual_seed(seed)
    model = model_class(model_config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.save_pretrained(folder, safe_serialization=True)


config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                    max_position_embeddings=64, type_vocab_size=2, hidden_dropout_prob=0.0,
                    attention_probs_dropout_prob=0.0)
save_random(OUT, 18, BertForMaskedLM, config)

# two sequences: [CLS] a [SEP] b [SEP] (token types 0 then 1) and a shorter single segment; 15 % masking by hand:
# [MASK], a random token and an unchanged token all carry labels; the rest are -100
g = torch.Generator().manual_seed(7)
seq_a = [2] + torch.randint(5, VOCAB, (6,), generator=g).tolist() + [3] + torch.randint(5, VOCAB, (4,), generator=g).tolist() + [3]
types_a = [0] * 8 + [1] * 5
seq_b = [2] + torch.randint(5, VOCAB, (5,), generator=g).tolist() + [3]
types_b = [0] * len(seq_b)
labels_a = [-100] * len(seq_a)
labels_b = [-100] * len(seq_b)
for pos in (2, 5, 10):           # [MASK]
    labels_a[pos] = seq_a[pos]
    seq_a[pos] = 4
labels_a[9] = seq_a[9]; seq_a[9] = 42   # a random replacement
labels_b[3] = seq_b[3]                  # unchanged, still predicted
labels_b[1] = seq_b[1]; seq_b[1] = 4
batch = {"ids": [seq_a, seq_b], "token_types": [types_a, types_b], "labels": [labels_a, labels_b]}
with open(os.path.join(OUT, "batch.json"), "w") as f:
    json.dump(batch, f)

n = max(len(seq_a), len(seq_b))
def pad(rows, value):
    return torch.tensor([r + [value] * (n - len(r)) for r in rows])
input_ids, token_types, labels = pad(batch["ids"], 0), pad(batch["token_types"], 0), pad(batch["labels"], -100)
attention_mask = pad([[1] * len(seq_a), [1] * len(seq_b)], 0)

m64 = BertForMaskedLM.from_pretrained(OUT, attn_implementation="eager").double()
m64.train()                       # dropout probabilities are 0, so train mode is deterministic
out = m64(input_ids=input_ids, token_type_ids=token_types, attention_mask=attention_mask, labels=labels)
tensors = save_gradients(m64, out.loss, OUT)
print("loss", out.loss.item())
print("wrote", OUT, sorted(os.listdir(OUT)))
print("parameters:", ", ".join(n for n, _ in m64.named_parameters()))

# ---- sequence classification: the same encoder sizes, a pooler and a 3-way classifier --------------------------
CLS_OUT = os.path.join(os.path.dirname(OUT), "tiny-bert-classify")
cls_config = BertConfig(**{**config.to_dict(), "num_labels": 3, "id2label": {0: "a", 1: "b", 2: "c"},
                           "label2id": {"a": 0, "b": 1, "c": 2}})
save_random(CLS_OUT, 19, BertForSequenceClassification, cls_config)
cls_batch = {"ids": [seq_a, seq_b], "token_types": [types_a, types_b], "labels": [[2], [0]]}
with open(os.path.join(CLS_OUT, "batch.json"), "w") as f:
    json.dump(cls_batch, f)
c64 = BertForSequenceClassification.from_pretrained(CLS_OUT, attn_implementation="eager").double()
c64.train()
out = c64(input_ids=input_ids, token_type_ids=token_types, attention_mask=attention_mask, labels=torch.tensor([2, 0]))
assert c64.config.problem_type == "single_label_classification", c64.config.problem_type
tensors = save_gradients(c64, out.loss, CLS_OUT)
print("classification loss", out.loss.item(), "parameters", len(tensors) - 1)
print("wrote", CLS_OUT, sorted(os.listdir(CLS_OUT)))

# ---- token classification: a 5-way classifier on every token, -100 on the special tokens and one word -------------
TAG_OUT = os.path.join(os.path.dirname(OUT), "tiny-bert-tag")
tag_config = BertConfig(**{**config.to_dict(), "num_labels": 5, "id2label": {i: "T%d" % i for i in range(5)},
                           "label2id": {"T%d" % i: i for i in range(5)}})
save_random(TAG_OUT, 20, BertForTokenClassification, tag_config)
tag_labels = []
for seq in (seq_a, seq_b):
    row = torch.randint(0, 5, (len(seq),), generator=g).tolist()
    for i, t in enumerate(seq):
        if t in (2, 3):
            row[i] = -100
    tag_labels.append(row)
tag_labels[0][4] = -100            # a continuation word piece, say
with open(os.path.join(TAG_OUT, "batch.json"), "w") as f:
    json.dump({"ids": [seq_a, seq_b], "token_types": [types_a, types_b], "labels": tag_labels}, f)
t64 = BertForTokenClassification.from_pretrained(TAG_OUT, attn_implementation="eager").double()
t64.train()
out = t64(input_ids=input_ids, token_type_ids=token_types, attention_mask=attention_mask, labels=pad(tag_labels, -100))
tensors = save_gradients(t64, out.loss, TAG_OUT)
print("token classification loss", out.loss.item(), "parameters", len(tensors) - 1)
print("wrote", TAG_OUT, sorted(os.listdir(TAG_OUT)))

# ---- question answering: start/end logits; two sequences of the same length (the QA loss does not mask padding) ----
QA_OUT = os.path.join(os.path.dirname(OUT), "tiny-bert-qa")
save_random(QA_OUT, 21, BertForQuestionAnswering, config)
seq_c = [2] + torch.randint(5, VOCAB, (4,), generator=g).tolist() + [3] + torch.randint(5, VOCAB, (6,), generator=g).tolist() + [3]
types_c = [0] * 6 + [1] * 7
spans = [[9, 11], [7, 7]]
with open(os.path.join(QA_OUT, "batch.json"), "w") as f:
    json.dump({"ids": [seq_a, seq_c], "token_types": [types_a, types_c], "labels": spans}, f)
q64 = BertForQuestionAnswering.from_pretrained(QA_OUT, attn_implementation="eager").double()
q64.train()
out = q64(input_ids=torch.tensor([seq_a, seq_c]), token_type_ids=torch.tensor([types_a, types_c]),
          attention_mask=torch.ones(2, len(seq_a), dtype=torch.long),
          start_positions=torch.tensor([s for s, _ in spans]), end_positions=torch.tensor([e for _, e in spans]))
tensors = save_gradients(q64, out.loss, QA_OUT)
print("question answering loss", out.loss.item(), "parameters", len(tensors) - 1)
print("wrote", QA_OUT, sorted(os.listdir(QA_OUT)))
