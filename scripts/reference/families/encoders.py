#!/usr/bin/env python3
"""Writes the tiny RoBERTa, XLM-RoBERTa and ELECTRA fixtures under mlm4j-core/src/test/resources/families/:
<family>-tiny (the ForMaskedLM model, with its tokenizer and expected.json) and one folder per task head beside it
(<family>-tiny-<head>: config.json, model.safetensors and the same tokenizer) and the bare base model
(<family>-tiny-bare: its keys without the base prefix, as RobertaModel.save_pretrained writes them), every head sharing the masked LM's
encoder weights so expected.json's hidden states hold for all of them. Seeded random weights from transformers' own
config classes (hidden 32, 2 layers, 4 heads), every parameter perturbed so each one matters to the output, saved by
save_pretrained.

Tokenizers: RoBERTa a byte-level BPE and XLM-RoBERTa a Unigram (Metaspace), both trained by the `tokenizers` library
on mlm4j-spark's brown-300.txt and wrapped in transformers' RobertaTokenizer / XLMRobertaTokenizer (so <s>=0, <pad>=1,
</s>=2, <unk>=3, <mask> with lstrip); ELECTRA BERT's WordPiece over the 928-token vocabulary of tasks/tiny/sentiment.

expected.json: for each sentence (and a padded batch of three, and a sequence holding a <pad> id among its tokens, which
RoBERTa's positions skip) transformers' token ids, last hidden state, every layer's attention probabilities (eager
attention), the MLM top-5 (ids and logits) at each mask, every head's logits, and transformers' fill-mask pipeline output.
Everything in float32, as mlm4j computes. DistilBERT's heads: `distilbert-heads` adds them beside distilbert-tiny (made
by distilbert.py) with their logits in distilbert-tiny-heads.json.

    /work/venv/bin/python scripts/reference/families/encoders.py roberta|xlm-roberta|electra|distilbert-heads

A re-run writes the same weights (seeded); the Unigram trainer's scores may differ in the last digit, so XLM-R's
tokenizer.json and expected.json change only in float noise.
"""
import json
import os
import shutil
import sys

import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers, decoders
from tokenizers import AddedToken
from transformers import pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources")
FAMILIES = os.path.join(RES, "families")
BROWN = os.path.join(HERE, "..", "..", "..", "mlm4j-spark", "src", "test", "resources", "brown-300.txt")
VOCAB = os.path.join(RES, "tasks", "tiny", "sentiment", "vocab.txt")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
MASK = AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)

family = sys.argv[1]


def brown():
    with open(BROWN, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def roberta_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(brown(), trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tok.add_special_tokens([MASK])   # as roberta-base's tokenizer.json: <mask> takes the space before it
    return transformers.RobertaTokenizer(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                         cls_token="<s>", unk_token="<unk>", pad_token="<pad>",
                                         mask_token=MASK, add_prefix_space=False, model_max_length=64)


def xlmr_tokenizer():
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=600, special_tokens=SPECIALS, unk_token="<unk>")
    tok.train_from_iterator(brown() + ["Die Hauptstadt von Frankreich ist Paris.", "A capital da França é Paris.",
                                       "巴黎是法国的首都。"], trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.add_special_tokens([MASK])   # as xlm-roberta-base's tokenizer.json: <mask> takes the space before it
    return transformers.XLMRobertaTokenizer(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                            cls_token="<s>", unk_token="<unk>", pad_token="<pad>",
                                            mask_token=MASK, model_max_length=64)


def wordpiece_tokenizer(cls):
    with open(VOCAB, encoding="utf-8") as f:
        words = [w.rstrip("\n") for w in f]
    return cls(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)


def perturb(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)


ROBERTA_TEXTS = [
    "The capital of France is <mask>.",
    "If we return to them today, we have no <mask> spotting their weaknesses.",
    "From the technical standpoint, records differ from live music.",
    "<mask>",
    "It is successful because <mask> has been placed on good musical and <mask> practices.",
    "The Café was très bien — naïve but <mask>!",
    "no mask here",
]
XLMR_TEXTS = ROBERTA_TEXTS[:5] + ["Die Hauptstadt von Frankreich ist <mask>.", "A capital da França é <mask>.",
                                  "巴黎是法国的<mask>。"]
WORDPIECE_TEXTS = [
    "the movie was [MASK].",
    "i loved this film, it was [MASK] and [MASK].",
    "a terrible, boring story with bad acting.",
    "[MASK]",
    "what a wonderful day to watch a [MASK] movie with friends and family at home.",
    "this is the best film i have ever seen",
]

if family in ("roberta", "xlm-roberta"):
    xlmr = family == "xlm-roberta"
    tok = xlmr_tokenizer() if xlmr else roberta_tokenizer()
    Config = transformers.XLMRobertaConfig if xlmr else transformers.RobertaConfig
    prefix = "XLMRoberta" if xlmr else "Roberta"
    config = Config(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                    max_position_embeddings=66, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                    layer_norm_eps=1e-5, initializer_range=0.1)
    texts = XLMR_TEXTS if xlmr else ROBERTA_TEXTS
    base = "roberta"
elif family == "electra":
    tok = wordpiece_tokenizer(transformers.ElectraTokenizer)
    config = transformers.ElectraConfig(vocab_size=len(tok), embedding_size=16, hidden_size=32, num_hidden_layers=2,
                                        num_attention_heads=4, intermediate_size=64, max_position_embeddings=64,
                                        type_vocab_size=2, initializer_range=0.1)
    prefix, texts, base = "Electra", WORDPIECE_TEXTS, "electra"
elif family == "distilbert-heads":
    prefix, texts, base = "DistilBert", WORDPIECE_TEXTS, "distilbert"
else:
    sys.exit("usage: encoders.py roberta|xlm-roberta|electra|distilbert-heads")

HEADS = {"sequence-classification": ("ForSequenceClassification", 3), "token-classification": ("ForTokenClassification", 5),
         "question-answering": ("ForQuestionAnswering", 2)}
if family == "electra":
    HEADS["pretraining"] = ("ForPreTraining", 2)

torch.manual_seed(2026)
OUT = os.path.join(FAMILIES, family + "-tiny")
if family == "distilbert-heads":
    OUT = os.path.join(FAMILIES, "distilbert-tiny")
    mlm = transformers.DistilBertForMaskedLM.from_pretrained(OUT).eval()
    tok = transformers.DistilBertTokenizerFast.from_pretrained(OUT)
    config = mlm.config
else:
    os.makedirs(OUT, exist_ok=True)
    mlm = getattr(transformers, prefix + "ForMaskedLM")(config).eval()
    perturb(mlm, 1)
    mlm.save_pretrained(OUT, safe_serialization=True)
    tok.save_pretrained(OUT)
    mlm = getattr(transformers, prefix + "ForMaskedLM").from_pretrained(OUT, attn_implementation="eager").eval()
    tok = type(tok).from_pretrained(OUT)

# the bare base model (RobertaModel, ElectraModel, DistilBertModel) as save_pretrained writes it: keys without the
# base prefix (embeddings.*, encoder.* / transformer.*), the same weights as the masked LM's encoder
bare = os.path.join(FAMILIES, (family if family != "distilbert-heads" else "distilbert") + "-tiny-bare")
getattr(mlm, base).save_pretrained(bare, safe_serialization=True)
tok.save_pretrained(bare)

heads = {}
for i, (name, (suffix, labels)) in enumerate(HEADS.items()):
    folder = os.path.join(FAMILIES, (family if family != "distilbert-heads" else "distilbert") + "-tiny-" + name)
    os.makedirs(folder, exist_ok=True)
    cfg = type(config).from_dict(config.to_dict())
    cfg.num_labels = labels
    if labels == 3:
        cfg.id2label = {0: "negative", 1: "neutral", 2: "positive"}
        cfg.label2id = {v: k for k, v in cfg.id2label.items()}
    if labels == 5:
        cfg.id2label = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
        cfg.label2id = {v: k for k, v in cfg.id2label.items()}
    model = getattr(transformers, prefix + suffix)(cfg).eval()
    getattr(model, base).load_state_dict(getattr(mlm, base).state_dict(), strict=False)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if not n.startswith(base + "."):
                p.add_(torch.randn_like(p) * 0.05)
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    heads[name] = getattr(transformers, prefix + suffix).from_pretrained(folder, attn_implementation="eager").eval()


def top5(logits_row):
    v, i = torch.topk(logits_row, 5)
    return {"ids": i.tolist(), "tokens": tok.convert_ids_to_tokens(i.tolist()), "logits": v.tolist()}


def run(texts=None, ids=None):
    if ids is not None:
        enc = {"input_ids": torch.tensor(ids), "attention_mask": torch.ones(len(ids), len(ids[0]), dtype=torch.long)}
        texts = [None] * len(ids)
    else:
        enc = tok(texts, return_tensors="pt", padding=True)
    args = dict(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    with torch.no_grad():
        out = mlm(**args, output_hidden_states=True, output_attentions=True)
        head_out = {name: m(**args) for name, m in heads.items()}
    rows = []
    for b, text in enumerate(texts):
        n = int(enc["attention_mask"][b].sum())
        row_ids = enc["input_ids"][b][:n].tolist()
        masks = [p for p, t in enumerate(row_ids) if t == tok.mask_token_id]
        row = {
            "text": text,
            "ids": row_ids,
            "last_hidden_state": out.hidden_states[-1][b][:n].tolist(),
            # [layer][head][query][key], real tokens only (padded keys have probability 0)
            "attentions": [a[b, :, :n, :n].tolist() for a in out.attentions],
            "masks": [dict(position=p, **top5(out.logits[b, p])) for p in masks],
        }
        for name, o in head_out.items():
            if name == "sequence-classification":
                row[name] = o.logits[b].tolist()
            elif name == "question-answering":
                row[name] = [o.start_logits[b][:n].tolist(), o.end_logits[b][:n].tolist()]
            else:
                row[name] = o.logits[b][:n].tolist()
        rows.append(row)
    return rows


expected = {
    "source": "transformers " + transformers.__version__ + ", torch " + torch.__version__ + ": " + prefix
              + "ForMaskedLM and its heads .from_pretrained(these folders), float32, eager attention",
    "sentences": run(texts),
    "batch": run(texts[1:4]),
}
if family != "distilbert-heads":
    fill = pipeline("fill-mask", model=mlm, tokenizer=tok, top_k=5)
    expected["fill_mask"] = [{"text": s, "predictions": [{"token_str": p["token_str"], "token": p["token"], "score": p["score"]}
                                                        for p in fill(s)]} for s in texts if s.count(tok.mask_token) == 1]
    if family != "electra":
        # a <pad> id among real tokens (attention mask 1): RoBERTa's position ids skip it (create_position_ids_from_input_ids)
        ids = expected["sentences"][2]["ids"]
        expected["pad_inside"] = run(ids=[ids[:3] + [config.pad_token_id] + ids[3:]])[0]
    path = os.path.join(OUT, "expected.json")
else:
    for row in expected["sentences"] + expected["batch"]:   # distilbert-tiny/expected.json holds the encoder's values
        for key in ("last_hidden_state", "attentions", "masks"):
            del row[key]
    path = os.path.join(FAMILIES, "distilbert-tiny-heads.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False)
print("wrote", path)
for s in expected["sentences"]:
    print(s["text"], s["ids"], [x["tokens"] for x in s.get("masks", [])])
