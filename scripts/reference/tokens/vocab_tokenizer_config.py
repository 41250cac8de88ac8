#!/usr/bin/env python3
"""Writes mlm4j-core/src/test/resources/tokens/vocab-tokenizer-config.json: what transformers' BERT tokenizer makes of a
folder holding only vocab.txt and a tokenizer_config.json, for the tokenizer_config.json keys that set its normalizer
(do_lower_case, strip_accents, tokenize_chinese_chars; e.g. dccuchile/bert-base-spanish-wwm-uncased lower-cases without
stripping accents). Read by TokenizerFilesTest, which builds the same folders.

    /work/venv/bin/python scripts/reference/tokens/vocab_tokenizer_config.py

The vocabulary is the committed vocab/bert-base-multilingual-cased-vocab.txt; made with transformers 5.18.0
(tokenizers 0.23.2), AutoTokenizer.from_pretrained on each folder, ids with [CLS]/[SEP].
"""
import json
import os
import shutil
import tempfile

import tokenizers
import transformers
from transformers import AutoTokenizer

RES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'mlm4j-core', 'src', 'test', 'resources',
                   'tokens')
VOCAB = 'vocab/bert-base-multilingual-cased-vocab.txt'
CONFIGS = [
    {'do_lower_case': True, 'strip_accents': False},
    {'do_lower_case': True, 'strip_accents': None},
    {'do_lower_case': True},
    {'do_lower_case': False, 'strip_accents': True},
    {'do_lower_case': False},
    {'do_lower_case': True, 'tokenize_chinese_chars': False},
    {'do_lower_case': False, 'tokenize_chinese_chars': False, 'strip_accents': False},
    {},
]
TEXTS = ['Canción del Año en ÉCOLE', 'Über naïve Straße', '北京是中国的首都 and 東京', 'ÀÉÎÕÜ àéîõü Ñandú']


def main():
    cases = []
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(os.path.join(RES, VOCAB), os.path.join(d, 'vocab.txt'))
        for cfg in CONFIGS:
            with open(os.path.join(d, 'tokenizer_config.json'), 'w') as f:
                json.dump(dict(cfg, tokenizer_class='BertTokenizer'), f)
            tok = AutoTokenizer.from_pretrained(d)
            cases.append({'config': cfg, 'texts': TEXTS, 'ids': [tok(t)['input_ids'] for t in TEXTS],
                          'normalizer': str(tok.backend_tokenizer.normalizer)})
    out = {'source': 'transformers ' + transformers.__version__ + ' (tokenizers ' + tokenizers.__version__
                     + '), scripts/reference/tokens/vocab_tokenizer_config.py', 'vocab': VOCAB, 'cases': cases}
    path = os.path.join(RES, 'vocab-tokenizer-config.json')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print('wrote', path)


if __name__ == '__main__':
    main()
