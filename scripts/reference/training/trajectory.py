#!/usr/bin/env python3
"""Same-trajectory fixture for mlm4j's optimiser (issue 18): 50 AdamW steps with transformers + torch in float32,
dropout 0, from the tiny BERTs of gradient_parity.py, recording the loss (before each step), the learning rate and the
gradient's global norm (before clipping) at every step.

The recipe is Hugging Face Trainer's: torch.optim.AdamW (betas 0.9/0.999, eps 1e-8), weight decay 0.01 on every
parameter except biases and LayerNorm weights, get_linear_schedule_with_warmup (5 warm-up steps, 0 at step 50),
torch.nn.utils.clip_grad_norm_(1.0). The batches are fixed: batch.json of the fixture and two seeded batches, cycled.

Writes trajectory.json into mlm4j-core/src/test/resources/training/tiny-bert-mlm/ and tiny-bert-classify/:
  {"lr", "warmup", "steps", "weight_decay", "max_grad_norm", "batches": [{"ids", "token_types", "labels"}, ...],
   "loss": [50], "learning_rate": [50], "grad_norm": [50]}
Read by dev.mlm4j.train.TrajectoryTest. Python only makes the fixture.

    /work/venv/bin/python scripts/reference/training/trajectory.py
"""
import json
import os

import torch
from transformers import BertForMaskedLM, BertForSequenceClassification, get_linear_schedule_with_warmup

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "mlm4j-core", "src", "test",
                    "resources", "training")
LR, WARMUP, STEPS, WD, CLIP = 1e-3, 5, 50, 0.01, 1.0
torch.set_num_threads(1)


def seeded_batches(fixture, g, vocab, mlm):
    """The fixture's batch.json, then two seeded batches of three sequences (MLM: 15 % of the words labelled, 80/10/10)."""
    with open(os.path.join(ROOT, fixture, "batch.json")) as f:
        batches = [json.load(f)]
    for _ in range(2):
        ids, types, labels = [], [], []
        for _ in range(3):
            n = int(torch.randint(4, 12, (1,), generator=g))
            seq = [2] + torch.randint(5, vocab, (n,), generator=g).tolist() + [3]
            ids.append(seq)
            types.append([0] * len(seq))
            if mlm:
                lab = [-100] * len(seq)
                picks = torch.randperm(n, generator=g)[:max(1, round(0.15 * n))] + 1
                for p in picks.tolist():
                    lab[p] = seq[p]
                    r = float(torch.rand(1, generator=g))
                    if r < 0.8:
                        seq[p] = 4
                    elif r < 0.9:
                        seq[p] = int(torch.randint(5, vocab, (1,), generator=g))
                labels.append(lab)
            else:
                labels.append([int(torch.randint(0, 3, (1,), generator=g))])
        batches.append({"ids": ids, "token_types": types, "labels": labels})
    return batches


def tensors(batch, mlm):
    n = max(len(r) for r in batch["ids"])
    pad = lambda rows, v: torch.tensor([r + [v] * (n - len(r)) for r in rows])
    kw = dict(input_ids=pad(batch["ids"], 0), token_type_ids=pad(batch["token_types"], 0),
              attention_mask=pad([[1] * len(r) for r in batch["ids"]], 0))
    kw["labels"] = pad(batch["labels"], -100) if mlm else torch.tensor([l[0] for l in batch["labels"]])
    return kw


def run(fixture, cls, mlm, seed):
    folder = os.path.join(ROOT, fixture)
    model = cls.from_pretrained(folder, attn_implementation="eager").float()
    model.train()   # dropout probabilities are 0
    batches = seeded_batches(fixture, torch.Generator().manual_seed(seed), model.config.vocab_size, mlm)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=(0.9, 0.999), eps=1e-8)
    sched = get_linear_schedule_with_warmup(opt, WARMUP, STEPS)
    losses, lrs, norms = [], [], []
    for step in range(STEPS):
        batch = batches[step % len(batches)]
        opt.zero_grad()
        loss = model(**tensors(batch, mlm)).loss
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        losses.append(loss.item())
        norms.append(norm.item())
    out = {"source": "transformers %s, torch %s, float32, eager attention, dropout 0"
                     % (__import__("transformers").__version__, torch.__version__),
           "lr": LR, "warmup": WARMUP, "steps": STEPS, "weight_decay": WD, "max_grad_norm": CLIP,
           "batches": batches, "loss": losses, "learning_rate": lrs, "grad_norm": norms}
    with open(os.path.join(folder, "trajectory.json"), "w") as f:
        json.dump(out, f)
    print(fixture, "loss", losses[0], "->", losses[-1])


run("tiny-bert-mlm", BertForMaskedLM, True, 50)
run("tiny-bert-classify", BertForSequenceClassification, False, 51)
