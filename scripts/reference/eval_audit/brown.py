import os, re
BROWN = re.compile(r"c[a-r]\d\d$")

def read_brown(folder):
    docs = []
    for name in sorted(f for f in os.listdir(folder) if BROWN.match(f)):
        sents = []
        with open(os.path.join(folder, name), encoding='utf-8') as f:
            for line in f.read().split('\n'):
                line = line.strip()
                if not line:
                    continue
                toks = line.split()
                words = [t[:t.rindex('/')] for t in toks]
                tags = [t[t.rindex('/') + 1:].lower() for t in toks]
                sents.append((words, tags))
        docs.append((name, name[1], sents))
    return docs

def text(words):
    return ' '.join('"' if w in ('``', "''") else w for w in words)

def split(docs, every=5):
    by = {}
    for d in docs:
        by.setdefault(d[1], []).append(d)
    train, test = [], []
    for g, group in by.items():
        n = len(group)
        for i, d in enumerate(group):
            held = (n > 1 and i == n - 1) if n < every else (i % every == every - 1)
            (test if held else train).append(d)
    order = {d[0]: i for i, d in enumerate(docs)}
    return sorted(train, key=lambda d: order[d[0]]), sorted(test, key=lambda d: order[d[0]])
