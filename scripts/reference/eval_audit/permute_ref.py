import sys, json, torch
sys.path.insert(0, '/tmp/ev/py')
from javarand import JavaRandom, shuffle
from brown import read_brown, text, split
from transformers import BertModel, BertTokenizerFast
model_dir, n_sent, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tok = BertTokenizerFast.from_pretrained(model_dir)
m = BertModel.from_pretrained(model_dir, attn_implementation='eager', add_pooling_layer=False).eval()
maxlen = m.config.max_position_embeddings
train, test = split(read_brown('/tmp/ev/brown/package'))
pool = [text(w) for _, _, ss in test for (w, t) in ss]
rnd = JavaRandom(seed)
shuffle(pool, rnd)
dh, da = [], []
for s in pool:
    if len(dh) == n_sent: break
    p = tok(s, add_special_tokens=False)['input_ids']
    if len(p) < 3: continue
    p = p[:maxlen - 2]
    x = [tok.cls_token_id] + p + [tok.sep_token_id]
    n = len(x)
    pi = list(range(n))
    for i in range(n - 2, 1, -1):
        j = 1 + rnd.next_int(i)
        pi[i], pi[j] = pi[j], pi[i]
    px = [x[k] for k in pi]
    with torch.no_grad():
        a = m(input_ids=torch.tensor([x]), output_attentions=True)
        b = m(input_ids=torch.tensor([px]), output_attentions=True)
    P = torch.tensor(pi)
    ha, hb = a.last_hidden_state[0].double(), b.last_hidden_state[0].double()
    dh.append(float((hb - ha[P]).abs().max() / ha.abs().max()))
    Aa, Ab = a.attentions[0][0].double(), b.attentions[0][0].double()
    da.append(float((Ab - Aa[:, P][:, :, P]).abs().max() / Aa.abs().max()))
print(json.dumps({'sentences': len(dh), 'hidden': {'max': max(dh), 'mean': sum(dh) / len(dh)}, 'attention': {'max': max(da), 'mean': sum(da) / len(da)}, 'per_sentence_hidden': dh}))
