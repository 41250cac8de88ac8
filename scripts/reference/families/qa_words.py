#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/families/qa-words.json: what QuestionAnswering's align_to_words must equal on
the families' own tokenizers (byte-level BPE, SentencePiece Unigram, WordPiece).

- "words": for each family fixture's tokenizer.json (tokenizers 0.23.2, the fast tokenizer transformers uses) and each
  question/context pair, the character span of the word of every context token, as the question-answering pipeline
  widens an answer: Encoding.token_to_word then word_to_chars(word, sequence_index=1), as UTF-16 indices (Java's;
  Python counts code points, which differ after the emoji). Words are the pre-tokenizer's
  splits (ByteLevel's regex pieces, Metaspace's ▁ words, BertPreTokenizer's words) and each added token found in the text.
- "answers": transformers v4.57.6's question-answering span rules (re-implemented in scripts/reference/tasks/
  make_fixtures.py, cross-checked there against the real v4 pipeline; transformers 5 has no such pipeline) on the
  <family>-tiny-question-answering folders, top_k 3, the pairs that fit one window of 64 tokens, with and without
  align_to_words (start and end as UTF-16 indices too).

    /work/venv/bin/python scripts/reference/families/qa_words.py
"""
import json
import os
import sys

import tokenizers
import transformers
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tasks"))
from make_fixtures import qa_pipeline  # noqa: E402

FAMILIES = os.path.join(HERE, "..", "..", "..", "mlm4j-core", "src", "test", "resources", "families")
PAIRS = [
    ("Where does Wolfgang live?", "My name is Wolfgang and I live in Berlin, Germany's capital since 1990."),
    ("What was the café like?", "The Café was très bien — naïve but charming!  Unbelievably, it's closed (since 2019)."),
    ("Who had no difficulty?", "If we return to them today, we have no difficulty spotting their weaknesses: "
                               "Hemingway's over-long sentences, 12,000-word chapters and e-mail@addresses.com."),
    ("Wo liegt Paris?", "Die Hauptstadt von Frankreich ist Paris. 巴黎是法国的首都。 A capital da França é Paris 🙂."),
    # an added token is a word of its own (no space before it here; added_tokens.py checks lstrip's spaces)
    ("What is masked?", "The capital of France is:<mask>, and:[MASK]stays as written."),
    ("Where is it?", "It's in Berlin, Germany's capital."),
    ("Who was naïve?", "The café's owner was naïve but charming — un-believably so!"),
    ("Wo?", "Paris. 巴黎是首都。 França é Paris."),
]
MAX_SEQ_LEN = 64   # the fixtures' positions; longer pairs are left out of "answers" (see there)


def utf16(text, i):
    """A Python (code point) offset into text as a UTF-16 index, as Java strings and mlm4j's offsets count."""
    return len(text[:i].encode("utf-16-le")) // 2


out = {"source": "tokenizers " + tokenizers.__version__ + ", transformers " + transformers.__version__
       + " (span rules of v4.57.6's question-answering pipeline, scripts/reference/tasks/make_fixtures.py)",
       "words": {}, "answers": {}}
for family in ["roberta", "xlm-roberta", "deberta-v3", "modernbert", "electra", "distilbert"]:
    tok = tokenizers.Tokenizer.from_file(os.path.join(FAMILIES, family + "-tiny", "tokenizer.json"))
    rows = []
    for q, c in PAIRS:
        enc = tok.encode(q, c)
        spans = []
        for i, s in enumerate(enc.sequence_ids):
            if s != 1:
                continue
            w = enc.token_to_word(i)
            spans.append([utf16(c, x) for x in enc.word_to_chars(w, sequence_index=1)] if w is not None else None)
        rows.append({"question": q, "context": c, "context_tokens": [t for t, s in zip(enc.tokens, enc.sequence_ids) if s == 1],
                     "word_spans": spans})
    out["words"][family] = rows

for family in ["roberta", "xlm-roberta", "electra"]:
    folder = os.path.join(FAMILIES, family + "-tiny-question-answering")
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForQuestionAnswering.from_pretrained(folder).eval()
    names = tok.model_input_names   # as the v4 pipeline feeds the model: RoBERTa's and XLM-R's take no token_type_ids

    def model_fn(**feed):
        return model(**{k: v for k, v in feed.items() if k in names})

    cases = []
    for q, c in PAIRS:
        # One window per pair: tokenizers 0.23 cuts a pair into other windows than 0.22 did (the last ones shorter or
        # missing), and 0.22's are those of transformers 4.57.6's pipeline that QuestionAnswering follows; a pair
        # longer than the fixtures' 64 positions is left out. max_seq_len is given since the ELECTRA fixture's
        # tokenizer declares no maximum (the default 384 would overrun its positions).
        if len(tok(q, c)["input_ids"]) > MAX_SEQ_LEN:
            continue
        for align in [True, False]:
            kwargs = {"top_k": 3, "max_seq_len": MAX_SEQ_LEN, "align_to_words": align}
            answer, chunks = qa_pipeline(model_fn, tok, q, c, **kwargs)
            for a in (answer if isinstance(answer, list) else [answer]):
                a["start"], a["end"] = utf16(c, a["start"]), utf16(c, a["end"])
            cases.append({"question": q, "context": c, "kwargs": kwargs, "windows": len(chunks), "output": answer})
    out["answers"][family] = cases

path = os.path.join(FAMILIES, "qa-words.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
print("wrote", os.path.normpath(path))
