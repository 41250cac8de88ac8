"""Independent recomputation of `./mlm4j eval probe` (pos and genre) with transformers features and a numpy re-implementation
of the documented softmax regression (standardise, momentum SGD, linear LR decay, L2 on weights, Java-seeded shuffles)."""
import sys, json, math, re
import numpy as np, torch
sys.path.insert(0, '/tmp/ev/py')
from javarand import JavaRandom, shuffle, mix
from brown import read_brown, text, split
from transformers import BertModel, AutoTokenizer

MODEL, NTRAIN, NTEST, PER_FILE, PTOK, EPOCHS, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), 1
tok = AutoTokenizer.from_pretrained(MODEL)
bi = BertModel.from_pretrained(MODEL, attn_implementation='eager', add_pooling_layer=False).eval()
ca = BertModel.from_pretrained(MODEL, attn_implementation='eager', add_pooling_layer=False, is_decoder=True).eval()
MAXLEN = bi.config.max_position_embeddings
CLS, SEP = tok.cls_token_id, tok.sep_token_id
TAGS = ["NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", "X", "."]

def universal(t):   # Petrov et al. mapping as documented in UniversalTags' javadoc
    t = t.lower()
    if t.startswith('fw-'): return 'X'
    t = re.sub(r'(-(tl|hl|nc))+$', '', t)
    if '+' in t[1:]: t = t[:t.index('+', 1)]
    if t == '*': return 'ADV'
    t = t.replace('*', '').rstrip('$')
    if not any(c.isalpha() for c in t): return '.'
    table = {'DET': 'at dt dti dts dtx abn abx wdt ex', 'ADJ': 'ap od', 'ADV': 'abl ql qlp rb rbr rbt rn wql wrb', 'CONJ': 'cc',
             'ADP': 'cs in', 'NUM': 'cd', 'PRT': 'rp to', 'VERB': 'md', 'X': 'uh nil'}
    for k, v in table.items():
        if t in v.split(): return k
    if t[:2] in ('vb', 'be', 'do', 'hv'): return 'VERB'
    if t.startswith('jj'): return 'ADJ'
    if t[:2] in ('nn', 'np', 'nr'): return 'NOUN'
    if t[:2] in ('pn', 'pp', 'wp'): return 'PRON'
    return 'X'

def pieces(s): return tok(s, add_special_tokens=False)['input_ids']

def plain(w): return '"' if w in ('``', "''") else w

def align(words, tags, maxp):
    ps, first, labels, ws = [], [], [], []
    for w, t in zip(words, tags):
        p = pieces(plain(w))
        if not p: continue
        first.append(1 + len(ps)); labels.append(TAGS.index(universal(t))); ws.append(w.lower()); ps += p
    if not first or len(ps) > maxp: return None
    return [CLS] + ps + [SEP], first, labels, ws

def sample(docs, count, seed, maxp):
    allS = [(w, t) for _, _, ss in docs for (w, t) in ss]
    order = list(range(len(allS))); shuffle(order, JavaRandom(seed))
    chosen = {}
    for i in order:
        if len(chosen) == count: break
        a = align(*allS[i], maxp)
        if a is None: continue
        chosen[i] = a
    return [chosen[i] for i in sorted(chosen)]

def features(model, seqs, pool):
    last, emb = [], []
    for ids, rows in seqs:
        with torch.no_grad():
            o = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
        L, E = o.last_hidden_state[0].numpy(), o.hidden_states[0][0].numpy()
        if pool:
            last.append(L[rows].astype(np.float64).mean(0).astype(np.float32)); emb.append(E[rows].astype(np.float64).mean(0).astype(np.float32))
        else:
            last += [L[r] for r in rows]; emb += [E[r] for r in rows]
    return np.array(last, dtype=np.float32), np.array(emb, dtype=np.float32)

class Softmax:
    def __init__(self, x, y, classes, epochs, seed, bs=64, lr=0.05, mom=0.9, l2=1e-4):
        x = np.asarray(x, dtype=np.float32); n, d = x.shape
        x64 = x.astype(np.float64)
        mu = x64.mean(0); var = np.maximum(0, (x64 ** 2).mean(0) - mu ** 2)
        self.mean = mu.astype(np.float32); self.inv = np.where(var > 1e-12, 1 / np.sqrt(np.where(var > 1e-12, var, 1)), 1).astype(np.float32)
        xs = ((x - self.mean) * self.inv).astype(np.float64)
        W = np.zeros((classes, d)); b = np.zeros(classes); vW = np.zeros_like(W); vb = np.zeros_like(b)
        order = list(range(n)); r = JavaRandom(seed)
        steps = epochs * ((n + bs - 1) // bs); step = 0
        for e in range(epochs):
            for i in range(n - 1, 0, -1):
                j = r.next_int(i + 1); order[i], order[j] = order[j], order[i]
            for f in range(0, n, bs):
                idx = order[f:f + bs]
                z = xs[idx] @ W.T + b
                z -= z.max(1, keepdims=True); p = np.exp(z); p /= p.sum(1, keepdims=True)
                p[np.arange(len(idx)), np.asarray(y)[idx]] -= 1
                gW = p.T @ xs[idx]; gb = p.sum(0)
                lr_ = lr * (1 - step / steps); step += 1
                vW = mom * vW - lr_ * (gW / len(idx) + l2 * W); W += vW
                vb = mom * vb - lr_ * gb / len(idx); b += vb
        self.W, self.b = W, b
    def predict(self, x):
        xs = ((np.asarray(x, dtype=np.float32) - self.mean) * self.inv).astype(np.float64)
        return np.argmax(xs @ self.W.T + self.b, 1)

def acc(p, g): return float(np.mean(np.asarray(p) == np.asarray(g)))
def macro_f1(p, g, C):
    s, k = 0, 0
    for c in range(C):
        tp = np.sum((p == c) & (g == c)); fp = np.sum((p == c) & (g != c)); fn = np.sum((p != c) & (g == c))
        if tp + fp + fn == 0: continue
        k += 1; s += 0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return s / k

def probe_rows(trainSeq, testSeq, pool, ytr, yte, unseen, C, task):
    rows = {}
    caTr, caTrE = features(ca, trainSeq, pool); caTe, caTeE = features(ca, testSeq, pool)
    biTr, biTrE = features(bi, trainSeq, pool); biTe, biTeE = features(bi, testSeq, pool)
    def row(name, xtr, y_tr, xte):
        h = Softmax(xtr, y_tr, C, EPOCHS, SEED)
        p = h.predict(xte)
        rows[name] = {'test': acc(p, yte), 'f1': macro_f1(p, np.asarray(yte), C), 'train': acc(h.predict(xtr), y_tr),
                      'unseen': None if unseen is None else acc(p[unseen], np.asarray(yte)[unseen])}
    row('embedding', biTrE, ytr, biTeE)
    row('causal', caTr, ytr, caTe)
    row('bidirectional', biTr, ytr, biTe)
    sh = list(ytr); r = JavaRandom(mix(SEED, 3))
    for i in range(len(sh) - 1, 0, -1):
        j = r.next_int(i + 1); sh[i], sh[j] = sh[j], sh[i]
    row('control', biTr, sh, biTe)
    return rows

docs = read_brown('/tmp/ev/brown/package')
train, test = split(docs)
out = {}
# POS
maxp = min(126, MAXLEN - 2)
tr = sample(train, NTRAIN, mix(SEED, 1), maxp); te = sample(test, NTEST, mix(SEED, 2), maxp)
ytr = [l for s in tr for l in s[2]]; yte = [l for s in te for l in s[2]]
C = 12
cnt = np.bincount(ytr, minlength=C); major = int(np.argmax(cnt))
lex = {}
for s in tr:
    for w, l in zip(s[3], s[2]): lex.setdefault(w, np.zeros(C, int))[l] += 1
unseen = np.array([w not in lex for s in te for w in s[3]])
lexical = np.array([int(np.argmax(lex[w])) if w in lex else major for s in te for w in s[3]])
yte_a = np.asarray(yte)
rows = {'majority': {'test': acc(np.full(len(yte), major), yte), 'f1': macro_f1(np.full(len(yte), major), yte_a, C), 'unseen': acc(np.full(unseen.sum(), major), yte_a[unseen])},
        'word identity': {'test': acc(lexical, yte), 'f1': macro_f1(lexical, yte_a, C), 'unseen': acc(lexical[unseen], yte_a[unseen]),
                          'train': acc([int(np.argmax(lex[w])) for s in tr for w in s[3]], ytr)}}
rows.update(probe_rows([(s[0], s[1]) for s in tr], [(s[0], s[1]) for s in te], False, ytr, yte, unseen, C, 'pos'))
out['pos'] = {'train_sentences': len(tr), 'test_sentences': len(te), 'train_examples': len(ytr), 'test_examples': len(yte),
              'unseen_share': float(unseen.mean()), 'rows': rows}
print(json.dumps(out['pos']))
# genre
L = min(PTOK, MAXLEN) - 2
def passages(ds):
    out = []
    for name, g, ss in ds:
        allp = [i for (w, t) in ss for i in pieces(text(w))]
        win = len(allp) // L
        if win == 0:
            if len(allp) >= 16: out.append((name, g, [CLS] + allp + [SEP]))
            continue
        take = min(PER_FILE, win)
        for i in range(take):
            w = i * win // take
            out.append((name, g, [CLS] + allp[w * L:(w + 1) * L] + [SEP]))
    return out
ptr, pte = passages(train), passages(test)
genres = sorted(set(p[1] for p in ptr), key=lambda c: 'abcdefghjklmnpr'.index(c))
ytr = [genres.index(p[1]) for p in ptr]; yte = [genres.index(p[1]) for p in pte]
C = len(genres)
major = int(np.argmax(np.bincount(ytr, minlength=C)))
df = {}
for p in ptr:
    for i in set(p[2][1:-1]): df[i] = df.get(i, 0) + 1
cols = {k: c for c, (k, v) in enumerate(sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:5000])}
def bow(ps):
    x = np.zeros((len(ps), len(cols)), np.float32)
    for s, p in enumerate(ps):
        for i in p[2][1:-1]:
            if i in cols: x[s, cols[i]] += 1
    return np.log1p(x).astype(np.float32)
h = Softmax(bow(ptr), ytr, C, EPOCHS, SEED); pb = h.predict(bow(pte))
grows = {'majority': {'test': acc(np.full(len(yte), major), yte), 'train': acc(np.full(len(ytr), major), ytr)},
         'bag': {'test': acc(pb, yte), 'f1': macro_f1(pb, np.asarray(yte), C), 'train': acc(h.predict(bow(ptr)), ytr)}}
seq = lambda ps: [(p[2], list(range(1, len(p[2]) - 1))) for p in ps]
grows.update(probe_rows(seq(ptr), seq(pte), True, ytr, yte, None, C, 'genre'))
out['genre'] = {'train': len(ptr), 'test': len(pte), 'rows': grows}
print(json.dumps(out['genre']))
json.dump(out, open('/tmp/ev/probe_ref.json', 'w'), indent=1)
