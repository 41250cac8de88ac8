import sys, json, math, re, torch
from transformers import BertForMaskedLM, BertTokenizerFast
D = '/tmp/ev/bert'
tok = BertTokenizerFast.from_pretrained(D)
bi = BertForMaskedLM.from_pretrained(D, attn_implementation='eager').eval()
ca = BertForMaskedLM.from_pretrained(D, attn_implementation='eager', is_decoder=True).eval()
vocab = tok.convert_ids_to_tokens(list(range(tok.vocab_size)))
allowed = torch.tensor([not (t.startswith('[') and t.endswith(']') and len(t) > 2) for t in vocab])
CLS, SEP, MASK = tok.cls_token_id, tok.sep_token_id, tok.mask_token_id
N, T = int(sys.argv[1]), int(sys.argv[2])
prompts = sys.argv[3:]

def logits(model, x, rows):
    with torch.no_grad():
        return model(input_ids=torch.tensor([x])).logits[0, rows].double()

def pick(l):
    l = l.masked_fill(~allowed, float('-inf'))
    p = torch.softmax(l, -1)
    i = int(torch.argmax(l))
    return i, float(p[i])

def pppl(ids, start, n):
    s = 0
    for i in range(start, start + n):
        x = ids[:]; x[i] = MASK
        s += float(torch.log_softmax(logits(bi, x, [i])[0], -1)[ids[i]])
    return math.exp(-s / n)

res = []
for pr in prompts:
    p = tok(pr, add_special_tokens=False)['input_ids']
    start = len(p) + 1
    for strat in ['left-to-right', 'causal', 'masks-ahead', 'mask-predict']:
        ids = [CLS] + p + [0] * N + [SEP]
        passes = enc = 0
        if strat in ('left-to-right', 'causal'):
            model = bi if strat == 'left-to-right' else ca
            for i in range(N):
                pos = start + i
                x = ids[:pos] + [MASK, SEP]
                ids[pos] = pick(logits(model, x, [pos])[0])[0]
                passes += 1; enc += len(x)
        elif strat == 'masks-ahead':
            for i in range(N): ids[start + i] = MASK
            for i in range(N):
                ids[start + i] = pick(logits(bi, ids, [start + i])[0])[0]
                passes += 1; enc += len(ids)
        else:
            for i in range(N): ids[start + i] = MASK
            conf = [0.0] * N
            R = min(T, N)
            for t in range(R):
                if t == 0: rem = list(range(N))
                else:
                    k = N * (R - t) // R
                    rem = sorted(sorted(range(N), key=lambda i: (conf[i], i))[:k])
                for i in rem: ids[start + i] = MASK
                L = logits(bi, ids, [start + i for i in rem])
                passes += 1; enc += len(ids)
                for k_, i in enumerate(rem):
                    ids[start + i], conf[i] = pick(L[k_])
        gen = ids[start:start + N]
        res.append({'strategy': strat, 'prompt': pr, 'continuation': tok.decode(gen, skip_special_tokens=True), 'forward_passes': passes,
                    'tokens_encoded': enc, 'pppl': pppl(ids, start, N), 'distinct': len(set(gen)) / N})
        print(json.dumps(res[-1]))
json.dump(res, open('/tmp/ev/gen_ref.json', 'w'))
