"""Reference vectors for sentence-transformers folders without mlm4j's card (SentenceTransformersFolderTest).

Usage: st_folders.py BGE_DIR MINILM_DIR OUT.json
  BGE_DIR, MINILM_DIR: `./mlm4j convert bge-small-en-v1.5 BGE_DIR` and `./mlm4j convert all-MiniLM-L6-v2 MINILM_DIR`
  (Hugging Face folders with sentence-transformers' modules.json, 1_Pooling, sentence_bert_config.json).
Makes the variants the test makes (same recipe, in variant()), without mlm4j-model.json, and writes what
sentence-transformers' SentenceTransformer(folder).encode gives for each: the independent answer mlm4j must match.
"""
import json, shutil, sys, tempfile, os
import sentence_transformers, torch
from sentence_transformers import SentenceTransformer

TEXTS = ["A man is playing a guitar.", "The new movie is awesome.", "Héllo wörld — ünïcode and 漢字."]


def variant(src, dst, pooling, normalize):
    """src's files without mlm4j-model.json; 1_Pooling set to `pooling`; Normalize kept or dropped."""
    shutil.copytree(src, dst)
    os.remove(os.path.join(dst, "mlm4j-model.json"))
    cfg_path = os.path.join(dst, "1_Pooling", "config.json")
    cfg = json.load(open(cfg_path))
    cfg["pooling_mode_cls_token"] = pooling == "cls"
    cfg["pooling_mode_mean_tokens"] = pooling == "mean"
    json.dump(cfg, open(cfg_path, "w"), indent=2)
    modules = [m for m in json.load(open(os.path.join(dst, "modules.json"))) if normalize or not m["type"].endswith("Normalize")]
    json.dump(modules, open(os.path.join(dst, "modules.json"), "w"), indent=2)


def main(bge, minilm, out):
    work = tempfile.mkdtemp()
    cases = {"bge-cls-normalized": (bge, "cls", True), "minilm-cls-raw": (minilm, "cls", False), "minilm-mean-normalized": (minilm, "mean", True)}
    result = {"generator": "scripts/reference/embeddings/st_folders.py", "sentence_transformers": sentence_transformers.__version__,
              "torch": torch.__version__, "texts": TEXTS, "cases": {}}
    for name, (src, pooling, normalize) in cases.items():
        dst = os.path.join(work, name)
        variant(src, dst, pooling, normalize)
        model = SentenceTransformer(dst, device="cpu")
        v = model.encode(TEXTS, convert_to_numpy=True, normalize_embeddings=False)
        result["cases"][name] = {"pooling": pooling, "normalize": normalize, "max_seq_length": model.max_seq_length,
                                 "vectors": [[round(float(x), 7) for x in row] for row in v]}
    json.dump(result, open(out, "w"), indent=1)
    shutil.rmtree(work)


if __name__ == "__main__":
    main(*sys.argv[1:4])
