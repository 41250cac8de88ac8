"""Hugging Face tokenizers' WordPieceTrainer on docs/examples/training/pretrain.txt (BERT normaliser, lower-case, BERT
pre-tokenizer, the five BERT special tokens), sizes 120 and 300: the fixtures WordPieceTrainerTest compares
dev.mlm4j.tokens.WordPieceTrainer with. Run from the repository root with /work/venv/bin/python."""
import tokenizers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

for size in (120, 300):
    t = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    t.normalizer = normalizers.BertNormalizer(lowercase=True)
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    t.train(["docs/examples/training/pretrain.txt"],
            trainers.WordPieceTrainer(vocab_size=size, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    vocab = [k for k, _ in sorted(t.get_vocab().items(), key=lambda kv: kv[1])]
    with open(f"mlm4j-core/src/test/resources/tokens/wordpiece-trainer-{size}.txt", "w") as f:
        f.write("\n".join(vocab) + "\n")
print("tokenizers", tokenizers.__version__)
