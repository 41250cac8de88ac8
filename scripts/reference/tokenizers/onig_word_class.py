#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/tokenizers/onig-word-class.json: a tokenizer.json whose Split pre-tokenizer and
Replace normalizer use \\w and \\W, and what Hugging Face's Rust tokenizers returns for texts around the code points
where its regex engine (Oniguruma, for Split and Replace patterns) and Java's UNICODE_CHARACTER_CLASS disagree on
\\w: ¹ ² ³ ¼ ½ ¾ are word characters there, U+200C and U+200D are not. Read by TokenizerJsonComponentsTest.

    /work/venv/bin/python scripts/reference/tokenizers/onig_word_class.py

Made with tokenizers 0.23.2. Each case: the text, the ids, the (start, end) offsets in UTF-16 units and the word ids.
"""
import json
import os

import tokenizers
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'mlm4j-core', 'src', 'test',
                   'resources', 'tokenizers', 'onig-word-class.json')
TEXTS = ['x² + y³ = z¹', '½ cup, ¼ tsp and ¾', 'a\u200db \u200c c', '👩\u200d💻 ok', 'Ⅻ ⓐb ① x² ½ ª º', 'plain words, no trouble.',
         'H₂O x²y', '¹²³']


def main():
    chars = sorted({c for t in TEXTS for c in t if not c.isspace()})
    vocab = {'[UNK]': 0}
    for c in chars:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault('##' + c, len(vocab))
    for w in ['x', 'y', 'cup', 'tsp', 'and', 'ok', 'plain', 'words', 'no', 'trouble']:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordPiece(vocab, unk_token='[UNK]'))
    tok.normalizer = normalizers.Replace(Regex(r'\W{3,}'), ' ')   # runs of 3+ non-word characters become a space
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r'\w+|[^\w\s]+'), 'isolated')
    cases = []
    for t in TEXTS:
        e = tok.encode(t)
        m, k = [0], 0
        for c in t:
            k += 2 if ord(c) > 0xFFFF else 1
            m.append(k)
        cases.append({'text': t, 'ids': e.ids, 'start': [m[a] for a, b in e.offsets], 'end': [m[b] for a, b in e.offsets],
                      'words': e.word_ids})
    out = {'source': 'tokenizers ' + tokenizers.__version__ + ', scripts/reference/tokenizers/onig_word_class.py',
           'tokenizer': json.loads(tok.to_str()), 'cases': cases}
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
