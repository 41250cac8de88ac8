#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/tokenizers/unicode-normalizers.jsonl.gz: what Hugging Face's NFC, NFKC, NFD and
NFKD normalizers make of texts built to stress canonical reordering and composition (combining marks of many classes
in any order after starters that compose with some of them, compatibility characters, Hangul jamo, Tibetan vowels),
with the original-text range of every normalized character. Read by UnicodeNormalizerTest.

    /work/venv/bin/python scripts/reference/tokenizers/unicode_normalizers.py

The ranges come from the Rust library itself: a tokenizer whose normalizer is the one under test, whose pre-tokenizer
isolates every character (Split on the regex "."), and whose WordLevel model makes each one a token; a token's offsets
are then its character's alignment. Made with tokenizers 0.23.2 (the alignments of unicode-normalization-alignments).
One line per (form, text): {"form", "text", "normalized", "start", "end"}, start/end as UTF-16 indices.
"""
import gzip
import json
import os
import random

import tokenizers
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

from make_tokenizers import utf16  # code point index → UTF-16 index, as the other tokenizer fixtures map offsets

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'mlm4j-core', 'src', 'test',
                   'resources', 'tokenizers', 'unicode-normalizers.jsonl.gz')
MARKS = [chr(c) for c in range(0x300, 0x370)] + [chr(c) for c in [
    0x483, 0x591, 0x5b0, 0x5bc, 0x5c1, 0x5c2, 0x64b, 0x651, 0x670, 0x93c, 0x94d, 0x9bc, 0x9be, 0x9d7, 0xb3e, 0xb56, 0xb57,
    0xbbe, 0xbd7, 0xcc2, 0xcd5, 0xd3e, 0xd57, 0xdca, 0xdcf, 0xe38, 0xe48, 0xf71, 0xf72, 0xf74, 0xf80, 0xf82, 0x1b35,
    0x302a, 0x3099, 0x309a, 0x20d0, 0x20e3, 0x1dc0, 0xfe20, 0x1d165, 0x1d16e]]
STARTERS = list('aeiouAEIOUcgnsyzwxrklhd') + [chr(c) for c in [
    0x915, 0x9c7, 0xb47, 0xbc6, 0xcbf, 0xcc6, 0xd46, 0xdd9, 0x1100, 0x1161, 0x11a8, 0xac00, 0x3b1, 0x3c9, 0x3b7, 0x1f00,
    0x5d1, 0x5e9, 0x627, 0x648, 0x30ab, 0x304b, 0xff76, 0xff9e, 0x212b, 0x2126, 0x1e9b, 0x17f, 0xfb01, 0x2168, 0x216b,
    0x2460, 0x337f, 0xbd, 0xb2, 0x1d15e, 0xf73, 0xf75, 0xf81, 0x344, 0x340, 0x1fee, 0x385, 0xe9, 0x1ec7, 0x1ef1, 0x1d6,
    0x1fb7, 0x1b05, 0x1b06]]
HAND = [
    'a\u0327\u0301\u0323',          # NFC "ạ" U+0327 U+0301: the dot below composes past the cedilla
    'e\u0302\u0323 Nguye\u0302\u0303n', 'u\u0323\u031b', 'o\u031b\u0301',  # Vietnamese marks in either order
    'a\u0307\u0323', 'a\u0300\u0301', 'e\u0301\u0301', '\u216b\u0300', '\u2168\u0301',
    '\u1100\u1161\u11a8 \u1100\u1161', 'x\u0f74\u0f73', 'caf\u00e9 cafe\u0301 na\u0131\u0308ve',
]


def aligner(form):
    t = Tokenizer(models.WordLevel({'[UNK]': 0}, unk_token='[UNK]'))
    t.normalizer = getattr(normalizers, form)()
    t.pre_tokenizer = pre_tokenizers.Split(Regex('.'), 'isolated')
    return t


def main():
    rnd = random.Random(20261205)
    texts = list(HAND)
    for _ in range(400):
        s = ''.join(rnd.choice(STARTERS) + ''.join(rnd.choice(MARKS) for _ in range(rnd.choice([0, 0, 1, 2, 3, 4])))
                    for _ in range(rnd.randint(1, 4)))
        texts.append(rnd.choice(MARKS) + s if rnd.random() < 0.3 else s)
    with gzip.GzipFile(OUT, 'wb', compresslevel=9, mtime=0) as f:
        for form in ['NFC', 'NFKC', 'NFD', 'NFKD']:
            t = aligner(form)
            for s in texts:
                e = t.encode(s)
                m = utf16(s)
                row = {'form': form, 'text': s, 'normalized': t.normalizer.normalize_str(s),
                       'start': [m[a] for a, b in e.offsets], 'end': [m[b] for a, b in e.offsets]}
                assert len(row['start']) == len(row['normalized'])
                f.write((json.dumps(row, ensure_ascii=False) + '\n').encode('utf-8'))
    print('wrote', OUT, len(texts) * 4, 'rows; tokenizers', tokenizers.__version__)


if __name__ == '__main__':
    main()
