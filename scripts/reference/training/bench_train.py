#!/usr/bin/env python3
"""The PyTorch side of scripts/bench-train (issue 18): batches both engines train on, and transformers' optimiser-step
time on them.

    bench_train.py batches DIR mlm|classify SHAPE OUT.json [BROWN.tgz]
        SHAPE BxL: 2 batches of B random sequences of L tokens ([CLS] … [SEP]); SHAPE brown: 3 batches of 32 real Brown
        sentences (whole sentences, at most 128 tokens), tokenized by DIR's tokenizer; mlm4j packs them, PyTorch pads
        each batch to its longest. MLM: 15 % of the non-special tokens labelled (80 % [MASK], 10 % random, 10 % kept);
        classification: a label per sequence.
    bench_train.py run DIR mlm|classify OUT.json STEPS [WARMUP]
        torch.set_num_threads(2); transformers' model in train mode (dropout 0.1 as configured), AdamW (lr 5e-5,
        weight decay 0.01), clip_grad_norm_(1.0); WARMUP untimed steps (default 1), then STEPS timed; prints
        "torch LABEL median_ms=… min_ms=… tokens_per_batch=… steps=… warmup=… torch=… threads=…".
"""
import json
import random
import re
import sys
import tarfile
import time


def batches(folder, objective, shape, out, brown=None):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)          # tokenizer.json (MiniLM) or vocab.txt (bert-base)
    vocab = len(tok)
    cls, sep, mask = tok.cls_token_id, tok.sep_token_id, tok.mask_token_id
    rnd = random.Random(18)
    rows = []
    if shape == "brown":
        sentences = []
        with tarfile.open(brown) as t:
            for m in sorted(t.getmembers(), key=lambda m: m.name):
                if not re.search(r"/c[a-r]\d\d$", m.name):
                    continue
                for line in t.extractfile(m).read().decode("utf-8", "replace").splitlines():
                    words = [w.rsplit("/", 1)[0] for w in line.split()]
                    if len(words) >= 3:
                        sentences.append(" ".join(words))
                if len(sentences) > 5000:
                    break
        rnd.shuffle(sentences)
        rows = [[tok(s, truncation=True, max_length=128)["input_ids"] for s in sentences[i * 32:(i + 1) * 32]] for i in range(3)]
    else:
        b, n = map(int, shape.split("x"))
        rows = [[[cls] + [rnd.randrange(1000, vocab) for _ in range(n - 2)] + [sep] for _ in range(b)] for _ in range(2)]
    out_batches = []
    for seqs in rows:
        ids, labels = [], []
        for s in seqs:
            s = list(s)
            if objective == "mlm":
                lab = [-100] * len(s)
                for i in range(1, len(s) - 1):
                    if rnd.random() < 0.15:
                        lab[i] = s[i]
                        r = rnd.random()
                        s[i] = mask if r < 0.8 else rnd.randrange(1000, vocab) if r < 0.9 else s[i]
                labels.append(lab)
            else:
                labels.append([rnd.randrange(2)])
            ids.append(s)
        out_batches.append({"ids": ids, "token_types": [[0] * len(s) for s in ids], "labels": labels})
    label = "%s %s" % (folder.rstrip("/").rsplit("/", 1)[-1], shape)
    with open(out, "w") as f:
        json.dump({"label": label, "batches": out_batches}, f)


def run(folder, objective, path, steps, warmup=1):
    import torch
    import transformers
    torch.set_num_threads(2)
    with open(path) as f:
        data = json.load(f)
    cls = transformers.BertForMaskedLM if objective == "mlm" else transformers.BertForSequenceClassification
    model = cls.from_pretrained(folder)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    prepared = []
    for b in data["batches"]:
        n = max(len(s) for s in b["ids"])
        def pad(rows, v):
            return torch.tensor([r + [v] * (n - len(r)) for r in rows])
        kw = dict(input_ids=pad(b["ids"], 0), token_type_ids=pad(b["token_types"], 0),
                  attention_mask=pad([[1] * len(s) for s in b["ids"]], 0))
        kw["labels"] = pad(b["labels"], -100) if objective == "mlm" else torch.tensor([l[0] for l in b["labels"]])
        prepared.append((kw, sum(len(s) for s in b["ids"])))
    ms = []
    for s in range(warmup + steps):
        kw, _ = prepared[s % len(prepared)]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(**kw).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if s >= warmup:
            ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    tokens = sum(t for _, t in prepared) // len(prepared)
    print("torch %s median_ms=%.0f min_ms=%.0f tokens_per_batch=%d steps=%d warmup=%d torch=%s threads=%d" % (
        data["label"], ms[len(ms) // 2], ms[0], tokens, steps, warmup, torch.__version__, torch.get_num_threads()))


if __name__ == "__main__":
    if sys.argv[1] == "batches":
        batches(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6] if len(sys.argv) > 6 else None)
    else:
        run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]) if len(sys.argv) > 6 else 1)
