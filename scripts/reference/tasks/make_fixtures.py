#!/usr/bin/env python3
"""Task-model fixtures for mlm4j issue 16 (text/token classification, QA, rerank, zero-shot).

Usage: make_fixtures.py ENCODERS_DIR OUT_DIR
  ENCODERS_DIR holds Hugging Face folders written by `./mlm4j convert NAME ENCODERS_DIR/hf-NAME`
  for bert-base-uncased, bert-base-cased and all-MiniLM-L6-v2.
  OUT_DIR is mlm4j-core/src/test/resources/tasks.

What it does (everything seeded, CPU, float32):
 1. For each task model on a real pretrained encoder: trains only a small head (and, for MiniLM, which
    has no pooler, a pooler) on frozen encoder features from tiny synthetic data, so outputs are
    realistic and non-degenerate; writes head.safetensors + config-fragment.json.
 2. Assembles encoder + head into a Hugging Face folder, loads it with transformers and checks that
    nothing is missing/unexpected/mismatched and that every loaded tensor equals its source bit for bit.
 3. Runs transformers' (5.18) pipelines -- or, for question answering, which 5.x removed, the span rules
    of transformers 4.57.6's QuestionAnsweringPipeline re-implemented here (see qa_pipeline) -- and for
    rerank sentence-transformers' CrossEncoder, writing expected.json with full-precision scores.
 4. Does the same for tiny random-initialised full checkpoints (hidden 32, 2 layers, small WordPiece vocab).
"""
import hashlib
import json
import os
import random
import shutil
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

import transformers
from transformers import (AutoConfig, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
                          AutoModelForTokenClassification, AutoTokenizer, BertConfig, pipeline)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inputs as I  # noqa: E402

SEED = 16
torch.use_deterministic_algorithms(True)
NER_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]  # as dslim/bert-base-NER
NLI_ID2LABEL = {0: "contradiction", 1: "neutral", 2: "entailment"}  # as facebook/bart-large-mnli
TOPICS = ["sports", "politics", "technology", "food"]


def seed_all(s=SEED):
    random.seed(s)
    np.random.seed(s)
    torch.manual_seed(s)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def jsonable(x):
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, torch.Tensor):
        return jsonable(x.tolist())
    return x


def memo_forward(pipe):
    """Same inputs -> same forward pass: reuse it across the kwargs variants (they only change pre/postprocessing
    after tokenization; the key is the exact model input), so each text runs through the model once."""
    cache, inner = {}, pipe._forward

    def key(d):
        return tuple((k, tuple(v.shape), v.numpy().tobytes()) if isinstance(v, torch.Tensor) else (k, repr(v))
                     for k, v in sorted(d.items()))

    def fwd(model_inputs, **kw):
        k = key(model_inputs)
        if k not in cache:
            cache[k] = inner(model_inputs, **kw)
        return cache[k]
    pipe._forward = fwd
    return pipe


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(jsonable(obj), f, ensure_ascii=False, indent=1)
        f.write("\n")


# ----------------------------------------------------------------------------------------------------
# Synthetic training data (only to make heads realistic; never part of the expected outputs)
# ----------------------------------------------------------------------------------------------------
PER = ["Angela Merkel", "John Smith", "Maria Garcia", "Wolfgang Schmidt", "Li Wei", "Olga Petrova",
       "Ahmed Hassan", "Sophie Dubois", "Kenji Watanabe", "Fatima Zahra", "Pierre", "Anna", "Carlos Mendes",
       "Ingrid Bergman", "Rahul Sharma", "Emily Clarke"]
LOC = ["Berlin", "Paris", "New York", "Tokyo", "Madrid", "Cairo", "London", "Moscow", "Lagos", "Lima",
       "Germany", "France", "Japan", "Brazil", "Canada", "Rome", "Vienna", "Sydney"]
ORG = ["Google", "Siemens", "the United Nations", "Microsoft", "Toyota", "Deutsche Bank", "NASA", "Reuters",
       "the World Bank", "Nestlé", "Oxford University", "BMW", "Amazon", "UNICEF"]
MISC = ["German", "French", "Olympic", "Christmas", "English", "Japanese", "Nobel", "Brazilian", "Catholic"]
NER_TEMPLATES = [
    "{PER} lives in {LOC}.", "{PER} works for {ORG} in {LOC}.", "{ORG} opened an office in {LOC}.",
    "Yesterday {PER} met {PER} at the {MISC} embassy in {LOC}.", "The {MISC} team beat {LOC} in {LOC}.",
    "{PER} said {ORG} will hire more staff.", "We flew from {LOC} to {LOC} with {PER}.",
    "According to {ORG}, the {MISC} market is growing.", "{PER} and {PER} founded {ORG}.",
    "It rained all day and nothing happened.", "The price of bread went up again.",
    "{LOC} is a beautiful city.", "{PER} won the {MISC} prize.",
]


def ner_examples(rng, n):
    out = []
    for _ in range(n):
        t = rng.choice(NER_TEMPLATES)
        text, spans, i = "", [], 0
        while i < len(t):
            if t[i] == "{":
                j = t.index("}", i)
                kind = t[i + 1:j]
                val = rng.choice({"PER": PER, "LOC": LOC, "ORG": ORG, "MISC": MISC}[kind])
                spans.append((len(text), len(text) + len(val), kind))
                text += val
                i = j + 1
            else:
                text += t[i]
                i += 1
        out.append((text, spans))
    return out


POS = ["I loved it", "wonderful experience", "absolutely fantastic", "great value and friendly staff",
       "the best thing I have bought", "really enjoyable and fun", "highly recommended", "delightful"]
NEG = ["I hated it", "terrible experience", "absolutely awful", "rude staff and cold food",
       "the worst thing I have bought", "boring and far too long", "do not buy this", "disappointing"]
TOPIC_SENT = {
    "sports": ["the team won the match", "the striker scored a goal", "the tennis final was exciting",
               "the coach praised the players"],
    "politics": ["parliament passed the law", "the minister resigned", "the election was close",
                 "the senator gave a speech"],
    "technology": ["the new phone has a faster chip", "the software update fixed bugs",
                   "engineers built a new processor", "the app crashed again"],
    "food": ["the soup was delicious", "bake the bread for an hour", "the chef cooked pasta",
             "add salt and pepper"],
}


def sentiment_examples(rng, n):
    out = []
    for _ in range(n):
        y = rng.randrange(2)
        s = rng.choice(POS if y else NEG)
        s = rng.choice(["{}.", "Honestly, {}.", "{}!", "The movie: {}.", "Overall {}."]).format(s)
        out.append((s, y))
    return out


def topic_examples(rng, n):
    out = []
    for _ in range(n):
        k = rng.choice([1, 1, 2])
        tops = rng.sample(TOPICS, k)
        s = " and ".join(rng.choice(TOPIC_SENT[t]) for t in tops).capitalize() + "."
        out.append((s, [1.0 if t in tops else 0.0 for t in TOPICS]))
    return out


def rating_examples(rng, n):
    out = []
    for _ in range(n):
        y = rng.randrange(2)
        a, b = rng.choice(POS if y else NEG), rng.choice(POS if y else NEG)
        strong = rng.random() < 0.5
        s = (a + " and " + b if strong else a) + "."
        out.append((s, (4.5 if strong else 3.5) if y else (1.0 if strong else 2.0)))
    return out


def nli_examples(rng, n):
    out = []
    labels = list(TOPIC_SENT)
    for _ in range(n):
        t = rng.choice(labels)
        prem = rng.choice(TOPIC_SENT[t]).capitalize() + "."
        r = rng.random()
        if r < 0.45:
            hyp, y = f"This example is {t}.", 2
        elif r < 0.8:
            hyp, y = f"This example is {rng.choice([x for x in labels if x != t])}.", 0
        else:
            hyp, y = f"This example is {rng.choice(['long', 'recent', 'interesting'])}.", 1
        out.append(((prem, hyp), y))
    return out


QA_TEMPLATES = [
    ("{P} was born in {L} in {Y}. {P2} works for {O}.", [("Where was {P} born?", "{L}"),
                                                           ("When was {P} born?", "{Y}"),
                                                           ("Who works for {O}?", "{P2}"),
                                                           ("Which company does {P2} work for?", "{O}")]),
    ("In {Y}, {O} moved its headquarters from {L} to {L2}, said {P}.", [
        ("Where did {O} move its headquarters?", "{L2}"), ("When did {O} move?", "{Y}"),
        ("Who said it?", "{P}"), ("Where was {O} before?", "{L}")]),
    ("The bridge in {L} is {N} metres long and was opened by {P}.", [
        ("How long is the bridge?", "{N} metres"), ("Who opened the bridge?", "{P}"),
        ("Where is the bridge?", "{L}")]),
]


def qa_examples(rng, n):
    out = []
    for _ in range(n):
        tpl, qs = rng.choice(QA_TEMPLATES)
        v = {"P": rng.choice(PER), "P2": rng.choice(PER), "L": rng.choice(LOC), "L2": rng.choice(LOC),
             "O": rng.choice(ORG), "Y": str(rng.randrange(1850, 2024)), "N": str(rng.randrange(50, 3000))}
        ctx = tpl.format(**v)
        q, a = rng.choice(qs)
        q, a = q.format(**v), a.format(**v)
        # answer occurrence: the one that matches the template slot
        start = ctx.find(a) if a != v.get("L2") else ctx.rfind(a)
        out.append((q, ctx, start, start + len(a)))
    return out


def rerank_examples(rng, n):
    out = []
    for _ in range(n):
        t = rng.choice(list(TOPIC_SENT))
        q = rng.choice(TOPIC_SENT[t]).split(" ", 2)[-1]
        if rng.random() < 0.5:
            out.append(((q, rng.choice(TOPIC_SENT[t]).capitalize() + "."), 1.0))
        else:
            o = rng.choice([x for x in TOPIC_SENT if x != t])
            out.append(((q, rng.choice(TOPIC_SENT[o]).capitalize() + "."), 0.0))
    return out


# ----------------------------------------------------------------------------------------------------
# Head training on frozen features
# ----------------------------------------------------------------------------------------------------
def train_linear(x, y, n_out, loss, steps=400, lr=0.01, extra=None):
    """Adam on a linear layer (plus optional extra params) over precomputed features."""
    g = torch.Generator().manual_seed(SEED)
    w = torch.nn.Parameter(torch.randn(n_out, x.shape[-1], generator=g) * 0.02)
    b = torch.nn.Parameter(torch.zeros(n_out))
    params = [w, b] + (extra or [])
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        l = loss(w, b)
        l.backward()
        opt.step()
    return w.detach().clone(), b.detach().clone(), float(l)


def encoder_only(folder):
    from transformers import BertModel
    m = BertModel.from_pretrained(folder, add_pooling_layer=True)
    return m.eval()


@torch.no_grad()
def feats(model, tok, texts, pairs=False, kind="pooled", batch=16):
    out = []
    for i in range(0, len(texts), batch):
        chunk = texts[i:i + batch]
        if pairs:
            enc = tok([a for a, _ in chunk], [b for _, b in chunk], padding=True, truncation=True,
                      return_tensors="pt")
        else:
            enc = tok(chunk, padding=True, truncation=True, return_tensors="pt")
        o = model(**enc)
        if kind == "pooled":
            out.append(o.pooler_output)
        elif kind == "cls":
            out.append(o.last_hidden_state[:, 0])
        else:
            out.append((o.last_hidden_state, enc))
    return torch.cat(out) if kind != "tokens" else out


# ----------------------------------------------------------------------------------------------------
# Question answering: transformers 5.x has no question-answering pipeline. These are the span rules of
# transformers v4.57.6 src/transformers/pipelines/question_answering.py (last 4.x release), re-implemented.
# ----------------------------------------------------------------------------------------------------
_QA_CACHE = {}


def qa_pipeline(model, tok, question, context, top_k=1, doc_stride=None, max_answer_len=15, max_seq_len=None,
                handle_impossible_answer=False, align_to_words=True):
    # preprocess(): defaults max_seq_len = min(model_max_length, 384), doc_stride = min(max_seq_len // 2, 128)
    if max_seq_len is None:
        max_seq_len = min(tok.model_max_length, 384)
    if doc_stride is None:
        doc_stride = min(max_seq_len // 2, 128)
    if doc_stride > max_seq_len:
        raise ValueError("doc_stride > max_seq_len")
    # preprocess(): question first (padding_side right), truncation only_second, no padding, overflow with stride
    enc = tok(text=question, text_pair=context, padding="do_not_pad", truncation="only_second",
              max_length=max_seq_len, stride=doc_stride, return_token_type_ids=True,
              return_overflowing_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True)
    min_null_score = 1000000  # postprocess(): "large and positive"
    answers = []
    # postprocess(): pre_topk = top_k * 2 + 10 if align_to_words, because aligned candidates may merge
    pre_topk = top_k * 2 + 10 if align_to_words else top_k
    chunks = []
    for i in range(len(enc["input_ids"])):
        ids = enc["input_ids"][i]
        # p_mask: 1 where the token can't be in the answer (question tokens and specials, sequence id != 1),
        # except the CLS token(s), which stay unmasked.
        p_mask = np.array([0 if s == 1 else 1 for s in enc.sequence_ids(i)])
        p_mask[np.array(ids) == tok.cls_token_id] = 0
        feed = {k: torch.tensor([enc[k][i]]) for k in ("input_ids", "token_type_ids", "attention_mask")}
        ck = (id(model),) + tuple(tuple(v[0].tolist()) for v in feed.values())
        if ck not in _QA_CACHE:
            with torch.no_grad():
                out = model(**feed)
            _QA_CACHE[ck] = (out.start_logits.numpy(), out.end_logits.numpy())  # float32 (1, L)
        start, end = (a.copy() for a in _QA_CACHE[ck])
        attention = np.array([enc["attention_mask"][i]])
        # select_starts_ends(): allowed = (1 - p_mask) & attention_mask; others get -10000 before the softmax
        allowed = np.abs(p_mask[None] - 1) & attention
        masked = allowed == 0
        start = np.where(masked, -10000.0, start)  # stays float32 (numpy weak python scalar)
        end = np.where(masked, -10000.0, end)
        start = np.exp(start - start.max(axis=-1, keepdims=True))
        start = start / start.sum()
        end = np.exp(end - end.max(axis=-1, keepdims=True))
        end = end / end.sum()
        if handle_impossible_answer:  # null score = p_start(CLS) * p_end(CLS), minimum over chunks
            min_null_score = min(min_null_score, (start[0, 0] * end[0, 0]).item())
        start[0, 0] = end[0, 0] = 0.0  # CLS can't start/end a real answer
        # decode_spans(): score(s, e) = p_start(s) * p_end(e), keep s <= e < s + max_answer_len
        outer = np.matmul(np.expand_dims(start, -1), np.expand_dims(end, 1))
        cand = np.tril(np.triu(outer), max_answer_len - 1)
        flat = cand.flatten()
        if pre_topk == 1:
            order = [np.argmax(flat)]
        elif len(flat) < pre_topk:
            order = np.argsort(-flat)
        else:
            idx = np.argpartition(-flat, pre_topk)[0:pre_topk]
            order = idx[np.argsort(-flat[idx])]
        starts, ends = np.unravel_index(order, cand.shape)[1:]
        # both ends must be allowed tokens (np.isin against allowed.nonzero(), which also holds row index 0)
        ok_idx = np.concatenate(allowed.nonzero())
        keep = np.isin(starts, ok_idx) & np.isin(ends, ok_idx)
        starts, ends = starts[keep], ends[keep]
        scores = cand[0, starts, ends]
        e_ = enc.encodings[i]
        chunks.append(len(ids))
        for s, e, score in zip(starts, ends, scores):
            # get_indices(): align_to_words widens to whole words of the context (sequence 1) via
            # token_to_word/word_to_chars; on any exception (e.g. a special token) fall back to token offsets
            if align_to_words:
                try:
                    sw, ew = e_.token_to_word(int(s)), e_.token_to_word(int(e))
                    si = e_.word_to_chars(sw, sequence_index=1)[0]
                    ei = e_.word_to_chars(ew, sequence_index=1)[1]
                except Exception:
                    si, ei = e_.offsets[s][0], e_.offsets[e][1]
            else:
                si, ei = e_.offsets[s][0], e_.offsets[e][1]
            target = context[si:ei]
            # get_answer(): an answer whose text equals (case-insensitively) one already found adds its score
            same = next((a for a in answers if a["answer"].lower() == target.lower()), None)
            if same:
                same["score"] += score.item()
            else:
                answers.append({"score": score.item(), "start": si, "end": ei, "answer": target})
    if handle_impossible_answer:
        answers.append({"score": min_null_score, "start": 0, "end": 0, "answer": ""})
    answers = sorted(answers, key=lambda x: x["score"], reverse=True)[:top_k]  # stable sort
    return (answers[0] if len(answers) == 1 else answers), chunks


# ----------------------------------------------------------------------------------------------------
# Assembly: converted encoder folder + committed head -> a folder transformers loads
# ----------------------------------------------------------------------------------------------------
def assemble(encoder_dir, head_path, fragment, out_dir):
    """The recipe the Java test mirrors (see README.md)."""
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    for f in os.listdir(encoder_dir):
        p = os.path.join(encoder_dir, f)
        if f in ("model.safetensors", "config.json", "mlm4j-model.json", "modules.json",
                 "sentence_bert_config.json") or os.path.isdir(p):
            continue
        shutil.copy(p, out_dir)
    # BertForQuestionAnswering / BertForTokenClassification are built without a pooler
    with_pooler = fragment["architectures"][0] == "BertForSequenceClassification"
    tensors = {}
    with safe_open(os.path.join(encoder_dir, "model.safetensors"), "pt") as f:
        for k in f.keys():
            if k.startswith("bert.embeddings.") or k.startswith("bert.encoder.") or (
                    k.startswith("bert.pooler.") and with_pooler):
                tensors[k] = f.get_tensor(k)
    with safe_open(head_path, "pt") as f:
        for k in f.keys():
            tensors[k] = f.get_tensor(k)  # a committed pooler replaces the encoder's
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    cfg = json.load(open(os.path.join(encoder_dir, "config.json")))
    cfg.update(fragment)
    write_json(os.path.join(out_dir, "config.json"), cfg)
    return tensors


def verify_load(auto_cls, out_dir, tensors):
    model, info = auto_cls.from_pretrained(out_dir, output_loading_info=True)
    bad = {k: v for k, v in info.items() if v}
    assert not bad, f"{out_dir}: loading info {bad}"
    sd = model.state_dict()
    for k, v in tensors.items():
        assert k in sd and torch.equal(sd[k], v), f"{out_dir}: {k} differs after loading"
    extra = [k for k in sd if k not in tensors]
    assert not extra, f"{out_dir}: model has tensors not in the folder: {extra}"
    return model.eval()


# ----------------------------------------------------------------------------------------------------
# Expected outputs per task
# ----------------------------------------------------------------------------------------------------
def text_classification_cases(model, tok, kind):
    pipe = memo_forward(pipeline("text-classification", model=model, tokenizer=tok, device="cpu"))
    variants = [{}, {"top_k": None}, {"top_k": 2}, {"function_to_apply": "softmax", "top_k": None},
                {"function_to_apply": "sigmoid", "top_k": None}, {"function_to_apply": "none", "top_k": None}]
    if kind == "regression":
        variants = [{}, {"top_k": None}, {"function_to_apply": "sigmoid"}, {"function_to_apply": "softmax"}]
    cases = []
    for n, text in enumerate(I.CLASSIFY_TEXTS):
        for kw in variants:
            cases.append({"id": f"tc-{n}-{len(cases)}", "input": text, "kwargs": kw, "output": pipe(text, **kw)})
    return cases


def token_classification_cases(model, tok):
    pipe = memo_forward(pipeline("token-classification", model=model, tokenizer=tok, device="cpu"))
    cases = []
    for n, text in enumerate(I.NER_TEXTS):
        for agg in ["none", "simple", "first", "average", "max"]:
            kw = {"aggregation_strategy": agg}
            cases.append({"id": f"ner-{n}-{agg}", "input": text, "kwargs": kw, "output": pipe(text, **kw)})
        if n % 4 == 0:
            for kw in [{"aggregation_strategy": "none", "ignore_labels": []},
                       {"aggregation_strategy": "simple", "ignore_labels": ["O", "MISC"]}]:
                cases.append({"id": f"ner-{n}-ignore-{len(cases)}", "input": text, "kwargs": kw,
                              "output": pipe(text, **kw)})
    for n, text in enumerate(I.NER_STRIDE_TEXTS):
        for agg in ["simple", "first", "average", "max"]:
            for stride in [128, 32]:
                kw = {"aggregation_strategy": agg, "stride": stride}
                cases.append({"id": f"ner-stride-{n}-{agg}-{stride}", "input": text, "kwargs": kw,
                              "output": pipe(text, **kw)})
    return cases


def qa_cases(model, tok):
    variants = [{}, {"top_k": 3}, {"max_answer_len": 3}, {"handle_impossible_answer": True},
                {"top_k": 2, "handle_impossible_answer": True}]
    extra = [{"max_seq_len": 48, "doc_stride": 12}, {"max_seq_len": 96, "doc_stride": 48, "top_k": 4},
             {"align_to_words": False, "top_k": 3}]
    cases = []
    for n, (q, c) in enumerate(I.QA_CASES):
        for kw in variants + (extra if n % 3 == 0 or len(c) > 1000 else []):
            try:
                out, chunks = qa_pipeline(model, tok, q, c, **kw)
            except Exception as e:  # e.g. question too long for a small max_seq_len: not a fixture case
                print(f"  skipped qa case {n} {kw}: {e}")
                continue
            cases.append({"id": f"qa-{n}-{len(cases)}", "input": {"question": q, "context": c}, "kwargs": kw,
                          "chunks": len(chunks), "output": out})
    return cases


def zero_shot_cases(model, tok):
    pipe = memo_forward(pipeline("zero-shot-classification", model=model, tokenizer=tok, device="cpu"))
    cases = []
    for n, (seq, labels) in enumerate(I.ZERO_SHOT_CASES):
        vs = [{}, {"multi_label": True}]
        if n % 3 == 0:
            vs.append({"hypothesis_template": "The topic of this text is {}."})
            vs.append({"hypothesis_template": "Dieser Text handelt von {}.", "multi_label": True})
        for kw in vs:
            cases.append({"id": f"zs-{n}-{len(cases)}", "input": seq,
                          "kwargs": dict(candidate_labels=labels, **kw),
                          "output": pipe(seq, candidate_labels=labels, **kw)})
    return cases


def rerank_cases(folder, model, tok):
    from sentence_transformers import CrossEncoder
    ce = CrossEncoder(folder, device="cpu")
    cases = []
    for n, (q, docs) in enumerate(I.RERANK_CASES):
        logits = ce.predict([(q, d) for d in docs], activation_fn=torch.nn.Identity(), convert_to_numpy=True)
        # independent check: transformers on each pair alone, truncated like CrossEncoder
        for d, lg in zip(docs, logits):
            enc = tok(q, d, truncation=True, return_tensors="pt")
            with torch.no_grad():
                direct = model(**enc).logits[0, 0].item()
            assert abs(direct - float(lg)) < 1e-4, (q, d, direct, lg)
        ranked = ce.rank(q, docs, return_documents=True)  # default activation for num_labels=1: Sigmoid
        sig = [float(1.0 / (1.0 + np.exp(-np.float32(x)))) for x in logits]
        # TEI /rerank: score = sigmoid(logit) unless raw_scores; [{index, score[, text]}] sorted by score desc
        tei = sorted(({"index": i, "score": s} for i, s in enumerate(sig)), key=lambda r: r["score"])[::-1]
        tei_raw = sorted(({"index": i, "score": float(s)} for i, s in enumerate(logits)),
                         key=lambda r: r["score"])[::-1]
        cases.append({"id": f"rr-{n}", "query": q, "documents": docs,
                      "logits": [float(x) for x in logits],
                      "cross_encoder_rank": ranked,
                      "tei_rerank": tei, "tei_rerank_raw_scores": tei_raw})
    return cases


# ----------------------------------------------------------------------------------------------------
# Pretrained-encoder task models
# ----------------------------------------------------------------------------------------------------
PRETRAINED = [("sentiment-bert-base-uncased", 0), ("topics-multilabel-bert-base-uncased", 0),
              ("rating-regression-bert-base-uncased", 0), ("nli-bert-base-uncased", 0), ("qa-bert-base-uncased", 0),
              ("ner-bert-base-cased", 0), ("rerank-all-MiniLM-L6-v2", 0)]


def build_pretrained(enc_root, out_root, work, start_from=None):
    rng = random.Random(SEED)
    specs = []
    E = lambda n: os.path.join(enc_root, "hf-" + n)  # noqa: E731

    def finish(name, encoder, head, fragment, auto_cls, task, make_cases, notes):
        d = os.path.join(out_root, "pretrained", name)
        os.makedirs(d, exist_ok=True)
        head_path = os.path.join(d, "head.safetensors")
        save_file({k: v.contiguous() for k, v in head.items()}, head_path, metadata={"format": "pt"})
        write_json(os.path.join(d, "config-fragment.json"), fragment)
        asm = os.path.join(work, "assembled", name)
        tensors = assemble(E(encoder), head_path, fragment, asm)
        model = verify_load(auto_cls, asm, tensors)
        tok = AutoTokenizer.from_pretrained(asm)
        seed_all()
        cases = make_cases(asm, model, tok)
        write_json(os.path.join(d, "expected.json"), {
            "task": task, "encoder": encoder, "notes": notes,
            "encoder_model_safetensors_sha256": sha256(os.path.join(E(encoder), "model.safetensors")),
            "head_sha256": sha256(head_path),
            "cases": cases})
        specs.append((name, len(cases)))
        print(f"  {name}: {len(cases)} cases", flush=True)

    # all synthetic data first, in a fixed order: skipping models (--from) leaves the others unchanged
    DATA = {"sentiment": sentiment_examples(rng, 160), "topics": topic_examples(rng, 200),
            "rating": rating_examples(rng, 160), "nli": nli_examples(rng, 240), "qa": qa_examples(rng, 240),
            "ner": ner_examples(rng, 300), "rerank": rerank_examples(rng, 240)}
    order = [n for n, _ in PRETRAINED]
    first = order.index(start_from) if start_from else 0
    want = lambda n: order.index(n) >= first  # noqa: E731

    # --- text classification on bert-base-uncased (its pretrained TF pooler is kept) ---
    base = encoder_only(E("bert-base-uncased"))
    tok_u = AutoTokenizer.from_pretrained(E("bert-base-uncased"))
    data = DATA["sentiment"]
    if want("sentiment-bert-base-uncased"):
        x = feats(base, tok_u, [t for t, _ in data])
        y = torch.tensor([l for _, l in data])
        w, b, l = train_linear(x, y, 2, lambda w, b: torch.nn.functional.cross_entropy(x @ w.T + b, y))
        print(f"sentiment head loss {l:.4f}")
        finish("sentiment-bert-base-uncased", "bert-base-uncased", {"classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForSequenceClassification"], "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
                "label2id": {"NEGATIVE": 0, "POSITIVE": 1}},
               AutoModelForSequenceClassification, "text-classification",
               lambda f, m, t: text_classification_cases(m, t, "single"),
               "problem_type unset, 2 labels -> softmax by default (like SST-2 models)")

    data = DATA["topics"]
    if want("topics-multilabel-bert-base-uncased"):
        x = feats(base, tok_u, [t for t, _ in data])
        y = torch.tensor([l for _, l in data])
        w, b, l = train_linear(x, y, 4, lambda w, b: torch.nn.functional.binary_cross_entropy_with_logits(x @ w.T + b, y))
        print(f"topics head loss {l:.4f}")
        finish("topics-multilabel-bert-base-uncased", "bert-base-uncased",
               {"classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForSequenceClassification"], "problem_type": "multi_label_classification",
                "id2label": {str(i): t for i, t in enumerate(TOPICS)}, "label2id": {t: i for i, t in enumerate(TOPICS)}},
               AutoModelForSequenceClassification, "text-classification",
               lambda f, m, t: text_classification_cases(m, t, "multi"),
               "problem_type multi_label_classification -> sigmoid by default")

    data = DATA["rating"]
    if want("rating-regression-bert-base-uncased"):
        x = feats(base, tok_u, [t for t, _ in data])
        y = torch.tensor([[l] for _, l in data])
        w, b, l = train_linear(x, y, 1, lambda w, b: torch.nn.functional.mse_loss(x @ w.T + b, y), lr=0.02)
        print(f"rating head loss {l:.4f}")
        finish("rating-regression-bert-base-uncased", "bert-base-uncased",
               {"classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForSequenceClassification"], "problem_type": "regression",
                "id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}},
               AutoModelForSequenceClassification, "text-classification",
               lambda f, m, t: text_classification_cases(m, t, "regression"),
               "problem_type regression, 1 label -> no function by default")

    # --- zero-shot over an NLI head on bert-base-uncased ---
    data = DATA["nli"]
    if want("nli-bert-base-uncased"):
        x = feats(base, tok_u, [p for p, _ in data], pairs=True)
        y = torch.tensor([l for _, l in data])
        w, b, l = train_linear(x, y, 3, lambda w, b: torch.nn.functional.cross_entropy(x @ w.T + b, y))
        print(f"nli head loss {l:.4f}")
        finish("nli-bert-base-uncased", "bert-base-uncased", {"classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForSequenceClassification"], "id2label": {str(k): v for k, v in NLI_ID2LABEL.items()},
                "label2id": {v: k for k, v in NLI_ID2LABEL.items()}},
               AutoModelForSequenceClassification, "zero-shot-classification",
               lambda f, m, t: zero_shot_cases(m, t),
               "MNLI label order (contradiction, neutral, entailment) as facebook/bart-large-mnli")

    # --- question answering on bert-base-uncased ---
    data = DATA["qa"]
    if want("qa-bert-base-uncased"):
        hs, starts, ends, masks = [], [], [], []
        with torch.no_grad():
            for q, c, s, e in data:
                enc = tok_u(q, c, return_offsets_mapping=True, return_tensors="pt")
                off = enc.pop("offset_mapping")[0]
                seq = enc.sequence_ids(0)
                st = [i for i, (o, sid) in enumerate(zip(off.tolist(), seq)) if sid == 1 and o[0] <= s < o[1]]
                en = [i for i, (o, sid) in enumerate(zip(off.tolist(), seq)) if sid == 1 and o[0] < e <= o[1]]
                h = base(**enc).last_hidden_state[0]
                hs.append(h)
                starts.append(st[0])
                ends.append(en[-1])
                masks.append(torch.tensor([sid == 1 or i == 0 for i, sid in enumerate(seq)]))
        L = max(h.shape[0] for h in hs)
        H = torch.zeros(len(hs), L, hs[0].shape[1])
        M = torch.zeros(len(hs), L, dtype=torch.bool)
        for i, (h, m) in enumerate(zip(hs, masks)):
            H[i, :h.shape[0]] = h
            M[i, :m.shape[0]] = m
        ys, ye = torch.tensor(starts), torch.tensor(ends)

        def qa_loss(w, b):
            lg = H @ w.T + b
            lg = lg.masked_fill(~M[..., None], -1e4)
            return (torch.nn.functional.cross_entropy(lg[..., 0], ys) + torch.nn.functional.cross_entropy(lg[..., 1], ye)) / 2
        w, b, l = train_linear(H, None, 2, qa_loss, steps=300)
        print(f"qa head loss {l:.4f}")
        finish("qa-bert-base-uncased", "bert-base-uncased", {"qa_outputs.weight": w, "qa_outputs.bias": b},
               {"architectures": ["BertForQuestionAnswering"]},
               AutoModelForQuestionAnswering, "question-answering",
               lambda f, m, t: qa_cases(m, t),
               "expected outputs follow transformers 4.57.6 QuestionAnsweringPipeline rules (5.x has none); "
               "model_max_length 512 -> max_seq_len 384, doc_stride 128 by default")
    del base

    # --- token classification on bert-base-cased ---
    basec = encoder_only(E("bert-base-cased"))
    tok_c = AutoTokenizer.from_pretrained(E("bert-base-cased"))
    data = DATA["ner"]
    if want("ner-bert-base-cased"):
        X, Y = [], []
        with torch.no_grad():
            for text, spans in data:
                enc = tok_c(text, return_offsets_mapping=True, return_tensors="pt")
                off = enc.pop("offset_mapping")[0].tolist()
                h = basec(**enc).last_hidden_state[0]
                for i, (a, z) in enumerate(off):
                    if a == z:
                        continue
                    lab = "O"
                    for s, e, kind in spans:
                        if s <= a < e:
                            lab = ("B-" if a == s else "I-") + kind
                    X.append(h[i])
                    Y.append(NER_LABELS.index(lab))
        X, Y = torch.stack(X), torch.tensor(Y)
        w, b, l = train_linear(X, Y, 9, lambda w, b: torch.nn.functional.cross_entropy(X @ w.T + b, Y))
        print(f"ner head loss {l:.4f}")
        finish("ner-bert-base-cased", "bert-base-cased", {"classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForTokenClassification"], "id2label": {str(i): t for i, t in enumerate(NER_LABELS)},
                "label2id": {t: i for i, t in enumerate(NER_LABELS)}},
               AutoModelForTokenClassification, "token-classification",
               lambda f, m, t: token_classification_cases(m, t),
               "label order as dslim/bert-base-NER; ignore_labels defaults to ['O']")
    del basec

    # --- rerank on all-MiniLM-L6-v2: no pooler in the ONNX export, so a trained seeded pooler is committed ---
    mini = encoder_only(E("all-MiniLM-L6-v2"))  # pooler missing -> randomly initialised, not used here
    tok_m = AutoTokenizer.from_pretrained(E("all-MiniLM-L6-v2"))
    data = DATA["rerank"]
    if want("rerank-all-MiniLM-L6-v2"):
        x = feats(mini, tok_m, [p for p, _ in data], pairs=True, kind="cls")
        y = torch.tensor([l for _, l in data])
        g = torch.Generator().manual_seed(SEED + 1)
        pw = torch.nn.Parameter(torch.randn(384, 384, generator=g) / 384 ** 0.5)
        pb = torch.nn.Parameter(torch.zeros(384))
        w, b, l = train_linear(x, y, 1, lambda w, b: torch.nn.functional.binary_cross_entropy_with_logits(
            (torch.tanh(x @ pw.T + pb) @ w.T + b)[:, 0] * 1.0, y), extra=[pw, pb], lr=0.003)
        # the tiny synthetic task is separable, so logits grow until sigmoid saturates at 1.0 / 0.0 and ranks tie;
        # scale the classifier so training logits have std 2.5: same order, scores spread over (0, 1)
        with torch.no_grad():
            z = (torch.tanh(x @ pw.T + pb) @ w.T + b)[:, 0]
            k = 2.5 / z.std()
            w, b = w * k, b * k
        print(f"rerank head loss {l:.4f}, logits scaled by {float(k):.4f}")
        finish("rerank-all-MiniLM-L6-v2", "all-MiniLM-L6-v2",
               {"bert.pooler.dense.weight": pw.detach(), "bert.pooler.dense.bias": pb.detach(),
                "classifier.weight": w, "classifier.bias": b},
               {"architectures": ["BertForSequenceClassification"], "id2label": {"0": "LABEL_0"},
                "label2id": {"LABEL_0": 0}},
               AutoModelForSequenceClassification, "rerank",
               lambda f, m, t: rerank_cases(f, m, t),
               "CrossEncoder (sentence-transformers) over BertForSequenceClassification, 1 label; tokenizer "
               "model_max_length 256 (from the converted MiniLM folder) -> pairs truncated longest_first to 256")
    return specs


# ----------------------------------------------------------------------------------------------------
# Tiny random full checkpoints
# ----------------------------------------------------------------------------------------------------
def tiny_vocab(enc_root, lowercase):
    """The tokens the real bert-base-(un)cased tokenizer produces on all fixture inputs, in its vocab order, plus
    the special tokens. Deterministic (the tokenizers WordPiece trainer is not: its ties follow hash order), and
    greedy longest-match over this subset tokenizes the fixture inputs exactly as the full vocab does."""
    tok = AutoTokenizer.from_pretrained(os.path.join(enc_root, "hf-bert-base-" + ("uncased" if lowercase else "cased")))
    corpus = [t if isinstance(t, str) else t["text"] + " " + t["text_pair"] for t in I.CLASSIFY_TEXTS]
    corpus += I.NER_TEXTS + [q + " " + c for q, c in I.QA_CASES] + [s + " " + " ".join(l) for s, l in I.ZERO_SHOT_CASES]
    corpus += [q + " " + " ".join(d) for q, d in I.RERANK_CASES]
    corpus += ["This example is {}.", "The topic of this text is {}.", "Dieser Text handelt von {}."]
    ids = {i for t in corpus for i in tok(t, add_special_tokens=False)["input_ids"]}
    ids |= {tok.convert_tokens_to_ids(t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]}
    return tok.convert_ids_to_tokens(sorted(ids))


def build_tiny(enc_root, out_root, work):
    specs = []
    vocabs = {True: tiny_vocab(enc_root, True), False: tiny_vocab(enc_root, False)}

    def make(name, auto_cls, fragment, lowercase, task, make_cases, head_keys):
        seed_all(SEED + len(specs))
        vocab = vocabs[lowercase]
        cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=64, max_position_embeddings=512, type_vocab_size=2,
                         initializer_range=0.1, **fragment)
        model = auto_cls.from_config(cfg).eval()
        with torch.no_grad():  # spread the head so scores are far from uniform
            for k, p in model.named_parameters():
                if k.startswith("bert.pooler.") and k.endswith("weight"):
                    p.normal_(0.0, 0.2)  # tanh input std ~1: pooled outputs differ between inputs, unsaturated
                elif any(k.startswith(h) for h in head_keys):
                    p.normal_(0.0, 0.6 if k.endswith("weight") else 0.3)
        d = os.path.join(out_root, "tiny", name)
        if os.path.exists(d):
            shutil.rmtree(d)
        os.makedirs(d)
        model.save_pretrained(d)
        with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
        write_json(os.path.join(d, "tokenizer_config.json"), {
            "tokenizer_class": "BertTokenizer", "do_lower_case": lowercase, "model_max_length": 512,
            "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "mask_token": "[MASK]",
            "unk_token": "[UNK]"})
        # verify the committed folder loads exactly
        sd = {k: v.clone() for k, v in model.state_dict().items()}
        loaded = verify_load(auto_cls, d, sd)
        tok = AutoTokenizer.from_pretrained(d)
        seed_all()
        cases = make_cases(d, loaded, tok)
        write_json(os.path.join(d, "expected.json"), {"task": task, "model": "tiny random " + name, "cases": cases})
        specs.append((name, len(cases)))
        print(f"  tiny/{name}: {len(cases)} cases", flush=True)

    sc = AutoModelForSequenceClassification
    make("sentiment", sc, {"id2label": {0: "NEGATIVE", 1: "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}},
         True, "text-classification", lambda f, m, t: text_classification_cases(m, t, "single"), ["classifier"])
    make("topics-multilabel", sc, {"problem_type": "multi_label_classification",
                                   "id2label": dict(enumerate(TOPICS)), "label2id": {t: i for i, t in enumerate(TOPICS)}},
         True, "text-classification", lambda f, m, t: text_classification_cases(m, t, "multi"), ["classifier"])
    make("rating-regression", sc, {"problem_type": "regression", "num_labels": 1},
         True, "text-classification", lambda f, m, t: text_classification_cases(m, t, "regression"), ["classifier"])
    make("nli", sc, {"id2label": NLI_ID2LABEL, "label2id": {v: k for k, v in NLI_ID2LABEL.items()}},
         True, "zero-shot-classification", lambda f, m, t: zero_shot_cases(m, t), ["classifier"])
    make("qa", AutoModelForQuestionAnswering, {}, True, "question-answering",
         lambda f, m, t: qa_cases(m, t), ["qa_outputs"])
    make("ner", AutoModelForTokenClassification,
         {"id2label": dict(enumerate(NER_LABELS)), "label2id": {t: i for i, t in enumerate(NER_LABELS)}},
         False, "token-classification", lambda f, m, t: token_classification_cases(m, t), ["classifier"])
    make("rerank", sc, {"num_labels": 1}, True, "rerank", lambda f, m, t: rerank_cases(f, m, t),
         ["classifier", "bert.pooler"])
    return specs


def check_overflow(tok):
    """tokenizers 0.23.1-0.23.2 drop most overflowing chunks (huggingface/tokenizers#2091, fix in PR #2098
    not released): stride/doc_stride fixtures made with them would encode the bug. Refuse to run then."""
    full = tok(I.LONG_TEXT, add_special_tokens=False)["input_ids"]
    chunks = tok(I.LONG_TEXT, truncation=True, max_length=64, stride=16, return_overflowing_tokens=True)["input_ids"]
    # each chunk: 62 content tokens, consecutive chunks overlap by 16
    expected = 1 + -(-(len(full) - 62) // (62 - 16))
    if len(chunks) != expected or chunks[-1][-2] != full[-1]:
        raise SystemExit(f"tokenizers {__import__('tokenizers').__version__} returned {len(chunks)} overflow chunks, "
                         f"expected {expected}: the overflow regression of tokenizers 0.23.1+ (#2091). "
                         "Run through make_fixtures.sh, which puts tokenizers 0.22.2 first on the path.")


def main():
    enc_root, out_root = sys.argv[1], sys.argv[2]
    check_overflow(AutoTokenizer.from_pretrained(os.path.join(enc_root, "hf-bert-base-cased")))
    work = os.path.join(enc_root, "work")
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    seed_all()
    import sentence_transformers
    import tokenizers
    import safetensors
    specs = []
    if "--tiny-only" not in sys.argv:
        start = sys.argv[sys.argv.index("--from") + 1] if "--from" in sys.argv else None
        specs += build_pretrained(enc_root, out_root, work, start)
    if "--pretrained-only" not in sys.argv:
        specs += build_tiny(enc_root, out_root, work)
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
                "tokenizers": tokenizers.__version__, "sentence_transformers": sentence_transformers.__version__,
                "safetensors": safetensors.__version__, "numpy": np.__version__,
                "question_answering_rules": "transformers v4.57.6 src/transformers/pipelines/question_answering.py",
                "tokenizers_note": "tokenizers 0.23.1-0.23.2 lose overflowing chunks (huggingface/tokenizers#2091); "
                                    "transformers 5.18 was run with its tokenizers pin relaxed on tokenizers 0.22.2",
                "seed": SEED}
    write_json(os.path.join(out_root, "versions.json"), versions)
    print(json.dumps(versions))


if __name__ == "__main__":
    main()
