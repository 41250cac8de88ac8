import sys, json
sys.path.insert(0, '/tmp/ev/py')
from brown import read_brown, text, split
docs = read_brown('/tmp/ev/brown/package')
train0, test = split(docs)
seen = {}; train, dev = [], []
for d in train0:
    i = seen.get(d[1], 0); seen[d[1]] = i + 1
    (dev if i % 8 == 7 else train).append(d)
j = json.load(open('/tmp/ev/split/split.json'))
for part, mine in [('train', train), ('dev', dev), ('test', test)]:
    ids = [d[0] for d in mine]
    print(part, len(ids), ids == j[part], sum(len(d[2]) for d in mine), j['sentences'][part])
    lines = open(f'/tmp/ev/split/{part}.txt', encoding='utf-8').read().split('\n')[:-1]
    print('  txt lines equal:', lines == [text(w) for d in mine for (w, t) in d[2]])
tr = set(open('/tmp/ev/split/train.txt').read().split('\n')) | set(open('/tmp/ev/split/dev.txt').read().split('\n'))
te = [l for l in open('/tmp/ev/split/test.txt').read().split('\n') if l]
shared = [l for l in te if l in tr]
print('test lines also in train/dev (identical text):', len(shared), shared[:8])
print('files overlap', set(j['test']) & (set(j['train']) | set(j['dev'])))
from collections import Counter
print('genres per part', {p: len(Counter(x[1] for x in j[p])) for p in ('train', 'dev', 'test')})
print('total sentences', sum(len(d[2]) for d in docs), 'tokens', sum(len(w) for d in docs for (w, t) in d[2]))
