"""Independent recomputation of `./mlm4j eval mlm` with transformers (float32 eager by default)."""
import sys, json, math, argparse
import torch
from transformers import BertForMaskedLM, BertTokenizerFast
sys.path.insert(0, '/tmp/ev/py')
from javarand import JavaRandom, shuffle, mix, key
from brown import read_brown, text, split

ap = argparse.ArgumentParser()
ap.add_argument('--model', default='/tmp/ev/bert')
ap.add_argument('--corpus', default='/tmp/ev/brown/package')
ap.add_argument('--sentences', type=int, default=40)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--rate', type=float, default=0.15)
ap.add_argument('--min', type=int, default=8)
ap.add_argument('--max', type=int, default=126)
ap.add_argument('--conditions', default='bidirectional,causal,left-only,right-masked,left-open')
ap.add_argument('--dump', default=None)
a = ap.parse_args()

tok = BertTokenizerFast.from_pretrained(a.model)
docs = read_brown(a.corpus)
train, test = split(docs)
print('docs', len(docs), 'train', len(train), 'test', len(test))

def positions(n, rate, seed, k):
    cnt = int(max(1, min(n, math.floor(rate * n + 0.5))))   # Java Math.round
    r = JavaRandom(mix(seed, k))
    allp = list(range(n))
    for i in range(cnt):
        j = i + r.next_int(n - i)
        allp[i], allp[j] = allp[j], allp[i]
    return sorted(allp[:cnt])

eligible = []
for name, g, sents in test:
    for s, (words, tags) in enumerate(sents):
        p = tok(text(words), add_special_tokens=False)['input_ids']
        if len(p) < a.min or len(p) > a.max:
            continue
        ids = [tok.cls_token_id] + p + [tok.sep_token_id]
        m = [q + 1 for q in positions(len(p), a.rate, a.seed, key(name, s))]
        eligible.append((name, s, ids, m))
order = list(range(len(eligible)))
shuffle(order, JavaRandom(mix(a.seed, 0x5E17E7CE)))
chosen = sorted(order[:min(a.sentences, len(order))])
items = [eligible[i] for i in chosen]
print('eligible', len(eligible), 'chosen', len(items), 'pieces', sum(len(i[2]) - 2 for i in items), 'masks', sum(len(i[3]) for i in items))
if a.dump:
    json.dump([{'doc': d, 'index': s, 'ids': ids, 'masked': m} for d, s, ids, m in items], open(a.dump, 'w'))

bi = BertForMaskedLM.from_pretrained(a.model, attn_implementation='eager').eval()
ca = BertForMaskedLM.from_pretrained(a.model, attn_implementation='eager', is_decoder=True).eval()
assert ca.config.is_decoder
MASK = tok.mask_token_id

def score(model, x, row, target):
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([x]), token_type_ids=torch.zeros(1, len(x), dtype=torch.long)).logits[0, row].double()
    lp = torch.log_softmax(logits, -1)[target].item()
    rank = 1 + int((logits > logits[target]).sum())
    return lp, rank

# sanity: the causal model really is causal (changing later tokens changes nothing at row t)
x = items[0][2][:]
t = items[0][3][0]
x1 = x[:]; x1[t] = MASK
x2 = x1[:]
for j in range(t + 1, len(x2) - 1): x2[j] = 2000 + j
with torch.no_grad():
    l1 = ca(input_ids=torch.tensor([x1])).logits[0, t]; l2 = ca(input_ids=torch.tensor([x2])).logits[0, t]
    l3 = bi(input_ids=torch.tensor([x1])).logits[0, t]; l4 = bi(input_ids=torch.tensor([x2])).logits[0, t]
print('causal check: max diff when right context changes: causal', float((l1 - l2).abs().max()), 'bidirectional', float((l3 - l4).abs().max()))

def query(c, ids, t):
    if c == 'bidirectional': x = ids[:]
    elif c == 'causal': x = ids[:]            # full sequence, the causal mask hides the right
    elif c == 'left-only': x = ids[:t + 1] + [tok.sep_token_id]
    elif c == 'left-open': x = ids[:t + 1]
    elif c == 'right-masked':
        x = ids[:]
        for j in range(t + 1, len(x) - 1): x[j] = MASK
    x[t] = MASK
    return x

out = {}
for c in a.conditions.split(','):
    model = ca if c == 'causal' else bi
    n = top1 = top5 = 0; slp = 0.0
    q = [[0, 0, 0, 0.0] for _ in range(5)]
    for d, s, ids, m in items:
        pieces = len(ids) - 2
        for t in m:
            lp, rank = score(model, query(c, ids, t), t, ids[t])
            n += 1; top1 += rank <= 1; top5 += rank <= 5; slp += lp
            k = min(4, 5 * (t - 1) // pieces)
            qq = q[k]; qq[0] += 1; qq[1] += rank <= 1; qq[2] += rank <= 5; qq[3] += lp
    out[c] = {'masks': n, 'top1': top1 / n, 'top5': top5 / n, 'pppl': math.exp(-slp / n), 'mean_log_prob': slp / n,
              'quintiles': [{'n': x[0], 'top1': x[1] / x[0] if x[0] else None, 'pppl': math.exp(-x[3] / x[0]) if x[0] else None} for x in q]}
    print(c, json.dumps(out[c]))
json.dump(out, open('/tmp/ev/mlm_ref.json', 'w'), indent=1)
